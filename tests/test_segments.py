"""The write stage by fiscal-year segments (segments.py, issue 15): a run that adds, changes
or removes reports builds only the years it touched, and its outputs are the bytes a full
run writes, whatever --jobs, partitioning or byte copies among the inputs."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from pipeline import runner, segments
from pipeline.commit import earlier_outputs
from pipeline.inputs import InputFile
from pipeline.per_report import Payload
from pipeline.runner import RunOptions, run
from pipeline.schema import TABLES
from tests.reports import output_files, report_for_year

YEARS = (2010, 2011, 2012)


def _folder(folder: Path) -> None:
    """Two reports in each of three fiscal years, and a byte copy of one of them."""
    folder.mkdir(parents=True)
    for year in YEARS:
        for copy in ("a", "b"):
            (folder / f"{year}{copy}.txt").write_text(
                report_for_year(year) + f"※資料 {copy}\n", encoding="utf-8")
    shutil.copy(folder / "2011a.txt", folder / "2011a-copy.txt")


def _change(folder: Path) -> None:
    """One report added (2012), one changed (2010), one removed (2011b)."""
    (folder / "2012c.txt").write_text(report_for_year(2012) + "※資料 c\n", encoding="utf-8")
    (folder / "2010a.txt").write_text(report_for_year(2010) + "※改訂\n", encoding="utf-8")
    (folder / "2011b.txt").unlink()


def _built_years(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    built: list[int | None] = []
    original = segments.build

    def recording(plan: segments.Plan, store: object) -> segments.Segment:
        built.append(plan.fiscal_year)
        return original(plan, store)  # type: ignore[arg-type]

    monkeypatch.setattr(segments, "build", recording)
    return built


@pytest.mark.parametrize("partition_by", [None, "fiscal_year"])
def test_a_run_after_changes_builds_only_the_touched_years_and_equals_a_full_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, partition_by: str | None) -> None:
    folder, grown, full = tmp_path / "in", tmp_path / "grown", tmp_path / "full"
    _folder(folder)
    options = RunOptions(jobs=1, partition_by=partition_by)
    run([folder], grown, options)
    _change(folder)
    built = _built_years(monkeypatch)
    again = run([folder], grown, options)
    assert sorted(built) == [2010, 2011, 2012]  # each touched once; here all three are
    assert again.reused == 4  # 2010b, 2011a, 2012a, 2012b
    run([folder], full, RunOptions(jobs=1, force=True, partition_by=partition_by))
    assert output_files(grown) == output_files(full)


def test_a_run_that_adds_one_report_builds_one_year(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, grown, full = tmp_path / "in", tmp_path / "grown", tmp_path / "full"
    _folder(folder)
    run([folder], grown, RunOptions(jobs=1))
    (folder / "2011c.txt").write_text(report_for_year(2011) + "※資料 c\n", encoding="utf-8")
    built = _built_years(monkeypatch)
    result = run([folder], grown, RunOptions(jobs=1))
    assert built == [2011]
    assert result.reused == 6  # every report but the new one (the copy is not extracted)
    run([folder], full, RunOptions(jobs=1, force=True))
    assert output_files(grown) == output_files(full)
    # the cache keeps one segment per fiscal year of this run, no stale ones
    with sqlite3.connect(grown / ".cache" / "reports.sqlite3") as db:
        assert db.execute("select count(*) from segments").fetchone() == (len(YEARS),)


def test_segments_built_in_worker_processes_give_the_same_bytes(tmp_path: Path) -> None:
    _folder(tmp_path / "in")
    one = run([tmp_path / "in"], tmp_path / "one", RunOptions(jobs=1))
    two = run([tmp_path / "in"], tmp_path / "two", RunOptions(jobs=2))
    assert output_files(tmp_path / "one") == output_files(tmp_path / "two")
    assert (one.events, len(one.warnings)) == (two.events, len(two.warnings))
    assert one.events > 0 and one.warnings  # the copy's input-duplicate warning at least


_PIDS: list[Path] = []  # the file each worker notes its process id in (forked: inherited)
_EXTRACT = runner.extract_payload
_BUILD = segments._build_in_worker


def _noting_extract(item: InputFile) -> Payload:
    with _PIDS[0].open("a") as note:
        note.write(f"extract {os.getpid()}\n")
    return _EXTRACT(item)


def _noting_build(job: tuple[segments.Plan, Path, bytes]) -> tuple[list[str], bytes]:
    with _PIDS[0].open("a") as note:
        note.write(f"build {os.getpid()}\n")
    return _BUILD(job)


def test_the_workers_that_extract_the_reports_build_the_years(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One pool for the run (segments.Workers): no second start-up of processes."""
    _folder(tmp_path / "in")
    _PIDS.append(tmp_path / "pids.txt")
    try:
        monkeypatch.setattr(runner, "extract_payload", _noting_extract)
        monkeypatch.setattr(segments, "_build_in_worker", _noting_build)
        run([tmp_path / "in"], tmp_path / "out", RunOptions(jobs=2))
    finally:
        _PIDS.clear()
    noted = [line.split() for line in (tmp_path / "pids.txt").read_text().splitlines()]
    extracted = {pid for stage, pid in noted if stage == "extract"}
    built = {pid for stage, pid in noted if stage == "build"}
    assert len([1 for stage, _ in noted if stage == "build"]) == len(YEARS)
    assert built and extracted and built <= extracted
    assert str(os.getpid()) not in extracted | built


def test_a_segment_survives_its_encoding(tmp_path: Path) -> None:
    meta = {"events": 3, "inputs": "　全角 \ud800"}
    tables = {name: f"{name}-bytes".encode() for name in TABLES}
    payload = segments.encode(meta, tables)
    decoded = segments.decode("f" * 64, payload)
    assert decoded.meta == meta
    assert {name: bytes(view) for name, view in decoded.tables.items()} == tables
    with pytest.raises(ValueError, match="cut short"):
        segments.decode("f" * 64, payload[:-3])


def test_the_previous_outputs_are_read_without_the_input_list(tmp_path: Path) -> None:
    _folder(tmp_path / "in")
    out = tmp_path / "out"
    run([tmp_path / "in"], out, RunOptions(jobs=1))
    manifest = json.loads((out / "manifest.json").read_bytes())
    owned = {name.split("/")[0] for name in manifest["outputs"]}
    listed = earlier_outputs(out, owned)
    assert listed == {"manifest.json", *manifest["outputs"]}
    # a manifest in another layout (compact, keys reordered) is read whole, the same way
    compact = {"outputs": manifest["outputs"], "inputs": [], "pipeline_version": "x"}
    (out / "manifest.json").write_text(json.dumps(compact), encoding="utf-8")
    assert earlier_outputs(out, owned) == listed
    # a string holding the marker's text cannot pass for the key: JSON escapes the newline
    forged = {**compact, "inputs": [{"name": '\n  "outputs": {"../x": 1}'}]}
    (out / "manifest.json").write_text(json.dumps(forged, indent=2), encoding="utf-8")
    assert earlier_outputs(out, owned) == listed
