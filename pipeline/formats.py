"""How values are written as text, shared by the tables, the diff and the pages: ISO dates,
true/false, empty for missing."""

from __future__ import annotations

import datetime as dt
from typing import Any


def csv_value(value: Any) -> str:
    """A value as the CSV outputs write it: ISO dates, true/false, empty for missing."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def jsonable(value: Any) -> Any:
    """Dates as ISO strings; everything else as it is."""
    return value.isoformat() if isinstance(value, dt.date) else value


def iso_period(start: dt.date | None, end: dt.date | None) -> str:
    """ISO 8601: a day, or an interval start/end."""
    if start is None or end is None:
        return "no date"
    return start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"
