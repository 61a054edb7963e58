"""An audit page: one self-contained HTML file for a person checking an extraction by eye.

Each source row is shown beside the events read from it, with every date expression marked
in the source text and its ISO period beside it; rejects and warnings sit in red at the line
where they arose; counts at the top are checked to add up; an inline SVG timeline shows
events per partner per month. Every piece of report text goes through html.escape, and a
Content-Security-Policy admits only the page's own script, so a `<script>` in a report is
shown as text and can run nothing even if an escape were missed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.folder import FolderError, is_output_folder, read_table
from pipeline.model import Extraction, Issue
from pipeline.safe_text import ISOLATE_CSS, content_security_policy
from pipeline.safe_text import html_text as escape

Record = dict[str, Any]
RowKey = tuple[str, int, int]  # source_file, table_no, row_no
# Rejects of a table row that layout read as a row but that gave no entry (events.py): on
# the page each is an unread row, whichever the input, so rows = entries + these rejects.
# Rejects that cost a table row: layout's (the row never became one) and the events
# stage's (a row whose label or cell could not be read). Each is an unread row.
LAYOUT_REJECTS = frozenset({"row-cells", "row-label", "row-outside-table", "line-encoding"})
ROW_REJECTS = frozenset({"partner-label", "cell-html"}) | LAYOUT_REJECTS


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
    """An output record as a dict, whether a NamedTuple (model.py now) or a dataclass."""
    if hasattr(value, "_asdict"):
        return dict(value._asdict())
    return dataclasses.asdict(value)


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


def folder_to_data(folder: Path) -> AuditData:
    """From an output folder: the raw cells are not kept there, so each row's cell is its
    items' source_text joined, and each reject appears at its line; a row-level reject is
    also an unread row (its raw line as the cell), as it is when read from the report.

    manifest.json is optional: without it the line counts, warnings and the extraction's
    own counts are unknown (the page says so) and the entries are counted from entries."""
    manifest_path = folder / "manifest.json"
    try:
        tables = {name: read_table(folder, name).to_pylist()
                  for name in ("events", "periods", "entries", "rejects")}
        manifest: Record | None = (json.loads(manifest_path.read_text(encoding="utf-8"))
                                   if manifest_path.exists() else None)
    except (FolderError, OSError, ValueError) as error:
        raise AuditError(f"{folder}: cannot read the outputs: {error}") from error
    files: dict[str, AuditFile] = {}
    for item in _manifest_inputs(manifest, manifest_path):
        counts = item.get("counts", {})
        issues = [AuditIssue(item["name"], 0, "error", item["error"].get("code", ""),
                             item["error"].get("message", ""))] if "error" in item else []
        files[item["name"]] = AuditFile(item["name"], dict(item.get("lines", {"total": 0})),
                                        counts.get("events"), issues=issues,
                                        entries=counts.get("entries", 0),
                                        counted_rejects=counts.get("rejects"),
                                        paged=item.get("format") == "pdf")

    def file(name: str) -> AuditFile:
        return files.setdefault(name, AuditFile(name, {"total": 0}, None))

    events: dict[RowKey, list[Record]] = defaultdict(list)
    for event in tables["events"]:
        events[(event["source_file"], event["table_no"], event["row_no"])].append(event)
    extras: dict[RowKey, list[Record]] = defaultdict(list)
    if (folder / "extras.parquet").exists() or (folder / "extras.csv").exists():
        try:  # an output folder of an older pipeline has no extras table
            for extra in read_table(folder, "extras").to_pylist():
                extras[(extra["source_file"], extra["table_no"], extra["row_no"])].append(extra)
        except FolderError as error:
            raise AuditError(f"{folder}: cannot read the outputs: {error}") from error
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
    for reject in tables["rejects"]:
        code, _, message = str(reject["reason"]).partition(": ")
        audit = file(reject["source_file"])
        audit.issues.append(AuditIssue(reject["source_file"], reject["source_line"], "reject",
                                       code, message or code, reject["raw"]))
        if code in ROW_REJECTS:  # table and row numbers are not kept for a reject
            audit.rows.append(AuditRow(reject["source_file"], reject["source_line"], 0, 0, "",
                                       reject["raw"], True, "", read=False))
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
    from pipeline.duplicates import drop_duplicates, duplicate_warning
    from pipeline.extract import extract_bytes
    from pipeline.inputs import InputError, discover, read_input, with_layout

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


# ---- pieces of the page ------------------------------------------------------------------

def iso_period(start: dt.date | None, end: dt.date | None) -> str:
    """ISO 8601: a day, or an interval start/end."""
    if start is None or end is None:
        return "no date"
    return start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"


def date_marks(cell: str, events: Iterable[Record],
               periods: dict[str, list[Record]]) -> tuple[list[tuple[int, int, str]], int]:
    """Spans (start, end, ISO period) of each period's date_text in the cell, found inside
    its event's source_text, in item order; and how many expressions were not found."""
    marks: list[tuple[int, int, str]] = []
    missing, cursor = 0, 0
    for event in events:
        found = cell.find(event["source_text"], cursor) if event["source_text"] else -1
        begin = found if found >= 0 else cursor
        limit = begin + len(event["source_text"]) if found >= 0 else len(cell)
        inner = begin
        expressions = [(p["date_text"], iso_period(p["date_start"], p["date_end"]))
                       for p in periods.get(event["event_id"], [])]
        for text, iso in expressions:
            at = cell.find(text, inner, limit) if text else -1
            if at < 0:
                missing += 1
                continue
            marks.append((at, at + len(text), iso))
            inner = at + len(text)
        if found >= 0:
            cursor = limit
    return marks, missing


def highlight(text: str, marks: list[tuple[int, int, str]]) -> str:
    """The text escaped, each marked span in <mark> with its ISO period after it."""
    out: list[str] = []
    position = 0
    for start, end, iso in sorted(marks):
        if start < position:  # overlapping marks: keep the first
            continue
        out.append(escape(text[position:start]))
        out.append(f'<mark class="date" data-iso="{escape(iso)}">{escape(text[start:end])}'
                   f'</mark><span class="iso">{escape(iso)}</span>')
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _period_html(period: Record) -> str:
    iso = escape(iso_period(period["date_start"], period["date_end"]))
    precision = escape(str(period["date_precision"]))
    return f'<span class="period" data-iso="{iso}">{iso} <small>{precision}</small></span>'


def _event_html(event: Record, periods: list[Record]) -> str:
    spans = "".join(_period_html(p) for p in periods) or (
        '<span class="period none">no date</span>')
    note = f'<div class="note">※ {escape(event["note"])}</div>' if event["note"] else ""
    facets = ""
    if event.get("kind"):  # an output of an older pipeline has no facets
        evidence = event.get("facet_evidence") or "no words decided them"
        facets = (f'<div class="facets" title="{escape(evidence)}">{escape(event["kind"])} · '
                  f'{escape(event.get("direction") or "")} — <small>{escape(evidence)}</small>'
                  "</div>")
    return (f'<li class="event" data-event-id="{escape(event["event_id"])}" '
            f'data-item="{event["item_no"]}">{escape(event["description"])} {spans}{note}'
            f"{facets}</li>")


def where(line: int, paged: bool) -> str:
    """A source line as a person finds it: `12`, or in a PDF `p. 2 row 3` (line 2003)."""
    from pipeline.sources.pdf import PAGE_LINES

    if not paged or line < PAGE_LINES:
        return str(line)
    return f"p.\u00a0{line // PAGE_LINES} row\u00a0{line % PAGE_LINES}"


def _issue_html(issue: AuditIssue, colspan: int = 4, paged: bool = False) -> str:
    raw = f'<pre class="raw">{escape(issue.raw)}</pre>' if issue.raw else ""
    return (f'<tr class="issue {escape(issue.severity)}" data-line="{issue.source_line}" '
            f'data-code="{escape(issue.code)}"><td class="line">'
            f'{where(issue.source_line, paged)}</td>'
            f'<td colspan="{colspan}"><b>{escape(issue.severity)} {escape(issue.code)}</b>: '
            f"{escape(issue.message)}{raw}</td></tr>")


def _row_html(row: AuditRow, periods: dict[str, list[Record]], paged: bool = False) -> str:
    marks, missing = date_marks(row.cell, row.events, periods)
    lost = (f'<div class="issue warning">{missing} date expression(s) not found in the '
            "source text</div>") if missing else ""
    origin = "" if row.cell_is_raw else (
        ' title="items joined: an output folder does not keep the raw cell"')
    events = "".join(_event_html(e, periods.get(e["event_id"], [])) for e in row.events)
    return (f'<tr class="row{"" if row.read else " unread"}" id="{escape(_row_id(row))}" '
            f'data-line="{row.source_line}" data-table="{row.table_no}" data-row="{row.row_no}" '
            f'data-events="{len(row.events)}"><td class="line">'
            f'{where(row.source_line, paged)}</td>'
            f'<td class="label">{escape(row.label)}<div class="bureau">{escape(row.bureau)}</div>'
            f'{_details_html(row.details)}</td>'
            f'<td class="cell"{origin}>{highlight(row.cell, marks)}{lost}</td>'
            f'<td><ol class="events">{events}</ol></td></tr>')


def _details_html(details: list[tuple[str, str]]) -> str:
    if not details:
        return ""
    items = "".join(f"<li><b>{escape(name)}</b> {escape(value)}</li>" for name, value in details)
    return f'<ul class="details">{items}</ul>'


def _row_id(row: AuditRow) -> str:
    if not row.table_no:  # an unread row from an output folder: only its line is known
        return f"{row.source_file}:l{row.source_line}"
    return f"{row.source_file}:t{row.table_no}r{row.row_no}"


def _file_html(audit: AuditFile, periods: dict[str, list[Record]]) -> str:
    """Rows and issues in line order, each issue right after the row of its line."""
    parts: list[tuple[int, int, str]] = [(r.source_line, 0, _row_html(r, periods, audit.paged))
                                         for r in audit.rows]
    parts += [(i.source_line, 1, _issue_html(i, paged=audit.paged)) for i in audit.issues]
    body = "\n".join(html for _, _, html in sorted(parts, key=lambda p: (p[0], p[1])))
    return (f'<section class="file" data-file="{escape(audit.name)}"><h2>{escape(audit.name)}'
            f'</h2><table class="rows"><thead><tr><th>{"page, row" if audit.paged else "line"}'
            '</th><th>partner / bureau</th>'
            '<th>source cell</th><th>events read</th></tr></thead>'
            f"<tbody>\n{body}\n</tbody></table></section>")


def _counts(data: AuditData) -> tuple[str, list[str]]:
    """The counts table and the list of sums that do not add up."""
    files = data.files
    lines = Counter[str]()
    for f in files:
        lines.update(f.lines)
    total = lines.pop("total", 0)
    rows = sum(len(f.rows) for f in files)
    entries = sum(f.entries for f in files)
    events = sum(len(r.events) for f in files for r in f.rows)
    known_events = all(f.counted_events is not None for f in files)
    counted = sum(f.counted_events or 0 for f in files)
    issues = [i for f in files for i in f.issues]
    rejects = sum(1 for i in issues if i.severity in ("reject", "error"))
    warnings = sum(1 for i in issues if i.severity == "warning")
    problems = []
    if sum(lines.values()) != total:
        problems.append(f"lines: the kinds add up to {sum(lines.values())}, not {total}")
    if known_events and counted != events:
        problems.append(f"events: {events} shown, {counted} counted by the extraction")
    shown_entries = sum(1 for f in files for r in f.rows if r.read)
    if shown_entries != entries:
        problems.append(f"rows: {shown_entries} read shown, {entries} entries counted")
    unread = rows - shown_entries
    row_rejects = sum(1 for i in issues if i.severity == "reject" and i.code in ROW_REJECTS)
    if unread != row_rejects:
        problems.append(f"rows: {unread} unread shown, {row_rejects} row rejects")
    shown_rejects = sum(1 for i in issues if i.severity == "reject")
    if all(f.counted_rejects is not None for f in files):
        counted_rejects = sum(f.counted_rejects or 0 for f in files)
        if shown_rejects != counted_rejects:
            problems.append(f"rejects: {shown_rejects} shown, {counted_rejects} counted by "
                            "the extraction")
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(lines.items()))
    cells = [("files", "files", len(files), ""),
             ("lines", "lines", total, kinds),
             ("rows", "rows", rows, f"{shown_entries} read into entries, {unread} rejected"),
             ("events", "events", events, f"{counted} counted by the extraction"
              if known_events else "not counted by the extraction (no manifest)"),
             ("periods", "periods", sum(len(p) for p in data.periods.values()), ""),
             ("rejects", "rejects", rejects, "in red below, at their line"),
             ("warnings", "warnings", warnings, "in red below, at their line")]
    body = "".join(f'<tr><th>{label}</th><td class="n" data-count-{key}="{count}">{count}</td>'
                   f"<td>{escape(detail)}</td></tr>" for key, label, count, detail in cells)
    return f'<table id="counts">{body}</table>', problems


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


def timeline_svg(counts: dict[str, list[int]], fiscal_year: int) -> str:
    label_width, cell, top = 300, 44, 28
    width, height = label_width + 12 * cell + 10, top + 22 * len(counts) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" '
           f'data-fiscal-year="{fiscal_year}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="events per partner per month, fiscal year {fiscal_year}">']
    for index, month in enumerate(MONTHS):
        x = label_width + index * cell + cell // 2
        out.append(f'<text x="{x}" y="18" text-anchor="middle" class="month">{month}月</text>')
    peak = max((n for row in counts.values() for n in row), default=1) or 1
    for number, (partner, row) in enumerate(sorted(counts.items())):
        y = top + number * 22
        out.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
                   f"{escape(partner)}</text>")
        out.append(f'<line x1="{label_width}" x2="{label_width + 12 * cell}" y1="{y + 11}" '
                   f'y2="{y + 11}" class="grid"/>')
        for index, count in enumerate(row):
            if count:
                x = label_width + index * cell + cell // 2
                radius = 4 + 5 * (count / peak) ** 0.5
                year = fiscal_year + (MONTHS[index] < 4)
                out.append(f'<circle cx="{x}" cy="{y + 11}" r="{radius:.1f}" class="dot" '
                           f'data-count="{count}" data-partner="{escape(partner)}" '
                           f'data-month="{year}-{MONTHS[index]:02d}"><title>{escape(partner)}, '
                           f"{MONTHS[index]}月: {count}</title></circle>")
    out.append("</svg>")
    return "".join(out)


# ---- the page ----------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,"Noto Sans CJK JP","Noto Sans JP",sans-serif;margin:1.2em;color:#222}
h1{font-size:1.4em} table{border-collapse:collapse} td,th{border:1px solid #ccc;
padding:.3em .5em;vertical-align:top;text-align:left} th{background:#f4f4f4}
#counts td.n{text-align:right;font-weight:bold} .problems{color:#b00;font-weight:bold}
.ok{color:#070} table.rows{width:100%} td.line{color:#888;text-align:right;width:3em}
td.cell{font-size:.9em;width:42%;word-break:break-all;white-space:pre-wrap}
mark.date{background:#ffe58a} span.iso{font-size:.75em;background:#dfeaff;margin:0 .2em;
padding:0 .2em;border-radius:3px} .bureau{color:#666;font-size:.85em}
.details{color:#444;font-size:.8em;margin:.2em 0 0;padding-left:1em}
ol.events{margin:0;padding-left:1.4em} li.event{margin-bottom:.2em}
span.period{font-size:.8em;background:#e8f4e8;padding:0 .3em;margin-left:.3em;
border-radius:3px;white-space:nowrap} span.none{background:#fdd}
tr.issue td,div.issue{color:#b00;background:#fff0f0} tr.unread td{background:#fff6f6}
pre.raw{white-space:pre-wrap;margin:.2em 0} .note{font-size:.85em;color:#555}
.facets{font-size:.8em;color:#375}
svg.timeline text{font-size:12px} svg .grid{stroke:#ddd} svg .dot{fill:#3465a4;opacity:.8}
"""

# The page's own check, run by the browser: it counts what is on the page and writes the
# result where a reader (or a headless test) can see it.
_SCRIPT = (
    "(function(){var d=document,b=d.getElementById('browser-check');"
    "var r=d.querySelectorAll('tr.row').length,e=d.querySelectorAll('li.event').length;"
    "var c=d.querySelector('[data-count-events]').getAttribute('data-count-events'),"
    "w=d.querySelector('[data-count-rows]').getAttribute('data-count-rows');"
    "var ok=String(e)===c&&String(r)===w;b.setAttribute('data-rows',r);"
    "b.setAttribute('data-events',e);b.setAttribute('data-ok',ok?'yes':'no');"
    "b.textContent='Checked in this browser: '+r+' rows and '+e+' events on the page'"
    "+(ok?', as counted above.':', NOT as counted above.');})();")


def _csp() -> str:
    return content_security_policy(_CSS + ISOLATE_CSS, _SCRIPT)


def render(data: AuditData, title: str = "Extraction audit") -> str:
    counts, problems = _counts(data)
    check = ('<p class="problems">Does not add up: ' + "; ".join(escape(p) for p in problems)
             + "</p>") if problems else '<p class="ok">All counts add up.</p>'
    events = [e for f in data.files for r in f.rows for e in r.events]
    years = sorted({e["fiscal_year"] for e in events if e["fiscal_year"] is not None})
    timelines = "".join(
        f"<h3>Fiscal year {year} (April {year} – March {year + 1})</h3>"
        + timeline_svg(month_counts(events, data.periods, year), year) for year in years)
    undated = sum(1 for e in events if not data.periods.get(e["event_id"]))
    files = "\n".join(_file_html(f, data.periods) for f in data.files)
    notes = "".join(f'<p class="note" id="note-{n}">{escape(text)}</p>\n'
                    for n, text in enumerate(data.notes, 1))
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">'
        f"<title>{escape(title)}</title><style>{_CSS}{ISOLATE_CSS}</style></head><body>\n"
        f"<h1>{escape(title)}</h1>\n{counts}\n{check}\n{notes}"
        '<p id="browser-check" data-ok="not run">The in-page check did not run.</p>\n'
        f'<h2>Timeline: events per partner per month</h2><div id="timeline">{timelines}'
        f"<p>Events without a date, not on the timeline: {undated}.</p></div>\n"
        f"{files}\n<script>{_SCRIPT}</script>\n</body></html>\n")


def audit_html(source: Path | Extraction | Sequence[Extraction | Issue],
               layout: Path | None = None) -> str:
    """The audit page for an extraction (or several), reports on disk, or an output folder;
    `layout` as `pipeline run --layout` (for reports on disk)."""
    return render(gather(source, layout))
