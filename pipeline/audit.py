"""What an audit page shows, gathered: each source row beside the events read from it, the
rejects and warnings at their lines, and the counts checked to add up — from extractions,
reports on disk, or an output folder. audit_render.py turns it into the page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import events as events_stage
from pipeline import layout as layout_stage
from pipeline.duplicates import drop_duplicates, duplicate_warning
from pipeline.extract import extract_bytes
from pipeline.folder import FolderError, is_output_folder, read_table
from pipeline.formats import iso_period
from pipeline.inputs import InputError, discover, read_input, with_layout
from pipeline.model import Extraction, Issue

Record = dict[str, Any]
RowKey = tuple[str, int, int]  # source_file, table_no, row_no
# Rejects that cost a table row: layout's (the row never became one) and the events
# stage's (a row whose label or cell could not be read). On the page each is an unread row,
# whichever the input, so rows = entries + these rejects.
LAYOUT_REJECTS = layout_stage.ROW_REJECTS
ROW_REJECTS = events_stage.ROW_REJECTS | LAYOUT_REJECTS


class AuditError(Exception):
    """An input that cannot be audited: missing, or neither reports nor an output folder."""


@dataclass(frozen=True, slots=True)
class AuditIssue:
    source_file: str
    source_line: int
    severity: str  # warning | reject | error
    code: str
    message: str
    raw: str = ""


@dataclass(slots=True)
class AuditRow:
    source_file: str
    source_line: int
    table_no: int
    row_no: int
    label: str
    cell: str  # the content cell as written; from an output folder, its items joined
    cell_is_raw: bool
    bureau: str
    events: list[Record] = field(default_factory=list)
    read: bool = True  # False when the row was rejected and gave no entry
    # What else the row said (government, partnership date, category, inherited roles,
    # extras columns) as (name, value); empty for FY2012's three-column rows.
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class AuditFile:
    name: str
    lines: dict[str, int]  # "total" plus one count per line kind
    counted_events: int | None  # as the extraction counted them (manifest); None: unknown
    rows: list[AuditRow] = field(default_factory=list)
    issues: list[AuditIssue] = field(default_factory=list)
    entries: int = 0
    counted_rejects: int | None = None  # as the extraction counted them; None: unknown
    paged: bool = False  # a PDF: its lines are page × PAGE_LINES + the row's order on the page


@dataclass(slots=True)
class AuditData:
    files: list[AuditFile]
    periods: dict[str, list[Record]]  # event_id -> periods in order
    notes: list[str] = field(default_factory=list)  # said on the page, e.g. no manifest


# ---- gathering ---------------------------------------------------------------------------

def _record(value: Any) -> Record:
    """An output record (a NamedTuple of model.py) as a dict."""
    return dict(value._asdict())


def _issue(issue: Issue) -> AuditIssue:
    return AuditIssue(issue.source_file, issue.source_line, issue.severity, issue.code,
                      issue.message, issue.raw)


def extraction_to_file(extraction: Extraction) -> AuditFile:
    document, layout = extraction.document, extraction.layout
    lines = {"total": document.line_count, **(layout.line_kinds if layout else {})}
    audit = AuditFile(document.name, lines, len(extraction.events),
                      issues=[_issue(i) for i in extraction.issues],
                      entries=len(extraction.entries),
                      counted_rejects=sum(1 for i in extraction.issues
                                          if i.severity == "reject"),
                      paged=document.format == "pdf")
    events: dict[RowKey, list[Record]] = defaultdict(list)
    for event in extraction.events:
        events[(event.source_file, event.table_no, event.row_no)].append(_record(event))
    read = {(e.source_file, e.table_no, e.row_no): e for e in extraction.entries}
    extras: dict[RowKey, list[Record]] = defaultdict(list)
    for extra in extraction.extras:
        extras[(extra.source_file, extra.table_no, extra.row_no)].append(_record(extra))
    for row in layout.rows if layout else ():
        key = (row.source_file, row.table_no, row.row_no)
        entry = read.get(key)
        audit.rows.append(AuditRow(row.source_file, row.source_line, row.table_no, row.row_no,
                                   row.label, row.content, True,
                                   entry.bureau if entry else row.bureau_cell,
                                   events.get(key, []), entry is not None,
                                   entry_details(_record(entry) if entry else {},
                                                 extras.get(key, []))))
    for issue in extraction.issues:  # lines layout could not take as rows at all
        if issue.severity == "reject" and issue.code in LAYOUT_REJECTS:
            audit.rows.append(AuditRow(issue.source_file, issue.source_line, 0, 0, "",
                                       issue.raw, True, "", read=False))
    return audit


# Entry columns shown beside a row when they hold something (tables of other shapes).
_DETAILS = ("government", "partnership_date_text", "category", "inherited")


def entry_details(entry: Record, extras: Iterable[Record]) -> list[tuple[str, str]]:
    """(name, value) of an entry's role columns and its extras, as the page shows them."""
    details = [(name, str(entry[name])) for name in _DETAILS if entry.get(name)]
    if entry.get("partnership_start"):
        iso = iso_period(entry["partnership_start"], entry["partnership_end"])
        details = [(n, f"{v} = {iso}" if n == "partnership_date_text" else v)
                   for n, v in details]
    return details + [(str(e["column"]), str(e["value"])) for e in extras]


def extractions_to_data(extractions: Sequence[Extraction | Issue]) -> AuditData:
    files: list[AuditFile] = []
    periods: dict[str, list[Record]] = defaultdict(list)
    for extraction in extractions:
        if isinstance(extraction, Issue):  # a file that could not be read at all
            files.append(AuditFile(extraction.source_file, {"total": 0}, 0,
                                   issues=[_issue(extraction)]))
            continue
        files.append(extraction_to_file(extraction))
        for period in extraction.periods:
            periods[period.event_id].append(_record(period))
    return AuditData(files, dict(periods))


def _manifest_inputs(manifest: Any, path: Path) -> list[Record]:
    """The manifest's inputs, each checked for the shape `pipeline run` writes: a damaged
    or foreign manifest is a clear error naming the file, not a crash."""
    if manifest is None:
        return []
    inputs = manifest.get("inputs", []) if isinstance(manifest, dict) else None
    if not isinstance(inputs, list):
        raise AuditError(f"{path}: not a manifest of pipeline run (no list of inputs); "
                         "run pipeline run again or remove it")
    kinds = {"name": str, "error": dict, "counts": dict, "lines": dict}
    for index, item in enumerate(inputs):
        for key, kind in kinds.items():
            required = key == "name" or (isinstance(item, dict) and key in item)
            if not isinstance(item, dict) or (required and not isinstance(item.get(key), kind)):
                raise AuditError(f"{path}: inputs[{index}] has no {key} of the right kind; "
                                 "it is not a manifest of pipeline run (run it again)")
    return inputs


def _read_outputs(folder: Path) -> tuple[dict[str, list[Record]], Record | None]:
    """The tables the page needs and the manifest (None when there is none)."""
    manifest_path = folder / "manifest.json"
    try:
        tables = {name: read_table(folder, name).to_pylist()
                  for name in ("events", "periods", "entries", "rejects")}
        manifest: Record | None = (json.loads(manifest_path.read_text(encoding="utf-8"))
                                   if manifest_path.exists() else None)
        # An output folder of an older pipeline has no extras table.
        has_extras = (folder / "extras.parquet").exists() or (folder / "extras.csv").exists()
        tables["extras"] = read_table(folder, "extras").to_pylist() if has_extras else []
    except (FolderError, OSError, ValueError) as error:
        raise AuditError(f"{folder}: cannot read the outputs: {error}") from error
    return tables, manifest


def _manifest_files(manifest: Record | None, path: Path) -> dict[str, AuditFile]:
    """One AuditFile per input the manifest lists, with the counts it holds."""
    files: dict[str, AuditFile] = {}
    for item in _manifest_inputs(manifest, path):
        counts = item.get("counts", {})
        issues = [AuditIssue(item["name"], 0, "error", item["error"].get("code", ""),
                             item["error"].get("message", ""))] if "error" in item else []
        files[item["name"]] = AuditFile(item["name"], dict(item.get("lines", {"total": 0})),
                                        counts.get("events"), issues=issues,
                                        entries=counts.get("entries", 0),
                                        counted_rejects=counts.get("rejects"),
                                        paged=item.get("format") == "pdf")
    return files


def _by_row(records: Iterable[Record]) -> dict[RowKey, list[Record]]:
    grouped: dict[RowKey, list[Record]] = defaultdict(list)
    for record in records:
        grouped[(record["source_file"], record["table_no"], record["row_no"])].append(record)
    return grouped


def _add_rejects(file: Callable[[str], AuditFile], rejects: Iterable[Record]) -> None:
    for reject in rejects:
        code, _, message = str(reject["reason"]).partition(": ")
        audit = file(reject["source_file"])
        audit.issues.append(AuditIssue(reject["source_file"], reject["source_line"], "reject",
                                       code, message or code, reject["raw"]))
        if code in ROW_REJECTS:  # table and row numbers are not kept for a reject
            audit.rows.append(AuditRow(reject["source_file"], reject["source_line"], 0, 0, "",
                                       reject["raw"], True, "", read=False))


def folder_to_data(folder: Path) -> AuditData:
    """From an output folder: the raw cells are not kept there, so each row's cell is its
    items' source_text joined, and each reject appears at its line; a row-level reject is
    also an unread row (its raw line as the cell), as it is when read from the report.

    manifest.json is optional: without it the line counts, warnings and the extraction's
    own counts are unknown (the page says so) and the entries are counted from entries."""
    manifest_path = folder / "manifest.json"
    tables, manifest = _read_outputs(folder)
    files = _manifest_files(manifest, manifest_path)

    def file(name: str) -> AuditFile:
        return files.setdefault(name, AuditFile(name, {"total": 0}, None))

    events, extras = _by_row(tables["events"]), _by_row(tables["extras"])
    for entry in tables["entries"]:
        key = (entry["source_file"], entry["table_no"], entry["row_no"])
        items = events.get(key, [])
        cell = " ".join(e["source_text"] for e in items) or entry["note"]
        file(entry["source_file"]).rows.append(AuditRow(
            entry["source_file"], entry["source_line"], entry["table_no"], entry["row_no"],
            entry["partner_label"], cell, False, entry["bureau"], items,
            details=entry_details(entry, extras.get(key, []))))
        if manifest is None:
            file(entry["source_file"]).entries += 1
    _add_rejects(file, tables["rejects"])
    for warning in (manifest or {}).get("warnings", []):
        file(warning["source_file"]).issues.append(AuditIssue(
            warning["source_file"], warning["source_line"], "warning", warning["code"],
            warning["message"]))
    periods: dict[str, list[Record]] = defaultdict(list)
    for period in tables["periods"]:
        periods[period["event_id"]].append(period)
    notes = [] if manifest is not None else [
        f"{manifest_path.name} is missing: line counts, warnings and the extraction's own "
        "counts are unknown; entries and rejects are counted from the tables."]
    return AuditData([files[name] for name in sorted(files)], dict(periods), notes)


def gather(source: Path | Extraction | Sequence[Extraction | Issue],
           layout: Path | None = None) -> AuditData:
    """`layout`: a layout file to read raw reports with, as `pipeline run --layout`."""
    if isinstance(source, Extraction):
        return extractions_to_data([source])
    if not isinstance(source, Path):
        return extractions_to_data(source)
    if not source.exists():
        raise AuditError(f"{source}: no such file or folder")
    if is_output_folder(source):
        return folder_to_data(source)
    skipped: list[Issue] = []  # links that lead out of the folder: shown, never read
    try:
        found = discover([source], warnings=skipped)
        if layout is not None:
            found, _ = with_layout(found, layout)
    except InputError as error:
        raise AuditError(str(error)) from error
    if not found and not skipped:
        raise AuditError(f"{source}: no reports and no events.parquet or events.csv")
    # As in a run: the same bytes twice are read once, and the copy is named as such.
    found, duplicates = drop_duplicates(found)
    extractions: list[Extraction | Issue] = []
    for item in found:
        try:
            extractions.append(extract_bytes(read_input(item), item.name, item.vocabulary))
        except OSError as error:
            extractions.append(Issue("file-unreadable", f"{item.name}: {error.strerror}",
                                     "error", item.name, 0))
    extractions.extend(duplicate_warning(d) for d in duplicates)
    extractions.extend(skipped)
    extractions.sort(key=lambda e: e.source_file if isinstance(e, Issue) else e.document.name)
    return extractions_to_data(extractions)


# ---- counts ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Counts:
    """The page's counts, and each sum that does not add up (said on the page)."""

    files: int
    lines: int
    line_kinds: dict[str, int]
    rows: int
    read: int  # rows read into entries
    events: int
    counted_events: int | None  # as the extraction counted them; None: unknown
    periods: int
    rejects: int
    warnings: int
    problems: list[str]


def _problems(data: AuditData, lines: Counter[str], total: int, events: int) -> list[str]:
    files = data.files
    problems = []
    if sum(lines.values()) != total:
        problems.append(f"lines: the kinds add up to {sum(lines.values())}, not {total}")
    counted = sum(f.counted_events or 0 for f in files)
    if all(f.counted_events is not None for f in files) and counted != events:
        problems.append(f"events: {events} shown, {counted} counted by the extraction")
    return problems + _row_problems(files)


def _row_problems(files: list[AuditFile]) -> list[str]:
    """Rows read and unread against entries and row rejects; rejects against the count."""
    issues = [i for f in files for i in f.issues]
    problems = []
    shown_entries = sum(1 for f in files for r in f.rows if r.read)
    entries = sum(f.entries for f in files)
    if shown_entries != entries:
        problems.append(f"rows: {shown_entries} read shown, {entries} entries counted")
    unread = sum(len(f.rows) for f in files) - shown_entries
    row_rejects = sum(1 for i in issues if i.severity == "reject" and i.code in ROW_REJECTS)
    if unread != row_rejects:
        problems.append(f"rows: {unread} unread shown, {row_rejects} row rejects")
    shown_rejects = sum(1 for i in issues if i.severity == "reject")
    if all(f.counted_rejects is not None for f in files):
        counted_rejects = sum(f.counted_rejects or 0 for f in files)
        if shown_rejects != counted_rejects:
            problems.append(f"rejects: {shown_rejects} shown, {counted_rejects} counted by "
                            "the extraction")
    return problems


def count_rows(data: AuditData) -> Counts:
    """What the page counts, checked against what the extraction counted."""
    files = data.files
    lines = Counter[str]()
    for f in files:
        lines.update(f.lines)
    total = lines.pop("total", 0)
    events = sum(len(r.events) for f in files for r in f.rows)
    known_events = all(f.counted_events is not None for f in files)
    issues = [i for f in files for i in f.issues]
    return Counts(
        files=len(files), lines=total, line_kinds=dict(lines),
        rows=sum(len(f.rows) for f in files),
        read=sum(1 for f in files for r in f.rows if r.read), events=events,
        counted_events=sum(f.counted_events or 0 for f in files) if known_events else None,
        periods=sum(len(p) for p in data.periods.values()),
        rejects=sum(1 for i in issues if i.severity in ("reject", "error")),
        warnings=sum(1 for i in issues if i.severity == "warning"),
        problems=_problems(data, lines, total, events))


# ---- timeline ----------------------------------------------------------------------------

MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def month_counts(events: Iterable[Record], periods: dict[str, list[Record]],
                 fiscal_year: int) -> dict[str, list[int]]:
    """Per partner, the number of events with a period touching each month of the year."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    for event in events:
        if event["fiscal_year"] != fiscal_year:
            continue
        touched: set[int] = set()
        for period in periods.get(event["event_id"], []):
            for index, month in enumerate(MONTHS):
                year = fiscal_year + (month < 4)
                first = dt.date(year, month, 1)
                last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
                if period["date_start"] <= last and period["date_end"] >= first:
                    touched.add(index)
        partner = f'{event["partner_country"]} {event["partner_city"]}'.strip()
        row = counts[partner]
        for index in touched:
            row[index] += 1
    return dict(counts)
