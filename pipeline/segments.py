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

_EVENT_ID = [name for name, _, _ in TABLES["events"]].index("event_id")
_REJECT_REASON = [name for name, _, _ in TABLES["rejects"]].index("reason")
_ISSUE = ("code", "message", "severity", "source_file", "source_line", "raw")
_META_LENGTH = 8  # bytes: the length of the JSON that opens a segment's payload
# Rows of Python objects held per table while a segment is built: a few hundred bytes a
# value, so a thousand rows at a time keep the build's memory small whatever a year holds;
# the writers gather the batches into larger Parquet row groups as Arrow (outputs.py).
_BUILD_ROWS = 1_024


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


def build(plan: Plan, store: cache.ReportCache) -> Segment:
    """Make a segment from its reports' cached results (extracting again any whose cached
    result cannot be served), in output order, as the full run always did."""
    tables = {name: _TableBuffer(name) for name in TABLES}
    partners = PartnerTable()
    meta: dict[str, Any] = {"events": 0, "rejects": 0, "reject_reasons": [], "unreadable": [],
                            "missing_year": [], "warnings": [], "inputs_count": 0,
                            "inputs_with_table": 0}
    entries: list[str] = []
    rejected: list[str] = []
    used_ids: dict[str, int] = {}
    seen_events: dict[tuple[Any, ...], str] = {}
    for member in plan.members:
        report = store.get(member.key)
        if report is None:  # none, or not served (HMAC mismatch): extract it again
            if member.key in store.rejected:
                rejected.append(member.key)
            report = cache.to_stored(extract_file(member.item))
        overlaps = overlap_warnings(report, seen_events)
        keep_ids_unique(report.tables, used_ids)
        _add_report(report, tables, partners, meta, entries)
        meta["warnings"].extend(_issue_list(w) for w in overlaps)
        for duplicate in member.duplicates:  # listed beside the input they copy
            entry = duplicate_manifest(duplicate)
            entries.append(render_entry(entry))
            meta["inputs_with_table"] += read_a_table(entry)
            meta["warnings"].append(_issue_list(duplicate_warning(duplicate)))
    tables["partners"].add(records_to_columns(partners.records(), TABLES["partners"]))
    meta["inputs_count"] = len(entries)
    meta["inputs"] = ",\n".join(entries)
    # as manifest.json lists them: rendering them there costs more than all else in a run
    # that reuses most segments
    meta["warnings_text"] = ",\n".join(render_entry(warning_item(issue_from_list(w)))
                                       for w in meta["warnings"])
    segment = decode(plan.fingerprint, encode(meta, {name: t.finish()
                                                     for name, t in tables.items()}))
    segment.rejected = rejected
    return segment


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


def _build_in_worker(job: tuple[Plan, Path, bytes]) -> tuple[list[str], bytes]:
    plan, out_dir, key = job
    store = cache.ReportCache(out_dir, key=key, worker=True)
    try:
        segment = build(plan, store)
    finally:
        store.close()
    return segment.rejected, segment.payload


class Workers:
    """A run's worker processes, started when first needed and kept from the extraction
    of the reports to the building of the fiscal years: workers started afresh for the
    years spent a third more CPU on them (8.6 s against 6.6 in one process, 8,000
    reports). With the fork start method every worker starts at the first task, so a pool
    first used before the run's writing threads exist never forks beside them."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        return self._pool

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def produce(plans: Sequence[Plan], store: cache.ReportCache, out_dir: Path,
            workers: Workers, *, force: bool) -> Iterator[Segment]:
    """Each plan's segment, in order: from the cache when every report of it was reused
    and the cache holds it, else built (in `jobs` processes) and stored. A stored segment
    that is not this user's pipeline's own (HMAC mismatch) is built again, and its
    fingerprint left in store.rejected for the run to warn about. One segment is held at a
    time (and those the workers have built ahead). The caller shuts the workers down."""
    def reusable(plan: Plan) -> bool:
        return not force and all(member.reused for member in plan.members)

    # which to build is known before any is read: a stored segment is rarely found bad
    todo = {index for index, plan in enumerate(plans)
            if not (reusable(plan) and store.has_segment(plan.fingerprint))}
    pool = workers.pool() if workers.jobs > 1 and len(todo) > 1 else None
    built = _build_all([plans[i] for i in sorted(todo)], store, out_dir, pool, workers.jobs)
    for index, plan in enumerate(plans):
        segment = None if index in todo else _cached(plan.fingerprint, store)
        if segment is None:  # to build, or found bad while reading: built here
            segment = next(built) if index in todo else build(plan, store)
            store.put_segment(plan.fingerprint, segment.payload)
            # now: workers still reading the cache never meet a long-held write lock
            store.commit()
            store.rejected.update(segment.rejected)
        yield segment


def _cached(fingerprint: str, store: cache.ReportCache) -> Segment | None:
    payload = store.get_segment(fingerprint)
    if payload is None:
        return None
    try:
        return decode(fingerprint, payload)
    except (ValueError, KeyError, TypeError, IndexError):  # our own, yet unreadable
        store.rejected.add(fingerprint)
        return None


def _build_all(plans: list[Plan], store: cache.ReportCache, out_dir: Path,
               pool: ProcessPoolExecutor | None, jobs: int) -> Iterator[Segment]:
    """The plans' segments in order. With a pool not used before, its workers start here,
    before the caller's writing threads exist (a process forked beside running threads may
    inherit a held lock); each worker builds at most one year ahead of the merge, so years
    built and not yet written never pile up in memory."""
    if pool is None:
        return (build(plan, store) for plan in plans)
    jobs_of = iter([(plan, out_dir, store.key) for plan in plans])
    ahead = deque(pool.submit(_build_in_worker, job)
                  for job in itertools.islice(jobs_of, jobs))
    return _in_order(plans, pool, jobs_of, ahead)


def _in_order(plans: list[Plan], pool: ProcessPoolExecutor,
              jobs_of: Iterator[tuple[Plan, Path, bytes]],
              ahead: deque[Future[tuple[list[str], bytes]]]) -> Iterator[Segment]:
    for plan in plans:
        rejected, payload = ahead.popleft().result()
        for job in itertools.islice(jobs_of, 1):
            ahead.append(pool.submit(_build_in_worker, job))
        segment = decode(plan.fingerprint, payload)
        segment.rejected = rejected
        yield segment
