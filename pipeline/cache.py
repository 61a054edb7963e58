"""Per-report results kept between runs, keyed by content, name and pipeline version.

A report whose bytes, name and pipeline version are unchanged is not extracted again.
The cache also lets a run hold one report's records in memory at a time: results go
into it as they are extracted and come back, in output order, when the tables are
written. It is one SQLite file (standard library; one file instead of thousands keeps
small-file overhead out of large runs). Payloads are pickles this pipeline wrote itself;
a damaged cache is deleted and rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.model import (
    EntryRecord,
    EventRecord,
    ExtraRecord,
    Issue,
    PeriodRecord,
    RejectRecord,
)
from pipeline.outputs import Columns, records_to_columns
from pipeline.schema import TABLES

CACHE_FILE = Path(".cache") / "reports.sqlite3"


@dataclass(slots=True)
class ReportResult:
    """Everything one input contributes to the outputs."""

    name: str
    fiscal_year: int | None
    manifest: dict[str, Any]
    entries: list[EntryRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    periods: list[PeriodRecord] = field(default_factory=list)
    rejects: list[RejectRecord] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    error: Issue | None = None
    extras: list[ExtraRecord] = field(default_factory=list)


def cache_key(version: str, name: str, sha256: str) -> str:
    return hashlib.sha256(f"{version}\0{name}\0{sha256}".encode()).hexdigest()


@dataclass(slots=True)
class StoredReport:
    """A ReportResult as the cache keeps it: each table as columns (outputs.Columns),
    which pickle and unpickle several times faster than rows of records."""

    name: str
    fiscal_year: int | None
    manifest: dict[str, Any]
    tables: dict[str, Columns]
    warnings: list[Issue]
    error: Issue | None


def to_stored(result: ReportResult) -> StoredReport:
    tables = {name: records_to_columns(getattr(result, name), TABLES[name])
              for name in ("entries", "events", "periods", "rejects", "extras")}
    return StoredReport(result.name, result.fiscal_year, result.manifest, tables,
                        result.warnings, result.error)


def dump(result: ReportResult) -> bytes:
    return pickle.dumps(to_stored(result), protocol=pickle.HIGHEST_PROTOCOL)


class ReportCache:
    """key -> (fiscal year, pickled ReportResult), in DIR/.cache/reports.sqlite3."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / CACHE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)  # damaged: start again, it is only a cache
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        db.execute("pragma synchronous = normal")
        db.execute("create table if not exists reports (key text primary key, "
                   "fiscal_year integer, payload blob not null)")
        db.execute("select count(*) from reports").fetchone()
        return db

    def fiscal_year(self, key: str) -> tuple[bool, int | None]:
        """(found, fiscal year) without loading the payload."""
        row = self._db.execute("select fiscal_year from reports where key = ?", (key,)).fetchone()
        return (row is not None, row[0] if row else None)

    def put(self, key: str, fiscal_year: int | None, payload: bytes) -> None:
        self._db.execute("insert or replace into reports values (?, ?, ?)",
                         (key, fiscal_year, payload))

    def get(self, key: str) -> StoredReport | None:
        row = self._db.execute("select payload from reports where key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            result = pickle.loads(row[0])
        except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
            return None
        return result if isinstance(result, StoredReport) else None

    def keep_only(self, keys: set[str]) -> None:
        """Drop entries no input of this run used, so the cache does not grow without end."""
        stale = [(k,) for (k,) in self._db.execute("select key from reports") if k not in keys]
        self._db.executemany("delete from reports where key = ?", stale)

    def commit(self) -> None:
        self._db.commit()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.commit()
        self._db.close()
