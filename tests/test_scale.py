"""Scale: what grows with the number of reports is streamed, not held; a run that adds a
report to a folder gives the tables a full run gives."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from pipeline.files import json_bytes
from pipeline.issue_log import IssueLog
from pipeline.model import Issue
from pipeline.runner import RunOptions, RunResult, run
from tests.conftest import REPORT


def _reports(folder: Path, count: int, start: int = 0) -> None:
    """`count` distinct reports: the real one with a note line of its own each."""
    folder.mkdir(parents=True, exist_ok=True)
    text = REPORT.read_text(encoding="utf-8").rstrip("\n")
    for index in range(start, start + count):
        (folder / f"r{index:03d}.txt").write_text(f"{text}\n※資料番号 {index:05d}\n",
                                                   encoding="utf-8")


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).as_posix().startswith(".")}


def test_run_result_holds_counts_not_per_input_lists(tmp_path: Path) -> None:
    _reports(tmp_path / "in", 5)
    result = run([tmp_path / "in"], tmp_path / "out")
    lists = {f.name for f in dataclasses.fields(RunResult)
             if isinstance(getattr(result, f.name), list)}
    # only what a run must say at its end (problem files, reject reasons); the warnings,
    # many more, wait on disk (issue_log.py)
    assert lists == {"unreadable", "missing_year", "reject_reasons"}
    assert isinstance(result.warnings, IssueLog)
    assert "inputs" not in result.manifest
    assert (result.inputs_listed, result.inputs_with_table) == (5, 5)


def test_streamed_manifest_is_what_writing_it_whole_gives(tmp_path: Path) -> None:
    _reports(tmp_path / "in", 4)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")  # an input with an error entry
    run([tmp_path / "in"], tmp_path / "out")
    written = (tmp_path / "out" / "manifest.json").read_bytes()
    document = json.loads(written)
    assert len(document["inputs"]) == 5
    assert json_bytes(document) == written
    assert not list((tmp_path / "out").rglob(".manifest-inputs*"))


def test_streamed_manifest_with_only_a_damaged_input(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(b"\xff\xfe not a report")
    run([tmp_path / "in"], tmp_path / "out")
    written = (tmp_path / "out" / "manifest.json").read_bytes()
    assert json_bytes(json.loads(written)) == written


def test_adding_a_report_gives_a_full_runs_outputs(tmp_path: Path) -> None:
    for options in (RunOptions(), RunOptions(partition_by="fiscal_year")):
        _reports(tmp_path / "in", 6)
        grown, full = tmp_path / "grown", tmp_path / "full"
        run([tmp_path / "in"], grown, options)
        _reports(tmp_path / "in", 1, start=6)  # one new report
        (tmp_path / "in" / "r002.txt").write_text(  # and one changed
            REPORT.read_text(encoding="utf-8").rstrip("\n") + "\n※改訂\n", encoding="utf-8")
        again = run([tmp_path / "in"], grown, options)
        assert again.reused == 5
        run([tmp_path / "in"], full, RunOptions(jobs=1, force=True,
                                                 partition_by=options.partition_by))
        assert _files(grown) == _files(full)  # manifest.json too, byte for byte
        for folder in (tmp_path / "in", grown, full):
            shutil.rmtree(folder)


def test_a_run_with_nothing_changed_reads_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import runner

    _reports(tmp_path / "in", 4)
    (tmp_path / "in" / "r001.txt").write_text(  # a reject and a warning to carry over
        (tmp_path / "in" / "r001.txt").read_text(encoding="utf-8")
        + "\tこの行は表ではない\t\t\n", encoding="utf-8")
    out = tmp_path / "out"
    run([tmp_path / "in"], out)
    second = run([tmp_path / "in"], out)  # reuses every report: records the outputs
    before = _files(out)
    calls: list[str] = []
    monkeypatch.setattr(runner.TableSink, "write_table",
                        lambda *a, **k: calls.append("write"))
    third = run([tmp_path / "in"], out)
    assert not calls and _files(out) == before
    assert third == second and second.rejects and second.reused == 4
    # an output changed behind the run's back: the run writes the tables again
    monkeypatch.undo()
    (out / "events.csv").write_bytes(b"changed")
    fourth = run([tmp_path / "in"], out)
    assert _files(out) == before and fourth == second
    # other options, or a changed input: not the same run
    run([tmp_path / "in"], out, RunOptions(partition_by="fiscal_year"))
    assert "events/" in " ".join(_files(out))
    assert run([tmp_path / "in"], out) == second and _files(out) == before


def test_the_warning_log_gives_back_what_it_was_given() -> None:
    issues = [Issue("date-missing", f"a.txt:{n}: 平成{n}年 \ud800", "warning", "a.txt", n, "x\ny")
              for n in range(3)]
    log = IssueLog(issues[:1])
    log.extend(issues[1:])
    assert len(log) == 3 and log and list(log) == issues and list(log) == issues
    assert log == IssueLog(issues) and log != IssueLog(issues[:2]) and not IssueLog()


_POOL_SPY = """
import json, os, sys
seen = []
class Spy:  # notes the memory pool asked for at the moment pyarrow first loads
    @staticmethod
    def find_spec(name, *_):
        if name == "pyarrow" and not seen:
            seen.append(os.environ.get("ARROW_DEFAULT_MEMORY_POOL"))
sys.meta_path.insert(0, Spy)
from pipeline.cli import main
code = main(["run", sys.argv[1], "--out", sys.argv[2], "--quiet"], own_process=True)
import pyarrow
print(json.dumps([code, seen, pyarrow.default_memory_pool().backend_name]))
"""


@pytest.mark.parametrize(("chosen", "expected"), [(None, "system"), ("jemalloc", "jemalloc")])
def test_the_command_line_chooses_pyarrows_pool_before_pyarrow_loads(
        tmp_path: Path, chosen: str | None, expected: str) -> None:
    """pyarrow.set_memory_pool alone leaves the IPC, CSV and Parquet code on the bundled
    allocator, which kept freed memory (outputs.arrow_on_malloc); a user's own choice of
    pool stays."""
    import os
    import subprocess
    import sys

    _reports(tmp_path / "in", 2)
    environment = {key: value for key, value in os.environ.items()
                   if key != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen is not None:
        environment["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    done = subprocess.run([sys.executable, "-c", _POOL_SPY, str(tmp_path / "in"),
                           str(tmp_path / "out")], capture_output=True, text=True,
                          env=environment, check=True)
    code, seen, backend = json.loads(done.stdout.splitlines()[-1])
    assert (code, seen, backend) == (0, [expected], expected)
