"""The Japanese date engine: every date expression in a sentence -> ISO periods.

`find_dates` reads era dates (平成24年4月1日, 令和元年度, H24.4.1, 平24.4.1, H24年度, R元年),
Western dates (2012年4月1日, 2012/4/1, 2012年度), full-width and kanji numerals,
上旬/中旬/下旬, ranges (～ 〜 ~ － and から…まで, the second end leaving out what the first
gives), lists (、 ， , ・ 及び および 並びに, later items taking the year and month of earlier
ones), 同年 / 同月 / 同年同月 / 同10日 / 翌年 / 翌月 / 同年度 / 翌年度 (relative to the date read
just before), bare months and days, whose year comes from the `fiscal_year` argument, and
a year confirmed in brackets (令和元年（2019年）7月20日, 令和元（2019）年度, 2019（令和元）年度,
2019年（令和元年）7月20日).
Whatever it cannot read as a date but looks like one comes back as a warning, never as a
guess; it never raises.

How it works: the text is translated one character for one character (full-width digits
and letters to ASCII), so every offset found in the translation is an offset in the input.
A module-level anchor pattern finds where an expression may start; from there compiled
patterns read one "point" at a time (`_POINT`: 平成24年7月22日(日), 7月, 29日, 同年6月16日…),
a range separator and a second point, then list separators and further items. The points
are then resolved against what came before (`_Scanner.resolve`).

Reading rules where the text leaves a choice (each is pinned by tests/test_dates.py):

- A range is one period from the start of its first end to the end of its second; its
  precision is the coarser of the two. まで after a range belongs to it (…29日まで), の間 does
  not; a weekday marker belongs to its day. A second end before the first is date-invalid.
- What an end or list item leaves out comes from the one before it, and a smaller month or
  day rolls over: 12月28日～1月4日 ends in the next year, 7月30日～2日 in the next month.
- A bare month or day (not after a list separator) takes its year from fiscal_year
  (inferred=True); so does each later bare month of such a list (3月、4月 with fiscal year
  2020 -> 2021-03, 2020-04), while a range's second end follows its first.
- A list item may leave its unit to the next item, as a range's first end does:
  平成24年7・8月 is 7月 and 8月, 平成24・25年度 two fiscal years (each item its own period).
  ・ separates items only after a date (東京・ソウル, 3・11 are not dates); a weekday marker
  (土・日) belongs to its day and is read first. A kanji day alone is a day only as the next
  item of such a list (7月十・十一日), and never before 市, 町 or 村 (四日市, 十日町).
- 25年 / 24年度 without an era take the era of the date read before them, but never right
  after an ASCII letter: H24年度 is 平成24年度 (a one-letter era needs 年 or 年度 right after its
  year, or a range or list to one: H24～H26年度, R2・3年度), X24年度 is nothing; 同年, 翌年, 同月,
  翌月, 同年度 and 翌年度 are relative to the date read before them (a range's second end is
  relative to its first end); 同年同月 is 同月 and 同10日 is day 10 of the same month. With
  nothing before: date-unresolved. 25年 alone (a duration) and a day alone (十日, 5日間) are
  not dates.
- A range whose first end leaves its unit to a second end that cannot be read (平成24年4～)
  is date-unresolved; 平成24年4月1日～ with nothing after reads as the day itself.
- Dotted forms: M and T and the one-kanji forms (平24.4.1) need the day, and a one-kanji form
  must not follow another kanji (最大2.5.1); Western dotted and slashed forms need the day.
  The second end of a dotted range is dotted, or month.day after a day (H24.7.22～8.3), or a
  bare day after a day (H24.7.22～29, 2012/4/1～5) or a bare month after a month (H24.7～8);
  if what follows the separator looks like a date but cannot be read (H24.7.22～99), the range
  is date-unresolved, never its first end alone.
- A bare kanji month (no year written, no day or 旬) is a date only where a date may end:
  before punctuation, a bracket, a space, a range mark, the end of the text or a particle
  (五月、 （十月） 五月に); 五月雨, 十月桜 and 十二月党 are words.
- A year in brackets confirms the year next to it; it is not a second period. Four forms,
  （）or (), spaces allowed: 令和元年（2019年） and 2019年（令和元年） (then a month, a day, 度
  for the fiscal year, or nothing: the year), 令和元（2019）年度 and 2019（令和元）年度 (then 年
  or 年度, which the bracket needs: 令和元（2019） alone is read as before). The text of the
  period is all of it. An era year whose calendar year is not the bracketed one (令和元年
  （2020年）7月, 2019年（令和2年）7月) is date-invalid with a message naming both years, never
  a guess at one. Other brackets are read as before: 令和元年（2019年度） is a year and a
  fiscal year, and （2019年） a year.
- Weekday markers: see `_Scanner.check_weekday`.
- Days before 1873 (明治5年 and earlier, when Japan used the lunisolar calendar) are
  converted as if Gregorian, like every other day.

Only the standard library and pipeline.eras / pipeline.numerals are imported: the CLI that
uses this module must start fast.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from pipeline.eras import ERAS, Era
from pipeline.numerals import FULLWIDTH_TO_ASCII, to_int

__all__ = [
    "DateResult",
    "DateWarning",
    "Period",
    "find_dates",
    "parse_start_code",
    "period_to_json",
    "warning_to_json",
]


@dataclass(frozen=True, slots=True)
class Period:
    text: str  # the expression exactly as written == input[span[0]:span[1]]
    start: dt.date
    end: dt.date  # start <= end always
    precision: str  # "day" | "dekad" | "month" | "year" | "fiscal_year"
    inferred: bool  # year taken from the fiscal_year argument, not written
    span: tuple[int, int]  # character offsets in the input text


@dataclass(frozen=True, slots=True)
class DateWarning:
    code: str  # "date-invalid" | "date-out-of-era" | "date-weekday" | "date-unresolved"
    message: str  # names the text, e.g. "平成24年2月30日 is not a date"
    text: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class DateResult:
    periods: tuple[Period, ...]  # in order of appearance
    warnings: tuple[DateWarning, ...]


_EMPTY = DateResult((), ())

# --------------------------------------------------------------------------- eras

_ERA_BY_NAME: dict[str, Era] = {}
for _era in ERAS:
    _ERA_BY_NAME[_era.name] = _ERA_BY_NAME[_era.letter] = _ERA_BY_NAME[_era.kanji] = _era
# Last day of each era = next era's first day - 1; the current era has none.
_ERA_END: dict[str, dt.date | None] = {
    era.name: nxt.start - dt.timedelta(days=1) for era, nxt in itertools.pairwise(ERAS)
}
_ERA_END[ERAS[-1].name] = None

# --------------------------------------------------------------------------- patterns
# All patterns run on the translated text (ASCII digits and letters). Spaces inside an
# expression may be ASCII or ideographic, never tabs or newlines (these separate cells).

_SP = "[ \u3000]*"
_KNUM = "〇一二三四五六七八九十"
_N = rf"(?:[0-9]{{1,2}}|[{_KNUM}]{{1,4}})"  # an era year, month or day number
_NOT_AFTER_NUM = rf"(?<![0-9A-Za-z{_KNUM}])"
_DASH = "[~～〜－\\-‐−]"
_RANGE = rf"(?:{_DASH}|から)"
# H24年度, R元年, H24～H26年度, R2・3年度: a one-letter era needs 年 right after its year, or
# a range or list to a year with 年 (H24-1 is a part number).
_LETTER_YEAR = (rf"(?:元|[0-9]{{1,2}})"
                rf"(?=年|{_SP}(?:{_RANGE}|[・･]){_SP}[MTSHR]?(?:元|[0-9]{{1,2}})年)")
# (日), （木）, (土・日), (月・祝); checked against the date in `_Scanner.check_weekday`.
_WD = r"[(（](?P<wd>[月火水木金土日](?:[・･,、][月火水木金土日])*(?:[・･]?祝)?|祝)[)）]"
_MONTH = "(?:1[0-2]|0?[1-9])"
_DAY = "(?:3[01]|[12][0-9]|0?[1-9])"
_DOT_END = "(?![0-9A-Za-z]|[.][0-9])"  # H30.7 but not H30.7km, H30.7.5.1 or 2012.4.10.5

# A year in brackets that confirms the year before it (`_Point.confirm`): 令和元（2019）年度,
# 2019（令和元）年度 (both before 年 or 年度), 令和元年（2019年）7月, 令和元年（2019年）度,
# 2019年（令和元年）7月.
_OPEN, _CLOSE = rf"{_SP}[(（]{_SP}", rf"{_SP}[)）]"
_ERA_NAME = "明治|大正|昭和|平成|令和"

# One point written with units. Every part is optional here; `_Point.shape_ok` and the
# range rules decide which combinations are dates. 年 before 間/齢/代/輩 is not a year
# (5年間, 同年齢, 1980年代); 日 before 間/目 is not a day (5日間, 3日目); 月曜 is a weekday.
_POINT = re.compile(
    rf"""
    (?:
        (?:
            (?P<era>{_ERA_NAME}){_SP}(?P<ey>元|{_N})
                (?:{_OPEN}(?P<cw>[12][0-9]{{3}}){_CLOSE}(?={_SP}年))?
          | (?<![0-9A-Za-z])(?P<le>[MTSHR])(?P<ly>{_LETTER_YEAR})
          | (?<![0-9])(?P<wy>[12][0-9]{{3}})(?![0-9])
                (?:{_OPEN}(?P<ce>{_ERA_NAME}){_SP}(?P<cey>元|{_N}){_CLOSE}(?={_SP}年))?
          | (?P<rel>[同翌])(?=年)
          | {_NOT_AFTER_NUM}(?P<ny>{_N})(?={_SP}年)
        )
        (?:{_SP}(?:(?P<fy>年度)|(?P<yu>年)(?![間齢代輩])
            (?(wy)(?:{_OPEN}(?P<cwe>{_ERA_NAME}){_SP}(?P<cwey>元|{_N}){_SP}年{_CLOSE}
                    (?:{_SP}(?P<cwfy>度))?)?
              |(?(rel)|(?:{_OPEN}(?P<cy>[12][0-9]{{3}}){_SP}年{_CLOSE}(?:{_SP}(?P<cfy>度))?)?))
        ))?
    )?
    (?(fy)|(?(cfy)|(?(cwfy)|
        (?:{_SP}(?:(?P<mrel>[同翌])月|(?P<m>{_N}){_SP}月(?!曜)|(?P<dsame>同)(?={_SP}{_N}{_SP}日)))?
        (?:{_SP}(?:(?P<d>{_N}){_SP}日(?![間目])(?:{_SP}{_WD})?|(?P<jun>[上中下初])旬))?
    )))
    """,
    re.VERBOSE,
)

# The first end of a range may leave its last unit to the second: 平成24年4～5月, 7月22～29日,
# 平成24～26年度, 11～12月.
_DANGLE = re.compile(rf"{_SP}(?P<n>{_N}){_SP}(?={_RANGE}|[・･])")
# ... or to a later list item: 平成24年7・8月, 平成24・25年度, 平成24年6・7・8月.
_LIST_UNIT = re.compile(
    rf"{_SP}(?:[・･]{_SP}{_N}{_SP})+(?P<u>年度|年(?![間齢代輩])|月(?!曜)|日(?![間目]))")
_UNIT_LEVEL = {"年度": 0, "年": 0, "月": 1, "日": 2}

# Dotted forms: H24.4.1, R元.5.1, H30.7 (month), 平成24.4.1, 平24.4.1 (one-kanji forms need
# the day: 最大2.5 is not a date), 2012/4/1, 2012.4.1 (Western forms need the day: 2012.5 is
# a number). M and T need the day too (M7.3 is an earthquake magnitude): see _read_point.
_DOTTED = re.compile(
    rf"""
    (?:
        (?<![0-9A-Za-z.])(?P<ab>[MTSHR]|明治|大正|昭和|平成|令和)(?P<ay>元|[0-9]{{1,2}})
            [.](?P<am>{_MONTH})(?:[.](?P<ad>{_DAY}))?
      | (?<![0-9A-Za-z.\u4e00-\u9fff])(?P<ak>[明大昭平令])(?P<ky>元|[0-9]{{1,2}})
            [.](?P<km>{_MONTH})[.](?P<kd>{_DAY})
      | (?<![0-9.])(?P<gy>[12][0-9]{{3}})(?P<gs>[./])(?P<gm>{_MONTH})(?P=gs)(?P<gd>{_DAY})
    ){_DOT_END}(?:{_SP}{_WD})?
    """,
    re.VERBOSE,
)
# The second end of a dotted day range may be month.day only: H24.7.22～7.29.
_DOTTED_MD = re.compile(rf"(?P<am>{_MONTH})[./](?P<ad>{_DAY}){_DOT_END}(?:{_SP}{_WD})?")
# ... or a bare day after a day (H24.7.22～29, 2012/4/1～5), a bare month after a month
# (H24.7～8); the unit may be written (H24.7.22～29日).
_DOTTED_BARE = re.compile(
    rf"(?P<n>[0-9]{{1,2}})(?:(?P<u>日(?![間目])|月(?!曜))|{_DOT_END})(?:{_SP}{_WD})?")
# After a dotted range separator, what a second end would start with: if it cannot be read,
# the range is date-unresolved (H24.7.22～99), never the first end alone.
_DOTTED_SECOND_START = frozenset("0123456789MTSHR明大昭平令同翌")
# What may follow a bare kanji month (五月): the end of a date, not of a word (五月雨, 十月桜).
_KANJI_MONTH_END = re.compile(
    r"$|[\s、。，,．.・･:：;；!?！？)）」』】〕］\]〉》～〜~－\-‐−]|から|まで|頃|ごろ|末|中|以降"
    r"|[にのはもをとや]")

_DOTTED_FIRST = frozenset("MTSHR明大昭平令0123456789")
# 四日市, 十日町, 廿日市, 五日市: a kanji day followed by these is a place name.
_PLACE_AFTER_DAY = frozenset("市町村")
_RANGE_SEP = re.compile(rf"{_SP}{_RANGE}{_SP}")
_UNTIL = re.compile(rf"{_SP}まで")
_LIST_SEP = re.compile(rf"{_SP}(?:[、，,・･]|及び|および|並びに){_SP}")

# Where an expression may start. Only positions matter: the reading is done from there by
# the patterns above. The pattern opens with a character class, which lets the regex engine
# skip the other characters at C speed; each branch then checks that first character with a
# lookbehind, and what stands before it with a two-character lookbehind (X.).
_YEAR_AHEAD = rf"(?={_SP}年(?:度|{_SP}{_N}{_SP}月))"  # 24年度, 25年1月 (era from context)
# 3月, 4～5月, 7・8月, 6・7・8月
_MONTH_AHEAD = rf"(?={_SP}(?:(?:{_DASH}|[・･]){_SP}{_N}{_SP}){{0,3}}月(?!曜))"
_ANCHOR = re.compile(
    rf"""
    [0-9MTSHR明大昭平令同翌{_KNUM}]
    (?:
        (?<=[0-9])(?<![0-9].)                  # a number of ASCII digits starts here
        (?:
            (?<=[12])(?<![.].)[0-9]{{3}}                                # 2012年, 2012/4/1
                (?={_SP}(?:年|{_RANGE})|[./][0-9]|{_OPEN}(?:{_ERA_NAME}))  # 2019（令和元）年度
          | (?<![A-Za-z].)[0-9]?{_YEAR_AHEAD}      # not H24年度: see the next branch
          | (?<!第.)[0-9]?{_MONTH_AHEAD}
        )
      | (?<=[{_KNUM}])(?<![{_KNUM}].)          # a kanji numeral starts here
        (?:
            [{_KNUM}]{{0,3}}{_YEAR_AHEAD}
          | (?<!第.)[{_KNUM}]{{0,3}}{_MONTH_AHEAD}
        )
      | (?<=[MTSHR])(?<![0-9A-Za-z.].)
        (?:(?:元|[0-9]{{1,2}})[.][0-9]|{_LETTER_YEAR})                           # H24.4.1, H24年
      | (?<=[明大昭平令])
        (?:
            (?<![0-9A-Za-z.\u4e00-\u9fff].)(?:元|[0-9]{{1,2}})[.][0-9]                # 平24.4.1
          | (?<=明)治|(?<=大)正|(?<=昭)和|(?<=平)成|(?<=令)和                        # 平成
        )
      | (?<=[同翌])(?=年|月)                                                   # 同年, 翌月
      | (?<=同)(?={_SP}{_N}{_SP}日)                                            # 同10日
    )
    """,
    re.VERBOSE,
)
# Full-width digits, letters, ．and ／: translated only when present (str.translate would
# cost more than the whole search on a typical sentence).
_FULLWIDTH = re.compile("[０-９Ａ-Ｚａ-ｚ．／]")

_START_CODE = re.compile(
    rf"(?:(?P<letter>[MTSHRmtshr])|(?P<name>明治|大正|昭和|平成|令和)|(?P<kanji>[明大昭平令]))"
    rf"(?P<year>元|[0-9]{{1,2}}|[{_KNUM}]{{1,4}})(?:年)?(?:度)?"
)

# --------------------------------------------------------------------------- points

_Y, _M, _D = 0, 1, 2  # levels of a point's parts: year, month, day (or 旬)
_WEEKDAYS = "月火水木金土日"  # dt.date.weekday() order
_JUN = {"上": 0, "初": 0, "中": 1, "下": 2}
_RANK = {"day": 0, "dekad": 1, "month": 2, "year": 3, "fiscal_year": 3}


@dataclass(slots=True)
class _Point:
    """One date point as written, before what it leaves out is filled in."""

    era: Era | None = None
    era_year: int | None = None  # 1 for 元
    western: int | None = None
    eraless: int | None = None  # 25年 written after 平成24年: the era is the earlier one's
    rel_year: int | None = None  # 0 for 同年, 1 for 翌年
    unit: str | None = None  # "年" | "年度"; None after a written year = dangling (平成24～)
    month: int | None = None
    rel_month: int | None = None  # 0 for 同月, 1 for 翌月
    day: int | None = None
    jun: int | None = None  # 0 上旬, 1 中旬, 2 下旬
    kanji_day: bool = False
    kanji_month: bool = False  # 五月: a date only where a date ends (not 五月雨)
    weekdays: str | None = None  # inside the weekday marker: 日, 土・日
    confirm: int | None = None  # the year in brackets: 令和元年（2019年）, 2019（令和元）年度

    def has_year(self) -> bool:
        return (self.era is not None or self.western is not None
                or self.eraless is not None or self.rel_year is not None)

    def coarse(self) -> int | None:
        if self.has_year():
            return _Y
        if self.month is not None or self.rel_month is not None:
            return _M
        if self.day is not None or self.jun is not None:
            return _D
        return None

    def fine(self) -> int | None:
        if self.day is not None or self.jun is not None:
            return _D
        if self.month is not None or self.rel_month is not None:
            return _M
        return _Y if self.has_year() else None

    def shape_ok(self) -> bool:
        """Parts that make a date when put together (a dangling year is checked apart)."""
        has_month = self.month is not None or self.rel_month is not None
        if (self.day is not None or self.jun is not None) and not has_month and self.has_year():
            return False  # 平成24年5日, 平成24年上旬
        if self.rel_month is not None and self.has_year():
            return False  # 同年同月
        return not (self.has_year() and self.unit is None and (has_month or self.day))


# _POINT's groups in order: m.groups() is faster than m.group(*names) and gives the same.
_POINT_GROUPS = ("era", "ey", "cw", "le", "ly", "wy", "ce", "cey", "rel", "ny", "fy", "yu",
                 "cwe", "cwey", "cwfy", "cy", "cfy", "mrel", "m", "dsame", "d", "wd", "jun")
if tuple(sorted(_POINT.groupindex, key=_POINT.groupindex.__getitem__)) != _POINT_GROUPS or (
        _POINT.groups != len(_POINT_GROUPS)):
    raise ImportError("pipeline.dates: _POINT_GROUPS does not list _POINT's groups in order")


def _point_from_match(m: re.Match[str]) -> _Point | None:
    """A _POINT match -> _Point; None when a numeral in it is malformed (十十)."""
    (era, ey, cw, le, ly, wy, ce, cey, rel, ny, fy, yu, cwe, cwey, cwfy, cy, cfy, mrel, month,
     dsame, day, wd, jun) = m.groups()
    p = _Point(unit="年度" if cfy or cwfy else fy or yu)
    if le is not None:
        era, ey = le, ly
    elif ce is not None:  # 2019（令和元）年度: read as 令和元（2019）年度
        era, ey, cw, wy = ce, cey, wy, None
    elif cwe is not None:  # 2019年（令和元年）7月: read as 令和元年（2019年）7月
        era, ey, cw, wy = cwe, cwey, wy, None
    if cw is not None or cy is not None:
        p.confirm = int(cw or cy)
    try:
        if era is not None:
            p.era = _ERA_BY_NAME[era]
            p.era_year = 1 if ey == "元" else _need_int(ey)
        elif wy is not None:
            p.western = int(wy)
        elif rel is not None:
            p.rel_year = 0 if rel == "同" else 1
        elif ny is not None:
            p.eraless = _need_int(ny)
        if mrel is not None:
            p.rel_month = 0 if mrel == "同" else 1
            if p.rel_month == 0 and p.rel_year == 0:  # 同年同月 is 同月
                p.rel_year = p.unit = None
        elif dsame is not None:  # 同10日: the same month
            p.rel_month = 0
        elif month is not None:
            p.month = _need_int(month)
            p.kanji_month = not month.isascii()
        if day is not None:
            p.day = _need_int(day)
            p.kanji_day = not day.isascii()
            p.weekdays = wd
        elif jun is not None:
            p.jun = _JUN[jun]
    except ValueError:
        return None
    return p


def _dotted_point(m: re.Match[str]) -> _Point | None:
    """A _DOTTED or _DOTTED_MD match -> _Point; None for M7.3 and T5.2 (no day)."""
    g = m.groupdict()
    p = _Point(unit="年", weekdays=g.get("wd"))
    if g.get("gy") is not None:
        p.western, p.month, p.day = int(g["gy"]), int(g["gm"]), int(g["gd"])
        return p
    if g.get("ak") is not None:
        abbr, year, month, day = g["ak"], g["ky"], g["km"], g["kd"]
    else:
        abbr, year, month, day = g.get("ab"), g.get("ay"), g["am"], g["ad"]
    if abbr is not None:
        if abbr in "MT" and day is None:
            return None
        p.era = _ERA_BY_NAME[abbr]
        p.era_year = 1 if year == "元" else int(year)
    p.month = int(month)
    p.day = None if day is None else int(day)
    return p


def _dotted_bare(s: str, pos: int, after_day: bool) -> tuple[_Point | None, int]:
    """A bare second end of a dotted range at pos: (day or month point, end), or (None, pos)."""
    m = _DOTTED_BARE.match(s, pos)
    if m is None:
        return None, pos
    n, unit = int(m.group("n")), m.group("u")
    if after_day:
        if unit == "月" or not 1 <= n <= 31:
            return None, pos
        return _Point(day=n, weekdays=m.group("wd")), m.end()
    if unit == "日" or not 1 <= n <= 12:
        return None, pos
    return _Point(month=n), m.end()


def _need_int(text: str) -> int:
    if text.isascii():  # the patterns only let ASCII digits through
        return int(text)
    value = to_int(text)
    if value is None:
        raise ValueError(text)
    return value


# --------------------------------------------------------------------------- calendar

def _month_end(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(slots=True)
class _Resolved:
    """A point with every part known: what later points are read against."""

    start: dt.date
    end: dt.date
    precision: str
    year: int  # calendar year, or the fiscal year for precision fiscal_year
    month: int | None  # None at year precision
    era: Era | None  # the era later 25年 / 同年 points continue
    inferred: bool


class _Problem(Exception):
    """A point that is not a date (date-invalid) or cannot be placed (date-unresolved)."""

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason


def _bounds(year: int, month: int | None, day: int | None, jun: int | None,
            fiscal: bool) -> tuple[dt.date, dt.date, str]:
    """Start, end and precision; _Problem("date-invalid") for a date that cannot exist."""
    try:
        if fiscal:
            return dt.date(year, 4, 1), dt.date(year + 1, 3, 31), "fiscal_year"
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
        if day is not None:
            when = dt.date(year, month, day)
            return when, when, "day"
        first = dt.date(year, month, 1)
        last = _month_end(year, month)
        if jun is None:
            return first, first.replace(day=last), "month"
        return (first.replace(day=1 + 10 * jun),
                first.replace(day=last if jun == 2 else 10 + 10 * jun), "dekad")
    except (ValueError, OverflowError):
        raise _Problem("date-invalid") from None


# --------------------------------------------------------------------------- the scanner

class _Scanner:
    """One find_dates call: reads items left to right, carrying the last date read."""

    __slots__ = ("fiscal_year", "kanji_day_ok", "last", "periods", "resolved_last", "s", "text",
                 "warnings")

    def __init__(self, text: str, s: str, fiscal_year: int | None) -> None:
        self.text = text  # the input: what Period.text is cut from
        self.s = s  # the translated input, same length, what the patterns read
        self.fiscal_year = fiscal_year
        self.last: _Resolved | None = None  # for 同年, 25年 and list items
        self.periods: list[Period] = []
        self.warnings: list[DateWarning] = []
        self.resolved_last = False  # whether the item just read became a period
        # The item just read left its unit to the list after it (7月十・十一日): a kanji day
        # there is the list's next day, not a word (十日町), unless a place name goes on.
        self.kanji_day_ok = False

    def run(self, anchor: re.Match[str] | None) -> DateResult:
        s = self.s
        while anchor is not None:
            end = self.read_item(anchor.start(), in_list=False)
            if end is None:
                anchor = _ANCHOR.search(s, anchor.start() + 1)
                continue
            # List items: 平成24年4月、6月及び9月 and 平成24年7～8月、11～12月. After an item
            # that gave a warning the list stops; its other items are read on their own.
            while self.resolved_last and (sep := _LIST_SEP.match(s, end)) is not None:
                after = self.read_item(sep.end(), in_list=True)
                if after is None:
                    break
                end = after
            anchor = _ANCHOR.search(s, end)
        if not self.periods and not self.warnings:
            return _EMPTY
        return DateResult(tuple(self.periods), tuple(self.warnings))

    # ---- reading

    def read_point(self, pos: int, dotted_second: _Point | None = None,
                   ) -> tuple[_Point | None, int, bool]:
        """(point, end, dotted) at pos; the point is None when nothing date-like is there.

        With dotted_second (the first end of a dotted range), only dotted forms are read.
        """
        s = self.s
        m = _DOTTED.match(s, pos) if s[pos:pos + 1] in _DOTTED_FIRST else None
        if m is None and dotted_second is not None and dotted_second.day is not None:
            m = _DOTTED_MD.match(s, pos)
        if m is not None:
            return _dotted_point(m), m.end(), True
        if dotted_second is not None:
            point, end = _dotted_bare(s, pos, after_day=dotted_second.day is not None)
            return point, end, True
        m = _POINT.match(s, pos)
        if m is None or m.end() == pos:
            return (_Point() if m is not None else None), pos, False
        return _point_from_match(m), m.end(), False

    def read_item(self, pos: int, in_list: bool) -> int | None:
        """Read one item (a point or a range) at pos; its end, or None if there is none.

        in_list: the item follows a list separator, so it may leave out the year (and month)
        of the item before it, and may be a day alone (平成24年7月1日、3日).
        """
        kanji_day_ok, self.kanji_day_ok = self.kanji_day_ok and in_list, False
        first, end, dotted = self.read_point(pos)
        if first is None:
            return None
        if kanji_day_ok and self.s[end:end + 1] not in _PLACE_AFTER_DAY:
            first.kanji_day = False  # the item before left its unit to this list
        bare = first.fine() is None  # 7～8月: only the second end has a unit
        # A first end may leave its last unit to the second end: which level is missing?
        dangle_level: int | None = None
        dangle_value: int | None = None
        range_from = end
        if first.has_year() and first.unit is None:
            if first.month is not None or first.day is not None or first.rel_month is not None:
                return None
            dangle_level = _Y  # 平成24～26年度, 2012～2014年
        elif not dotted and first.unit != "年度" and first.fine() in (None, _Y, _M):
            dm = _DANGLE.match(self.s, end)
            if dm is not None:
                dangle_value = to_int(dm.group("n"))
                if dangle_value is not None:
                    fine = first.fine()
                    dangle_level = -1 if fine is None else fine + 1  # -1: the second says
                    range_from = dm.end()
        if dangle_level is not None and self.s.startswith(("・", "･"), range_from):
            kanji = not self.s[end:range_from].isascii()  # 十・十一日 (十日町)
            first.kanji_day = kanji and not kanji_day_ok
            # 平成24年7・8月: the unit comes from the next list item, which is read on its own.
            if not self.list_dangle_ok(first, range_from, dangle_level, dangle_value):
                if dangle_value is None:
                    return None
                dangle_level, dangle_value, range_from = None, None, end  # 平成24年3・11
            elif not self.single_ok(first, in_list) or (
                    in_list and not self.list_item_ok(first, None)):
                return None
            else:
                self.emit(first, None, pos, range_from, in_list)
                self.kanji_day_ok = True  # 7月十・十一日, 7月10・十一日: 十一日 is a day here
                return range_from
        second: _Point | None = None
        item_end = last_end = end
        sep = _RANGE_SEP.match(self.s, range_from)
        if sep is not None:
            second, second_end, _ = self.read_point(sep.end(), first if dotted else None)
            if second is not None and self.range_ok(first, second, dangle_level, dangle_value):
                item_end = last_end = second_end
                if (until := _UNTIL.match(self.s, item_end)) is not None:
                    item_end = until.end()
            else:
                second = None
                if dotted and self.s[sep.end():sep.end() + 1] in _DOTTED_SECOND_START:
                    dangle_level, range_from = _D, sep.end()  # H24.7.22～99: unresolved
        if second is None and dangle_level is not None:
            # 平成24年4～ or 平成24～ with no second end: the range cannot be read, and reading
            # only 平成24年 would be a guess. 2012～ and 7～ are numbers, not dates.
            if in_list or bare or (dangle_level == _Y and first.era is None):
                return None
            text = self.text[pos:range_from]
            self.resolved_last = False
            self.warnings.append(DateWarning(
                "date-unresolved", f"{text}: the range starting here has no readable end",
                text, (pos, range_from)))
            return range_from
        if second is None and not self.single_ok(first, in_list):
            return None
        if in_list and not self.list_item_ok(first, second):
            return None
        last = first if second is None else second
        if (last.kanji_month and last.day is None and last.jun is None
                and not first.has_year() and not last.has_year()
                and _KANJI_MONTH_END.match(self.s, last_end) is None):
            return None  # 五月雨, 十月桜: a word, not a month
        self.emit(first, second, pos, item_end, in_list)
        return item_end

    def list_dangle_ok(self, first: _Point, pos: int, level: int, value: int | None) -> bool:
        """Whether the list after pos gives first its missing unit; fills it in (7・8月)."""
        lm = _LIST_UNIT.match(self.s, pos)
        if lm is None:
            return False
        unit = lm.group("u")
        unit_level = _UNIT_LEVEL[unit]
        if level == -1:
            level = unit_level
        elif unit_level != level:
            return False
        if level == _Y:
            first.unit = unit
            if value is not None:
                first.eraless = value
        elif level == _M:
            first.month = value
        else:
            first.day = value
        return first.shape_ok()

    def range_ok(self, first: _Point, second: _Point, dangle_level: int | None,
                 dangle_value: int | None) -> bool:
        """Whether first～second is one range; fills in a dangling first end from second."""
        c2, f2 = second.coarse(), second.fine()
        if c2 is None or f2 is None or not second.shape_ok():
            return False
        if second.has_year() and second.unit is None:
            return False
        if dangle_level is None:
            f1 = first.fine()
            return f1 is not None and first.shape_ok() and c2 <= f1
        level = dangle_level
        if level == -1:  # bare 11～12月, 22～29日, 24～26年度: the second is one unit
            if c2 != f2:
                return False
            level = f2
        if f2 != level or c2 > level:
            return False
        if level == _Y:
            first.unit = second.unit
            if dangle_value is not None:
                first.eraless = dangle_value
        elif level == _M:
            first.month = dangle_value
        else:
            if second.day is None:  # 22～下旬
                return False
            first.day = dangle_value
        return first.shape_ok()

    def single_ok(self, p: _Point, in_list: bool) -> bool:
        if p.coarse() is None or not p.shape_ok():
            return False
        if p.coarse() == _D:  # a day alone: only as a list item, and never 十日 (十日町市)
            return in_list and not p.kanji_day
        return not (p.eraless is not None and p.unit == "年" and p.month is None and not in_list)

    def list_item_ok(self, first: _Point, second: _Point | None) -> bool:
        """A list item may leave out only what the item before it gives (平成24年7月、3日: no)."""
        last = self.last
        if last is None:
            return first.has_year() or first.coarse() == _M
        coarse = first.coarse()
        if coarse is None:  # bare range 11～12月: its level is the second end's
            coarse = second.coarse() if second is not None else None
        if coarse is None:
            return False
        if coarse == _D and first.kanji_day:
            return False
        return coarse <= _level(last.precision)

    # ---- resolving

    def emit(self, first: _Point, second: _Point | None, start: int, end: int,
             in_list: bool) -> None:
        """Resolve the item and record its period and warnings."""
        span = (start, end)
        text = self.text[start:end]
        self.resolved_last = False
        try:
            r1 = self.resolve(first, inherit=in_list, in_list=in_list)
            r2 = r1 if second is None else self.resolve(second, inherit=True, ctx=r1)
        except _Problem as problem:
            # date-invalid has a reason only when it is not plain: the two years disagree
            message = f"{text}: {problem.reason}" if problem.reason else f"{text} is not a date"
            self.warnings.append(DateWarning(problem.code, message, text, span))
            return
        if r2.end < r1.start:
            self.warnings.append(DateWarning("date-invalid", f"{text} is not a date", text, span))
            return
        precision = r1.precision
        if _RANK[r2.precision] > _RANK[precision]:
            precision = r2.precision
        self.periods.append(Period(text, r1.start, r2.end, precision,
                                   r1.inferred or r2.inferred, span))
        self.last = r2
        self.resolved_last = True
        for point, resolved in ((first, r1), (second, r2)):
            if point is None:
                continue
            self.check_era(point, resolved, text, span)
            if point.weekdays is not None and resolved.precision == "day":
                whole = (r1.start, r2.end) if point is second and first.weekdays is None else None
                self.check_weekday(point.weekdays, resolved.start, whole, text, span)

    def resolve(self, p: _Point, inherit: bool, ctx: _Resolved | None = None,
                in_list: bool = False) -> _Resolved:
        """Fill in what p leaves out. ctx: the first end of the range; else the last date."""
        if ctx is None:
            ctx = self.last
        era: Era | None = None
        inferred = False
        month, day = p.month, p.day
        if p.era is not None and p.era_year is not None:
            if p.era_year == 0:
                raise _Problem("date-invalid")
            era, year = p.era, p.era.start.year + p.era_year - 1
        elif p.western is not None:
            year = p.western
        elif p.rel_year is not None:
            if ctx is None:
                raise _Problem("date-unresolved", "同年/翌年 with no earlier date in the text")
            era, year = ctx.era, ctx.year + p.rel_year
            if (p.unit == "年度" and ctx.precision not in ("fiscal_year", "year")
                    and ctx.start.month < 4):
                year -= 1  # 同年度 after 平成25年2月10日 is fiscal year 2012
        elif p.eraless is not None:
            if ctx is None or ctx.era is None:
                raise _Problem("date-unresolved",
                               "the era is not written and no earlier date in the text names one")
            if p.eraless == 0:
                raise _Problem("date-invalid")
            era, year = ctx.era, ctx.era.start.year + p.eraless - 1
        elif p.rel_month is not None:
            if ctx is None or ctx.month is None:
                raise _Problem("date-unresolved", "同月/翌月 with no earlier month in the text")
            era, year, month = ctx.era, ctx.year, ctx.month + p.rel_month
            if month == 13:
                year, month = year + 1, 1
        elif month is not None and (not inherit or ctx is None or (in_list and ctx.inferred)):
            # A bare month: its year comes from the fiscal year (April-December are the fiscal
            # year itself, January-March the next calendar year).
            if self.fiscal_year is None:
                raise _Problem("date-unresolved", "no year is written and no fiscal year is given")
            year = self.fiscal_year if month >= 4 else self.fiscal_year + 1
            inferred = True
        elif inherit and ctx is not None and ctx.month is not None:
            # Inherit from the date before: 4～5月 (year), 22～29日 (year and month). A part
            # smaller than the one before rolls over: 12月28日～1月4日, 7月30日～8月2日 (~2日).
            era, year, inferred = ctx.era, ctx.year, ctx.inferred
            if month is not None:
                if month < ctx.month:
                    year += 1
            else:  # a day or a 旬 alone
                month = ctx.month
                if (day if day is not None else 1 + 10 * (p.jun or 0)) < ctx.start.day:
                    month += 1
                    if month == 13:
                        year, month = year + 1, 1
        else:
            raise _Problem("date-unresolved", "no year is written")
        if p.confirm is not None and p.confirm != year:  # era and era-less years only
            raise _Problem("date-invalid", f"the era year is {year} but the year in brackets "
                           f"is {p.confirm}; the two years disagree")
        start, end, precision = _bounds(year, month, day, p.jun, p.unit == "年度")
        return _Resolved(start, end, precision, year, month, era, inferred)

    def check_era(self, p: _Point, r: _Resolved, text: str, span: tuple[int, int]) -> None:
        """date-out-of-era when the written era year is not in the era (平成32年, 昭和64年1月8日).

        A day must be inside the era; a month, year or fiscal year only has to overlap it
        (令和元年度 starts on 2019-04-01, before 令和, and is normal usage).
        """
        number = p.era_year if p.era_year is not None else p.eraless
        if r.era is None or number is None:
            return
        first, last = r.era.start, _ERA_END[r.era.name]
        if r.precision == "day":
            outside = r.start < first or (last is not None and r.start > last)
        else:
            outside = r.end < first or (last is not None and r.start > last)
        if not outside:
            return
        written = f"{r.era.name}{'元' if number == 1 else number}年"
        until = "" if last is None else last.isoformat()
        read = r.start.isoformat() if r.start == r.end else f"{r.start}..{r.end}"
        self.warnings.append(DateWarning(
            "date-out-of-era",
            f"{text}: {written} is outside {r.era.name} ({first}..{until}); read as {read}",
            text, span))

    def check_weekday(self, marker: str, day: dt.date, whole: tuple[dt.date, dt.date] | None,
                      text: str, span: tuple[int, int]) -> None:
        """date-weekday when the marker does not fit the date.

        (日) must be the day's weekday. A marker of several days (土・日) after a range that
        has no marker of its own must start on the range's first weekday and end on its
        last; after a single day it must include that day's weekday.
        """
        listed = [ch for ch in marker if ch in _WEEKDAYS]
        if not listed:  # (祝)
            return
        actual = _WEEKDAYS[day.weekday()]
        if len(listed) == 1:
            ok = listed[0] == actual
        elif whole is not None and whole[0] != whole[1]:
            ok = (listed[0] == _WEEKDAYS[whole[0].weekday()]
                  and listed[-1] == _WEEKDAYS[whole[1].weekday()])
        else:
            ok = actual in listed
        if not ok:
            self.warnings.append(DateWarning(
                "date-weekday",
                f"{text}: {day.isoformat()} is a {actual}曜日, not ({marker})", text, span))


def _level(precision: str) -> int:
    if precision in ("day", "dekad"):
        return _D
    return _M if precision == "month" else _Y


# --------------------------------------------------------------------------- public API

def find_dates(text: str, fiscal_year: int | None = None) -> DateResult:
    """Every date expression in text, in order, and warnings for what is not a date.

    fiscal_year gives the year of a month written without one (3月, 5月1日): April to
    December are that year, January to March the next; such periods have inferred=True.
    Without it they are date-unresolved warnings. Never raises.
    """
    # Sentences with nothing a date could start at return here, after one regex search.
    s = text.translate(FULLWIDTH_TO_ASCII) if _FULLWIDTH.search(text) else text
    anchor = _ANCHOR.search(s)
    if anchor is None:
        return _EMPTY
    try:
        return _Scanner(text, s, fiscal_year).run(anchor)
    except Exception as exc:  # a safety net: a bug must not stop a pipeline, nor hide
        return DateResult((), (DateWarning(
            "date-unresolved", f"internal error while reading dates: {exc!r}",
            text, (0, len(text))),))


def parse_start_code(code: str) -> int | None:
    """'S35' -> 1960, 'H1' -> 1989, 'H元' -> 1989, 'R2' -> 2020, also '昭和35'/'平成元';
    None if not a code.

    Also accepted: full-width forms, one-kanji abbreviations (昭35), kanji numerals, and a
    trailing 年 or 年度 (平成元年度). The year is the era's first year + n - 1, without a check
    against the era's end (a code names a fiscal year, H31 is 2019).
    """
    squashed = code.translate(FULLWIDTH_TO_ASCII).replace(" ", "").replace("\u3000", "")
    m = _START_CODE.fullmatch(squashed)
    if m is None:
        return None
    letter = m.group("letter")
    era = _ERA_BY_NAME[letter.upper() if letter else m.group("name") or m.group("kanji")]
    number = 1 if m.group("year") == "元" else to_int(m.group("year"))
    if not number:
        return None
    return era.start.year + number - 1


def period_to_json(p: Period) -> dict[str, object]:
    return {"text": p.text, "start": p.start.isoformat(), "end": p.end.isoformat(),
            "precision": p.precision, "inferred": p.inferred}


def warning_to_json(w: DateWarning) -> dict[str, object]:
    return {"code": w.code, "message": w.message}
