"""The run's list of inputs, kept on disk rather than as objects.

Everything a run knows of each input (its place, the sha256 of its bytes, the input it
is a byte copy of, its cache key and fiscal year once extracted) is a row of a table in
SQLite's private temporary database, which spills to a file SQLite makes and deletes
itself (in SQLITE_TMPDIR, TMPDIR or /var/tmp: not in the output folder, and gone even when
the run is killed). Held as objects, this list was the part of a run's memory that grew
with the number of inputs: some 1 KB an input with what freeing it left scattered (32,000
inputs, `pipeline run --jobs 1`: a peak of 160 MiB as objects, 147 with this table;
README, "Scale"). The run reads it back a fiscal year at a time (`plan`) or a page at a
time. The same rule for byte copies as duplicates.drop_duplicates (the audit's, which
holds its inputs anyway); tests/test_ledger.py checks the two agree.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sqlite3
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from typing import ParamSpec, TypeVar, overload

from pipeline.commit import OutputError
from pipeline.duplicates import Duplicate
from pipeline.inputs import InputFile, read_input
from pipeline.roles import Vocabulary
from pipeline.segments import Member, Plan

_PAGE = 512  # rows read at a time: bounded memory, few round trips
_COLUMNS = "seq, name, location, follow"  # what makes an InputFile (with the vocabulary)
_P = ParamSpec("_P")
_R = TypeVar("_R")


class LedgerError(OutputError):
    """The run's list of inputs cannot be kept: its temporary folder is full or cannot be
    written. Not the output folder's fault, yet as plain a stop (exit 2), said where."""


@contextlib.contextmanager
def _where_it_lives() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as error:  # "database or disk is full", an I/O error
        raise LedgerError(
            f"cannot keep the run's list of inputs in SQLite's temporary folder ({error}); it "
            "is the first writable of SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp and /tmp: "
            "make room there, or set SQLITE_TMPDIR to a folder with room") from None


def _said_where(method: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(method)
    def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _where_it_lives():
            return method(*args, **kwargs)
    return guarded


class InputLedger:
    """The inputs of one run, in name order (`seq`), with what the run learns of each."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary  # one for every input (a layout file's, or built-in)
        self._db = sqlite3.connect("")  # "": a private temporary database (docstring)
        self._db.execute("pragma journal_mode = off")  # a scratch list: nothing to roll back
        self._db.execute(
            "create table inputs (seq integer primary key, name text not null unique, "
            "location text not null, follow integer not null, sha text, size integer, "
            "copy_of text, key text, fiscal_year integer, reused integer)")
        self.count = 0  # every input, byte copies included
        self.copies = 0  # inputs read as another input (its byte copy)

    @_said_where
    def add(self, files: Iterable[InputFile]) -> None:
        """Record the inputs (in name order), reading each for its sha256: an input with
        the same bytes as an earlier one is a copy of it, read once, as the first (a
        report saved twice under two names would otherwise count every event twice)."""
        self._db.execute("create index inputs_sha on inputs (sha) where copy_of is null")
        for item in files:
            sha, size, first = self._identify(item)
            self._db.execute(
                "insert into inputs (seq, name, location, follow, sha, size, copy_of) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                (self.count, item.name, item.location, item.follow, sha, size, first))
            self.count += 1
            self.copies += first is not None
        self._db.execute("create index inputs_copy_of on inputs (copy_of) "
                         "where copy_of is not null")

    def _identify(self, item: InputFile) -> tuple[str | None, int | None, str | None]:
        """(sha256, size, the earlier input with the same bytes); Nones for a file that
        cannot be read (extract_file says why)."""
        try:
            data = read_input(item)
        except OSError:
            return None, None, None
        sha = hashlib.sha256(data).hexdigest()
        found = self._db.execute("select name from inputs where sha = ? and copy_of is null",
                                 (sha,)).fetchone()
        return sha, len(data), found[0] if found else None

    @property
    def to_read(self) -> int:
        """The inputs the run reads: all but the byte copies."""
        return self.count - self.copies

    def pages(self, *, unread: bool = False) -> Iterator[list[tuple[int, InputFile, str | None]]]:
        """The inputs to read (`unread`: those with no result recorded yet), in name order,
        a page at a time: (seq, input, sha256 or None for a file that could not be read).
        Paged so that the caller may record results between pages."""
        last = -1
        while True:
            with _where_it_lives():
                page = self._db.execute(
                    f"select {_COLUMNS}, sha from inputs where copy_of is null and seq > ? "
                    f"{'and key is null' if unread else ''} order by seq limit ?",
                    (last, _PAGE)).fetchall()
            if not page:
                return
            yield [(row[0], self._item(row), row[4]) for row in page]
            last = page[-1][0]

    @_said_where
    def record(self, results: Iterable[tuple[str, int | None, bool, int]]) -> None:
        """(cache key, fiscal year, reused, seq) of inputs read."""
        self._db.executemany("update inputs set key = ?, fiscal_year = ?, reused = ? "
                             "where seq = ?", results)

    @_said_where
    def finish(self) -> None:
        """After the first pass: the years' lists are read by year, in name order."""
        self._db.execute("create index inputs_year on inputs (fiscal_year, name) "
                         "where copy_of is null")
        self._db.execute("create index inputs_key on inputs (key)")

    @_said_where
    def years(self) -> list[int | None]:
        """The fiscal years in output order: reports with none first."""
        return [row[0] for row in self._db.execute(
            "select distinct fiscal_year from inputs where copy_of is null "
            "order by fiscal_year is not null, fiscal_year")]

    @_said_where
    def plan(self, year: int | None) -> Plan:
        """A fiscal year's reports in output order (name), each with its byte copies."""
        rows = self._db.execute(f"select {_COLUMNS}, key, reused from inputs where copy_of "
                                "is null and fiscal_year is ? order by name", (year,))
        members = [(self._item(row), row[4], bool(row[5])) for row in rows]
        copies: dict[str, list[tuple[InputFile, str, int]]] = {}
        for row in self._db.execute(
                "select c.seq, c.name, c.location, c.follow, c.sha, c.size, c.copy_of "
                "from inputs c join inputs m on c.copy_of = m.name "
                "where m.copy_of is null and m.fiscal_year is ? order by c.seq", (year,)):
            copies.setdefault(row[6], []).append((self._item(row), row[4], row[5]))
        return Plan(year, tuple(
            Member(item, key, reused, tuple(Duplicate(copy, item, sha, size)
                                            for copy, sha, size in copies.get(item.name, ())))
            for item, key, reused in members))

    def keys(self) -> Iterator[str]:
        """The cache keys of the inputs read, in output order."""
        with _where_it_lives():
            rows = self._db.execute("select key from inputs where copy_of is null "
                                    "order by fiscal_year is not null, fiscal_year, name")
        while True:
            with _where_it_lives():
                page = rows.fetchmany(_PAGE)
            if not page:
                return
            yield from (key for (key,) in page)

    @_said_where
    def reused(self, among: Container[str] | None = None) -> int:
        """How many inputs' results came from the cache (of those with a key in `among`)."""
        if among is None:
            return int(self._db.execute(
                "select count(*) from inputs where copy_of is null and reused").fetchone()[0])
        return sum(key in among for (key,) in self._db.execute(
            "select key from inputs where copy_of is null and reused"))

    def kept_keys(self) -> Container[str]:
        """The cache keys of the inputs read, answering `in` from disk (cache.keep_only)."""
        return _Keys(self._db)

    def _item(self, row: Sequence[object]) -> InputFile:
        return InputFile(str(row[2]), str(row[1]), self.vocabulary, bool(row[3]))

    def close(self) -> None:
        self._db.close()


class _Keys(Container[str]):
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    @_said_where
    def __contains__(self, key: object) -> bool:
        return self._db.execute("select 1 from inputs where key = ? and copy_of is null",
                                (key,)).fetchone() is not None


class YearPlans(Sequence[Plan]):
    """The run's plans (one a fiscal year), made from the ledger when asked for: the run
    holds one year's list of reports at a time, not every year's."""

    def __init__(self, ledger: InputLedger) -> None:
        self._ledger = ledger
        self._years = ledger.years()
        self._fingerprints: dict[int, str] = {}
        self._all_reused: dict[int, bool] = {}

    def __len__(self) -> int:
        return len(self._years)

    @overload
    def __getitem__(self, index: int) -> Plan: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Plan]: ...

    def __getitem__(self, index: int | slice) -> Plan | Sequence[Plan]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._ledger.plan(self._years[index])

    def fingerprint(self, index: int) -> str:
        """Plan.fingerprint, kept (small) with whether every report of the year was
        reused: a year read back from the cache needs no more of its plan than these."""
        if index not in self._fingerprints:
            plan = self[index]
            self._fingerprints[index] = plan.fingerprint
            self._all_reused[index] = all(member.reused for member in plan.members)
        return self._fingerprints[index]

    def all_reused(self, index: int) -> bool:
        self.fingerprint(index)
        return self._all_reused[index]

    def fingerprints(self) -> set[str]:
        return {self.fingerprint(index) for index in range(len(self))}
