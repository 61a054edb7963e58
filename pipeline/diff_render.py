"""Render a DiffResult as text (for a terminal), JSON or CSV; the HTML page is diff_html.py.

Each renderer is a pure function DiffResult -> str. The text form prints nothing at all when
nothing differs and nothing moved, so `pipeline diff A A` is silent like diff(1).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from pipeline import similar
from pipeline.diff import (
    DiffResult,
    EntryChange,
    EntryDiff,
    EventChange,
    Move,
    PeriodChange,
    Record,
    Side,
)
from pipeline.diff_match import partner_key
from pipeline.formats import csv_value, jsonable


def _row(record: Record) -> Record:
    return {k: jsonable(v) for k, v in record.items()}


def where(side: Side) -> str:
    return f"{side.file}:{side.line}"


def place(side: Side) -> str:
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
    lines.append(f"      old {where(change.old_source)}  {change.old_source.text}")
    lines.append(f"      new {where(change.new_source)}  {change.new_source.text}")
    return lines


def _text_event(mark: str, record: Record) -> str:
    return (f"  {mark} {record['event_id']} {record['description']} ({record['date_text']})"
            f"  {record['source_file']}:{record['source_line']}")


def _text_events(result: DiffResult) -> list[str]:
    """Events removed, added and changed, by partner; then those whose periods alone differ."""
    out: list[str] = []
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
    return out


def _text_entries(entries: EntryDiff) -> list[str]:
    if not (entries.added or entries.removed or entries.changed):
        return []
    out = ["entries"]
    out.extend(f"  - {partner_title(r)} {r['bureau']}  {r['source_file']}:{r['source_line']}"
               for r in entries.removed)
    out.extend(f"  + {partner_title(r)} {r['bureau']}  {r['source_file']}:{r['source_line']}"
               for r in entries.added)
    for entry in entries.changed:
        out.append(f"  ~ {partner_title(entry.record)} {entry.record['bureau']}  "
                   f"{where(entry.old_source)} -> {where(entry.new_source)}")
        out.extend(f"      {name}  {csv_value(old)} -> {csv_value(new)}"
                   for name, (old, new) in entry.fields.items())
    return out


def _text_moves(moved: list[Move]) -> list[str]:
    if not moved:
        return []
    out = ["moved (position only; not a difference)"]
    for title, moves in groupby(moved, key=lambda m: partner_title(m.record)):
        out.append(f"  {title}")
        out.extend(f"    {m.event_id} {m.record['description']}  {place(m.old)} -> "
                   f"{place(m.new)}" for m in moves)
    return out


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
    out.extend(_text_events(result))
    out.extend(_text_entries(result.entries))
    out.extend(_text_moves(result.moved))
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
