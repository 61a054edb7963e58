"""The audit page: one self-contained HTML file for a person checking an extraction by eye.

Each source row is shown beside the events read from it, with every date expression marked
in the source text and its ISO period beside it; rejects and warnings sit in red at the line
where they arose; counts at the top are checked to add up; an inline SVG timeline shows
events per partner per month. Every piece of report text goes through html.escape, and a
Content-Security-Policy admits only the page's own script, so a `<script>` in a report is
shown as text and can run nothing even if an escape were missed. audit.py gathers what it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.audit import (
    MONTHS,
    AuditData,
    AuditFile,
    AuditIssue,
    AuditRow,
    Counts,
    Record,
    count_rows,
    gather,
    month_counts,
)
from pipeline.formats import iso_period
from pipeline.model import Extraction, Issue
from pipeline.safe_text import ISOLATE_CSS, content_security_policy
from pipeline.safe_text import html_text as escape
from pipeline.sources.pdfrows import PAGE_LINES


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


def _counts_html(counts: Counts) -> str:
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.line_kinds.items()))
    cells = [("files", "files", counts.files, ""),
             ("lines", "lines", counts.lines, kinds),
             ("rows", "rows", counts.rows, f"{counts.read} read into entries, "
              f"{counts.rows - counts.read} rejected"),
             ("events", "events", counts.events, f"{counts.counted_events} counted by the "
              "extraction" if counts.counted_events is not None
              else "not counted by the extraction (no manifest)"),
             ("periods", "periods", counts.periods, ""),
             ("rejects", "rejects", counts.rejects, "in red below, at their line"),
             ("warnings", "warnings", counts.warnings, "in red below, at their line")]
    body = "".join(f'<tr><th>{label}</th><td class="n" data-count-{key}="{count}">{count}</td>'
                   f"<td>{escape(detail)}</td></tr>" for key, label, count, detail in cells)
    return f'<table id="counts">{body}</table>'


# ---- timeline ----------------------------------------------------------------------------

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
    tally = count_rows(data)
    counts, problems = _counts_html(tally), tally.problems
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
