"""Checks on a date once read: the written era year against its era, a weekday marker
against its day. Each returns a warning or None; neither changes the period."""

from __future__ import annotations

import datetime as dt
import itertools

from pipeline.dates.points import Point
from pipeline.dates.resolve import Resolved
from pipeline.dates.results import DateWarning
from pipeline.eras import ERAS

# Last day of each era = next era's first day - 1; the current era has none.
ERA_END: dict[str, dt.date | None] = {
    era.name: nxt.start - dt.timedelta(days=1) for era, nxt in itertools.pairwise(ERAS)
}
ERA_END[ERAS[-1].name] = None
WEEKDAYS = "月火水木金土日"  # dt.date.weekday() order


def check_era(p: Point, r: Resolved, text: str, span: tuple[int, int]) -> DateWarning | None:
    """date-out-of-era when the written era year is not in the era (平成32年, 昭和64年1月8日).

    A day must be inside the era; a month, year or fiscal year only has to overlap it
    (令和元年度 starts on 2019-04-01, before 令和, and is normal usage).
    """
    number = p.era_year if p.era_year is not None else p.eraless
    if r.era is None or number is None:
        return None
    first, last = r.era.start, ERA_END[r.era.name]
    if r.precision == "day":
        outside = r.start < first or (last is not None and r.start > last)
    else:
        outside = r.end < first or (last is not None and r.start > last)
    if not outside:
        return None
    written = f"{r.era.name}{'元' if number == 1 else number}年"
    until = "" if last is None else last.isoformat()
    read = r.start.isoformat() if r.start == r.end else f"{r.start}..{r.end}"
    return DateWarning(
        "date-out-of-era",
        f"{text}: {written} is outside {r.era.name} ({first}..{until}); read as {read}",
        text, span)


def check_weekday(marker: str, day: dt.date, whole: tuple[dt.date, dt.date] | None,
                  text: str, span: tuple[int, int]) -> DateWarning | None:
    """date-weekday when the marker does not fit the date.

    (日) must be the day's weekday. A marker of several days (土・日) after a range that
    has no marker of its own must start on the range's first weekday and end on its
    last; after a single day it must include that day's weekday.
    """
    listed = [ch for ch in marker if ch in WEEKDAYS]
    if not listed:  # (祝)
        return None
    actual = WEEKDAYS[day.weekday()]
    if len(listed) == 1:
        ok = listed[0] == actual
    elif whole is not None and whole[0] != whole[1]:
        ok = (listed[0] == WEEKDAYS[whole[0].weekday()]
              and listed[-1] == WEEKDAYS[whole[1].weekday()])
    else:
        ok = actual in listed
    if ok:
        return None
    return DateWarning("date-weekday",
                       f"{text}: {day.isoformat()} is a {actual}曜日, not ({marker})", text, span)


def check_bracket_era(p: Point, r: Resolved, text: str,
                      span: tuple[int, int]) -> DateWarning | None:
    """date-era-mismatch when the era year in brackets after a date (1991/7/9 (H3)) is not
    the date's: another year (1991/7/9 (H4)), or the date outside the era (1989/10/12 (S64):
    昭和 ended on 1989-01-07). The date as written in Western digits is kept."""
    era, number = p.bracket_era, p.bracket_year
    if era is None or number is None:
        return None
    year = era.start.year + number - 1
    first, last = era.start, ERA_END[era.name]
    written = f"{era.name}{'元' if number == 1 else number}年"
    if year != r.year:
        reason = f"{written} is the year {year}, not {r.year}"
    elif (r.end < first if r.precision != "day" else r.start < first):
        reason = f"{era.name} began on {first}"
    elif last is not None and r.start > last:
        reason = f"{era.name} ended on {last}"
    else:
        return None
    read = r.start.isoformat() if r.start == r.end else f"{r.start}..{r.end}"
    return DateWarning("date-era-mismatch",
                       f"{text}: the date is {read} but {reason}; the two disagree, the "
                       "date is kept as written in Western digits", text, span)
