"""Resolving: a point and the date read before it -> a day span with its precision.

What a point leaves out comes from `ctx` (the first end of its range, or the last date
read); a bare month's year comes from the fiscal year. A point that cannot be a date raises
`Problem` with the warning code; the scanner turns it into a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.dates.points import Point
from pipeline.eras import ERAS, Era


@dataclass(slots=True)
class Resolved:
    """A point with every part known: what later points are read against."""

    start: dt.date
    end: dt.date
    precision: str
    year: int  # calendar year, or the fiscal year for precision fiscal_year
    month: int | None  # None at year precision
    era: Era | None  # the era later 25年 / 同年 points continue
    inferred: bool


class Problem(Exception):
    """A point that is not a date (date-invalid) or cannot be placed (date-unresolved)."""

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class _Placed:
    """A point's year, month and era once placed, before its bounds are known."""

    year: int
    month: int | None
    era: Era | None = None
    inferred: bool = False
    day: int | None = None  # 同日, 同月末: the day comes from the date before or the month


def resolve(p: Point, ctx: Resolved | None, *, inherit: bool, in_list: bool,
            fiscal_year: int | None) -> Resolved:
    """Fill in what p leaves out. ctx: the first end of the range, else the last date read.

    inherit: p may take the year (and month) of ctx (a range's second end, a list item).
    """
    placed = _place(p, ctx, inherit=inherit, in_list=in_list, fiscal_year=fiscal_year)
    if p.confirm is not None and p.confirm != placed.year:  # era and era-less years only
        raise Problem("date-invalid", f"the era year is {placed.year} but the year in brackets "
                      f"is {p.confirm}; the two years disagree")
    day = p.day if placed.day is None else placed.day
    start, end, precision = bounds(placed.year, placed.month, day, p.jun, p.unit == "年度")
    return Resolved(start, end, precision, placed.year, placed.month, placed.era,
                    placed.inferred)


def _place(p: Point, ctx: Resolved | None, *, inherit: bool, in_list: bool,
           fiscal_year: int | None) -> _Placed:
    """The year (and month) of p, from what it writes or from ctx or the fiscal year."""
    if p.era is not None and p.era_year is not None:
        if p.era_year == 0:
            raise Problem("date-invalid")
        return _Placed(p.era.start.year + p.era_year - 1, p.month, p.era)
    if p.western is not None:
        return _Placed(p.western, p.month)
    if p.rel_year is not None:
        return _relative_year(p, ctx)
    if p.eraless is not None:
        return _eraless_year(p, ctx, fiscal_year)
    if p.rel_month is not None:
        return _relative_month(p, ctx)
    if p.month is not None and (not inherit or ctx is None or (in_list and ctx.inferred)):
        # A bare month: its year comes from the fiscal year (April-December are the fiscal
        # year itself, January-March the next calendar year).
        if fiscal_year is None:
            raise Problem("date-unresolved", "no year is written and no fiscal year is given")
        return _Placed(fiscal_year if p.month >= 4 else fiscal_year + 1, p.month, None, True)
    if inherit and ctx is not None and ctx.month is not None:
        return _inherited(p, ctx, ctx.month)
    raise Problem("date-unresolved", "no year is written")


def _relative_year(p: Point, ctx: Resolved | None) -> _Placed:
    """同年, 翌年, 同年度, 翌年度."""
    if ctx is None:
        raise Problem("date-unresolved", "no earlier date in the text to count from")
    year = ctx.year + (p.rel_year or 0)
    if p.unit == "年度" and ctx.precision not in ("fiscal_year", "year") and ctx.start.month < 4:
        year -= 1  # 同年度 after 平成25年2月10日 is fiscal year 2012
    return _Placed(year, p.month, ctx.era)


def _eraless_year(p: Point, ctx: Resolved | None, fiscal_year: int | None) -> _Placed:
    """25年 after 平成24年: the era of the date before. (26.3), a dotted date with the era
    left out, may also take the era of the fiscal year; it is then marked inferred."""
    era = None if ctx is None else ctx.era
    if era is None and p.era_from_context:
        era = _era_of_fiscal_year(fiscal_year)
        if era is not None and fiscal_year is not None and (
                era.start.year + (p.eraless or 0) - 1 > fiscal_year + _YEARS_AHEAD):
            raise Problem("date-unresolved", f"the era is left out; in the era of fiscal year "
                          f"{fiscal_year} it would be {era.start.year + (p.eraless or 0) - 1}, "
                          "too far ahead to be a date of this report")
    if era is None:
        raise Problem("date-unresolved", _NO_ERA_DOTTED if p.era_from_context else
                      "the era is not written and no earlier date in the text names one")
    if p.eraless == 0:
        raise Problem("date-invalid")
    return _Placed(era.start.year + (p.eraless or 0) - 1, p.month, era,
                   inferred=p.era_from_context)


# (26.3) read in the era of the fiscal year may be at most this many years after it: a
# report plans a few years ahead, and 令和26 (2044) in a 2020 report is no date of it.
_YEARS_AHEAD = 5


_NO_ERA_DOTTED = ("the era is left out, and neither an earlier date in the text nor the "
                  "fiscal year (none given, or one that spans two eras) names one")


def _era_of_fiscal_year(fiscal_year: int | None) -> Era | None:
    """The era of the whole fiscal year (April to March); None if it spans two (2019)."""
    if fiscal_year is None:
        return None
    first, last = dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)
    eras = [era for era in ERAS if era.start <= last]
    if not eras or eras[-1].start > first:
        return None
    return eras[-1]


def _relative_month(p: Point, ctx: Resolved | None) -> _Placed:
    """同月, 翌月, 前月, 同10日, 同日, 同月末."""
    if ctx is None or ctx.month is None:
        raise Problem("date-unresolved", "no earlier date with a month in the text to count from")
    year, month = ctx.year, ctx.month + (p.rel_month or 0)
    if month == 13:
        year, month = year + 1, 1
    elif month == 0:
        year, month = year - 1, 12
    day = None
    if p.same_day:
        if ctx.precision != "day":
            raise Problem("date-unresolved", "the date before it is not a day")
        day = ctx.start.day
    elif p.month_end:
        day = month_end(year, month)
    return _Placed(year, month, ctx.era, day=day)


def _inherited(p: Point, ctx: Resolved, ctx_month: int) -> _Placed:
    """Inherit from the date before: 4～5月 (year), 22～29日 (year and month). A part
    smaller than the one before rolls over: 12月28日～1月4日, 7月30日～8月2日 (～2日)."""
    year, month = ctx.year, p.month
    if month is not None:
        if month < ctx_month:
            year += 1
    else:  # a day or a 旬 alone
        month = ctx_month
        if (p.day if p.day is not None else 1 + 10 * (p.jun or 0)) < ctx.start.day:
            month += 1
            if month == 13:
                year, month = year + 1, 1
    return _Placed(year, month, ctx.era, ctx.inferred)


def month_end(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def bounds(year: int, month: int | None, day: int | None, jun: int | None,
           fiscal: bool) -> tuple[dt.date, dt.date, str]:
    """Start, end and precision; Problem("date-invalid") for a date that cannot exist."""
    try:
        if fiscal:
            return dt.date(year, 4, 1), dt.date(year + 1, 3, 31), "fiscal_year"
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
        if day is not None:
            when = dt.date(year, month, day)
            return when, when, "day"
        first = dt.date(year, month, 1)
        last = month_end(year, month)
        if jun is None:
            return first, first.replace(day=last), "month"
        return (first.replace(day=1 + 10 * jun),
                first.replace(day=last if jun == 2 else 10 + 10 * jun), "dekad")
    except (ValueError, OverflowError):
        raise Problem("date-invalid") from None
