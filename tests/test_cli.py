"""The command line, in process: exact messages and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import REPORT, ROOT


def test_run_prints_one_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", str(REPORT.parent), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"pipeline run: 1 file, 35 events, 0 rejects, 0 warnings -> {out}\n"
    tables = ("events", "periods", "entries", "partners", "rejects", "extras", "event_months")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        [f"{t}.{s}" for t in tables for s in ("csv", "parquet")]
        + ["manifest.json", "datapackage.json"])


def test_run_defaults_to_raw_and_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / REPORT.name).write_bytes(REPORT.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 0
    assert (tmp_path / "output" / "events.csv").exists()
    assert capsys.readouterr().err.endswith("-> output\n")


def test_missing_input_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert main(["run", str(missing), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"pipeline run: error: {missing}: no such file or folder\n"


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["run", "--bogus"], ["dates", "--fiscal-year", "x"]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: pipeline" in capsys.readouterr().err


def test_dates_prints_one_json_object_per_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dates", "訪問(平成24年4～5月)", "日本"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [
        {"input": "訪問(平成24年4～5月)",
         "dates": [{"text": "平成24年4～5月", "start": "2012-04-01", "end": "2012-05-31",
                    "precision": "month", "inferred": False, "open_start": False,
                    "open_end": False}],
         "warnings": []},
        {"input": "日本", "dates": [], "warnings": []},
    ]


def test_dates_reads_standard_input_and_uses_the_fiscal_year(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("(3月)\n平成24年2月30日\n"))
    assert main(["dates", "--fiscal-year", "2020"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["dates"] == [{"text": "3月", "start": "2021-03-01", "end": "2021-03-31",
                               "precision": "month", "inferred": True,
                               "open_start": False, "open_end": False}]
    assert second["dates"] == []
    assert [w["code"] for w in second["warnings"]] == ["date-invalid"]


def test_help_and_dates_do_not_import_pandas_or_pyarrow() -> None:
    code = ("import sys\nfrom pipeline.cli import main\n"
            "main(['dates', '平成24年6月'])\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in ('pandas', 'pyarrow', 'lxml', 'pycountry') if m in sys.modules)\n"
            "print('HEAVY', heavy)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert "HEAVY []" in done.stdout


def test_run_writes_its_tables_without_importing_pandas(tmp_path: Path) -> None:
    """pyarrow would import pandas (a third of a second) on its first array; the run
    command hides it for that call, and pandas still works for to_pandas() afterwards."""
    code = ("import sys\nfrom pipeline.cli import console\n"
            f"sys.argv[1:] = ['run', 'raw', '--out', {str(tmp_path)!r}, '--quiet', '--jobs', '1']\n"
            "code = console()\n"
            "print('PANDAS', 'pandas' in sys.modules, code)\n"
            "import pyarrow.parquet as pq\n"
            f"frame = pq.read_table({str(tmp_path / 'events.parquet')!r}).to_pandas()\n"
            "print('FRAME', type(frame).__name__, len(frame))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert "PANDAS False 0" in done.stdout
    assert "FRAME DataFrame 35" in done.stdout


def test_main_called_as_a_library_leaves_pyarrow_its_pandas(tmp_path: Path) -> None:
    """Only the command's own process hides pandas from pyarrow: a caller of main() may
    hand pandas objects to pyarrow afterwards (a categorical stays a dictionary)."""
    code = ("from pipeline.cli import main\n"
            f"main(['run', 'raw', '--out', {str(tmp_path)!r}, '--quiet', '--jobs', '1'])\n"
            "import pandas as pd, pyarrow as pa\n"
            "print('TYPE', pa.array(pd.Series(pd.Categorical(['a', 'b']))).type)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert "TYPE dictionary<" in done.stdout


def test_every_command_is_documented_in_the_readme() -> None:
    from pipeline.cli import COMMANDS
    from pipeline.cli_review import COMMAND_NAMES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in [*COMMANDS, *COMMAND_NAMES]:
        assert f"pipeline {command}" in readme, command


def test_every_output_column_is_documented_in_the_readme() -> None:
    from pipeline.schema import TABLES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table, columns in TABLES.items():
        assert f"`{table}`" in readme
        for name, _, _ in columns:
            assert f"`{name}`" in readme, (table, name)


def test_the_library_api_is_what_the_readme_names(tmp_path: Path) -> None:
    """Regression: `pipeline.run` used to turn into the submodule after its first use."""
    import pipeline

    first = pipeline.run
    result = pipeline.run([str(REPORT.parent)], str(tmp_path / "out"))  # str paths work too
    assert pipeline.run is first and callable(pipeline.run)
    assert result.events == 35
    from pipeline import extract_bytes, find_dates, run

    assert run is first
    assert len(find_dates("平成24年6月").periods) == 1
    assert len(extract_bytes(REPORT.read_bytes(), REPORT.name).events) == 35  # type: ignore[union-attr]



def test_an_output_path_that_is_a_file_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "output"
    target.write_text("not a folder", encoding="utf-8")
    assert main(["run", str(REPORT.parent), "--out", str(target)]) == 2
    assert capsys.readouterr().err == f"pipeline run: error: {target}: exists and is not a folder\n"


def test_strict_names_each_reject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    text = REPORT.read_text(encoding="utf-8").replace("イタリア ローマ市 (H8)", "ナルニア国")
    (folder / "report.txt").write_text(text, encoding="utf-8")
    assert main(["run", str(folder), "--out", str(tmp_path / "out"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "pipeline run: reject: partner-label: report.txt:18: no known country" in err


def test_the_progress_bar_passes_every_report_through() -> None:
    from pipeline.cli import _progress_bar

    assert list(_progress_bar(iter(range(5)), 5)) == [0, 1, 2, 3, 4]
