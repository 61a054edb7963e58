"""Rendering for `pipeline report`: an Overview -> one self-contained HTML page.

No script, no network, no style or image from elsewhere (a Content-Security-Policy says so
to the browser too); charts are inline SVG. Every piece of report text goes through
html.escape and sits in <bdi> (or an SVG text with unicode-bidi: isolate), so a name in a
right-to-left script, or one carrying a bidi override, cannot reorder the text around it.
Every number links to the events behind it (the appendix at the end lists each event once,
grouped by partner and year) or names the filter that selects its rows.
"""

from __future__ import annotations

import hashlib
from html import escape

from pipeline.facets import DIRECTIONS, KINDS
from pipeline.overview import Overview, Year

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
       "form-action 'none'")
COLOURS = {
    "disaster_relief": "#c0392b", "sports": "#2e86c1", "culture": "#8e44ad",
    "youth_education": "#f39c12", "conference": "#16a085", "study_visit": "#27ae60",
    "training": "#d35400", "economic": "#7f8c8d", "official_visit": "#34495e",
    "other": "#bdc3c7", "inbound": "#2e86c1", "outbound": "#e67e22", "both": "#8e44ad",
    "remote": "#16a085", "unknown": "#bdc3c7",
}
TOP_ACTORS = 15

_CSS = """
body{font-family:system-ui,"Noto Sans CJK JP","Noto Sans JP",sans-serif;margin:1.2em;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.6em} table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4} td.n{text-align:right} td.zero{color:#bbb;text-align:right}
a{color:#1a5fa8;text-decoration:none} .legend span{display:inline-block;margin-right:1em}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}
svg text{font-size:12px;unicode-bidi:isolate} .small{font-size:.85em;color:#555}
details{margin:.2em 0} ol.events{margin:.2em 0 .6em;font-size:.9em}
"""


def _year(year: Year) -> str:
    return "no year" if year is None else str(year)


def _year_key(year: Year) -> str:
    return "none" if year is None else str(year)


def _anchor(partner_id: str, year: Year) -> str:
    """An id for the appendix group of one partner and year: ASCII, whatever the name."""
    digest = hashlib.sha256(partner_id.encode("utf-8")).hexdigest()[:12]
    return f"ev-{digest}-{_year_key(year)}"


def _text(value: object) -> str:
    return f"<bdi>{escape(str(value))}</bdi>"


def _per_year(overview: Overview) -> str:
    head = "".join(f"<th>{_year(y)}</th>" for y in overview.years)
    rows = []
    for key, label, counts in (
            ("events", "events", overview.events_per_year),
            ("entries", "table rows (entries)", overview.entries_per_year),
            ("partners", "partners", overview.partners_per_year),
            ("people", "people counted (participant_count summed)", overview.people_per_year)):
        cells = "".join(
            f'<td class="n" data-count-{key}="{counts[y]}" data-year="{_year_key(y)}" '
            f'title="{key}: rows of {"events" if key == "people" else key} with fiscal_year '
            f'= {_year(y)}">{counts[y]}</td>' for y in overview.years)
        rows.append(f"<tr><th>{label}</th>{cells}</tr>")
    return (f'<table id="per-year"><thead><tr><th>fiscal year</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _grid(overview: Overview) -> str:
    head = "".join(f"<th>{_year(y)}</th>" for y in overview.years)
    rows = []
    for partner in sorted({p for p, _ in overview.grid} | {s.partner_id for s in
                                                             overview.partners}):
        cells = []
        for year in overview.years:
            ids = overview.grid.get((partner, year), [])
            if ids:
                cells.append(f'<td class="n" data-partner="{escape(partner)}" '
                             f'data-year="{_year_key(year)}" data-count="{len(ids)}">'
                             f'<a href="#{_anchor(partner, year)}">{len(ids)}</a></td>')
            else:
                cells.append(f'<td class="zero" data-partner="{escape(partner)}" '
                             f'data-year="{_year_key(year)}" data-count="0">0</td>')
        rows.append(f"<tr><th>{_text(partner)}</th>{''.join(cells)}</tr>")
    return (f'<table id="grid"><thead><tr><th>partner_id</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _stacked(overview: Overview, name: str, labels: tuple[str, ...]) -> str:
    """One horizontal bar per year, a segment per label, each segment naming its rows."""
    counts = overview.kinds if name == "kind" else overview.directions
    # A label the vocabulary does not know (a hand-edited table) still gets its segment.
    labels = (*labels, *sorted({label for _, label in counts} - set(labels)))
    label_width, bar_width, row = 70, 640, 26
    totals = {y: sum(counts[(y, label)] for label in labels) for y in overview.years}
    peak = max(totals.values(), default=0) or 1
    height = row * len(overview.years) + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" id="bars-{name}" class="bars" '
           f'width="{label_width + bar_width + 60}" height="{height}" role="img" '
           f'aria-label="events per {name} per fiscal year">']
    for number, year in enumerate(overview.years):
        y = 4 + number * row
        out.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
                   f"{_year(year)}</text>")
        x = float(label_width)
        for label in labels:
            count = counts[(year, label)]
            if not count:
                continue
            width = bar_width * count / peak
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="20" '
                       f'fill="{COLOURS.get(label, "#999")}" data-year="{_year_key(year)}" '
                       f'data-{name}="{escape(label)}" data-count="{count}"><title>'
                       f"{_year(year)} {escape(label)}: {count} (events where fiscal_year = "
                       f"{_year(year)} and {name} = {escape(label)})</title></rect>")
            x += width
        out.append(f'<text x="{x + 6:.1f}" y="{y + 15}" data-total="{totals[year]}">'
                   f"{totals[year]}</text>")
    out.append("</svg>")
    legend = "".join(f'<span><i class="swatch" style="background:{COLOURS.get(label, "#999")}">'
                     "</i>"
                     f"{escape(label)}</span>" for label in labels)
    return f'<div class="legend">{legend}</div>{"".join(out)}'


def _actors(overview: Overview) -> str:
    rows = "".join(
        f'<tr><td>{_text(actor)}</td><td class="n" data-actor="{escape(actor)}" '
        f'data-count="{count}" title="events whose actors include {escape(actor)}">{count}'
        "</td></tr>"
        for actor, count in sorted(overview.actors.items(), key=lambda a: (-a[1], a[0]))
        [:TOP_ACTORS])
    return (f'<table id="actors"><thead><tr><th>role</th><th>events naming it</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>")


def _partners(overview: Overview) -> str:
    rows = []
    for s in overview.partners:
        first = next((y for y in overview.years if (s.partner_id, y) in overview.grid), None)
        link = (f'<a href="#{_anchor(s.partner_id, first)}">{s.events}</a>'
                if (s.partner_id, first) in overview.grid else str(s.events))
        rows.append(
            f'<tr data-partner="{escape(s.partner_id)}"><td>{_text(s.partner_id)}</td>'
            f"<td>{_text(s.country)}</td><td>{_text(s.city)}</td>"
            f'<td class="n" data-first-year="{_year_key(s.first_year)}">{_year(s.first_year)}'
            f'</td><td class="n">{"" if s.since is None else s.since}</td>'
            f'<td class="n" data-events="{s.events}" title="events where partner_id = '
            f'{escape(s.partner_id)}">{link}</td>'
            f"<td>{'; '.join(_text(b) for b in sorted(s.bureaus))}</td></tr>")
    return ('<table id="partners"><thead><tr><th>partner_id</th><th>country</th><th>city</th>'
            "<th>first year in the data</th><th>partner since</th><th>events</th>"
            f"<th>bureaus</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _appendix(overview: Overview) -> str:
    groups = []
    for (partner, year), ids in sorted(overview.grid.items(),
                                       key=lambda g: (g[0][0], g[0][1] is None, g[0][1] or 0)):
        items = "".join(
            f'<li data-event-id="{escape(i)}"><code>{escape(i)}</code> '
            f'{_text(overview.events[i]["description"] or "")} '
            f'<span class="small">{escape(overview.events[i]["kind"] or "")} · '
            f'{escape(overview.events[i]["direction"] or "")}</span></li>' for i in ids)
        # The anchor sits inside the <details>: a browser opens a closed <details> when a
        # link leads into it.
        groups.append(f'<details data-partner="{escape(partner)}" data-year="{_year_key(year)}">'
                      f"<summary>{_text(partner)} {_year(year)}: {len(ids)} "
                      f'event{"" if len(ids) == 1 else "s"}</summary>'
                      f'<ol class="events" id="{_anchor(partner, year)}">{items}</ol></details>')
    return "".join(groups)


def render(overview: Overview, title: str = "Exchanges overview") -> str:
    total = sum(overview.events_per_year.values())
    dated = [year for year in overview.years if year is not None]
    span = f"{dated[0]}–{dated[-1]}" if len(dated) > 1 else "".join(map(str, dated))
    undated = "rows of no fiscal year" if None in overview.years else ""
    years = ", and ".join(part for part in (span, undated) if part) or "no years"
    plural = "" if len(dated) == 1 else "s"
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>{escape(title)}</h1>\n"
        f'<p id="summary" data-events="{total}" data-years="{len(dated)}">'
        f"{total} events in {len(dated)} fiscal year{plural} ({years}); "
        f'{overview.rejects} rejected lines (rejects.csv).</p>\n'
        f"<h2>Per fiscal year</h2>{_per_year(overview)}\n"
        "<h2>Events per partner and fiscal year</h2><p class=\"small\">Each number links to "
        "its events below. A year without a report has no column: no report is not zero "
        f"events.</p>{_grid(overview)}\n"
        f"<h2>Kinds per fiscal year</h2>{_stacked(overview, 'kind', KINDS)}\n"
        f"<h2>Directions per fiscal year</h2>{_stacked(overview, 'direction', DIRECTIONS)}\n"
        f"<h2>Top actors</h2>{_actors(overview)}\n"
        f"<h2>Partners</h2>{_partners(overview)}\n"
        f'<h2>Events, by partner and year</h2><div id="events">{_appendix(overview)}</div>\n'
        "</body></html>\n")
