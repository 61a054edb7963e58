"""What the date engine returns: periods, warnings, and the precision levels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """The parts of a date, coarse to fine: what a point writes, or leaves to another."""

    YEAR = 0  # a year or a fiscal year
    MONTH = 1
    DAY = 2  # a day or a 旬 (dekad)


# Period.precision, coarse to fine within a level; a range takes the coarser of its ends.
RANK: dict[str, int] = {"day": 0, "dekad": 1, "month": 2, "year": 3, "fiscal_year": 3}
LEVEL_OF_PRECISION: dict[str, Level] = {
    "day": Level.DAY, "dekad": Level.DAY, "month": Level.MONTH, "year": Level.YEAR,
    "fiscal_year": Level.YEAR}


@dataclass(frozen=True, slots=True)
class Period:
    text: str  # the expression exactly as written == input[span[0]:span[1]]
    start: dt.date
    end: dt.date  # start <= end always
    precision: str  # "day" | "dekad" | "month" | "year" | "fiscal_year"
    inferred: bool  # year taken from the fiscal_year argument, not written
    span: tuple[int, int]  # character offsets in the input text
    # No start written (～2023年まで) / no end written (平成11年度～): start and end are
    # then the bounds of the one end that is written.
    open_start: bool = False
    open_end: bool = False


@dataclass(frozen=True, slots=True)
class DateWarning:
    code: str  # "date-invalid" | "date-unresolved" | "date-season" | …
    message: str  # names the text, e.g. "平成24年2月30日 is not a date"
    text: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class DateResult:
    periods: tuple[Period, ...]  # in order of appearance
    warnings: tuple[DateWarning, ...]


EMPTY = DateResult((), ())
