"""Render a DiffResult as text (for a terminal), JSON, CSV, or a self-contained HTML page.

Each renderer is a pure function DiffResult -> str. The text form prints nothing at all when
nothing differs and nothing moved, so `pipeline diff A A` is silent like diff(1).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from itertools import groupby
from typing import Any

from pipeline import similar
from pipeline.diff import (
    DiffResult,
    EntryChange,
    EventChange,
    PeriodChange,
    Record,
    Side,
)
from pipeline.diff_match import partner_key
from pipeline.formats import csv_value, jsonable
from pipeline.safe_text import ISOLATE_CSS, content_security_policy
from pipeline.safe_text import html_text as escape


def _row(record: Record) -> Record:
    return {k: jsonable(v) for k, v in record.items()}


def _where(side: Side) -> str:
    return f"{side.file}:{side.line}"


def _place(side: Side) -> str:
    item = f" item {side.item_no}" if side.item_no is not None else ""
    return f"{side.file}:{side.line} (table {side.table_no} row {side.row_no}{item})"


def partner_title(record: Record) -> str:
    code = record.get("partner_country_code") or ""
    parts = [str(record.get("fiscal_year") or "?"), record["partner_country"]]
    return " ".join(p for p in [*parts, record["partner_city"]] if p) + (
        f" [{code}]" if code else "")


def period_text(periods: Iterable[Record]) -> str:
    return " | ".join(f"{csv_value(p['date_start'])}..{csv_value(p['date_end'])} "
                      f"{p['date_precision']} {p['date_text']}" for p in periods) or "(none)"


def _count(count: int, word: str) -> str:
    return f"{count} {word}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def not_compared(result: DiffResult) -> str:
    """One line naming the columns a side lacks, or ""."""
    if not result.not_compared:
        return ""
    return "not compared: " + ", ".join(f"{table}.{column} (absent in {side})"
                                        for table, column, side in result.not_compared)


def not_paired(result: DiffResult) -> str:
    """One line naming the removed and added events never compared as a rewording, or ""."""
    if not result.not_paired:
        return ""
    return ("not compared for rewording (descriptions differ in more than "
            f"{similar.MAX_MIDDLE_WORK:,} character pairs; shown as removed and added): "
            + ", ".join(f"{old} ~ {new}" for old, new in result.not_paired))


def summary(result: DiffResult) -> str:
    entries = result.entries
    return (f"{_count(len(result.added), 'added')}, {_count(len(result.removed), 'removed')}, "
            f"{_count(len(result.changed), 'changed')}, {_count(len(result.moved), 'moved')}"
            f"; periods differ for {_plural(len(result.periods), 'event')}; entries: "
            f"{len(entries.added)} added, {len(entries.removed)} removed, "
            f"{len(entries.changed)} changed, {entries.moved} moved")


# ---- text --------------------------------------------------------------------------------

def _text_change(change: EventChange, periods: PeriodChange | None) -> list[str]:
    matched = "" if change.similarity is None else f", description {change.similarity:.0%} alike"
    lines = [f"  ~ {change.event_id} {change.record['description']}  "
             f"[cause: {change.cause}{matched}]"]
    width = max((len(name) for name in change.fields), default=0)
    for name, (old, new) in change.fields.items():
        if name != "source_text":  # printed whole below, with its place
            lines.append(f"      {name.ljust(width)}  {csv_value(old)} -> {csv_value(new)}")
    if periods:
        lines.append(f"      {'periods'.ljust(width)}  {period_text(periods.old)} -> "
                     f"{period_text(periods.new)}")
    lines.append(f"      old {_where(change.old_source)}  {change.old_source.text}")
    lines.append(f"      new {_where(change.new_source)}  {change.new_source.text}")
    return lines


def _text_event(mark: str, record: Record) -> str:
    return (f"  {mark} {record['event_id']} {record['description']} ({record['date_text']})"
            f"  {record['source_file']}:{record['source_line']}")


def to_text(result: DiffResult) -> str:
    """Nothing when nothing differs, nothing moved and every column was compared; moves are
    listed (they are no difference, so they leave the exit code at 0)."""
    if (not result.differs and not result.moved and not result.entries.moved
            and not result.not_compared):
        return ""
    out = [f"--- {result.old_label}", f"+++ {result.new_label}"]
    if result.ignored:
        out.append(f"ignored columns: {', '.join(result.ignored)}")
    if result.not_compared:
        out.append(not_compared(result))
    if result.not_paired:
        out.append(not_paired(result))
    events: list[tuple[str, str, Record]] = (
        [("-", "", r) for r in result.removed] + [("+", "", r) for r in result.added])
    periods = {p.event_id: p for p in result.periods}
    by_partner: dict[tuple[Any, ...], list[str]] = {}
    for change in result.changed:
        lines = by_partner.setdefault((*partner_key(change.record),
                                       partner_title(change.record)), [])
        lines.extend(_text_change(change, periods.pop(change.event_id, None)))
    for mark, _, record in events:
        by_partner.setdefault((*partner_key(record), partner_title(record)), []).append(
            _text_event(mark, record))
    for key in sorted(by_partner):
        out.append(key[-1])
        out.extend(by_partner[key])
    if periods:  # events whose periods alone differ
        out.append("periods")
        out.extend(f"  ~ {p.event_id}  {period_text(p.old)} -> {period_text(p.new)}"
                   for p in periods.values())
    entries = result.entries
    if entries.added or entries.removed or entries.changed:
        out.append("entries")
        out.extend(f"  - {partner_title(r)} {r['bureau']}  {r['source_file']}:{r['source_line']}"
                   for r in entries.removed)
        out.extend(f"  + {partner_title(r)} {r['bureau']}  {r['source_file']}:{r['source_line']}"
                   for r in entries.added)
        for entry in entries.changed:
            out.append(f"  ~ {partner_title(entry.record)} {entry.record['bureau']}  "
                       f"{_where(entry.old_source)} -> {_where(entry.new_source)}")
            out.extend(f"      {name}  {csv_value(old)} -> {csv_value(new)}"
                       for name, (old, new) in entry.fields.items())
    if result.moved:
        out.append("moved (position only; not a difference)")
        for title, moves in groupby(result.moved, key=lambda m: partner_title(m.record)):
            out.append(f"  {title}")
            out.extend(f"    {m.event_id} {m.record['description']}  {_place(m.old)} -> "
                       f"{_place(m.new)}" for m in moves)
    out.append(summary(result))
    return "\n".join(out) + "\n"


# ---- json --------------------------------------------------------------------------------

def _side_json(side: Side, text_key: str = "source_text") -> Record:
    record: Record = {"file": side.file, "line": side.line, "table_no": side.table_no,
                      "row_no": side.row_no}
    if side.item_no is not None:
        record["item_no"] = side.item_no
    record[text_key] = side.text
    return record


def _change_json(change: EventChange) -> Record:
    return {"event_id": change.event_id,
            "fields": {k: [jsonable(o), jsonable(n)] for k, (o, n) in change.fields.items()},
            "cause": change.cause,
            "old_source": _side_json(change.old_source),
            "new_source": _side_json(change.new_source)}


def _entry_change_json(change: EntryChange) -> Record:
    return {"key": change.key,
            "fields": {k: [jsonable(o), jsonable(n)] for k, (o, n) in change.fields.items()},
            "old_source": _side_json(change.old_source, "partner_label"),
            "new_source": _side_json(change.new_source, "partner_label")}


def _period_json(change: PeriodChange) -> Record:
    return {"event_id": change.event_id, "old": [_row(p) for p in change.old],
            "new": [_row(p) for p in change.new]}


def to_json_data(result: DiffResult) -> Record:
    return {
        "added": [_row(r) for r in result.added],
        "removed": [_row(r) for r in result.removed],
        "changed": [_change_json(c) for c in result.changed],
        "moved": [{"event_id": m.event_id, "old_source": _side_json(m.old),
                   "new_source": _side_json(m.new)} for m in result.moved],
        "entries": {"added": [_row(r) for r in result.entries.added],
                    "removed": [_row(r) for r in result.entries.removed],
                    "changed": [_entry_change_json(c) for c in result.entries.changed]},
        "periods": [_period_json(p) for p in result.periods],
        "not_compared": [{"table": t, "column": c, "absent_in": side}
                         for t, c, side in result.not_compared],
        "not_paired": [{"old_event_id": old, "new_event_id": new}
                       for old, new in result.not_paired],
    }


def to_json(result: DiffResult) -> str:
    return json.dumps(to_json_data(result), ensure_ascii=False, indent=2) + "\n"


# ---- csv ---------------------------------------------------------------------------------

CSV_COLUMNS = ("kind", "key", "field", "old", "new", "cause", "old_file", "old_line",
               "new_file", "new_line")


def entry_key(record: Record) -> str:
    """An added or removed entry's key as a changed entry's is written, less the occurrence."""
    partner = record["partner_country_code"] or record["partner_country"]
    return " ".join(str(v) for v in (record["fiscal_year"] or "", partner,
                                     record["partner_city"], record["bureau"]))


def _entry_label(record: Record) -> str:
    return f"{partner_title(record)} {record['bureau']}".strip()


def to_csv(result: DiffResult) -> str:
    """One row per difference, so the CSV has a row whenever the exit code is 1. Kind `event`
    (key: event_id): one row per changed field; an added or removed event is one row with
    field `event` (its description on the side it exists); a changed list of periods is one
    row with field `periods`. Kind `entry` (key: year, partner, city, bureau, occurrence):
    one row per changed field; an added or removed entry is one row with field `entry`.
    Moves, columns not compared and pairs not compared for rewording (not_paired) are left
    to the text and json forms."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for change in result.changed:
        old, new = change.old_source, change.new_source
        for name, (before, after) in change.fields.items():
            writer.writerow(["event", change.event_id, name, csv_value(before), csv_value(after),
                             change.cause, old.file, old.line, new.file, new.line])
    for r in result.removed:
        writer.writerow(["event", r["event_id"], "event", r["description"], "", "",
                         r["source_file"], r["source_line"], "", ""])
    for r in result.added:
        writer.writerow(["event", r["event_id"], "event", "", r["description"], "", "", "",
                         r["source_file"], r["source_line"]])
    causes = {c.event_id: c for c in result.changed}
    for p in result.periods:
        known = causes.get(p.event_id)
        writer.writerow(["event", p.event_id, "periods", period_text(p.old), period_text(p.new),
                         known.cause if known else "",
                         known.old_source.file if known else "",
                         known.old_source.line if known else "",
                         known.new_source.file if known else "",
                         known.new_source.line if known else ""])
    entries = result.entries
    for entry in entries.changed:
        old, new = entry.old_source, entry.new_source
        for name, (before, after) in entry.fields.items():
            writer.writerow(["entry", entry.key, name, csv_value(before), csv_value(after), "",
                             old.file, old.line, new.file, new.line])
    for r in entries.removed:
        writer.writerow(["entry", entry_key(r), "entry", _entry_label(r), "", "",
                         r["source_file"], r["source_line"], "", ""])
    for r in entries.added:
        writer.writerow(["entry", entry_key(r), "entry", "", _entry_label(r), "", "", "",
                         r["source_file"], r["source_line"]])
    return buffer.getvalue()


# ---- html --------------------------------------------------------------------------------

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
                f"{escape(_where(change.old_source))}<br>{left}</td><td>"
                f"{escape(_where(change.new_source))}<br>{right}</td></tr>")
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
            f"{escape(m.record['description'])}</td><td>{escape(_place(m.old))}</td><td>"
            f"{escape(_place(m.new))}</td></tr>" for m in result.moved)
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


RENDERERS: dict[str, Callable[[DiffResult], str]] = {
    "text": to_text, "json": to_json, "csv": to_csv, "html": to_html}
