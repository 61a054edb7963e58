"""The Japanese era (元号) table. Data only: the date engine in pipeline.dates reads it.

Sources: JIS X 0301 (dates and times, Japanese era names; its table of era first days,
including the one-letter abbreviations M/T/S/H/R) and the era proclamations: 明治 改元の詔
(1868, retroactive to the first day of 慶応4年, which JIS X 0301 counts as 1868-01-25
Gregorian), 大正 and 昭和 by the imperial edicts (改元の詔書) of the day of accession, 平成 by
the 元号を改める政令 (昭和64年政令第1号, in force 1989-01-08) and 令和 by the 元号を改める政令
(平成31年政令第143号, in force 2019-05-01).

An era's last day is the next era's first day minus one; the last era is open-ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Era:
    name: str  # 平成
    letter: str  # H (JIS X 0301 one-letter abbreviation)
    kanji: str  # 平 (one-kanji abbreviation, as in 平24.4.1)
    start: dt.date  # first day, Gregorian


# Oldest first.
ERAS: tuple[Era, ...] = (
    Era(name="明治", letter="M", kanji="明", start=dt.date(1868, 1, 25)),
    Era(name="大正", letter="T", kanji="大", start=dt.date(1912, 7, 30)),
    Era(name="昭和", letter="S", kanji="昭", start=dt.date(1926, 12, 25)),
    Era(name="平成", letter="H", kanji="平", start=dt.date(1989, 1, 8)),
    Era(name="令和", letter="R", kanji="令", start=dt.date(2019, 5, 1)),
)
