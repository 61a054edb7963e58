"""The rules that decide whether points read make an item: a range's two ends, a list's
items, a point alone; and how a first end that leaves its unit to what follows is filled."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.dates import patterns
from pipeline.dates.patterns import UNIT_LEVEL
from pipeline.dates.points import DAY, MONTH, YEAR, Point
from pipeline.dates.resolve import Resolved
from pipeline.dates.results import LEVEL_OF_PRECISION, Level


@dataclass(slots=True)
class Dangle:
    """The first end of a range or list leaves its last unit to what follows (平成24年4～5月:
    4 waits for 月)."""

    level: Level | None  # the unit it waits for; None when bare (7～8月): the second says
    value: int | None  # the number left without its unit (4); None for 平成24～ and H24.7.22～99


def list_dangle_ok(s: str, first: Point, pos: int, dangle: Dangle) -> bool:
    """Whether the list after pos gives first its missing unit; fills it in (7・8月)."""
    lm = patterns.LIST_UNIT.match(s, pos)
    if lm is None:
        return False
    unit = lm.group("u")
    level = UNIT_LEVEL[unit] if dangle.level is None else dangle.level
    if UNIT_LEVEL[unit] != level:
        return False
    fill(first, level, dangle.value, unit)
    return first.shape_ok()

def range_ok(first: Point, second: Point, dangle: Dangle | None) -> bool:
    """Whether first～second is one range; fills in a dangling first end from second."""
    c2, f2 = second.coarse(), second.fine()
    if c2 is None or f2 is None or not second.shape_ok():
        return False
    if second.has_year() and second.unit is None:
        return False
    if dangle is None:
        f1 = first.fine()
        return f1 is not None and first.shape_ok() and c2 <= f1
    level = dangle.level
    if level is None:  # bare 11～12月, 22～29日, 24～26年度: the second is one unit
        if c2 != f2:
            return False
        level = f2
    if f2 != level or c2 > level:
        return False
    if level == DAY and second.day is None:  # 22～下旬
        return False
    fill(first, level, dangle.value, second.unit)
    return first.shape_ok()

def single_ok(p: Point, in_list: bool) -> bool:
    """Whether p alone (no range) is a date: not a day alone outside a list, nor 25年."""
    coarse = p.coarse()
    if coarse is None or not p.shape_ok():
        return False
    if coarse == DAY:  # a day alone: only as a list item, never 十日 (十日町市)
        return in_list and not p.kanji_day
    return not (p.eraless is not None and p.unit == "年" and p.month is None and not in_list)

def list_item_ok(last: Resolved | None, first: Point, second: Point | None) -> bool:
    """A list item may leave out only what the item before it gives (平成24年7月、3日: no)."""
    if last is None:
        return first.has_year() or first.coarse() == MONTH
    coarse = first.coarse()
    if coarse is None:  # bare range 11～12月: its level is the second end's
        coarse = second.coarse() if second is not None else None
    if coarse is None:
        return False
    if coarse == DAY and first.kanji_day:
        return False
    return coarse <= LEVEL_OF_PRECISION[last.precision]


def fill(first: Point, level: Level, value: int | None, unit: str | None) -> None:
    """Give a dangling first end the unit (and number) that follows: 4～5月 -> 4月."""
    if level == YEAR:
        first.unit = unit
        if value is not None:
            first.eraless = value
    elif level == MONTH:
        first.month = value
    else:
        first.day = value
