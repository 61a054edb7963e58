"""The run's list of inputs on disk (ledger.py), the first pass's bounded hand-out to the
workers (workers.Workers.ordered_map), and the streams that replaced lists of every
input (unchanged.fingerprint, ReportCache.keep_only): each gives what the held version
gave, which stays in the code base as the oracle (duplicates.drop_duplicates, the
fingerprint's json.dumps formula)."""

from __future__ import annotations

import gc
import hashlib
import json
import sqlite3
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import cache, runner, workers
from pipeline import ledger as ledger_module
from pipeline.cli import main
from pipeline.cli_common import EXIT_USAGE
from pipeline.duplicates import drop_duplicates
from pipeline.inputs import InputFile, discover
from pipeline.ledger import InputLedger, YearPlans
from pipeline.runner import RunOptions
from pipeline.unchanged import fingerprint
from pipeline.workers import Workers
from tests.reports import report_for_year

_NAMES = st.text(string.ascii_lowercase + "日本", min_size=1, max_size=6)


def _folder(folder: Path, files: dict[str, bytes]) -> list[InputFile]:
    folder.mkdir()
    for name, data in files.items():
        (folder / f"{name}.txt").write_bytes(data)
    return discover([folder])


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_NAMES, st.sampled_from([b"a", b"b", b"c", b""]), min_size=1,
                       max_size=12))
def test_copies_are_found_as_drop_duplicates_finds_them(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        found = _folder(Path(scratch) / "in", files)
        kept, copies = drop_duplicates(found)
        ledger = InputLedger()
        try:
            ledger.add(found)
            read = [item.name for page in ledger.pages() for _, item, _ in page]
            assert read == [item.name for item in kept]
            assert (ledger.count, ledger.copies, ledger.to_read) == (
                len(found), len(copies), len(kept))
            # each copy is listed with the input it copies, once the years are known
            ledger.record((f"k{seq}", 2012, False, seq) for page in ledger.pages()
                          for seq, _, _ in page)
            ledger.finish()
            listed = [(d.item.name, d.first.name, d.sha256, d.size)
                      for plan in YearPlans(ledger) for m in plan.members
                      for d in m.duplicates]
            assert sorted(listed) == sorted((d.item.name, d.first.name, d.sha256, d.size)
                                            for d in copies)
        finally:
            ledger.close()


def test_plans_are_the_years_in_output_order(tmp_path: Path) -> None:
    """Reports with no fiscal year first, then by year; in a year, by name."""
    found = _folder(tmp_path / "in", {name: name.encode() for name in "abcdef"})
    ledger = InputLedger()
    years = {"a": 2013, "b": None, "c": 2012, "d": 2013, "e": None, "f": 2012}
    ledger.add(found)
    ledger.record((f"key-{item.name}", years[item.name[0]], item.name == "c.txt", seq)
                  for page in ledger.pages() for seq, item, _ in page)
    ledger.finish()
    plans = YearPlans(ledger)
    assert [plan.fiscal_year for plan in plans] == [None, 2012, 2013]
    assert [[m.item.name for m in plan.members] for plan in plans] == [
        ["b.txt", "e.txt"], ["c.txt", "f.txt"], ["a.txt", "d.txt"]]
    assert list(ledger.keys()) == [f"key-{n}.txt" for n in "becfad"]
    assert plans[1].members[0].reused and ledger.reused() == 1
    assert ledger.reused(among={"key-c.txt", "key-f.txt"}) == 1
    assert plans.fingerprints() == {plan.fingerprint for plan in plans}
    ledger.close()


def test_an_unreadable_input_is_read_not_taken_for_a_copy(tmp_path: Path) -> None:
    found = _folder(tmp_path / "in", {"a": b"x", "b": b"x"})
    missing = InputFile(str(tmp_path / "gone.txt"), "gone.txt")
    ledger = InputLedger()
    ledger.add([*found, missing, InputFile(str(tmp_path / "gone2.txt"), "gone2.txt")])
    pages = [(item.name, sha) for page in ledger.pages() for _, item, sha in page]
    assert pages == [("a.txt", hashlib.sha256(b"x").hexdigest()), ("gone.txt", None),
                     ("gone2.txt", None)]
    ledger.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=8)), st.booleans(), st.sampled_from([None, "fiscal_year"]))
def test_streamed_fingerprint_is_the_json_formula(keys: list[str], excel: bool,
                                                  partition_by: str | None) -> None:
    options = RunOptions(excel=excel, partition_by=partition_by)
    expected = hashlib.sha256(json.dumps([keys, excel, partition_by],
                                         ensure_ascii=False).encode()).hexdigest()
    assert fingerprint(iter(keys), options) == expected


def test_keep_only_asks_the_ledger_which_keys_a_run_used(tmp_path: Path) -> None:
    found = _folder(tmp_path / "in", {"a": b"a", "c": b"c"})
    ledger = InputLedger()
    ledger.add(found)
    ledger.record((f"key-{item.name}", 2012, False, seq) for page in ledger.pages()
                  for seq, item, _ in page)
    ledger.finish()
    store = cache.ReportCache(tmp_path / "out")
    for key in ("key-a.txt", "key-b.txt", "key-c.txt"):
        store.put(key, 2012, b"{}")
    for year in ("year-kept", "year-gone"):
        store.put_part(year, 0, True, b"part")
    store.keep_only(ledger.kept_keys(), {"year-kept"})
    store.commit()
    assert [store.fiscal_year(f"key-{n}.txt")[0] for n in "abc"] == [True, False, True]
    assert store.has_segment("year-kept") and not store.has_segment("year-gone")
    store.close()
    ledger.close()


def test_reused_among_counts_only_inputs_reused(tmp_path: Path) -> None:
    found = _folder(tmp_path / "in", {name: name.encode() for name in "abcd"})
    ledger = InputLedger()
    ledger.add(found)
    ledger.record((f"key-{item.name}", 2012, item.name in ("a.txt", "b.txt"), seq)
                  for page in ledger.pages() for seq, item, _ in page)
    ledger.finish()
    assert ledger.reused() == 2
    # c was extracted, not reused; z is no input's: neither counts
    assert ledger.reused(among={"key-a.txt", "key-c.txt", "key-z"}) == 1
    ledger.close()


_CONNECT = sqlite3.connect  # the real one, for the stand-in below (the test patches it)


class _FullDisk:
    """A connection whose temporary file cannot grow: SQLite's error on a full disk."""

    def __init__(self) -> None:
        self._db = _CONNECT("")

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql.startswith("insert"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def close(self) -> None:
        self._db.close()


def test_a_full_temporary_folder_stops_the_run_saying_where(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _folder(tmp_path / "in", {"a": b"a"})
    monkeypatch.setattr(ledger_module.sqlite3, "connect", lambda _: _FullDisk())
    assert main(["run", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == EXIT_USAGE
    said = capsys.readouterr().err
    assert "database or disk is full" in said and "SQLITE_TMPDIR" in said
    assert "internal error" not in said and "Traceback" not in said


_DRAWN: list[int] = []


def _double(batch: list[int]) -> list[int]:
    return [2 * value for value in batch]


def test_ordered_map_hands_out_a_few_batches_not_every_item() -> None:
    """Executor.map takes every item at once: a run would hold all its inputs."""
    def source() -> Iterator[int]:
        for value in range(1_000):
            _DRAWN.append(value)
            yield value

    pool = Workers(2)
    try:
        results = pool.ordered_map(_double, source(), batch=5)
        first = next(results)
        drawn_at_first = len(_DRAWN)
        rest = list(results)
    finally:
        pool.shutdown()
        _DRAWN.clear()
    assert [first, *rest] == [2 * value for value in range(1_000)]
    # the batches handed out before the first result, and the one that replaced it
    assert drawn_at_first <= 5 * (2 * workers._AHEAD + 1)


def test_the_second_pass_holds_one_years_inputs_not_every_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the tables are written, the inputs alive as objects are the year's at hand
    (its plan), not the run's: the list of every input is on disk (ledger.py)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for year in range(1995, 2015):
        for copy in range(2):
            text = report_for_year(year).rstrip("\n") + f"\n※資料番号 {year}-{copy}\n"
            (folder / f"fy{year}_{copy}.txt").write_text(text, encoding="utf-8")
    alive: list[int] = []
    merge = runner._merge

    def counting_merge(*args: Any) -> None:
        gc.collect()
        alive.append(sum(isinstance(thing, InputFile) for thing in gc.get_objects()))
        merge(*args)

    monkeypatch.setattr(runner, "_merge", counting_merge)
    result = runner.run([folder], tmp_path / "out", RunOptions(jobs=1))
    assert result.files == 40 and len(alive) == 20  # a part a year
    assert max(alive) <= 4  # the year at hand, as the loop's plan and the build's
