"""Per-report results kept between runs, keyed by content, name and pipeline version.

A report whose bytes, name and pipeline version are unchanged is not extracted again.
The cache also lets a run hold one report's records in memory at a time: results go
into it as they are extracted and come back, in output order, when the tables are
written. It is one SQLite file (standard library; one file instead of thousands keeps
small-file overhead out of large runs).

The cache lives in the output folder, which on a shared drive others may write. So it
holds data, never code: payloads are JSON (loading JSON cannot run anything, unlike
pickle), and every row carries an HMAC made with a secret key kept in the user's own
cache folder ($XDG_CACHE_HOME/pipeline, or ~/.cache/pipeline), outside the output folder.
A row whose HMAC does not match — damaged, planted, or written by another user's
pipeline — is never served: the report is extracted again, with a warning.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import importlib.metadata
import json
import os
import secrets
import sqlite3
import stat
import unicodedata
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
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
KEY_FILE = "cache-key"
_TABLE_NAMES = ("entries", "events", "periods", "rejects", "extras")
_COLUMNS = ["key", "fiscal_year", "year_mac", "mac", "payload"]  # the reports table's
_SEGMENT_COLUMNS = ["fingerprint", "part", "last", "mac", "payload"]
_OUTPUT_COLUMNS = ["fingerprint", "name", "mac", "record"]


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
    compact to store and converted to Arrow in one call."""

    name: str
    fiscal_year: int | None
    manifest: dict[str, Any]
    tables: dict[str, Columns]
    warnings: list[Issue]
    error: Issue | None


def to_stored(result: ReportResult) -> StoredReport:
    tables = {name: records_to_columns(getattr(result, name), TABLES[name])
              for name in _TABLE_NAMES}
    return StoredReport(result.name, result.fiscal_year, result.manifest, tables,
                        result.warnings, result.error)


def _issue_to_list(issue: Issue) -> list[Any]:
    return [issue.code, issue.message, issue.severity, issue.source_file, issue.source_line,
            issue.raw]


def dump(result: ReportResult) -> bytes:
    """The report as JSON. "surrogatepass": a lone surrogate in a decoded cell survives
    the round trip instead of failing the encode."""
    stored = to_stored(result)
    document = {"name": stored.name, "fiscal_year": stored.fiscal_year,
                "manifest": stored.manifest, "tables": stored.tables,
                "warnings": [_issue_to_list(w) for w in stored.warnings],
                "error": None if stored.error is None else _issue_to_list(stored.error)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass")


def _issue(value: Any) -> Issue:
    code, message, severity, source_file, source_line, raw = value
    if severity not in ("warning", "reject", "error"):
        raise ValueError(f"severity {severity!r}")
    return Issue(str(code), str(message), severity, str(source_file), int(source_line), str(raw))


def load(payload: bytes) -> StoredReport:
    """JSON -> StoredReport; ValueError, KeyError or TypeError when it is not one."""
    document = json.loads(payload.decode("utf-8", "surrogatepass"))
    tables = document["tables"]
    for name in _TABLE_NAMES:  # the writers index columns by position: check the shape
        columns = tables[name]
        if (not isinstance(columns, list) or len(columns) != len(TABLES[name])
                or len({len(column) for column in columns}) > 1):
            raise ValueError(f"table {name} has the wrong shape")
    year = document["fiscal_year"]
    if year is not None and not isinstance(year, int):
        raise TypeError("fiscal_year")
    if not isinstance(document["manifest"], dict):
        raise TypeError("manifest")
    return StoredReport(str(document["name"]), year, document["manifest"],
                        {name: tables[name] for name in _TABLE_NAMES},
                        [_issue(w) for w in document["warnings"]],
                        None if document["error"] is None else _issue(document["error"]))


def user_cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pipeline"


def secret_key() -> bytes:
    """This user's key for the cache's HMACs, made on first use in the user's cache folder
    (mode 0600). A key file this user does not own alone (another owner, readable or
    writable by others) is not trusted, and neither is a missing home: the run then uses a
    key of its own, so its cache serves that run only and nothing is reused."""
    folder = user_cache_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / KEY_FILE
        with contextlib.suppress(FileExistsError):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(handle, "w") as stream:
                stream.write(secrets.token_hex(32))
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(handle) as stream:
            info = os.fstat(stream.fileno())
            key = stream.read().strip()
        if (info.st_uid == os.getuid() and stat.S_ISREG(info.st_mode)
                and not info.st_mode & 0o077 and len(key) == 64):
            return bytes.fromhex(key)
    except (OSError, ValueError, RuntimeError):  # RuntimeError: Path.home() without a home
        pass
    return secrets.token_bytes(32)


class ReportCache:
    """key -> (fiscal year, JSON ReportResult, HMACs), in DIR/.cache/reports.sqlite3."""

    def __init__(self, out_dir: Path, key: bytes | None = None, *,
                 worker: bool = False) -> None:
        """`worker`: a process that reads the cache beside the run's own (segments.py):
        it waits for the run's writes, and never repairs the file another process has open
        (sqlite3.OperationalError, "database is locked", is a DatabaseError too)."""
        self.path = out_dir / CACHE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._key = key if key is not None else secret_key()
        self.rejected: set[str] = set()  # keys of entries found but not served
        if worker:
            self._db = sqlite3.connect(self.path, timeout=600)
            return
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)  # damaged: start again, it is only a cache
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=600)
        # Pages large enough for most payloads: a row read is then one page, not a chain
        # of overflow pages (only takes effect when the file is new).
        db.execute("pragma page_size = 65536")
        db.execute("pragma synchronous = normal")
        columns = [row[1] for row in db.execute("pragma table_info(reports)")]
        if columns != _COLUMNS:  # new, or a cache of pickles from an earlier pipeline
            db.execute("drop table if exists reports")
            # the payload last: reading the small columns never walks through it
            db.execute("create table reports (key text primary key, fiscal_year integer, "
                       "year_mac text not null, mac text not null, payload blob not null)")
        # What the first pass asks of every report, readable without the rows' payloads:
        # large pages full of payloads made each lookup read tens of kilobytes.
        db.execute("create index if not exists reports_year on reports "
                   "(key, fiscal_year, year_mac)")
        # one fiscal year's tables as the write stage made them (segments.py), in parts of
        # bounded size, `last` marking the year's final part; a table of another shape
        # (planted, or an earlier pipeline's) is replaced, never trusted
        if [row[1] for row in db.execute("pragma table_info(segments)")] != _SEGMENT_COLUMNS:
            db.execute("drop table if exists segments")
            db.execute("create table segments (fingerprint text not null, part integer not "
                       "null, last integer not null, mac text not null, payload blob not "
                       "null, primary key (fingerprint, part))")
        # what a fiscal year's segment wrote to a partitioned table, as JSON (carry.py)
        if [row[1] for row in db.execute("pragma table_info(outputs)")] != _OUTPUT_COLUMNS:
            db.execute("drop table if exists outputs")
            db.execute("create table outputs (fingerprint text not null, name text not null, "
                       "mac text not null, record text not null, "
                       "primary key (fingerprint, name))")
        db.execute("select count(*) from reports").fetchone()
        return db

    def _mac(self, *parts: bytes) -> str:
        # length-prefixed, so no two part lists give the same bytes; hmac.digest is the
        # one-shot C path, several times faster than an hmac.new object per row
        message = b"".join(len(part).to_bytes(8, "big") + part for part in parts)
        return hmac.digest(self._key, message, "sha256").hex()

    def sign(self, label: bytes, payload: bytes) -> str:
        """An HMAC of `payload` under this user's key, for other state kept in .cache."""
        return self._mac(label, payload)

    def _year_mac(self, key: str, fiscal_year: int | None) -> str:
        return self._mac(b"year", key.encode(), str(fiscal_year).encode())

    def fiscal_year(self, key: str) -> tuple[bool, int | None]:
        """(found, fiscal year) without loading the payload. The year orders the outputs
        before any payload is read, so it has an HMAC of its own: a row whose year does
        not match it is not found (and its key is remembered in `rejected`)."""
        row = self._db.execute("select fiscal_year, year_mac from reports where key = ?",
                               (key,)).fetchone()
        if row is None:
            return (False, None)
        year, mac = row
        if ((year is not None and not isinstance(year, int)) or not isinstance(mac, str)
                or not hmac.compare_digest(mac, self._year_mac(key, year))):
            self.rejected.add(key)
            return (False, None)
        return (True, year)

    def put(self, key: str, fiscal_year: int | None, payload: bytes) -> None:
        mac = self._mac(b"report", key.encode(), str(fiscal_year).encode(), payload)
        self._db.execute("insert or replace into reports values (?, ?, ?, ?, ?)",
                         (key, fiscal_year, self._year_mac(key, fiscal_year), mac, payload))

    def get(self, key: str) -> StoredReport | None:
        """The stored report, or None when there is none or it is not this user's
        pipeline's own (HMAC mismatch) or cannot be read: the caller extracts again."""
        row = self._db.execute("select fiscal_year, cast(payload as blob), mac from reports "
                               "where key = ?", (key,)).fetchone()
        if row is None:
            return None
        year, payload, mac = row
        if (not isinstance(payload, bytes) or not isinstance(mac, str)
                or (year is not None and not isinstance(year, int))
                or not hmac.compare_digest(mac, self._mac(b"report", key.encode(),
                                                          str(year).encode(), payload))):
            self.rejected.add(key)
            return None
        try:
            stored = load(payload)
        except (ValueError, KeyError, TypeError, IndexError):  # our own, yet unreadable
            stored = None
        if stored is None or stored.fiscal_year != year:
            self.rejected.add(key)
            return None
        return stored

    def _part_mac(self, fingerprint: str, part: int, last: bool, payload: bytes) -> str:
        return self._mac(b"segment", fingerprint.encode(), str(part).encode(),
                         b"last" if last else b"", payload)

    def forget_segment(self, fingerprint: str) -> None:
        """Drop a fiscal year's parts, before it is stored again."""
        self._db.execute("delete from segments where fingerprint = ?", (fingerprint,))

    def put_part(self, fingerprint: str, part: int, last: bool, payload: bytes) -> None:
        self._db.execute("insert or replace into segments values (?, ?, ?, ?, ?)",
                         (fingerprint, part, int(last),
                          self._part_mac(fingerprint, part, last, payload), payload))

    def has_segment(self, fingerprint: str) -> bool:
        """Whether every part of the year is stored: parts 0 to the last, and no other."""
        row = self._db.execute("select count(*), max(part), sum(last = 1), "
                               "max(case when last = 1 then part end) from segments "
                               "where fingerprint = ?", (fingerprint,)).fetchone()
        count, highest, lasts, last_part = row
        return bool(count) and lasts == 1 and last_part == highest == count - 1

    def get_part(self, fingerprint: str, part: int) -> tuple[bytes, bool] | None:
        """One part's payload and whether it is the year's last, or None when there is
        none or its HMAC does not match (then the fingerprint is remembered in
        `rejected`)."""
        # cast: a text planted there comes back as bytes (and fails its HMAC), not as an
        # error decoding it
        row = self._db.execute("select cast(payload as blob), last, mac from segments "
                               "where fingerprint = ? and part = ?",
                               (fingerprint, part)).fetchone()
        if row is None:
            return None
        payload, last, mac = row
        if (not isinstance(payload, bytes) or last not in (0, 1) or not isinstance(mac, str)
                or not hmac.compare_digest(mac, self._part_mac(fingerprint, part, bool(last),
                                                               payload))):
            self.rejected.add(fingerprint)
            return None
        return payload, bool(last)

    def put_output(self, fingerprint: str, name: str, record: dict[str, Any]) -> None:
        text = json.dumps(record, sort_keys=True)
        self._db.execute("insert or replace into outputs values (?, ?, ?, ?)",
                         (fingerprint, name, self._output_mac(fingerprint, name, text), text))

    def get_output(self, fingerprint: str, name: str) -> dict[str, Any] | None:
        """put_output's record, or None when there is none or its HMAC does not match."""
        row = self._db.execute("select mac, record from outputs where fingerprint = ? and "
                               "name = ?", (fingerprint, name)).fetchone()
        if row is None or not all(isinstance(value, str) for value in row):
            return None
        mac, text = row
        if not hmac.compare_digest(mac, self._output_mac(fingerprint, name, text)):
            return None
        record = json.loads(text)
        return record if isinstance(record, dict) else None

    def _output_mac(self, fingerprint: str, name: str, text: str) -> str:
        return self._mac(b"output", fingerprint.encode(), name.encode(), text.encode())

    def keep_only(self, keys: Container[str], segments: Container[str] = frozenset()) -> None:
        """Drop entries no input of this run used, so the cache does not grow without end.
        `keys` may answer `in` from disk (the run's ledger.py): a run need not hold them."""
        for table, column, kept in (("reports", "key", keys),
                                    ("segments", "fingerprint", segments),
                                    ("outputs", "fingerprint", segments)):
            stale = [(k,) for (k,) in self._db.execute(f"select distinct {column} from {table}")
                     if k not in kept]
            self._db.executemany(f"delete from {table} where {column} = ?", stale)

    @property
    def key(self) -> bytes:
        """The HMAC key, for a worker process that opens this cache too."""
        return self._key

    def commit(self) -> None:
        self._db.commit()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.commit()
        self._db.close()


def _library_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def code_version() -> str:
    """The version and a hash of the pipeline's own source and of what it reads with: a
    changed extractor (even without a version bump) never reuses the old one's results."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    # What the extraction reads with: its libraries' versions and Unicode's (for NFKC).
    for library in ("lxml", "openpyxl", "pycountry", "xlrd", "pdfplumber", "pdfminer.six"):
        digest.update(f"{library}={_library_version(library)}\0".encode())
    digest.update(f"unicode={unicodedata.unidata_version}\0".encode())
    # Data files too: the header vocabulary (roles.toml) reads reports differently, and a
    # changed facet word (facets.toml) must relabel events.
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.toml")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
