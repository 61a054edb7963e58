"""Beyond one machine (issue 15; README "Beyond one machine"): the per-report stage runs
on Dask, an existing distributed engine, and the run writes what `pipeline run
--partition-by fiscal_year` writes, byte for byte. The README's snippet is the code run
here, as written: a LocalCluster of two worker processes, each importing `pipeline`."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from pathlib import Path

import distributed
import pytest

from pipeline import first_pass, runner
from pipeline.inputs import InputFile
from pipeline.runner import Payload, extract_payload
from tests.conftest import ROOT
from tests.reports import cp932_bytes, euc_jp_bytes, report_for_year, run_quiet, text_to_csv

README = (ROOT / "README.md").read_text(encoding="utf-8")
NOT_A_TABLE = "\tこの行は表ではない\t\t\n"  # a line the layout rejects, with a warning


def readme_snippet() -> str:
    blocks = [block.split("```", 1)[0] for block in README.split("```python\n")[1:]]
    return next(block for block in blocks if "LocalCluster" in block)


def make_reports(folder: Path) -> dict[str, bytes]:
    """Reports of fiscal years 1995-2011 in the forms collections hold, each unique by a
    note line; two of FY2008 (ids must stay unique within a year), one with a rejected
    line, one with no fiscal year, and one file twice under two names."""
    folder.mkdir()
    reports: dict[str, bytes] = {}
    for year in range(1995, 2012):
        text = report_for_year(year).rstrip("\n") + f"\n※資料番号 {year}\n"
        reports[f"fy{year}.txt"] = text.encode("utf-8")
        if year == 1997:
            reports["fy1997.txt"] = (text + NOT_A_TABLE).encode("utf-8")
        if year == 1999:
            reports.pop("fy1999.txt")
            reports["fy1999.csv"] = ("\ufeff" + text_to_csv(text)).encode("utf-8")
        if year == 2003:
            reports.pop("fy2003.txt")
            reports["fy2003_sjis.txt"] = cp932_bytes(text)
        if year == 2005:
            reports.pop("fy2005.txt")
            reports["fy2005_euc.txt"] = euc_jp_bytes(text)
        if year == 2008:
            reports["older/fy2008_reissue.txt"] = (text + "※再版\n").encode("utf-8")
    no_year = report_for_year(2010).replace("平成22年度実績\n", "")
    reports["undated.txt"] = (no_year + NOT_A_TABLE).encode("utf-8")
    reports["fy2001_copy.txt"] = reports["fy2001.txt"]  # sorts after it: the one dropped
    for name, data in reports.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(data)
    return reports


def outputs(out: Path) -> dict[str, bytes]:
    """Every file of an output folder but its cache and lock (the run's own state)."""
    found = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.is_file() and not name.startswith(".cache/") and name != ".lock":
            found[name] = path.read_bytes()
    return found


def noted_payload(notes: Path, item: InputFile) -> Payload:
    """extract_payload, leaving a note of the Dask worker and process it ran in."""
    worker = distributed.get_worker()  # ValueError outside a Dask worker's task
    note = notes / hashlib.sha256(item.name.encode()).hexdigest()
    note.write_text(f"{item.name}\n{worker.address}\n{os.getpid()}\n", encoding="utf-8")
    return extract_payload(item)


def test_the_readme_dask_snippet_writes_what_pipeline_run_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="distributed")  # not every worker's start and stop
    reports = make_reports(tmp_path / "raw")
    assert run_quiet(str(tmp_path / "raw"), "--out", str(tmp_path / "cli"),
                     "--partition-by", "fiscal_year") == 0

    notes = tmp_path / "notes"
    notes.mkdir()
    # the function the run hands the mapper, so each call says where it ran
    monkeypatch.setattr(first_pass, "extract_payload", functools.partial(noted_payload, notes))
    monkeypatch.chdir(tmp_path)  # the snippet reads raw/ and writes output/
    namespace = {"__name__": "__main__"}
    exec(compile(readme_snippet(), "README.md (Beyond one machine)", "exec"), namespace)

    result = namespace["result"]
    assert isinstance(result, runner.RunResult)
    assert result.reused == 0 and result.rejects == 2 and result.warnings
    dask_files, cli_files = outputs(tmp_path / "output"), outputs(tmp_path / "cli")
    assert dask_files.keys() == cli_files.keys()
    for name, data in cli_files.items():
        assert dask_files[name] == data, name
    years = {name.split("/")[1] for name in cli_files if name.startswith("events/")}
    assert len(years) == 18 and "fiscal_year=__HIVE_DEFAULT_PARTITION__" in years

    # every report (the copy is read once, in the client) was extracted in a Dask worker,
    # a process other than this one
    ran = [note.read_text(encoding="utf-8").split("\n") for note in notes.iterdir()]
    assert sorted(name for name, _, _, _ in ran) == sorted(set(reports) - {"fy2001_copy.txt"})
    assert all(address.startswith("tcp://") for _, address, _, _ in ran)
    assert all(int(pid) != os.getpid() for _, _, pid, _ in ran)
