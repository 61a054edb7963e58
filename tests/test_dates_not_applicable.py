"""Text that must not become a date: no period and no warning, even with a fiscal year.

Also brackets next to a year that do not confirm it (令和元年（2019年度）): read as before.
"""

from __future__ import annotations

import pytest

from pipeline.dates import find_dates, parse_start_code

Row = tuple[str, str, str, str]  # (text, start, end, precision)

NOT_DATES = [
    "2012東京国際ユース(U-14)サッカー大会参加",
    "(U-14)",
    "10km",
    "5名",
    "(交通局)",
    "十日町市",
    "十日町市との交流",
    "十日町・十一日",  # no date before the list: a kanji day alone is no day
    "3212-2111",
    "東京消防庁総務部総務課 3212-2111",
    "(21-415)",
    "知事本局外務部外務課 (21-415)",
    "アメリカ合衆国ニューヨーク市 (S35)",
    "S35",
    "インドネシア ジャカルタ特別市(H1)",
    "第3回",
    "第3回大会",
    "2012ジャカルタ国際10kmロードレース",
    "平和",
    "日本",
    "月曜",
    "毎月第1月曜日に開催",
    "5日間",
    "3日間の日程で",
    "5年間",
    "滞在3日目に視察",
    "十日",
    "二十日に",
    "20日",
    "同年齢の選手",
    "1980年代の建築",
    "M7.3の地震",
    "最大2.5倍",
    "1234.56",
    "2012.5",
    "3か月",
    "3ヶ月間",
    "平成の時代",
    "令和時代",
    "2012",
    "2012-2111",
    "創立25年",
    "1日当たり",
    "H2O",
    "NH3.5",
    "24時間体制",
    "明日",
    "月日",
    "一日も早く",
    "統一",
    "大阪府",
    "昭和記念公園",
    "U-14",
    "2012-13シーズン",
    "2012～",
    "7～",
    "4～5名",
    # ・ separates list items only after a date
    "ニュー・サウス・ウェールズ州",
    "ニュー・サウス・ウェールズ州副首相の副知事表敬訪問",
    "東京・ソウル",
    "3・11",
    "3・11の教訓",
    # a bare kanji month must end where a date ends
    "五月雨",
    "五月雨式に提出",
    "十月桜",
    "十二月党",
    "五月人形",
    # an era-less year never starts after an ASCII letter
    "COVID19年",
    "X24年度",
    # a bracketed year confirms an era year only with 年 after it (2019（令和元）年度)
    "（2019）",
    "2019（第1回）",
    "2019(R1)",
]


@pytest.mark.parametrize("text", NOT_DATES)
@pytest.mark.parametrize("fiscal_year", [None, 2012])
def test_not_a_date(text: str, fiscal_year: int | None) -> None:
    found = find_dates(text, fiscal_year)
    assert found.periods == ()
    assert found.warnings == ()


def test_start_code_in_running_text_is_not_a_code() -> None:
    assert parse_start_code("ニューヨーク市 (S35)") is None


# Brackets that do not confirm a year: each year is read as it was before the bracketed
# confirmation (令和元年（2019年）) was read as one year.
NOT_CONFIRMATIONS: list[tuple[str, list[Row]]] = [
    ("（2019年）", [("2019年", "2019-01-01", "2019-12-31", "year")]),
    ("報告（2019年）の概要", [("2019年", "2019-01-01", "2019-12-31", "year")]),
    ("令和元年（2019年度）",
     [("令和元年", "2019-01-01", "2019-12-31", "year"),
      ("2019年度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("令和元年（第1回）", [("令和元年", "2019-01-01", "2019-12-31", "year")]),
    ("令和元年（2019）", [("令和元年", "2019-01-01", "2019-12-31", "year")]),
]

# The same year read once, not twice, however the bracket is followed.
YEAR_ONCE: list[tuple[str, list[Row]]] = [
    ("令和元年（2019年）の取組", [("令和元年（2019年）", "2019-01-01", "2019-12-31", "year")]),
    ("令和元年（2019年）に開始", [("令和元年（2019年）", "2019-01-01", "2019-12-31", "year")]),
]


@pytest.mark.parametrize(("text", "expected"), NOT_CONFIRMATIONS + YEAR_ONCE)
def test_bracket_that_is_not_a_confirmation(text: str, expected: list[Row]) -> None:
    found = find_dates(text)
    assert [(p.text, p.start.isoformat(), p.end.isoformat(), p.precision)
            for p in found.periods] == expected
    assert found.warnings == ()


# Neighbours of the forms of issue 18: text next to a new form that must stay no date.
NOT_DATES_NEW_FORMS = [
    # open ranges: a wave dash next to something that is no date
    "東京～大阪",
    "～5名程度",
    "第3回～",
    "10～20名",
    # Western years in kanji digits: only 1800-2099, only with 年
    "一二三四年",
    "二〇一二",
    "一九八二番地",
    "三九八二年",
    "一九八二年代",
    # separators: a comma between numbers stays a list of numbers; a part number is no date
    "2021,7,18",
    "2021, 7, 18",
    "2021，7，18",
    "2021-7",
    "H24-1",
    "R2-1",
    "1/2",
    "2012/13",
    "2012/7/",
    "第3・4・5号",
    "2012/0/1",
    "2021/7ページ",
    # 前年, 前月 with no date before them are words; 前年度比 is a comparison
    "前年を上回る",
    "前年度",
    "前年度比10%増",
    "前月比",
    # spaced digits: one space between every two digits of a four-digit year, nothing else
    "第2 012年",
    "20 12年",
    "平 和",
    # dotted forms with a part left out: only (H25.) before a bracket, (26.3) in brackets
    "H25.",
    "H25. 東京",
    "26.3",
    "最大26.3倍",
    "(26.3%)",
    "(2.5)",
    "(M7.)",
    "(26.13)",
]


@pytest.mark.parametrize("text", NOT_DATES_NEW_FORMS)
@pytest.mark.parametrize("fiscal_year", [None, 2012])
def test_not_a_date_next_to_a_new_form(text: str, fiscal_year: int | None) -> None:
    found = find_dates(text, fiscal_year)
    assert found.periods == ()
    assert found.warnings == ()


# A month/day after a year is a day only where a date ends: 1/2 before ページ is a fraction.
def test_slashed_month_day_that_is_a_fraction() -> None:
    found = find_dates("平成24年 1/2ページ")
    assert [(p.text, p.precision) for p in found.periods] == [("平成24年", "year")]
    assert found.warnings == ()
