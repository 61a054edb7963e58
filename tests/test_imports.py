"""The import graph: no cycles between pipeline modules, each module importable first in a
fresh interpreter, and imports inside functions only where they save start-up time (each
says so in a comment), so `import pipeline` and `pipeline dates` stay light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "pipeline"
LAZY_WORDS = ("lazy", "speed", "only")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The pipeline modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in MODULES]
    base = node.module or ""
    found = [f"{base}.{alias.name}" for alias in node.names
             if f"{base}.{alias.name}" in MODULES]
    return found or ([base] if base in MODULES else [])


def _module_level_graph() -> dict[str, set[str]]:
    """Imports run when a module loads: its top level (not `if TYPE_CHECKING:` blocks)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {target for node in tree.body if isinstance(node, (ast.Import,
                                                                          ast.ImportFrom))
                       for target in _targets(node) if target != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, path)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    return cycles


def test_the_module_import_graph_has_no_cycle() -> None:
    graph = _module_level_graph()
    assert "pipeline.runner" in graph["pipeline.diff"]  # the graph is read at all
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_every_import_inside_a_function_says_it_is_for_speed() -> None:
    """An import inside a function is kept only to start faster (or to load a library
    only when it is needed); it says so, in a comment on its line or the two above."""
    unexplained = []
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if (isinstance(node, (ast.Import, ast.ImportFrom))
                        and not any(word in _comment_above(lines, node.lineno)
                                    for word in LAZY_WORDS)):
                    unexplained.append(f"{name}:{node.lineno}")
    assert unexplained == []


def _comment_above(lines: list[str], number: int) -> str:
    """The comments on line `number` (1-based) and on the run of import and comment lines
    right above it: one comment may speak for a group of imports."""
    found = []
    index = number - 1
    while index >= 0:
        line = lines[index].strip()
        if "#" in line:
            found.append(line.split("#", 1)[1].lower())
        if index < number - 1 and not line.startswith(("#", "import ", "from ")):
            break
        index -= 1
    return " ".join(found)


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    """Each module imported with no pipeline module loaded before it: an import order
    that only works from one entry point fails here. (__main__ runs the command line.)"""
    code = ("import importlib, sys\n"
            f"names = {sorted(set(MODULES) - {'pipeline.__main__'})!r}\n"
            "for name in names:\n"
            "    for loaded in [m for m in sys.modules if m.split('.')[0] == 'pipeline']:\n"
            "        del sys.modules[loaded]\n"
            "    importlib.import_module(name)\n"
            "print('IMPORTED', len(names))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert f"IMPORTED {len(MODULES) - 1}" in done.stdout


def test_import_pipeline_and_find_dates_load_neither_pandas_nor_pyarrow() -> None:
    code = ("import sys\nimport pipeline\n"
            "assert pipeline.find_dates('平成24年6月', 2012).periods\n"
            "print('HEAVY', sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert "HEAVY []" in done.stdout
