"""The write stage by fiscal-year segments (segments.py, issue 15): a run that adds, changes
or removes reports builds only the years it touched, and its outputs are the bytes a full
run writes, whatever --jobs, partitioning or byte copies among the inputs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import per_report, segments, years
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
_EXTRACT = per_report.extract_payload
_BUILD = years._build_in_worker


def _noting_extract(item: InputFile) -> Payload:
    with _PIDS[0].open("a") as note:
        note.write(f"extract {os.getpid()}\n")
    return _EXTRACT(item)


def _noting_build(job: tuple[segments.Plan, Path, bytes, Path]
                  ) -> tuple[list[str], str, list[tuple[int, int]]]:
    with _PIDS[0].open("a") as note:
        note.write(f"build {os.getpid()}\n")
    return _BUILD(job)


def test_the_workers_that_extract_the_reports_build_the_years(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One pool for the run (workers.Workers): no second start-up of processes."""
    _folder(tmp_path / "in")
    _PIDS.append(tmp_path / "pids.txt")
    try:
        monkeypatch.setattr(per_report, "extract_payload", _noting_extract)
        monkeypatch.setattr(years, "_build_in_worker", _noting_build)
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


@pytest.mark.parametrize("piece", [1 << 20, 7, 1])
def test_the_previous_outputs_are_read_without_the_input_list(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int) -> None:
    """Read a piece at a time (outline._READ bytes): a key's line cut between two pieces,
    whatever the size, is found once."""
    from pipeline import outline

    monkeypatch.setattr(outline, "_READ", piece)
    _folder(tmp_path / "in")
    out = tmp_path / "out"
    run([tmp_path / "in"], out, RunOptions(jobs=1))
    manifest = json.loads((out / "manifest.json").read_bytes())
    owned = {name.split("/")[0] for name in manifest["outputs"]}
    loaded_whole: list[int] = []
    loads = json.loads
    monkeypatch.setattr(outline.json, "loads", lambda data: loaded_whole.append(1) or loads(data))
    listed = earlier_outputs(out, owned)
    assert listed == {"manifest.json", *manifest["outputs"]}
    assert loaded_whole == []  # found by its key lines, not loaded
    # a manifest in another layout (compact, keys reordered) is read whole, the same way
    compact = {"outputs": manifest["outputs"], "inputs": [], "pipeline_version": "x"}
    (out / "manifest.json").write_text(json.dumps(compact), encoding="utf-8")
    assert earlier_outputs(out, owned) == listed
    assert loaded_whole == [1]
    # a string holding the marker's text cannot pass for the key: JSON escapes the newline
    forged = {**compact, "inputs": [{"name": '\n  "outputs": {"../x": 1}'}]}
    (out / "manifest.json").write_text(json.dumps(forged, indent=2), encoding="utf-8")
    assert earlier_outputs(out, owned) == listed


def _csv_and_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not name.endswith(".parquet")}


def _parquet_tables(out: Path) -> dict[str, object]:
    import pyarrow.parquet as pq

    return {path.relative_to(out).as_posix(): pq.read_table(path).to_pylist()
            for path in sorted(out.rglob("*.parquet"))}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_year_in_parts_gives_the_rows_a_year_built_whole_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """Parts bound what a large year holds in memory; they change nothing a table says.
    (Parquet's row groups may fall elsewhere, so its files are compared by their rows.)"""
    _folder(tmp_path / "in")
    run([tmp_path / "in"], tmp_path / "whole", RunOptions(jobs=jobs))
    monkeypatch.setattr(segments, "PART_REPORTS", 1)  # every report a part of its own
    run([tmp_path / "in"], tmp_path / "parts", RunOptions(jobs=jobs))
    with sqlite3.connect(tmp_path / "parts" / ".cache" / "reports.sqlite3") as db:
        stored = db.execute("select fingerprint, part, last from segments "
                            "order by fingerprint, part").fetchall()
    assert len(stored) == 2 * len(YEARS)  # two reports a year (the copy joins its original)
    assert sorted(last for _, _, last in stored) == [0, 0, 0, 1, 1, 1]
    assert (_csv_and_manifest(output_files(tmp_path / "parts"))
            == _csv_and_manifest(output_files(tmp_path / "whole")))
    assert _parquet_tables(tmp_path / "parts") == _parquet_tables(tmp_path / "whole")


def test_a_run_after_changes_to_years_in_parts_equals_a_full_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "PART_REPORTS", 1)
    folder, grown, full = tmp_path / "in", tmp_path / "grown", tmp_path / "full"
    _folder(folder)
    run([folder], grown, RunOptions(jobs=2))
    _change(folder)
    run([folder], grown, RunOptions(jobs=2))
    run([folder], full, RunOptions(jobs=1, force=True))
    assert output_files(grown) == output_files(full)


@pytest.mark.parametrize(("damage", "jobs"), [("forged", 1), ("text", 1), ("missing", 1),
                                             ("forged", 2)])
def test_a_damaged_part_has_its_year_built_again_without_a_row_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, jobs: int) -> None:
    """A year's second part found forged (HMAC mismatch) after its first was written, or
    missing: the year is built again from the reports' cached results, its first part
    not written twice, and the run says which year's stored tables it did not trust."""
    monkeypatch.setattr(segments, "PART_REPORTS", 1)
    folder, out, full = tmp_path / "in", tmp_path / "out", tmp_path / "full"
    _folder(folder)
    run([folder], out, RunOptions(jobs=1))
    run([folder], full, RunOptions(jobs=1, force=True))
    with sqlite3.connect(out / ".cache" / "reports.sqlite3") as db:
        fingerprint, = db.execute("select fingerprint from segments where part = 1 "
                                  "order by fingerprint limit 1").fetchone()
        if damage != "missing":  # text: what SQLite cannot give back as UTF-8
            changed = "payload || x'ff'" if damage == "text" else "cast(payload || x'00' as blob)"
            db.execute(f"update segments set payload = {changed} where part = 1 and "
                       "fingerprint = ?", (fingerprint,))
        else:
            db.execute("delete from segments where part = 1 and fingerprint = ?",
                       (fingerprint,))
    built = _built_years(monkeypatch)
    result = run([folder], out, RunOptions(jobs=jobs))
    assert len(built) == 1 and result.reused == 6
    damaged, whole = output_files(out), output_files(full)
    assert ({k: v for k, v in damaged.items() if k != "manifest.json"}
            == {k: v for k, v in whole.items() if k != "manifest.json"})
    assert (json.loads(damaged["manifest.json"])["inputs"]
            == json.loads(whole["manifest.json"])["inputs"])
    codes = [w.code for w in result.warnings]
    assert codes.count("cache-entry-rejected") == (damage != "missing")
    again = run([folder], out, RunOptions(jobs=1))  # stored whole again: nothing to build
    assert len(built) == 1 and not any(w.code == "cache-entry-rejected" for w in again.warnings)
    assert output_files(out) == output_files(full)


_KILLED_MID_RUN = """
import multiprocessing, os, signal, sys
from pipeline import first_pass, runner
extract = first_pass._extract

def extract_then_die(*args):
    for summary in extract(*args):
        print(*[child.pid for child in multiprocessing.active_children()], flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        yield summary

first_pass._extract = extract_then_die
runner.run([sys.argv[1]], sys.argv[2], runner.RunOptions(jobs=2))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="the guarantee is made only on Linux: PR_SET_PDEATHSIG is a Linux "
                    "prctl, and elsewhere workers end only when their pipes close")
def test_the_workers_of_a_run_killed_outright_end_with_it(tmp_path: Path) -> None:
    """No clean-up runs after kill -9: the workers end because their parent did."""
    _folder(tmp_path / "in")
    printed = tmp_path / "workers.txt"
    with printed.open("w") as stdout:  # a file: a worker left alive holds no pipe of ours
        done = subprocess.run([sys.executable, "-c", _KILLED_MID_RUN, str(tmp_path / "in"),
                               str(tmp_path / "out")], stdout=stdout, timeout=120)
    assert done.returncode == -signal.SIGKILL
    workers = [int(pid) for pid in printed.read_text().split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 30
    try:
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        for pid in filter(_alive, workers):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def test_the_workers_scratch_folders_go_with_the_run_and_a_killed_runs_with_the_next(
        tmp_path: Path) -> None:
    """The years built in worker processes wait in a folder beside the cache; a run killed
    outright leaves it, and the next run removes it (a link there only as a link)."""
    _folder(tmp_path / "in")
    out, cache_folder = tmp_path / "out", tmp_path / "out" / ".cache"
    run([tmp_path / "in"], out, RunOptions(jobs=2, force=True))
    assert not list(cache_folder.glob("years-*"))
    (cache_folder / "years-left").mkdir()
    (cache_folder / "years-left" / "a.year").write_bytes(b"half a year")
    kept = tmp_path / "elsewhere"
    kept.mkdir()
    (kept / "mine.txt").write_text("mine", encoding="utf-8")
    (cache_folder / "years-link").symlink_to(kept)
    run([tmp_path / "in"], out, RunOptions(jobs=2, force=True))
    assert not list(cache_folder.glob("years-*"))
    assert (kept / "mine.txt").read_text(encoding="utf-8") == "mine"


def test_a_damaged_year_built_again_into_other_rows_stops_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts given from the cache before a damaged one must come out of the build as
    they were stored; if they do not (a report changed during the run), the run stops
    with an error naming the year, and the previous outputs stay as they were."""
    from pipeline.commit import OutputError

    monkeypatch.setattr(segments, "PART_REPORTS", 1)
    folder, out = tmp_path / "in", tmp_path / "out"
    _folder(folder)
    run([folder], out, RunOptions(jobs=1))
    before = output_files(out)
    with sqlite3.connect(out / ".cache" / "reports.sqlite3") as db:
        db.execute("update segments set payload = cast(payload || x'00' as blob) "
                   "where part = 1")
    original = segments.build

    def other_rows(plan: segments.Plan, store: object) -> Iterator[segments.Segment]:
        for segment in original(plan, store):  # type: ignore[arg-type]
            if segment.part == 0:
                segment.payload += b" "  # what another version of a report would give
            yield segment

    monkeypatch.setattr(segments, "build", other_rows)
    with pytest.raises(OutputError, match="fiscal year 2010: its stored tables"):
        run([folder], out, RunOptions(jobs=1))
    assert output_files(out) == before


def test_a_run_without_workers_makes_no_scratch_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    original = years.tempfile.mkdtemp
    monkeypatch.setattr(years.tempfile, "mkdtemp",
                        lambda **kw: made.append(kw.get("prefix", "")) or original(**kw))
    _folder(tmp_path / "in")
    run([tmp_path / "in"], tmp_path / "out", RunOptions(jobs=1))
    assert "years-" not in made
    run([tmp_path / "in"], tmp_path / "two", RunOptions(jobs=2))
    assert "years-" in made
