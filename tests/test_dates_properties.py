"""Hypothesis properties of the date engine."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dates import find_dates

# Era first days, written here again (not imported) so that the table is checked too.
ERA_STARTS = [
    ("明治", "M", dt.date(1868, 1, 25)),
    ("大正", "T", dt.date(1912, 7, 30)),
    ("昭和", "S", dt.date(1926, 12, 25)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("令和", "R", dt.date(2019, 5, 1)),
]
KANJI_DIGITS = "〇一二三四五六七八九"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CONTEXTS = [("", ""), ("・東京都訪問(", ")"), ("所管局 (21-415) 訪問（", "）を実施"),
            ("10km走 第3回 ", "、5名参加")]


def era_of(day: dt.date) -> tuple[str, str, int]:
    name, letter, start = next(e for e in reversed(ERA_STARTS) if e[2] <= day)
    return name, letter, day.year - start.year + 1


def kanji(n: int) -> str:
    """1..99 in kanji numerals: 24 -> 二十四, 10 -> 十, 31 -> 三十一."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else KANJI_DIGITS[tens] + "十")
    return head + ("" if ones == 0 else KANJI_DIGITS[ones])


def written_forms(day: dt.date) -> list[str]:
    name, letter, year = era_of(day)
    arabic_year = "元" if year == 1 else str(year)
    kanji_year = "元" if year == 1 else kanji(year)
    forms = [
        f"{name}{arabic_year}年{day.month}月{day.day}日",
        f"{name}{arabic_year}年{day.month}月{day.day}日".translate(FULL_WIDTH),
        f"{name}{kanji_year}年{kanji(day.month)}月{kanji(day.day)}日",
        f"{day.year}年{day.month}月{day.day}日",
    ]
    if letter in "HR":
        forms.append(f"{letter}{arabic_year}.{day.month}.{day.day}")
    # a slash date with its era year in brackets, as old registers write it
    forms.append(f"{day.year}/{day.month}/{day.day} ({letter}{year})")
    forms.append(f"{day.year}/{day.month}/{day.day}（{name}{arabic_year}）")
    if day.year < 2100:  # kanji-digit Western years are read for 1800-2099
        digits = "".join(KANJI_DIGITS[int(d)] for d in str(day.year))
        forms.append(f"{digits}年{kanji(day.month)}月{kanji(day.day)}日")
        forms.append(f"{digits.replace('〇', '○')}年{kanji(day.month)}月{kanji(day.day)}日")
    return forms


@settings(max_examples=400, deadline=None)
@given(day=st.dates(min_value=dt.date(1873, 1, 1), max_value=dt.date(2100, 12, 31)),
       context=st.sampled_from(CONTEXTS), fiscal_year=st.sampled_from([None, 2012]))
def test_every_day_in_every_form_comes_back(day: dt.date, context: tuple[str, str],
                                            fiscal_year: int | None) -> None:
    before, after = context
    for form in written_forms(day):
        text = before + form + after
        found = find_dates(text, fiscal_year)
        assert found.warnings == (), text
        assert [(p.text, p.start, p.end, p.precision, p.inferred, p.span)
                for p in found.periods] == [
            (form, day, day, "day", False, (len(before), len(before) + len(form)))], text


DATEISH = st.text(
    alphabet="0123456789０１２年月日度旬上下～〜~－-からまで、，及び平成令和昭大明元HRSMT.／/"
             "十二三四〇同翌()（）土日月曜間第 　東京都"
             "・/-○前末九八一",  # the forms of issue 18: slashes, ・, kanji digits, 前, 末
    max_size=40,
)


def check_result(text: str, fiscal_year: int | None) -> None:
    found = find_dates(text, fiscal_year)
    for p in found.periods:
        assert p.start <= p.end
        assert p.text == text[p.span[0]:p.span[1]]
        assert p.precision in {"day", "dekad", "month", "year", "fiscal_year"}
    for w in found.warnings:
        assert w.code in {"date-invalid", "date-out-of-era", "date-weekday", "date-unresolved",
                          "date-era-mismatch"}
        assert w.text == text[w.span[0]:w.span[1]]
        assert w.text in w.message
        assert "internal error" not in w.message
    spans = [p.span for p in found.periods]
    assert spans == sorted(spans)


@settings(max_examples=400, deadline=None)
@given(text=st.text(), fiscal_year=st.one_of(st.none(), st.integers(-5, 10_000)))
def test_any_text_never_raises(text: str, fiscal_year: int | None) -> None:
    check_result(text, fiscal_year)


@settings(max_examples=500, deadline=None)
@given(text=DATEISH, fiscal_year=st.one_of(st.none(), st.integers(1, 9_999)))
def test_date_like_text_never_raises(text: str, fiscal_year: int | None) -> None:
    check_result(text, fiscal_year)
