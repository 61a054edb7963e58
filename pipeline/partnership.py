"""A register's partnership_date cell -> (start, end, precision) and the doubts about it.

Never checked against the fiscal year (a partnership is not an activity of the year), never
given its year. An open end (平成11年度～) is an ongoing partnership: its end is empty, its
start the written one; an open start (～2023年まで) leaves the start empty.
"""

from __future__ import annotations

import datetime as dt

from pipeline.dates import find_dates

# (start, end, precision); an end not written is None
PartnershipDates = tuple[dt.date | None, dt.date | None, str | None]


def partnership_dates(text: str) -> tuple[PartnershipDates, list[tuple[str, str]]]:
    """The partnership date cell read by the date rules, and what to warn about it."""
    if not text:
        return (None, None, None), []
    found = find_dates(text, None)
    doubts = [(w.code, f"partnership date: {w.message}") for w in found.warnings]
    periods = found.periods
    if not periods:
        if not found.warnings:
            doubts.append(("date-unread", f"the partnership date {text!r} holds no date the "
                           "date rules read"))
        return (None, None, None), doubts
    if len(periods) > 1:  # 1960年 (1991年再締結): the span of both, said so
        doubts.append(("partnership-date-several", f"the partnership date {text!r} holds "
                       f"{len(periods)} dates; partnership_start..end spans them"))
    precisions = {p.precision for p in periods}
    precision = periods[0].precision if len(precisions) == 1 else "mixed"
    first = min(periods, key=lambda p: p.start)
    last = max(periods, key=lambda p: p.end)
    start = None if first.open_start else first.start
    end = None if last.open_end else last.end
    return (start, end, precision), doubts
