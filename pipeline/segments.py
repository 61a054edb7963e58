"""Fiscal-year segments: the unit the write stage builds, caches and builds in parallel.

Event ids and the report-overlap warnings depend on the other reports of the same fiscal
year (ids.py, duplicates.py) and on nothing else, so the outputs are made one fiscal year
at a time. A segment is one fiscal year's tables, as Arrow IPC compressed with LZ4
(8,000 reports: 63 MB of segments beside 223 MB of the reports' JSON; the events read back
in 0.09 s against Parquet's 0.43 s), with what the
manifest and the run's summary say of it, made from its reports' cached results. It is
kept in the cache under a fingerprint of those reports, and every run, full or not,
streams the segments' tables into the output files in order: a run that adds or changes
one report builds one segment again and reads the others back, and its outputs are the
bytes a full run writes (issue 15). Segments are independent, so --jobs builds them in
parallel, each worker with its own connection to the cache.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import cache
from pipeline.duplicates import (
    Duplicate,
    duplicate_manifest,
    duplicate_warning,
    overlap_warnings,
)
from pipeline.ids import keep_ids_unique
from pipeline.inputs import InputFile
from pipeline.manifest import read_a_table, render_entry, warning_item
from pipeline.model import Issue
from pipeline.months import columns_to_event_months
from pipeline.outputs import Columns, arrow_schema, columns_to_batch, records_to_columns
from pipeline.partners import PartnerTable
from pipeline.per_report import extract_file
from pipeline.schema import TABLES
from pipeline.workers import Workers

_EVENT_ID = [name for name, _, _ in TABLES["events"]].index("event_id")
_REJECT_REASON = [name for name, _, _ in TABLES["rejects"]].index("reason")
_ISSUE = ("code", "message", "severity", "source_file", "source_line", "raw")
_META_LENGTH = 8  # bytes: the length of the JSON that opens a segment's payload
# Rows of Python objects held per table while a segment is built: a few hundred bytes a
# value, so a thousand rows at a time keep the build's memory small whatever a year holds;
# the writers gather the batches into larger Parquet row groups as Arrow (outputs.py).
_BUILD_ROWS = 1_024
# A year is built, stored and written in parts of at most this many reports or events
# (the first bound reached, after a whole report): a year of 914 reports built whole took
# some 70 MB at the peak of the run (the part being built, encoded, stored and written).
PART_REPORTS = 128
PART_EVENTS = 8_192


@dataclass(frozen=True, slots=True)
class Member:
    """One report of a segment, with the inputs that are byte copies of it."""

    item: InputFile
    key: str  # its cache key
    reused: bool  # its result came from the cache, not from this run's extraction
    duplicates: tuple[Duplicate, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    fiscal_year: int | None
    members: tuple[Member, ...]

    @property
    def fingerprint(self) -> str:
        """What the segment's bytes depend on: its reports' cache keys (name, bytes, code
        version, layout) in order, and the byte copies listed beside them."""
        return hashlib.sha256(json.dumps(
            [[m.key, m.item.name, [[d.item.name, d.sha256, d.size] for d in m.duplicates]]
             for m in self.members], ensure_ascii=False).encode()).hexdigest()


@dataclass(slots=True)
class Segment:
    """A segment as stored (`payload`, encode's bytes) and as the merge reads it: its
    summary and each table's LZ4 Arrow IPC stream (views into the payload: no copies)."""

    fingerprint: str
    payload: bytes
    meta: dict[str, Any]
    tables: dict[str, memoryview]
    rejected: list[str] = field(default_factory=list)  # cache keys not served while building
    part: int = 0  # its place among the year's parts
    last: bool = True  # the year's final part (it holds the year's partners table)

    def batches(self, table: str) -> Iterator[Any]:
        import pyarrow as pa  # lazy: see outputs.arrow_without_pandas

        yield from pa.ipc.open_stream(pa.py_buffer(self.tables[table]))


def encode(meta: dict[str, Any], tables: dict[str, Any]) -> bytes:
    """meta's length, meta as JSON (with each table's place), then the tables' bytes
    (anything with the buffer protocol)."""
    places, offset = {}, 0
    for name, data in tables.items():
        size = memoryview(data).nbytes
        places[name] = [offset, size]
        offset += size
    text = json.dumps({**meta, "tables": places}, ensure_ascii=False).encode(
        "utf-8", "surrogatepass")
    return b"".join([len(text).to_bytes(_META_LENGTH, "big"), text, *tables.values()])


def decode(fingerprint: str, payload: bytes) -> Segment:
    """encode's inverse; ValueError, KeyError or TypeError when it is not one."""
    length = int.from_bytes(payload[:_META_LENGTH], "big")
    meta = json.loads(payload[_META_LENGTH:_META_LENGTH + length].decode("utf-8",
                                                                         "surrogatepass"))
    body = memoryview(payload)[_META_LENGTH + length:]
    places = meta.pop("tables")
    if set(places) != set(TABLES):
        raise ValueError("a segment without every table")
    tables = {name: body[start:start + size] for name, (start, size) in places.items()}
    if any(data.nbytes != places[name][1] for name, data in tables.items()):
        raise ValueError("a segment cut short")
    return Segment(fingerprint, payload, meta, tables)


def issue_from_list(values: Sequence[Any]) -> Issue:
    return Issue(*values)


def _issue_list(issue: Issue) -> list[Any]:
    return [getattr(issue, name) for name in _ISSUE]


class _TableBuffer:
    """One table of a segment: Python columns in, LZ4-compressed Arrow IPC bytes out, in
    batches of _BUILD_ROWS rows, so that a fiscal year is never held as Python objects."""

    def __init__(self, name: str) -> None:
        import pyarrow as pa  # lazy: see outputs.arrow_without_pandas

        self.columns = TABLES[name]
        self._schema = arrow_schema(self.columns)
        self._sink = pa.BufferOutputStream()
        self._writer = pa.ipc.new_stream(self._sink, self._schema,
                                         options=pa.ipc.IpcWriteOptions(compression="lz4"))
        self._pending: Columns = [[] for _ in self.columns]
        self._rows = 0

    def add(self, columns: Columns) -> None:
        for pending, column in zip(self._pending, columns, strict=True):
            pending.extend(column)
        self._rows += len(columns[0]) if columns else 0
        if self._rows >= _BUILD_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_batch(columns_to_batch(self._pending, self._schema))
            self._pending, self._rows = [[] for _ in self.columns], 0

    def finish(self) -> Any:
        self._flush()
        self._writer.close()
        return self._sink.getvalue()  # a pyarrow Buffer: encode joins it without a copy


@dataclass(slots=True)
class _YearState:
    """What a fiscal year's parts share: the ids given out, the events seen (for the
    overlap warnings) and the partners, which the year's last part lists."""

    used_ids: dict[str, int] = field(default_factory=dict)
    seen_events: dict[tuple[Any, ...], str] = field(default_factory=dict)
    partners: PartnerTable = field(default_factory=PartnerTable)
    rejected: list[str] = field(default_factory=list)


class _Part:
    """The part of a year being built: its tables and what the manifest says of it."""

    def __init__(self) -> None:
        self.tables = {name: _TableBuffer(name) for name in TABLES}
        self.meta: dict[str, Any] = {"events": 0, "rejects": 0, "reject_reasons": [],
                                     "unreadable": [], "missing_year": [], "warnings": [],
                                     "inputs_count": 0, "inputs_with_table": 0}
        self.entries: list[str] = []
        self.reports = 0

    def full(self) -> bool:
        return self.reports >= PART_REPORTS or self.meta["events"] >= PART_EVENTS

    def finish(self, fingerprint: str, index: int, last: bool) -> Segment:
        meta = self.meta
        meta["inputs_count"] = len(self.entries)
        meta["inputs"] = ",\n".join(self.entries)
        # as manifest.json lists them: rendering them there costs more than all else in a
        # run that reuses most segments
        meta["warnings_text"] = ",\n".join(render_entry(warning_item(issue_from_list(w)))
                                           for w in meta["warnings"])
        segment = decode(fingerprint, encode(meta, {name: table.finish()
                                                    for name, table in self.tables.items()}))
        segment.part, segment.last = index, last
        return segment


def build(plan: Plan, store: cache.ReportCache) -> Iterator[Segment]:
    """A fiscal year's parts, in order, from its reports' cached results (extracting again
    any whose cached result cannot be served), in output order, as the full run always
    did. A part closes after the report that brings it to PART_REPORTS reports or
    PART_EVENTS events, if another follows, so what a year's build holds is bounded
    however large the year, and the same reports always give the same parts. The year's
    last part also holds its partners table and the cache keys not served (`rejected`)."""
    year = _YearState()
    part, index = _Part(), 0
    for member in plan.members:
        if part.full():  # closed only before another report: the last part is never empty
            yield part.finish(plan.fingerprint, index, last=False)
            part, index = _Part(), index + 1
        report = store.get(member.key)
        if report is None:  # none, or not served (HMAC mismatch): extract it again
            if member.key in store.rejected:
                year.rejected.append(member.key)
            report = cache.to_stored(extract_file(member.item))
        overlaps = overlap_warnings(report, year.seen_events)
        keep_ids_unique(report.tables, year.used_ids)
        _add_report(report, part.tables, year.partners, part.meta, part.entries)
        part.meta["warnings"].extend(_issue_list(w) for w in overlaps)
        for duplicate in member.duplicates:  # listed beside the input they copy
            entry = duplicate_manifest(duplicate)
            part.entries.append(render_entry(entry))
            part.meta["inputs_with_table"] += read_a_table(entry)
            part.meta["warnings"].append(_issue_list(duplicate_warning(duplicate)))
        part.reports += 1
    part.tables["partners"].add(records_to_columns(year.partners.records(), TABLES["partners"]))
    segment = part.finish(plan.fingerprint, index, last=True)
    segment.rejected = year.rejected
    yield segment


def _add_report(report: cache.StoredReport, tables: dict[str, _TableBuffer],
                partners: PartnerTable, meta: dict[str, Any], entries: list[str]) -> None:
    if report.error is not None:
        meta["unreadable"].append(_issue_list(report.error))
    elif report.fiscal_year is None:
        meta["missing_year"].append(report.name)
    for name, columns in report.tables.items():
        tables[name].add(columns)
    tables["event_months"].add(records_to_columns(
        columns_to_event_months(report.tables["events"], report.tables["periods"]),
        TABLES["event_months"]))
    partners.add_columns(report.tables["entries"])
    entries.append(render_entry(report.manifest))
    meta["inputs_with_table"] += read_a_table(report.manifest)
    meta["warnings"].extend(_issue_list(w) for w in report.warnings)
    meta["events"] += len(report.tables["events"][_EVENT_ID])
    meta["rejects"] += len(report.tables["rejects"][0])
    meta["reject_reasons"].extend(report.tables["rejects"][_REJECT_REASON])


def _build_in_worker(job: tuple[Plan, Path, bytes, Path]) -> tuple[list[str], str,
                                                                    list[tuple[int, int]]]:
    """Build a year in a worker process into a file of the run's scratch folder: the
    parts' payloads one after the other; the file's name and each part's place in it go
    back, so neither process holds the whole year."""
    plan, out_dir, key, scratch = job
    store = cache.ReportCache(out_dir, key=key, worker=True)
    places: list[tuple[int, int]] = []
    rejected: list[str] = []
    try:
        with tempfile.NamedTemporaryFile("wb", dir=scratch, delete=False,
                                         suffix=".year") as file:
            offset = 0
            for segment in build(plan, store):
                file.write(segment.payload)
                places.append((offset, len(segment.payload)))
                offset += len(segment.payload)
                rejected.extend(segment.rejected)
    finally:
        store.close()
    return rejected, file.name, places


def produce(plans: Sequence[Plan], store: cache.ReportCache, out_dir: Path,
            workers: Workers, *, force: bool) -> Iterator[Segment]:
    """Each plan's parts, in order: from the cache when every report of it was reused
    and the cache holds the whole year, else built (in the workers' processes with
    --jobs) and stored. A stored part that is not this user's pipeline's own (HMAC
    mismatch) or cannot be read has the year built again, its parts already given
    skipped (a build gives the same bytes), and the fingerprint left in store.rejected for
    the run to warn about. A part is held at a time (and the years the workers have built
    ahead are in files). The caller shuts the workers down."""
    def reusable(plan: Plan) -> bool:
        return not force and all(member.reused for member in plan.members)

    # which to build is known before any is read: a stored part is rarely found bad
    todo = {index for index, plan in enumerate(plans)
            if not (reusable(plan) and store.has_segment(plan.fingerprint))}
    pool = workers.pool() if workers.jobs > 1 and len(todo) > 1 else None
    with tempfile.TemporaryDirectory(prefix="pipeline-years-") as scratch:
        built = _build_all([plans[i] for i in sorted(todo)], store, out_dir, pool,
                           workers.jobs, Path(scratch))
        for index, plan in enumerate(plans):
            given = 0
            if index not in todo:
                for segment in _cached(plan.fingerprint, store):
                    given += 1
                    yield segment
                if given and segment.last:
                    continue
            parts = next(built) if index in todo else build(plan, store)
            yield from _stored(parts, plan.fingerprint, store, skip=given)


def _stored(parts: Iterator[Segment], fingerprint: str, store: cache.ReportCache,
            skip: int) -> Iterator[Segment]:
    """Store a year's parts as they come and give them, less the first `skip` (given from
    the cache before a damaged part was found)."""
    store.forget_segment(fingerprint)
    for segment in parts:
        store.put_part(fingerprint, segment.part, segment.last, segment.payload)
        # now: workers still reading the cache never meet a long-held write lock
        store.commit()
        store.rejected.update(segment.rejected)
        if segment.part >= skip:
            yield segment


def _cached(fingerprint: str, store: cache.ReportCache) -> Iterator[Segment]:
    """A stored year's parts in order, up to its last or to the first that cannot be
    served (then the fingerprint is in store.rejected)."""
    index = 0
    while True:
        found = store.get_part(fingerprint, index)
        if found is None:
            store.rejected.add(fingerprint)  # has_segment saw it: changed since, or damaged
            return
        payload, last = found
        try:
            segment = decode(fingerprint, payload)
        except (ValueError, KeyError, TypeError, IndexError):  # our own, yet unreadable
            store.rejected.add(fingerprint)
            return
        segment.part, segment.last = index, last
        yield segment
        if last:
            return
        index += 1


def _build_all(plans: list[Plan], store: cache.ReportCache, out_dir: Path,
               pool: ProcessPoolExecutor | None, jobs: int,
               scratch: Path) -> Iterator[Iterator[Segment]]:
    """For each plan in order, its parts. With a pool not used before, its workers start
    here, before the caller's writing threads exist (a process forked beside running
    threads may inherit a held lock); each worker builds at most one year ahead of the
    merge, into a file, so years built and not yet written never pile up in memory."""
    if pool is None:
        return (build(plan, store) for plan in plans)
    jobs_of = iter([(plan, out_dir, store.key, scratch) for plan in plans])
    ahead = deque(pool.submit(_build_in_worker, job)
                  for job in itertools.islice(jobs_of, jobs))
    return _in_order(plans, pool, jobs_of, ahead)


def _in_order(plans: list[Plan], pool: ProcessPoolExecutor,
              jobs_of: Iterator[tuple[Plan, Path, bytes, Path]],
              ahead: deque[Future[tuple[list[str], str, list[tuple[int, int]]]]]
              ) -> Iterator[Iterator[Segment]]:
    for plan in plans:
        rejected, name, places = ahead.popleft().result()
        for job in itertools.islice(jobs_of, 1):
            ahead.append(pool.submit(_build_in_worker, job))
        yield _read_parts(plan.fingerprint, Path(name), places, rejected)


def _read_parts(fingerprint: str, path: Path, places: list[tuple[int, int]],
                rejected: list[str]) -> Iterator[Segment]:
    """A year a worker built, part by part from its file, which goes once read."""
    try:
        with path.open("rb") as file:
            for index, (offset, size) in enumerate(places):
                file.seek(offset)
                segment = decode(fingerprint, file.read(size))
                segment.part, segment.last = index, index == len(places) - 1
                if segment.last:
                    segment.rejected = rejected
                yield segment
    finally:
        path.unlink(missing_ok=True)
