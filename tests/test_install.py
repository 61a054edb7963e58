"""A plain `pip install .` (no extras) must run every command (issue 11).

The test extras bring pandas, and pandas brings numpy: an import that only they satisfy
passes every other test and crashes on a user's machine. `.ci/run` proves the plain
install for real in a fresh virtual environment; this test names the culprit sooner.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

from tests.conftest import ROOT


def _imported_modules() -> dict[str, str]:
    """Top-level module -> the first pipeline file importing it, for every import in the
    package that is neither the standard library nor the package itself."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "pipeline":
                    found.setdefault(top, path.relative_to(ROOT).as_posix())
    return found


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_runtime_import_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_normalised(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0])
                for spec in project["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {module: where for module, where in _imported_modules().items()
                  if not {_normalised(d) for d in distributions.get(module, [module])}
                  & declared}
    assert undeclared == {}, "imported at run time but not in [project] dependencies"
