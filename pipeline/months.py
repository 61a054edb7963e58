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


def event_months(events: Iterable[dict[str, Any]],
                 periods: Iterable[dict[str, Any]]) -> list[EventMonthRecord]:
    """Rows in events order, months ascending within an event. `events` need event_id,
    fiscal_year, partner_id, kind, direction; `periods` event_id, date_start, date_end."""
    touched: dict[str, set[dt.date]] = {}
    for period in periods:
        months = touched.setdefault(period["event_id"], set())
        months.update(months_between(period["date_start"], period["date_end"]))
    return [EventMonthRecord(event["event_id"], month, event["fiscal_year"],
                             event["partner_id"], event["kind"], event["direction"])
            for event in events for month in sorted(touched.get(event["event_id"], ()))]


def columns_to_event_months(events: Columns, periods: Columns) -> list[EventMonthRecord]:
    """The same from tables held as columns (the cache's form: dates as days since 1970)."""
    def day(value: int) -> dt.date:
        return dt.date.fromordinal(value + EPOCH)

    event_rows = (dict(zip(_EVENTS, row, strict=True)) for row in zip(*events, strict=True))
    period_rows = ({**dict(zip(_PERIODS, row, strict=True)),
                    "date_start": day(row[_PERIODS.index("date_start")]),
                    "date_end": day(row[_PERIODS.index("date_end")])}
                   for row in zip(*periods, strict=True))
    return event_months(event_rows, period_rows)
