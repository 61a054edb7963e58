"""The `event_months` table: one row per event and calendar month its periods touch.

It is the table behind "events per partner per month": a period 平成24年7～8月 gives July
and August; 12月28日～1月4日 gives December and January; two periods of one event in the same
month give that month once. An event without a period gives no row (its date_start is
empty in events, and the audit timeline leaves it off too). Built from the events and
periods as the runner writes them, after event ids are made unique across reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.model import EventMonthRecord
from pipeline.outputs import EPOCH, Columns
from pipeline.schema import TABLES

_EVENTS = [name for name, _, _ in TABLES["events"]]
_PERIODS = [name for name, _, _ in TABLES["periods"]]


def months_between(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """The first day of every calendar month from start's to end's, inclusive."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield dt.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def months_by_event(periods: Iterable[tuple[str, dt.date, dt.date]]) -> dict[str, set[dt.date]]:
    """event_id -> the months its periods touch, from (event_id, start, end) triples."""
    touched: dict[str, set[dt.date]] = {}
    for event_id, start, end in periods:
        months = touched.setdefault(event_id, set())
        if start.year == end.year and start.month == end.month:  # most periods
            months.add(start.replace(day=1))
        else:
            months.update(months_between(start, end))
    return touched


def event_months(events: Iterable[dict[str, Any]],
                 periods: Iterable[dict[str, Any]]) -> list[EventMonthRecord]:
    """Rows in events order, months ascending within an event. `events` need event_id,
    fiscal_year, partner_id, kind, direction; `periods` event_id, date_start, date_end."""
    touched = months_by_event((p["event_id"], p["date_start"], p["date_end"]) for p in periods)
    return [EventMonthRecord(event["event_id"], month, event["fiscal_year"],
                             event["partner_id"], event["kind"], event["direction"])
            for event in events for month in sorted(touched.get(event["event_id"], ()))]


def columns_to_event_months(events: Columns, periods: Columns) -> list[EventMonthRecord]:
    """The same from tables held as columns (the cache's form: dates as days since 1970)."""
    def day(value: int) -> dt.date:
        return dt.date.fromordinal(value + EPOCH)

    touched = months_by_event(zip(periods[_PERIODS.index("event_id")],
                                  map(day, periods[_PERIODS.index("date_start")]),
                                  map(day, periods[_PERIODS.index("date_end")]), strict=True))
    columns = [events[_EVENTS.index(name)] for name in
               ("event_id", "fiscal_year", "partner_id", "kind", "direction")]
    return [EventMonthRecord(event_id, month, year, partner, kind, direction)
            for event_id, year, partner, kind, direction in zip(*columns, strict=True)
            for month in sorted(touched.get(event_id, ()))]
