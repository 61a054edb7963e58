"""The README's pipeline.load analysis, run as written on a real run of raw/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_load_analysis_prints_what_the_readme_says(fy2012_output: Path,
                                                       tmp_path: Path) -> None:
    code = README.split("```python\nimport pipeline\n", 1)[1].split("```", 1)[0]
    printed = README.split("```text\n", 1)[1].split("```", 1)[0]
    shutil.copytree(fy2012_output, tmp_path / "output")
    done = subprocess.run([sys.executable, "-c", "import pipeline\n" + code], cwd=tmp_path,
                          capture_output=True, text=True, check=True, timeout=300)
    assert done.stdout == printed


def test_the_duckdb_join_on_partner_id(fy2012_output: Path) -> None:
    import duckdb

    query = README.split('duckdb.sql("""', 1)[1].split('""")', 1)[0]
    query = query.replace("'output/", f"'{fy2012_output}/")
    rows = duckdb.sql(query).fetchall()
    assert sum(n for _, n in rows) == 35  # every event joins its partner
    assert rows[0] == ("ジャカルタ特別市", 7)  # 7 items in the report's Jakarta row
