"""Points: one date as written (平成24年7月22日(日), 7月, 29日, 同年6月16日, H24.7.22), before
what it leaves out is filled in from the dates around it (pipeline.dates.resolve)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from pipeline.dates import patterns
from pipeline.dates.results import Level
from pipeline.eras import ERAS, Era
from pipeline.numerals import FULLWIDTH_TO_ASCII, to_int

ERA_BY_NAME: dict[str, Era] = {}
for _era in ERAS:
    ERA_BY_NAME[_era.name] = ERA_BY_NAME[_era.letter] = ERA_BY_NAME[_era.kanji] = _era

# Module constants: looking up a member on the enum class costs more than a global.
YEAR, MONTH, DAY = Level.YEAR, Level.MONTH, Level.DAY
_RELATIVE = {"同": 0, "翌": 1, "前": -1}
JUN = {"上": 0, "初": 0, "中": 1, "下": 2}


@dataclass(slots=True)
class Point:
    """One date point as written, before what it leaves out is filled in."""

    era: Era | None = None
    era_year: int | None = None  # 1 for 元
    western: int | None = None
    eraless: int | None = None  # 25年 written after 平成24年: the era is the earlier one's
    rel_year: int | None = None  # 0 for 同年, 1 for 翌年, -1 for 前年
    unit: str | None = None  # "年" | "年度"; None after a written year = dangling (平成24～)
    month: int | None = None
    rel_month: int | None = None  # 0 for 同月, 1 for 翌月, -1 for 前月
    same_day: bool = False  # 同日: the day of the date before
    month_end: bool = False  # 同月末, 翌月末: the last day of that month
    era_from_context: bool = False  # (26.3): the era may come from the fiscal year
    day: int | None = None
    jun: int | None = None  # 0 上旬, 1 中旬, 2 下旬
    kanji_day: bool = False
    kanji_month: bool = False  # 五月: a date only where a date ends (not 五月雨)
    weekdays: str | None = None  # inside the weekday marker: 日, 土・日
    confirm: int | None = None  # the year in brackets: 令和元年（2019年）, 2019（令和元）年度
    bracket_era: Era | None = None  # the era in brackets after a date: 1991/7/9 (H3)
    bracket_year: int | None = None  # ... and its year (3)

    def has_year(self) -> bool:
        return (self.era is not None or self.western is not None
                or self.eraless is not None or self.rel_year is not None)

    def has_month(self) -> bool:
        return self.month is not None or self.rel_month is not None

    def has_day(self) -> bool:
        return self.day is not None or self.jun is not None or self.same_day or self.month_end

    # coarse() and fine() run several times per item: the tests are written out, not calls.
    def coarse(self) -> Level | None:
        """The coarsest part written; None for nothing."""
        if (self.era is not None or self.western is not None or self.eraless is not None
                or self.rel_year is not None):
            return YEAR
        if self.month is not None or self.rel_month is not None:
            return MONTH
        return DAY if self.day is not None or self.jun is not None else None

    def fine(self) -> Level | None:
        """The finest part written; None for nothing."""
        if self.day is not None or self.jun is not None or self.same_day or self.month_end:
            return DAY
        if self.month is not None or self.rel_month is not None:
            return MONTH
        return YEAR if (self.era is not None or self.western is not None
                        or self.eraless is not None or self.rel_year is not None) else None

    def shape_ok(self) -> bool:
        """Parts that make a date when put together (a dangling year is checked apart)."""
        if not (self.era is not None or self.western is not None or self.eraless is not None
                or self.rel_year is not None):
            return True  # every rule below is about a point with a year
        month = self.month is not None or self.rel_month is not None
        if not month and (self.day is not None or self.jun is not None or self.same_day
                          or self.month_end):
            return False  # 平成24年5日, 平成24年上旬
        if self.rel_month is not None:
            return False  # 同年同月
        return not (self.unit is None and (month or self.day))


def point_from_match(m: re.Match[str]) -> Point | None:
    """A patterns.POINT match -> Point; None when a numeral in it is malformed (十十)."""
    # Groups are read by name with m[name]: as clear as m.groupdict() and, for the few
    # groups a point sets, several times cheaper (groupdict builds all 23 every time).
    p = Point(unit="年度" if m["cfy"] or m["cwfy"] or m["fy"] else m["yu"])
    try:
        _year_from_groups(p, m)
        _month_from_groups(p, m)
        _day_from_groups(p, m)
    except ValueError:
        return None
    return p


def _year_from_groups(p: Point, g: re.Match[str]) -> None:
    era, ey, cw = g["era"], g["ey"], g["cw"]
    wy = g["wy"]
    if g["le"] is not None:  # H24年度
        era, ey = g["le"], g["ly"]
    elif g["ce"] is not None:  # 2019（令和元）年度: read as 令和元（2019）年度
        era, ey, cw, wy = g["ce"], g["cey"], wy, None
    elif g["cwe"] is not None:  # 2019年（令和元年）7月: read as 令和元年（2019年）7月
        era, ey, cw, wy = g["cwe"], g["cwey"], wy, None
    confirm = cw or g["cy"]
    if confirm is not None:
        p.confirm = int(squash(confirm))
    if era is not None and ey is not None:
        p.era = ERA_BY_NAME[squash(era)]
        p.era_year = 1 if ey == "元" else need_int(ey)
    elif wy is not None:
        p.western = int(squash(wy))
    elif g["kwy"] is not None:  # 一九八二年, 二〇一二年度, 一九八○年
        p.western = need_int(g["kwy"].replace("○", "〇"))
    elif g["rel"] is not None:
        p.rel_year = _RELATIVE[g["rel"]]
    elif g["ny"] is not None:
        p.eraless = need_int(g["ny"])


def _month_from_groups(p: Point, g: re.Match[str]) -> None:
    month = g["m"]
    if g["mrel"] is not None:
        p.rel_month = _RELATIVE[g["mrel"]]
        p.month_end = g["mend"] is not None
        if p.rel_month == 0 and p.rel_year == 0:  # 同年同月 is 同月
            p.rel_year = p.unit = None
    elif g["dsame"] is not None:  # 同10日: the same month
        p.rel_month = 0
    elif g["sameday"] is not None:  # 同日: the same day
        p.rel_month, p.same_day = 0, True
    elif month is not None:
        p.month = need_int(month)
        p.kanji_month = not month.isascii()
    elif g["sm"] is not None:  # 昭和45年 1/1
        p.month, p.day = int(g["sm"]), int(g["sd"])


def _day_from_groups(p: Point, g: re.Match[str]) -> None:
    day = g["d"]
    if day is not None:
        p.day = need_int(day)
        p.kanji_day = not day.isascii()
        p.weekdays = g["wd"]
    elif g["jun"] is not None:
        p.jun = JUN[g["jun"]]


def dotted_point(m: re.Match[str]) -> Point | None:
    """A patterns.DOTTED or DOTTED_MD match -> Point; None for M7.3 and T5.2 (no day: M7.3
    is an earthquake magnitude)."""
    g = m.groupdict()
    p = Point(unit="年", weekdays=g.get("wd"))
    if g.get("be") is not None:  # 1991/7/9 (H3): checked against the date once resolved
        p.bracket_era = ERA_BY_NAME[g["be"]]
        p.bracket_year = 1 if g["bey"] == "元" else int(g["bey"])
    if g.get("gy") is not None:  # 2012/4/1, 2020-01-01, 2021・7・18
        p.western, p.month, p.day = int(g["gy"]), int(g["gm"]), int(g["gd"])
    elif g.get("hy") is not None:  # 2021/7, 2021/7月
        p.western, p.month = int(g["hy"]), int(g["hm"])
    elif g.get("oy") is not None:  # 1982/ (S57)
        p.western = int(g["oy"])
    elif g.get("ny") is not None:  # (26.3): the era from the context, see resolve
        p.eraless, p.month, p.era_from_context = int(g["ny"]), int(g["nm"]), True
        p.day = None if g["nd"] is None else int(g["nd"])
    elif g.get("qy") is not None:  # 一九四〇・一・四
        try:
            p.western, p.month, p.day = (need_int(g[name].replace("○", "〇"))
                                         for name in ("qy", "qm", "qd"))
        except ValueError:
            return None
    else:
        return _era_dotted(p, g)
    return p


def _era_dotted(p: Point, g: dict[str, str | Any]) -> Point | None:
    """H24.4.1, 平24.4.1, 令和3/7/18, R3-7-18, H30.7 (month)."""
    if g.get("yb") is not None:  # (H25.): the year alone
        abbr, year, month, day = g["yb"], g["yy"], None, None
    elif g.get("ak") is not None:
        abbr, year, month, day = g["ak"], g["ky"], g["km"], g["kd"]
    elif g.get("sb") is not None:
        abbr, year, month, day = g["sb"], g["sy"], g["sm"], g["sd"]
    else:
        abbr, year, month, day = g.get("ab"), g.get("ay"), g["am"], g["ad"]
    if abbr is not None:
        if abbr in "MT" and day is None:
            return None
        p.era = ERA_BY_NAME[abbr]
        p.era_year = 1 if year == "元" else int(year)
    p.month = None if month is None else int(month)
    p.day = None if day is None else int(day)
    return p


def dotted_bare(s: str, pos: int, after_day: bool) -> tuple[Point | None, int]:
    """A bare second end of a dotted range at pos: (day or month point, end), or (None, pos)."""
    m = patterns.DOTTED_BARE.match(s, pos)
    if m is None:
        return None, pos
    n, unit = int(m.group("n")), m.group("u")
    if after_day:
        if unit == "月" or not 1 <= n <= 31:
            return None, pos
        return Point(day=n, weekdays=m.group("wd")), m.end()
    if unit == "日" or not 1 <= n <= 12:
        return None, pos
    return Point(month=n), m.end()


# Kanji numerals in dates are few (一 to 三十一, years to 六十四, 二〇一二): remembered, they
# cost a dict look-up instead of a parse each time.
_kanji_value = functools.lru_cache(maxsize=4096)(to_int)


def squash(text: str) -> str:
    """平 成 -> 平成, 2 0 1 2 -> 2012: the spaces typeset text puts inside a date."""
    return text.replace(" ", "").replace("\u3000", "")


def need_int(text: str) -> int:
    """Digits or a kanji numeral -> int; ValueError for a malformed kanji numeral (十十)."""
    if text.isascii():  # the patterns only let ASCII digits through
        return int(text)
    value = _kanji_value(text)
    if value is None:
        raise ValueError(text)
    return value


def parse_start_code(code: str) -> int | None:
    """'S35' -> 1960, 'H1' -> 1989, 'H元' -> 1989, 'R2' -> 2020, also '昭和35'/'平成元';
    None if not a code.

    Also accepted: full-width forms, one-kanji abbreviations (昭35), kanji numerals, and a
    trailing 年 or 年度 (平成元年度). The year is the era's first year + n - 1, without a check
    against the era's end (a code names a fiscal year, H31 is 2019).
    """
    squashed = code.translate(FULLWIDTH_TO_ASCII).replace(" ", "").replace("\u3000", "")
    m = patterns.START_CODE.fullmatch(squashed)
    if m is None:
        return None
    letter = m.group("letter")
    era = ERA_BY_NAME[letter.upper() if letter else m.group("name") or m.group("kanji")]
    number = 1 if m.group("year") == "元" else to_int(m.group("year"))
    if not number:
        return None
    return era.start.year + number - 1
