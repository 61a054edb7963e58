"""Fiscal-year segments: the unit the write stage builds, caches and builds in parallel.

Event ids and the report-overlap warnings depend on the other reports of the same fiscal
year (ids.py, duplicates.py) and on nothing else, so the outputs are made one fiscal year
at a time. A year's segment is its tables, as Arrow IPC compressed with LZ4 (8,000
reports, measured when a year was one piece: 63 MB of segments beside 223 MB of the
reports' JSON; the events read back in 0.09 s against Parquet's 0.43 s), with what the
manifest and the run's summary say of it, made from its reports' cached results, in parts
of bounded size (build: a large year costs no more memory than a small one). It is kept
in the cache under a fingerprint of those reports, and every run, full or not, streams
the parts' tables into the output files in order (years.py): a run that adds or changes
one report builds one year again and reads the others back, and its outputs are the
bytes a full run writes (issue 15). Years are independent, so --jobs builds them in
parallel, each worker with its own connection to the cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
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
    cached: bool = False  # read back from the cache, not built by this run

    def table(self, name: str) -> Any:
        """One of its tables, as an Arrow table of the batches it was built in. Read whole
        (a part is of bounded size) in the calling thread: read a batch at a time, with
        Arrow's threads decompressing, the writing threads waited on the GIL and on
        those threads after every batch."""
        import pyarrow as pa  # lazy: see outputs.arrow_without_pandas

        options = pa.ipc.IpcReadOptions(use_threads=False)
        return pa.ipc.open_stream(pa.py_buffer(self.tables[name]), options=options).read_all()


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
