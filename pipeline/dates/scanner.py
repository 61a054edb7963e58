"""The scanner: one find_dates call, reading items (a point, a range, a list item) left to
right and carrying the last date read, against which later points are resolved."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.dates import patterns
from pipeline.dates.checks import check_bracket_era, check_era, check_weekday
from pipeline.dates.patterns import (
    ANCHOR,
    DANGLE,
    DOTTED,
    DOTTED_FIRST,
    DOTTED_SECOND_START,
    FULLWIDTH,
    LIST_SEP,
    LIST_SEP_FIRST,
    OPEN_END,
    PLACE_AFTER_DAY,
    POINT,
    RANGE_SEP,
    RANGE_SEP_FIRST,
    UNTIL,
    WAVE_NUMBER,
    WIDE_FIRST,
)
from pipeline.dates.points import (
    DAY,
    MONTH,
    YEAR,
    Point,
    dotted_bare,
    dotted_point,
    point_from_match,
)
from pipeline.dates.resolve import Problem, Resolved, resolve
from pipeline.dates.results import (
    EMPTY,
    RANK,
    DateResult,
    DateWarning,
    Period,
)
from pipeline.dates.rules import (
    Dangle,
    list_dangle_ok,
    list_item_ok,
    range_ok,
    single_ok,
)
from pipeline.numerals import FULLWIDTH_TO_ASCII, to_int


@dataclass(slots=True)
class _Item:
    """One item being read: its first end, and what the steps of read_item find after it."""

    pos: int
    in_list: bool  # it follows a list separator
    first: Point
    end: int  # where the first end stops
    dotted: bool  # the first end is dotted (H24.7.22)
    range_from: int  # where a range separator may start (after a dangling number)
    dangle: Dangle | None = None
    second: Point | None = None
    item_end: int = 0  # the end of the whole item (まで included)
    last_end: int = 0  # the end of its last point
    open_start: bool = False  # ～2023年まで: no start written
    open_end: bool = False  # 平成11年度～: no end written
    next_year_of: int | None = None  # 2005年から翌2007年: 翌 says 2006
    unreadable_end: int | None = None  # 平成24年4月1日～5: where the end that cannot be read is


_BEFORE_OPEN_START = frozenset("~～〜 \u3000")


class Scanner:
    """One find_dates call: reads items left to right, carrying the last date read."""

    __slots__ = ("fiscal_year", "kanji_day_ok", "last", "periods", "resolved_last", "s", "text",
                 "warnings")

    def __init__(self, text: str, s: str, fiscal_year: int | None) -> None:
        self.text = text  # the input: what Period.text is cut from
        self.s = s  # the translated input, same length, what the patterns read
        self.fiscal_year = fiscal_year
        self.last: Resolved | None = None  # for 同年, 25年 and list items
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
                anchor = ANCHOR.search(s, anchor.start() + 1)
                continue
            # List items: 平成24年4月、6月及び9月 and 平成24年7～8月、11～12月. After an item
            # that gave a warning the list stops; its other items are read on their own.
            while (self.resolved_last and s[end:end + 1] in LIST_SEP_FIRST
                   and (sep := LIST_SEP.match(s, end)) is not None):
                after = self.read_item(sep.end(), in_list=True)
                if after is None:
                    break
                end = after
            anchor = ANCHOR.search(s, end)
        if not self.periods and not self.warnings:
            return EMPTY
        return DateResult(tuple(self.periods), tuple(self.warnings))

    # ---- reading

    def read_point(self, pos: int, dotted_second: Point | None = None,
                   ) -> tuple[Point | None, int, bool]:
        """(point, end, dotted) at pos; the point is None when nothing date-like is there.

        With dotted_second (the first end of a dotted range), only dotted forms are read.
        """
        s = self.s
        m = None
        if s[pos:pos + 1] in DOTTED_FIRST:
            # Every dotted form has a separator within its first six characters (平成24.,
            # 2021・7, 1982/): cheaper to look for one than to run the pattern.
            near = s[pos + 1:pos + 7]
            if "." in near or "/" in near or "-" in near or "・" in near or "･" in near:
                m = DOTTED.match(s, pos)
        if m is None and dotted_second is not None and dotted_second.day is not None:
            m = patterns.DOTTED_MD.match(s, pos)
        if m is not None:
            return dotted_point(m), m.end(), True
        if dotted_second is not None:
            point, end = dotted_bare(s, pos, after_day=dotted_second.day is not None)
            return point, end, True
        m = POINT.match(s, pos)
        if m is None or m.end() == pos:
            return (Point() if m is not None else None), pos, False
        return point_from_match(m), m.end(), False

    def read_item(self, pos: int, in_list: bool) -> int | None:
        """Read one item (a point or a range) at pos; its end, or None if there is none.

        in_list: the item follows a list separator, so it may leave out the year (and month)
        of the item before it, and may be a day alone (平成24年7月1日、3日).
        Steps: the first end; what unit it leaves to what follows (find_dangle); a list of
        units (read_unit_list: 7・8月); a range's second end (read_range); then finish.
        """
        kanji_day_ok, self.kanji_day_ok = self.kanji_day_ok and in_list, False
        first, end, dotted = self.read_point(pos)
        if first is None:
            return None
        if self.last is None and -1 in (first.rel_year, first.rel_month):
            return None  # 前年, 前月 with no date before: a word (前年を上回る), not a date
        if kanji_day_ok and self.s[end:end + 1] not in PLACE_AFTER_DAY:
            first.kanji_day = False  # the item before left its unit to this list
        item = _Item(pos, in_list, first, end, dotted, range_from=end, item_end=end,
                     last_end=end)
        bare = first.fine() is None  # 7～8月: only the second end has a unit
        if not self.find_dangle(item):
            return None
        if item.dangle is not None and self.s.startswith(("・", "･"), item.range_from):
            done, result = self.read_unit_list(item, kanji_day_ok)
            if done:
                return result
        self.read_range(item)
        return self.finish(item, bare)

    def find_dangle(self, item: _Item) -> bool:
        """Which unit the first end leaves to the second (平成24～26年度, 4～5月); False when
        the first end cannot start an item (平成24年5日: a year without 年 before a month)."""
        first = item.first
        if first.has_year() and first.unit is None:
            if first.month is not None or first.day is not None or first.rel_month is not None:
                return False
            item.dangle = Dangle(YEAR, None)  # 平成24～26年度, 2012～2014年
            return True
        fine = first.fine()
        if item.dotted or first.unit == "年度" or fine == DAY:
            return True
        dm = DANGLE.match(self.s, item.end)
        if dm is not None:
            value = to_int(dm.group("n"))
            if value is not None:
                # the unit after fine's; None (7～8月): the second end says
                level = None if fine is None else (MONTH if fine == YEAR else DAY)
                item.dangle = Dangle(level, value)
                item.range_from = dm.end()
        return True

    def read_unit_list(self, item: _Item, kanji_day_ok: bool) -> tuple[bool, int | None]:
        """平成24年7・8月: the first end takes its unit from the next list item, which is read
        on its own. (True, end or None) when that decides the item; (False, None) to read
        it on as a point (平成24年3・11)."""
        first, dangle = item.first, item.dangle
        if dangle is None:
            return False, None
        kanji = not self.s[item.end:item.range_from].isascii()  # 十・十一日 (十日町)
        first.kanji_day = kanji and not kanji_day_ok
        if not list_dangle_ok(self.s, first, item.range_from, dangle):
            if dangle.value is None:
                return True, None
            item.dangle, item.range_from = None, item.end  # 平成24年3・11
            return False, None
        if not single_ok(first, item.in_list) or (
                item.in_list and not list_item_ok(self.last, first, None)):
            return True, None
        self.emit(first, None, item.pos, item.range_from, item.in_list)
        self.kanji_day_ok = True  # 7月十・十一日, 7月10・十一日: 十一日 is a day here
        return True, item.range_from

    def read_range(self, item: _Item) -> None:
        """A range separator and a second end after the first, if both are there."""
        if self.s[item.range_from:item.range_from + 1] not in RANGE_SEP_FIRST:
            return
        sep = RANGE_SEP.match(self.s, item.range_from)
        if sep is None:
            return
        first = item.first
        second, second_end, _ = self.read_point(sep.end(), first if item.dotted else None)
        if second is not None and range_ok(first, second, item.dangle):
            item.second = second
            if "翌" in sep.group() and first.western is not None and (
                    second.western != first.western + 1):
                item.next_year_of = first.western  # 2005年から翌2007年: the two disagree
            item.item_end = item.last_end = second_end
            if (until := UNTIL.match(self.s, second_end)) is not None:
                item.item_end = until.end()
        elif item.dotted and self.s[sep.end():sep.end() + 1] in DOTTED_SECOND_START:
            item.dangle, item.range_from = Dangle(DAY, None), sep.end()  # H24.7.22～99
        elif item.dangle is None and (mark := WAVE_NUMBER.match(self.s, item.range_from)):
            item.unreadable_end = mark.end()
        elif item.dangle is None and (mark := OPEN_END.match(self.s, item.range_from)):
            item.open_end = True  # 平成11年度～: read with its end open
            item.item_end = item.last_end = mark.end()

    def finish(self, item: _Item, bare: bool) -> int | None:
        """Check the item read as a whole, emit it; its end, or None if it is no date."""
        first, second, dangle = item.first, item.second, item.dangle
        if second is None and dangle is not None:
            # 平成24年4～ or 平成24～ with no second end: the range cannot be read, and reading
            # only 平成24年 would be a guess. 2012～ and 7～ are numbers, not dates.
            if item.in_list or bare or (dangle.level == YEAR and first.era is None):
                return None
            return self.unresolved(item.pos, item.range_from)
        if second is None and not single_ok(first, item.in_list):
            return None
        if item.unreadable_end is not None:
            return self.unresolved(item.pos, item.unreadable_end)
        if item.in_list and not list_item_ok(self.last, first, second):
            return None
        if self.is_word(item):
            return None
        if item.next_year_of is not None:
            text = self.text[item.pos:item.item_end]
            self.resolved_last = False
            self.warnings.append(DateWarning(
                "date-invalid", f"{text}: 翌 is the year after {item.next_year_of}, but "
                f"{item.second.western if item.second else ''} is written; the two disagree",
                text, (item.pos, item.item_end)))
            return item.item_end
        start = self.open_start(item)
        self.emit(first, second, start, item.item_end, item.in_list,
                  (item.open_start, item.open_end))
        return item.item_end

    def is_word(self, item: _Item) -> bool:
        """五月雨, 十月桜: a bare kanji month that does not end where a date ends."""
        first = item.first
        last = first if item.second is None else item.second
        return (last.kanji_month and last.day is None and last.jun is None
                and not first.has_year() and not last.has_year()
                and patterns.KANJI_MONTH_END.match(self.s, item.last_end) is None)

    def open_start(self, item: _Item) -> int:
        """Where the item starts: before a leading wave dash (～2023年まで, open_start)."""
        start = item.pos
        # the character test first: the search runs only where a wave dash or space precedes
        if (item.second is None and not item.in_list and not item.open_end
                and self.s[start - 1:start] in _BEFORE_OPEN_START and start
                and (lead := patterns.OPEN_START.search(self.s, max(0, start - 8), start))
                is not None):
            start, item.open_start = lead.start(), True
            if (until := UNTIL.match(self.s, item.item_end)) is not None:
                item.item_end = until.end()
        return start

    def unresolved(self, start: int, end: int) -> int:
        """date-unresolved for a range whose second end cannot be read; its end."""
        text = self.text[start:end]
        self.resolved_last = False
        self.warnings.append(DateWarning(
            "date-unresolved", f"{text}: the range starting here has no readable end",
            text, (start, end)))
        return end

    # ---- resolving

    def emit(self, first: Point, second: Point | None, start: int, end: int,
             in_list: bool, open_ends: tuple[bool, bool] = (False, False)) -> None:
        """Resolve the item and record its period and warnings. open_ends: (no start
        written, no end written)."""
        span = (start, end)
        text = self.text[start:end]
        self.resolved_last = False
        try:
            r1 = resolve(first, self.last, inherit=in_list, in_list=in_list,
                         fiscal_year=self.fiscal_year)
            r2 = r1 if second is None else resolve(second, r1, inherit=True, in_list=False,
                                                  fiscal_year=self.fiscal_year)
        except Problem as problem:
            # date-invalid has a reason only when it is not plain: the two years disagree
            message = f"{text}: {problem.reason}" if problem.reason else f"{text} is not a date"
            self.warnings.append(DateWarning(problem.code, message, text, span))
            return
        if r2.end < r1.start:
            self.warnings.append(DateWarning("date-invalid", f"{text} is not a date", text, span))
            return
        precision = r1.precision
        if RANK[r2.precision] > RANK[precision]:
            precision = r2.precision
        self.periods.append(Period(text, r1.start, r2.end, precision,
                                   r1.inferred or r2.inferred, span, *open_ends))
        self.last = r2
        self.resolved_last = True
        self.check(first, second, r1, r2, text, span)
        if precision in ("year", "fiscal_year") and self.s[end : end + 1] in _SEASONS:
            self.warnings.append(DateWarning(  # 平成24年夏: no season is a period
                "date-season", f"{text}{self.text[end]}: a season is read as its "
                f"{precision.replace('_', ' ')}, {text}", text, span))

    def check(self, first: Point, second: Point | None, r1: Resolved, r2: Resolved, text: str,
              span: tuple[int, int]) -> None:
        """The era and weekday checks of both ends of a period just recorded."""
        # The tests before each call are the checks' own first ones: most points need none.
        for point, resolved in ((first, r1), (second, r2)):
            if point is None:
                continue
            if resolved.era is not None and (point.era_year is not None
                                             or point.eraless is not None) and (
                    warning := check_era(point, resolved, text, span)) is not None:
                self.warnings.append(warning)
            if point.bracket_era is not None and (
                    warning := check_bracket_era(point, resolved, text, span)) is not None:
                self.warnings.append(warning)
            if point.weekdays is not None and resolved.precision == "day":
                whole = (r1.start, r2.end) if point is second and first.weekdays is None else None
                if (warning := check_weekday(point.weekdays, resolved.start, whole, text,
                                             span)) is not None:
                    self.warnings.append(warning)


_SEASONS = frozenset("春夏秋冬")


def find_dates(text: str, fiscal_year: int | None = None) -> DateResult:
    """Every date expression in text, in order, and warnings for what is not a date.

    fiscal_year gives the year of a month written without one (3月, 5月1日): April to
    December are that year, January to March the next; such periods have inferred=True.
    Without it they are date-unresolved warnings. Never raises.
    """
    # Sentences with nothing a date could start at return here, after one regex search.
    anchor = ANCHOR.search(text)
    if anchor is None:
        return EMPTY
    s = text
    # A full-width character where ANCHOR stopped, or after it: the whole text is read
    # translated, from its start (平成２４年 starts before its first full-width digit).
    if text[anchor.start()] >= WIDE_FIRST or FULLWIDTH.search(text, anchor.start()):
        s = text.translate(FULLWIDTH_TO_ASCII)
        anchor = ANCHOR.search(s)
        if anchor is None:
            return EMPTY
    try:
        return Scanner(text, s, fiscal_year).run(anchor)
    except Exception as exc:  # a safety net: a bug must not stop a pipeline, nor hide
        return DateResult((), (DateWarning(
            "date-unresolved", f"internal error while reading dates: {exc!r}",
            text, (0, len(text))),))
