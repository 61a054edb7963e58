"""`pipeline diff --format html`: one self-contained page of a diff, each changed character
marked; the words it shares with the other formats come from diff_render.py."""

from __future__ import annotations

from pipeline import similar
from pipeline.diff import DiffResult, EventChange, Record
from pipeline.diff_render import (
    not_compared,
    not_paired,
    partner_title,
    period_text,
    place,
    summary,
    where,
)
from pipeline.formats import csv_value
from pipeline.safe_text import ISOLATE_CSS, content_security_policy
from pipeline.safe_text import html_text as escape


def mark_changes(old: str, new: str) -> tuple[str, str]:
    """Both strings escaped, with the characters that differ in <del> (old) and <ins> (new)."""
    left: list[str] = []
    right: list[str] = []
    for tag, i1, i2, j1, j2 in similar.opcodes(old, new):  # linear in the texts' length
        if tag == "equal":
            left.append(escape(old[i1:i2]))
            right.append(escape(new[j1:j2]))
            continue
        if i2 > i1:
            left.append(f"<del>{escape(old[i1:i2])}</del>")
        if j2 > j1:
            right.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return "".join(left), "".join(right)


_CSS = """
body{font-family:system-ui,"Noto Sans CJK JP",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3} td.field{white-space:nowrap;color:#555}
tr.event th{background:#e8eefc} .src{font-size:.9em;color:#444}
del{background:#fdd;text-decoration:line-through} ins{background:#cfc;text-decoration:none}
.added{background:#efe} .removed{background:#fee} .cause{font-weight:normal;color:#a40}
"""


def _html_change(change: EventChange) -> str:
    rows = [f'<tr class="event" data-event-id="{escape(change.event_id)}"><th colspan="3">'
            f"{escape(partner_title(change.record))} · {escape(change.event_id)} · "
            f"{escape(change.record['description'])} "
            f'<span class="cause">cause: {escape(change.cause)}</span></th></tr>']
    for name, (old, new) in change.fields.items():
        left, right = mark_changes(csv_value(old), csv_value(new))
        rows.append(f'<tr class="field" data-field="{escape(name)}"><td class="field">'
                    f"{escape(name)}</td><td>{left}</td><td>{right}</td></tr>")
    left, right = mark_changes(change.old_source.text, change.new_source.text)
    rows.append(f'<tr class="src"><td class="field">source</td><td>'
                f"{escape(where(change.old_source))}<br>{left}</td><td>"
                f"{escape(where(change.new_source))}<br>{right}</td></tr>")
    return "\n".join(rows)


def _html_events(records: list[Record], kind: str) -> str:
    if not records:
        return ""
    rows = "\n".join(
        f'<tr class="{kind}" data-event-id="{escape(r["event_id"])}"><td>'
        f"{escape(partner_title(r))}</td><td>{escape(r['description'])}</td><td>"
        f"{escape(r['date_text'])}</td><td>{escape(r['source_file'])}:{r['source_line']}</td>"
        "</tr>" for r in records)
    return (f"<h2>{kind.capitalize()} events ({len(records)})</h2><table><tr><th>partner</th>"
            f"<th>description</th><th>date</th><th>source</th></tr>\n{rows}</table>")


def to_html(result: DiffResult) -> str:
    parts = [f"<h1>Diff: {escape(result.old_label)} → {escape(result.new_label)}</h1>",
             f'<p id="summary">{escape(summary(result))}</p>']
    if result.not_compared:
        parts.append(f'<p id="not-compared">{escape(not_compared(result))}</p>')
    if result.not_paired:
        parts.append(f'<p id="not-paired">{escape(not_paired(result))}</p>')
    if result.changed:
        body = "\n".join(_html_change(c) for c in result.changed)
        parts.append(f"<h2>Changed events ({len(result.changed)})</h2><table id=\"changed\">"
                     f"<tr><th>field</th><th>old</th><th>new</th></tr>\n{body}</table>")
    parts.append(_html_events(result.removed, "removed"))
    parts.append(_html_events(result.added, "added"))
    if result.periods:
        rows = "\n".join(
            f"<tr><td>{escape(p.event_id)}</td><td>{left}</td><td>{right}</td></tr>"
            for p in result.periods
            for left, right in [mark_changes(period_text(p.old), period_text(p.new))])
        parts.append(f"<h2>Periods</h2><table><tr><th>event</th><th>old</th><th>new</th></tr>"
                     f"\n{rows}</table>")
    if result.moved:
        rows = "\n".join(
            f'<tr class="moved"><td>{escape(m.event_id)}</td><td>'
            f"{escape(m.record['description'])}</td><td>{escape(place(m.old))}</td><td>"
            f"{escape(place(m.new))}</td></tr>" for m in result.moved)
        parts.append(f"<h2>Moved (position only, not a difference)</h2><table><tr><th>event"
                     f"</th><th>description</th><th>old</th><th>new</th></tr>\n{rows}</table>")
    entries = result.entries
    if entries.changed:
        rows = "\n".join(
            f"<tr><td>{escape(c.key)}</td><td>{escape(name)}</td><td>{left}</td><td>{right}"
            "</td></tr>" for c in entries.changed for name, (old, new) in c.fields.items()
            for left, right in [mark_changes(csv_value(old), csv_value(new))])
        parts.append(f"<h2>Changed entries</h2><table><tr><th>entry</th><th>field</th>"
                     f"<th>old</th><th>new</th></tr>\n{rows}</table>")
    for kind, records in (("removed", entries.removed), ("added", entries.added)):
        if records:
            rows = "\n".join(f'<tr class="{kind}"><td>{escape(partner_title(r))}</td><td>'
                             f"{escape(r['bureau'])}</td><td>{escape(r['source_file'])}:"
                             f"{r['source_line']}</td></tr>" for r in records)
            parts.append(f"<h2>{kind.capitalize()} entries</h2><table>{rows}</table>")
    return ('<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="'
            f'{content_security_policy(_CSS + ISOLATE_CSS)}">'
            f"<title>pipeline diff</title><style>{_CSS}{ISOLATE_CSS}</style></head><body>\n"
            + "\n".join(p for p in parts if p) + "\n</body></html>\n")
