"""The date engine, family by family. Every expected value below is written by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.dates import (
    DateWarning,
    Period,
    find_dates,
    parse_start_code,
    period_to_json,
    warning_to_json,
)

Row = tuple[str, str, str, str]  # (text, start, end, precision)


def periods(text: str, fiscal_year: int | None = None) -> list[Row]:
    found = find_dates(text, fiscal_year)
    for p in found.periods:
        assert text[p.span[0]:p.span[1]] == p.text
        assert p.start <= p.end
    return [(p.text, p.start.isoformat(), p.end.isoformat(), p.precision) for p in found.periods]


def codes(text: str, fiscal_year: int | None = None) -> list[str]:
    return [w.code for w in find_dates(text, fiscal_year).warnings]


def one(text: str, start: str, end: str, precision: str, written: str | None = None) -> None:
    assert periods(text) == [(written or text, start, end, precision)]
    assert codes(text) == []


# ---------------------------------------------------------------- single days, every era

DAYS = [
    ("明治6年1月1日", "1873-01-01"),
    ("明治45年7月29日", "1912-07-29"),
    ("明治元年10月23日", "1868-10-23"),
    ("大正元年7月30日", "1912-07-30"),
    ("大正15年12月24日", "1926-12-24"),
    ("大正12年9月1日", "1923-09-01"),
    ("昭和元年12月25日", "1926-12-25"),
    ("昭和35年4月1日", "1960-04-01"),
    ("昭和64年1月7日", "1989-01-07"),
    ("平成元年1月8日", "1989-01-08"),
    ("平成24年4月1日", "2012-04-01"),
    ("平成24年6月7日", "2012-06-07"),
    ("平成31年4月30日", "2019-04-30"),
    ("令和元年5月1日", "2019-05-01"),
    ("令和2年5月1日", "2020-05-01"),
    ("令和6年2月29日", "2024-02-29"),
    ("平成24年2月29日", "2012-02-29"),
    ("平成 24 年 4 月 1 日", "2012-04-01"),
    ("平成24年04月01日", "2012-04-01"),
    # full-width digits
    ("平成２４年４月１日", "2012-04-01"),
    ("令和元年５月１日", "2019-05-01"),
    ("平成２４年１２月３１日", "2012-12-31"),
    ("２０１２年４月１日", "2012-04-01"),
    ("Ｈ２４．４．１", "2012-04-01"),
    # kanji numerals
    ("平成二十四年四月一日", "2012-04-01"),
    ("昭和六十四年一月七日", "1989-01-07"),
    ("令和元年五月一日", "2019-05-01"),
    ("平成十年十月十日", "1998-10-10"),
    ("平成三十一年四月三十日", "2019-04-30"),
    ("明治四十五年七月二十九日", "1912-07-29"),
    ("大正二年十二月二十五日", "1913-12-25"),
    # dotted abbreviations
    ("H24.4.1", "2012-04-01"),
    ("R2.5.1", "2020-05-01"),
    ("R元.5.1", "2019-05-01"),
    ("H元.1.8", "1989-01-08"),
    ("S35.4.1", "1960-04-01"),
    ("T12.9.1", "1923-09-01"),
    ("M45.7.29", "1912-07-29"),
    ("平24.4.1", "2012-04-01"),
    ("令2.5.1", "2020-05-01"),
    ("昭35.4.1", "1960-04-01"),
    ("平成24.4.1", "2012-04-01"),
    ("H24.12.31", "2012-12-31"),
    # Western
    ("2012年4月1日", "2012-04-01"),
    ("2012/4/1", "2012-04-01"),
    ("2012/04/01", "2012-04-01"),
    ("2012.4.1", "2012-04-01"),
    ("1960年4月1日", "1960-04-01"),
    ("2100年12月31日", "2100-12-31"),
]


@pytest.mark.parametrize(("text", "day"), DAYS)
def test_single_day(text: str, day: str) -> None:
    one(text, day, day, "day")


# ---------------------------------------------------------------- precision

PRECISION = [
    ("平成24年6月", "2012-06-01", "2012-06-30", "month"),
    ("平成24年2月", "2012-02-01", "2012-02-29", "month"),
    ("平成25年2月", "2013-02-01", "2013-02-28", "month"),
    ("平成24年12月", "2012-12-01", "2012-12-31", "month"),
    ("平成二十四年十一月", "2012-11-01", "2012-11-30", "month"),
    ("H30.7", "2018-07-01", "2018-07-31", "month"),
    ("R2.12", "2020-12-01", "2020-12-31", "month"),
    ("2012年4月", "2012-04-01", "2012-04-30", "month"),
    ("平成31年4月", "2019-04-01", "2019-04-30", "month"),
    ("平成24年", "2012-01-01", "2012-12-31", "year"),
    ("令和元年", "2019-01-01", "2019-12-31", "year"),
    ("2012年", "2012-01-01", "2012-12-31", "year"),
    ("平成元年", "1989-01-01", "1989-12-31", "year"),
    ("平成24年度", "2012-04-01", "2013-03-31", "fiscal_year"),
    ("2012年度", "2012-04-01", "2013-03-31", "fiscal_year"),
    ("平成31年度", "2019-04-01", "2020-03-31", "fiscal_year"),
    ("令和元年度", "2019-04-01", "2020-03-31", "fiscal_year"),
    ("令和2年度", "2020-04-01", "2021-03-31", "fiscal_year"),
    ("昭和63年度", "1988-04-01", "1989-03-31", "fiscal_year"),
    ("平成元年度", "1989-04-01", "1990-03-31", "fiscal_year"),
    ("平成２４年度", "2012-04-01", "2013-03-31", "fiscal_year"),
    ("平成24年4月上旬", "2012-04-01", "2012-04-10", "dekad"),
    ("平成24年4月中旬", "2012-04-11", "2012-04-20", "dekad"),
    ("平成24年4月下旬", "2012-04-21", "2012-04-30", "dekad"),
    ("平成24年2月下旬", "2012-02-21", "2012-02-29", "dekad"),
    ("平成25年2月下旬", "2013-02-21", "2013-02-28", "dekad"),
    ("平成24年12月下旬", "2012-12-21", "2012-12-31", "dekad"),
    ("2012年8月初旬", "2012-08-01", "2012-08-10", "dekad"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), PRECISION)
def test_precision(text: str, start: str, end: str, precision: str) -> None:
    one(text, start, end, precision)


# ---------------------------------------------------------------- ranges (one period each)

RANGES = [
    ("平成24年4～5月", "2012-04-01", "2012-05-31", "month"),
    ("平成24年4〜5月", "2012-04-01", "2012-05-31", "month"),
    ("平成24年4~5月", "2012-04-01", "2012-05-31", "month"),
    ("平成24年4－5月", "2012-04-01", "2012-05-31", "month"),
    ("平成24年8～9月", "2012-08-01", "2012-09-30", "month"),
    ("平成24年4月～5月", "2012-04-01", "2012-05-31", "month"),
    ("平成24年7月22日から29日まで", "2012-07-22", "2012-07-29", "day"),
    ("平成24年7月22日～29日", "2012-07-22", "2012-07-29", "day"),
    ("平成24年7月22～29日", "2012-07-22", "2012-07-29", "day"),
    ("平成24年7月22日～8月3日", "2012-07-22", "2012-08-03", "day"),
    ("平成24年7月22～8月3日", "2012-07-22", "2012-08-03", "day"),
    ("平成24年7月30日～2日", "2012-07-30", "2012-08-02", "day"),
    ("平成24年12月～25年1月", "2012-12-01", "2013-01-31", "month"),
    ("平成24年12月～1月", "2012-12-01", "2013-01-31", "month"),
    ("平成24年12月28日～1月4日", "2012-12-28", "2013-01-04", "day"),
    ("平成24年6月12日から同年6月16日", "2012-06-12", "2012-06-16", "day"),
    ("平成24年12月から翌年3月まで", "2012-12-01", "2013-03-31", "month"),
    ("平成24年度～26年度", "2012-04-01", "2015-03-31", "fiscal_year"),
    ("平成24～26年度", "2012-04-01", "2015-03-31", "fiscal_year"),
    ("2012年度～2014年度", "2012-04-01", "2015-03-31", "fiscal_year"),
    ("2012～2014年", "2012-01-01", "2014-12-31", "year"),
    ("平成24年～26年", "2012-01-01", "2014-12-31", "year"),
    ("平成30年12月～令和元年5月", "2018-12-01", "2019-05-31", "month"),
    ("平成31年4月30日～令和元年5月1日", "2019-04-30", "2019-05-01", "day"),
    ("平成30年度～令和2年度", "2018-04-01", "2021-03-31", "fiscal_year"),
    ("2012年4月1日～2013年3月31日", "2012-04-01", "2013-03-31", "day"),
    ("平成24年4月上旬～中旬", "2012-04-01", "2012-04-20", "dekad"),
    ("平成24年4月下旬～5月上旬", "2012-04-21", "2012-05-10", "dekad"),
    ("H24.7.22～H24.7.29", "2012-07-22", "2012-07-29", "day"),
    ("H24.7.22～8.3", "2012-07-22", "2012-08-03", "day"),
    ("2012/12/28～2013/1/4", "2012-12-28", "2013-01-04", "day"),
    ("平成24年7月22日 ～ 29日", "2012-07-22", "2012-07-29", "day"),
    ("平成二十四年七月二十二日から二十九日まで", "2012-07-22", "2012-07-29", "day"),
    ("平成24年4月～平成25年3月", "2012-04-01", "2013-03-31", "month"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), RANGES)
def test_range_is_one_period(text: str, start: str, end: str, precision: str) -> None:
    one(text, start, end, precision)


# ---------------------------------------------------------------- in running text

IN_TEXT: list[tuple[str, list[Row]]] = [
    ("知事本局職員のニューヨーク市主催サミット参加(平成24年6月)",
     [("平成24年6月", "2012-06-01", "2012-06-30", "month")]),
    ("北京市代表チームの2012東京国際ユース(U-14)サッカー大会参加(平成24年4～5月)",
     [("平成24年4～5月", "2012-04-01", "2012-05-31", "month")]),
    ("2012ジャカルタ国際10kmロードレースへの東京都からの選手派遣(平成24年5月)",
     [("平成24年5月", "2012-05-01", "2012-05-31", "month")]),
    ("平成24年7月22日から29日までニューヨーク市及びニューヨーク州を訪問し、視察を実施。",
     [("平成24年7月22日から29日まで", "2012-07-22", "2012-07-29", "day")]),
    ("平成24年6月7日、市職員等5名に対し、東京の節電対策に関する意見交換を実施。",
     [("平成24年6月7日", "2012-06-07", "2012-06-07", "day")]),
    ("平成24年6月12日から同年6月16日の間、中国日本友好協会の招へいにより視察を実施。",
     [("平成24年6月12日から同年6月16日", "2012-06-12", "2012-06-16", "day")]),
    ("平成24年4月に開始し、同年8月に終了",
     [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
      ("同年8月", "2012-08-01", "2012-08-31", "month")]),
    ("平成24年11月に来日、翌年2月に帰国",
     [("平成24年11月", "2012-11-01", "2012-11-30", "month"),
      ("翌年2月", "2013-02-01", "2013-02-28", "month")]),
    ("平成24年10月1日に着任し、同月15日に離任",
     [("平成24年10月1日", "2012-10-01", "2012-10-01", "day"),
      ("同月15日", "2012-10-15", "2012-10-15", "day")]),
    ("平成24年度に開始、翌年度も継続",
     [("平成24年度", "2012-04-01", "2013-03-31", "fiscal_year"),
      ("翌年度", "2013-04-01", "2014-03-31", "fiscal_year")]),
    ("平成24年4月、24年度事業として実施",
     [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
      ("24年度", "2012-04-01", "2013-03-31", "fiscal_year")]),
    ("平成25年2月10日に着任、同年度末まで在籍",
     [("平成25年2月10日", "2013-02-10", "2013-02-10", "day"),
      ("同年度", "2012-04-01", "2013-03-31", "fiscal_year")]),
    ("平成24年12月に開始し、翌月完了",
     [("平成24年12月", "2012-12-01", "2012-12-31", "month"),
      ("翌月", "2013-01-01", "2013-01-31", "month")]),
    ("2012年に開始し、翌年度も継続",
     [("2012年", "2012-01-01", "2012-12-31", "year"),
      ("翌年度", "2013-04-01", "2014-03-31", "fiscal_year")]),
    ("会議(H24.4.1)及び視察(H24.5.10)",
     [("H24.4.1", "2012-04-01", "2012-04-01", "day"),
      ("H24.5.10", "2012-05-10", "2012-05-10", "day")]),
    ("訪問（平成２４年１０月）", [("平成２４年１０月", "2012-10-01", "2012-10-31", "month")]),
]


@pytest.mark.parametrize(("text", "expected"), IN_TEXT)
def test_dates_in_running_text(text: str, expected: list[Row]) -> None:
    assert periods(text) == expected
    assert codes(text) == []


# ---------------------------------------------------------------- lists

LISTS: list[tuple[str, list[Row]]] = [
    ("平成24年7～8月、11～12月",
     [("平成24年7～8月", "2012-07-01", "2012-08-31", "month"),
      ("11～12月", "2012-11-01", "2012-12-31", "month")]),
    ("平成24年4月、6月及び9月",
     [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
      ("6月", "2012-06-01", "2012-06-30", "month"),
      ("9月", "2012-09-01", "2012-09-30", "month")]),
    ("平成24年4月，6月",
     [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
      ("6月", "2012-06-01", "2012-06-30", "month")]),
    ("平成24年4月,6月",
     [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
      ("6月", "2012-06-01", "2012-06-30", "month")]),
    ("平成24年4月および6月",
     [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
      ("6月", "2012-06-01", "2012-06-30", "month")]),
    ("平成24年4月並びに6月",
     [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
      ("6月", "2012-06-01", "2012-06-30", "month")]),
    ("平成24年7月1日、3日及び5日",
     [("平成24年7月1日", "2012-07-01", "2012-07-01", "day"),
      ("3日", "2012-07-03", "2012-07-03", "day"),
      ("5日", "2012-07-05", "2012-07-05", "day")]),
    ("平成24年7月1日、8月3日",
     [("平成24年7月1日", "2012-07-01", "2012-07-01", "day"),
      ("8月3日", "2012-08-03", "2012-08-03", "day")]),
    ("平成24年11月、1月",
     [("平成24年11月", "2012-11-01", "2012-11-30", "month"),
      ("1月", "2013-01-01", "2013-01-31", "month")]),
    ("平成24年度、25年度",
     [("平成24年度", "2012-04-01", "2013-03-31", "fiscal_year"),
      ("25年度", "2013-04-01", "2014-03-31", "fiscal_year")]),
    ("平成24年7月22～29日、8月5～12日",
     [("平成24年7月22～29日", "2012-07-22", "2012-07-29", "day"),
      ("8月5～12日", "2012-08-05", "2012-08-12", "day")]),
    ("平成24年4月、平成25年1月",
     [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
      ("平成25年1月", "2013-01-01", "2013-01-31", "month")]),
]


@pytest.mark.parametrize(("text", "expected"), LISTS)
def test_list_items_inherit_the_year(text: str, expected: list[Row]) -> None:
    assert periods(text) == expected
    assert codes(text) == []


# ---------------------------------------------------------------- bare months: fiscal_year

BARE = [
    ("(3月)", 2020, "3月", "2021-03-01", "2021-03-31", "month"),
    ("(10月)", 2020, "10月", "2020-10-01", "2020-10-31", "month"),
    ("4月", 2020, "4月", "2020-04-01", "2020-04-30", "month"),
    ("12月", 2020, "12月", "2020-12-01", "2020-12-31", "month"),
    ("1月", 2020, "1月", "2021-01-01", "2021-01-31", "month"),
    ("5月1日", 2020, "5月1日", "2020-05-01", "2020-05-01", "day"),
    ("2月29日", 2023, "2月29日", "2024-02-29", "2024-02-29", "day"),
    ("十二月二十五日", 2012, "十二月二十五日", "2012-12-25", "2012-12-25", "day"),
    ("三月", 2012, "三月", "2013-03-01", "2013-03-31", "month"),
    ("7月22日～29日", 2012, "7月22日～29日", "2012-07-22", "2012-07-29", "day"),
    ("7～8月", 2012, "7～8月", "2012-07-01", "2012-08-31", "month"),
    ("12月～1月", 2012, "12月～1月", "2012-12-01", "2013-01-31", "month"),
    ("6月下旬", 2012, "6月下旬", "2012-06-21", "2012-06-30", "dekad"),
    ("研修生の派遣(８月)", 2012, "８月", "2012-08-01", "2012-08-31", "month"),
]


@pytest.mark.parametrize(("text", "fiscal_year", "written", "start", "end", "precision"), BARE)
def test_bare_month_takes_the_fiscal_year(text: str, fiscal_year: int, written: str, start: str,
                                          end: str, precision: str) -> None:
    found = find_dates(text, fiscal_year)
    assert [(p.text, p.start.isoformat(), p.end.isoformat(), p.precision, p.inferred)
            for p in found.periods] == [(written, start, end, precision, True)]
    assert found.warnings == ()


def test_written_year_is_not_inferred_even_with_a_fiscal_year() -> None:
    assert [p.inferred for p in find_dates("平成24年4月", 2020).periods] == [False]


def test_bare_list_uses_the_fiscal_rule_item_by_item() -> None:
    found = find_dates("3月、4月", 2020)
    assert [(p.text, p.start.isoformat(), p.inferred) for p in found.periods] == [
        ("3月", "2021-03-01", True), ("4月", "2020-04-01", True)]


# ---------------------------------------------------------------- weekdays

WEEKDAYS = [
    ("平成24年7月22日(日)", "2012-07-22", "2012-07-22", []),
    ("平成24年7月22日（日）", "2012-07-22", "2012-07-22", []),
    ("平成24年7月22日(月)", "2012-07-22", "2012-07-22", ["date-weekday"]),
    ("令和元年5月1日(水)", "2019-05-01", "2019-05-01", []),
    ("令和元年5月1日（木）", "2019-05-01", "2019-05-01", ["date-weekday"]),
    ("平成24年4月1日(日)", "2012-04-01", "2012-04-01", []),
    ("平成24年7月21日(土・日)", "2012-07-21", "2012-07-21", []),
    ("平成24年7月21日～22日(土・日)", "2012-07-21", "2012-07-22", []),
    ("平成24年7月21日～22日(金・土)", "2012-07-21", "2012-07-22", ["date-weekday"]),
    ("平成24年7月22日(日)～29日(日)", "2012-07-22", "2012-07-29", []),
    ("平成24年7月22日(日)～29日(月)", "2012-07-22", "2012-07-29", ["date-weekday"]),
    ("平成24年12月28日(金)～1月4日(金)", "2012-12-28", "2013-01-04", []),
    ("H24.7.22(日)", "2012-07-22", "2012-07-22", []),
    ("平成24年7月23日(月・祝)", "2012-07-23", "2012-07-23", []),
]


@pytest.mark.parametrize(("text", "start", "end", "warned"), WEEKDAYS)
def test_weekday_marker(text: str, start: str, end: str, warned: list[str]) -> None:
    assert periods(text) == [(text, start, end, "day")]
    assert codes(text) == warned


# ---------------------------------------------------------------- out of era: read, but warned

OUT_OF_ERA = [
    ("平成32年5月1日", "2020-05-01", "2020-05-01", "day"),
    ("昭和64年1月8日", "1989-01-08", "1989-01-08", "day"),
    ("平成元年1月7日", "1989-01-07", "1989-01-07", "day"),
    ("令和元年4月30日", "2019-04-30", "2019-04-30", "day"),
    ("大正元年7月29日", "1912-07-29", "1912-07-29", "day"),
    ("平成31年5月", "2019-05-01", "2019-05-31", "month"),
    ("平成32年度", "2020-04-01", "2021-03-31", "fiscal_year"),
    ("昭和65年", "1990-01-01", "1990-12-31", "year"),
    ("H32.5.1", "2020-05-01", "2020-05-01", "day"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), OUT_OF_ERA)
def test_out_of_era_is_converted_and_warned(text: str, start: str, end: str,
                                            precision: str) -> None:
    assert periods(text) == [(text, start, end, precision)]
    assert codes(text) == ["date-out-of-era"]


IN_ERA_BY_OVERLAP = ["令和元年度", "平成31年度", "平成31年4月", "令和元年", "平成元年", "昭和64年",
                     "昭和64年1月", "平成元年1月", "令和元年5月"]


@pytest.mark.parametrize("text", IN_ERA_BY_OVERLAP)
def test_coarse_period_overlapping_the_era_is_not_warned(text: str) -> None:
    assert len(periods(text)) == 1
    assert codes(text) == []


def test_out_of_era_message_names_the_text() -> None:
    (warning,) = find_dates("平成32年5月1日").warnings
    assert warning.text == "平成32年5月1日"
    assert warning.message.startswith("平成32年5月1日")
    assert "2020-05-01" in warning.message


# ---------------------------------------------------------------- not a date: invalid

INVALID = [
    "平成24年2月30日",
    "令和0年",
    "平成24年13月",
    "2012年4月31日",
    "平成25年2月29日",
    "平成24年4月0日",
    "H24.2.30",
    "2012/4/31",
    "令和0年度",
    "平成24年6月31日",
    "平成24年7月29日～平成24年7月22日",
    "平成26年度～24年度",
]


@pytest.mark.parametrize("text", INVALID)
def test_impossible_date_is_a_warning_not_a_period(text: str) -> None:
    found = find_dates(text)
    assert found.periods == ()
    assert found.warnings == (DateWarning("date-invalid", f"{text} is not a date", text,
                                          (0, len(text))),)


def test_invalid_date_in_running_text_keeps_its_span() -> None:
    found = find_dates("視察(平成24年2月30日)を実施")
    assert found.periods == ()
    assert [(w.code, w.text, w.span) for w in found.warnings] == [
        ("date-invalid", "平成24年2月30日", (3, 13))]


# ---------------------------------------------------------------- unresolved

UNRESOLVED = [
    ("(3月)", "3月"),
    ("5月1日", "5月1日"),
    ("十二月二十五日", "十二月二十五日"),
    ("同年8月に実施", "同年8月"),
    ("翌年3月", "翌年3月"),
    ("同月15日", "同月15日"),
    ("25年1月に実施", "25年1月"),
    ("24年度実績", "24年度"),
    ("7～8月", "7～8月"),
    ("訪問(平成24年4～)", "平成24年4"),
    ("平成24～", "平成24"),
]


@pytest.mark.parametrize(("text", "written"), UNRESOLVED)
def test_unresolved_without_a_year(text: str, written: str) -> None:
    found = find_dates(text)
    assert found.periods == ()
    assert [(w.code, w.text) for w in found.warnings] == [("date-unresolved", written)]
    assert found.warnings[0].message.startswith(written)


# ---------------------------------------------------------------- start codes

START_CODES = [
    ("S35", 1960),
    ("S53", 1978),
    ("S63", 1988),
    ("H1", 1989),
    ("H元", 1989),
    ("H2", 1990),
    ("H18", 2006),
    ("R2", 2020),
    ("R元", 2019),
    ("M1", 1868),
    ("T1", 1912),
    ("昭和35", 1960),
    ("平成元", 1989),
    ("平成元年度", 1989),
    ("令和2年", 2020),
    ("Ｓ３５", 1960),
    ("昭35", 1960),
    (" H8 ", 1996),
    ("S35x", None),
    ("X35", None),
    ("S", None),
    ("S0", None),
    ("35", None),
    ("", None),
    ("平和", None),
]


@pytest.mark.parametrize(("code", "year"), START_CODES)
def test_parse_start_code(code: str, year: int | None) -> None:
    assert parse_start_code(code) == year


# ---------------------------------------------------------------- JSON and the result object

def test_period_to_json() -> None:
    (period,) = find_dates("訪問(平成24年4～5月)").periods
    assert period_to_json(period) == {"text": "平成24年4～5月", "start": "2012-04-01",
                                      "end": "2012-05-31", "precision": "month",
                                      "inferred": False, "open_start": False,
                                      "open_end": False}
    assert period == Period("平成24年4～5月", dt.date(2012, 4, 1), dt.date(2012, 5, 31), "month",
                            False, (3, 12))


def test_warning_to_json() -> None:
    (warning,) = find_dates("平成24年2月30日").warnings
    assert warning_to_json(warning) == {"code": "date-invalid",
                                        "message": "平成24年2月30日 is not a date"}


def test_spans_are_offsets_in_the_input() -> None:
    text = "・サンパウロ州代表チームの訪問（平成２４年４～５月）及び視察（H24.8.1）"
    found = find_dates(text)
    assert [p.text for p in found.periods] == ["平成２４年４～５月", "H24.8.1"]
    assert [text[p.span[0]:p.span[1]] for p in found.periods] == ["平成２４年４～５月", "H24.8.1"]


# ---------------------------------------------------------------- regressions (review 2)

# A one-letter era directly followed by its year and 年/年度 is an era date, and an era-less
# year never starts right after an ASCII letter (H24年度 is not 24年度 of the era before).
LETTER_ERA_YEAR: list[tuple[str, list[Row]]] = [
    ("H24年度", [("H24年度", "2012-04-01", "2013-03-31", "fiscal_year")]),
    ("R2年度", [("R2年度", "2020-04-01", "2021-03-31", "fiscal_year")]),
    ("Ｈ２４年度", [("Ｈ２４年度", "2012-04-01", "2013-03-31", "fiscal_year")]),
    ("R元年", [("R元年", "2019-01-01", "2019-12-31", "year")]),
    ("H24年", [("H24年", "2012-01-01", "2012-12-31", "year")]),
    ("H24年4月1日", [("H24年4月1日", "2012-04-01", "2012-04-01", "day")]),
    ("H24～H26年度", [("H24～H26年度", "2012-04-01", "2015-03-31", "fiscal_year")]),
    ("H24～26年度", [("H24～26年度", "2012-04-01", "2015-03-31", "fiscal_year")]),
    ("令和2年4月 H24年度", [("令和2年4月", "2020-04-01", "2020-04-30", "month"),
                           ("H24年度", "2012-04-01", "2013-03-31", "fiscal_year")]),
    ("平成24年度 R2年度", [("平成24年度", "2012-04-01", "2013-03-31", "fiscal_year"),
                          ("R2年度", "2020-04-01", "2021-03-31", "fiscal_year")]),
]


@pytest.mark.parametrize(("text", "expected"), LETTER_ERA_YEAR)
def test_letter_era_with_year_unit(text: str, expected: list[Row]) -> None:
    assert periods(text) == expected
    assert codes(text) == []


# ・ separates list items, and a first item may leave its unit to the next (7・8月).
NAKAGURO: list[tuple[str, int | None, list[Row]]] = [
    ("平成24年7・8月", None, [("平成24年7", "2012-07-01", "2012-07-31", "month"),
                             ("8月", "2012-08-01", "2012-08-31", "month")]),
    ("平成24年7・8月", 2011, [("平成24年7", "2012-07-01", "2012-07-31", "month"),
                             ("8月", "2012-08-01", "2012-08-31", "month")]),
    ("平成24年4月・5月", 2011, [("平成24年4月", "2012-04-01", "2012-04-30", "month"),
                               ("5月", "2012-05-01", "2012-05-31", "month")]),
    ("平成24年7月7日・8日", None, [("平成24年7月7日", "2012-07-07", "2012-07-07", "day"),
                                  ("8日", "2012-07-08", "2012-07-08", "day")]),
    ("平成24年7月7･8日", None, [("平成24年7月7", "2012-07-07", "2012-07-07", "day"),
                               ("8日", "2012-07-08", "2012-07-08", "day")]),
    ("平成24・25年度", None, [("平成24", "2012-04-01", "2013-03-31", "fiscal_year"),
                             ("25年度", "2013-04-01", "2014-03-31", "fiscal_year")]),
    ("平成24年6・7・8月", None, [("平成24年6", "2012-06-01", "2012-06-30", "month"),
                                ("7", "2012-07-01", "2012-07-31", "month"),
                                ("8月", "2012-08-01", "2012-08-31", "month")]),
    ("R2・3年度", None, [("R2", "2020-04-01", "2021-03-31", "fiscal_year"),
                        ("3年度", "2021-04-01", "2022-03-31", "fiscal_year")]),
    ("平成23年度、24・25年度", None,
     [("平成23年度", "2011-04-01", "2012-03-31", "fiscal_year"),
      ("24", "2012-04-01", "2013-03-31", "fiscal_year"),
      ("25年度", "2013-04-01", "2014-03-31", "fiscal_year")]),
    ("7・8月", 2012, [("7", "2012-07-01", "2012-07-31", "month"),
                     ("8月", "2012-08-01", "2012-08-31", "month")]),
    ("平成24年7月22日(日)・23日(月)", None,
     [("平成24年7月22日(日)", "2012-07-22", "2012-07-22", "day"),
      ("23日(月)", "2012-07-23", "2012-07-23", "day")]),
    # Kanji days in such a list are days, every one of them (the 11th was dropped silently).
    ("平成24年7月十・十一日", None,
     [("平成24年7月十", "2012-07-10", "2012-07-10", "day"),
      ("十一日", "2012-07-11", "2012-07-11", "day")]),
    ("平成24年7月十・十一・十二日", None,
     [("平成24年7月十", "2012-07-10", "2012-07-10", "day"),
      ("十一", "2012-07-11", "2012-07-11", "day"),
      ("十二日", "2012-07-12", "2012-07-12", "day")]),
    ("平成24年7月10・十一日", None,
     [("平成24年7月10", "2012-07-10", "2012-07-10", "day"),
      ("十一日", "2012-07-11", "2012-07-11", "day")]),
    ("平成24年7月十・11・十二日", None,
     [("平成24年7月十", "2012-07-10", "2012-07-10", "day"),
      ("11", "2012-07-11", "2012-07-11", "day"),
      ("十二日", "2012-07-12", "2012-07-12", "day")]),
    # ... but a place name is no day: 四日市, 十日町 (the list stops before it).
    ("平成24年7月3日・四日市", None, [("平成24年7月3日", "2012-07-03", "2012-07-03", "day")]),
    ("平成24年7月十・十日町", None, [("平成24年7月十", "2012-07-10", "2012-07-10", "day")]),
    ("平成24年7月10・11・12日", None,
     [("平成24年7月10", "2012-07-10", "2012-07-10", "day"),
      ("11", "2012-07-11", "2012-07-11", "day"),
      ("12日", "2012-07-12", "2012-07-12", "day")]),
]


@pytest.mark.parametrize(("text", "fiscal_year", "expected"), NAKAGURO)
def test_nakaguro_separates_list_items(text: str, fiscal_year: int | None,
                                       expected: list[Row]) -> None:
    assert periods(text, fiscal_year) == expected
    assert codes(text, fiscal_year) == []


# A dotted or slashed first end may be followed by a bare day (after a day) or month.
DOTTED_BARE_END = [
    ("H24.7.22～29", "2012-07-22", "2012-07-29", "day"),
    ("2012/4/1～5", "2012-04-01", "2012-04-05", "day"),
    ("H24.7～8", "2012-07-01", "2012-08-31", "month"),
    ("H24.7.30～2", "2012-07-30", "2012-08-02", "day"),
    ("平24.7.22～29", "2012-07-22", "2012-07-29", "day"),
    ("H24.7.22～29日", "2012-07-22", "2012-07-29", "day"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), DOTTED_BARE_END)
def test_dotted_range_with_bare_second_end(text: str, start: str, end: str,
                                           precision: str) -> None:
    one(text, start, end, precision)


@pytest.mark.parametrize(("text", "written"), [
    ("H24.7.22～99", "H24.7.22～"),
    ("H24.7.22～29.5", "H24.7.22～"),
    ("2012/4/1～40", "2012/4/1～"),
])
def test_dotted_range_with_unreadable_second_end_is_unresolved(text: str,
                                                               written: str) -> None:
    found = find_dates(text)
    assert found.periods == ()
    assert [(w.code, w.text) for w in found.warnings] == [("date-unresolved", written)]


# 同年同月 (= 同月) and 同N日 (the same month) as a range end or list item.
SAME_MONTH = [
    ("平成24年4月1日～同年同月10日", "2012-04-01", "2012-04-10", "day"),
    ("平成24年4月1日～同10日", "2012-04-01", "2012-04-10", "day"),
    ("平成24年4月1日から同10日まで", "2012-04-01", "2012-04-10", "day"),
    ("平成24年4月1日～同年同月十日", "2012-04-01", "2012-04-10", "day"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision"), SAME_MONTH)
def test_same_month_range_end(text: str, start: str, end: str, precision: str) -> None:
    one(text, start, end, precision)


def test_same_day_number_after_a_date_in_running_text() -> None:
    assert periods("平成24年4月1日に着任し、同10日に帰国") == [
        ("平成24年4月1日", "2012-04-01", "2012-04-01", "day"),
        ("同10日", "2012-04-10", "2012-04-10", "day")]


# A bare kanji month is a date only where a date ends (not 五月雨, 十月桜).
KANJI_MONTH_ENDS = [
    ("五月", "五月", "2012-05-01", "2012-05-31", "month"),
    ("五月、", "五月", "2012-05-01", "2012-05-31", "month"),
    ("（五月）", "五月", "2012-05-01", "2012-05-31", "month"),
    ("五月上旬", "五月上旬", "2012-05-01", "2012-05-10", "dekad"),
    ("五月に開催", "五月", "2012-05-01", "2012-05-31", "month"),
    ("十月 開催", "十月", "2012-10-01", "2012-10-31", "month"),
    ("十二月。", "十二月", "2012-12-01", "2012-12-31", "month"),
]


@pytest.mark.parametrize(("text", "written", "start", "end", "precision"), KANJI_MONTH_ENDS)
def test_bare_kanji_month_where_a_date_ends(text: str, written: str, start: str, end: str,
                                            precision: str) -> None:
    assert periods(text, 2012) == [(written, start, end, precision)]
    assert codes(text, 2012) == []


# ---------------------------------------------------------------- bracketed confirming year

# Since 2019 the Tokyo government writes the Western year in brackets after the era year
# (令和元年（2019年）7月20日), or the era year in brackets after the Western one (2019（令和元）年度).
# The bracket confirms the year: one period, its text as written.
CONFIRMED_YEAR: list[tuple[str, list[Row]]] = [
    ("知事訪問（令和元年（2019年）7月20日）",
     [("令和元年（2019年）7月20日", "2019-07-20", "2019-07-20", "day")]),
    ("令和元年（2019年）7月20日", [("令和元年（2019年）7月20日", "2019-07-20", "2019-07-20", "day")]),
    ("令和元年(2019年)7月20日", [("令和元年(2019年)7月20日", "2019-07-20", "2019-07-20", "day")]),
    ("令和元年（２０１９年）７月２０日",
     [("令和元年（２０１９年）７月２０日", "2019-07-20", "2019-07-20", "day")]),
    ("令和元年（2019年）7月", [("令和元年（2019年）7月", "2019-07-01", "2019-07-31", "month")]),
    ("令和元年（2019年）7月下旬",
     [("令和元年（2019年）7月下旬", "2019-07-21", "2019-07-31", "dekad")]),
    ("令和元（2019）年度実績", [("令和元（2019）年度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("令和元(2019)年度", [("令和元(2019)年度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("令和２（２０２０）年度", [("令和２（２０２０）年度", "2020-04-01", "2021-03-31", "fiscal_year")]),
    ("令和元（2019）年", [("令和元（2019）年", "2019-01-01", "2019-12-31", "year")]),
    ("2019（令和元）年度実績", [("2019（令和元）年度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("2019(令和元)年度", [("2019(令和元)年度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("２０２０（令和２）年度", [("２０２０（令和２）年度", "2020-04-01", "2021-03-31", "fiscal_year")]),
    ("令和元年（2019年）度", [("令和元年（2019年）度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("令和元年（2019年）", [("令和元年（2019年）", "2019-01-01", "2019-12-31", "year")]),
    ("平成31年（2019年）3月", [("平成31年（2019年）3月", "2019-03-01", "2019-03-31", "month")]),
    ("令和2年（2020年）4月～令和3年（2021年）3月",
     [("令和2年（2020年）4月～令和3年（2021年）3月", "2020-04-01", "2021-03-31", "month")]),
    ("令和2年（2020年）4月～3年（2021年）3月",
     [("令和2年（2020年）4月～3年（2021年）3月", "2020-04-01", "2021-03-31", "month")]),
    ("令和2年（2020年）4～5月", [("令和2年（2020年）4～5月", "2020-04-01", "2020-05-31", "month")]),
    ("令和元年（2019年）7月20日、令和2年（2020年）1月",
     [("令和元年（2019年）7月20日", "2019-07-20", "2019-07-20", "day"),
      ("令和2年（2020年）1月", "2020-01-01", "2020-01-31", "month")]),
    ("R2年（2020年）4月", [("R2年（2020年）4月", "2020-04-01", "2020-04-30", "month")]),
    ("2019（令和元）年7月", [("2019（令和元）年7月", "2019-07-01", "2019-07-31", "month")]),
    ("平成31（2019）年度", [("平成31（2019）年度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("令和元 （ 2019 ） 年度",
     [("令和元 （ 2019 ） 年度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("令和元（2019）年度～令和2（2020）年度",
     [("令和元（2019）年度～令和2（2020）年度", "2019-04-01", "2021-03-31", "fiscal_year")]),
    ("令和元年5月、2年（2020年）4月",
     [("令和元年5月", "2019-05-01", "2019-05-31", "month"),
      ("2年（2020年）4月", "2020-04-01", "2020-04-30", "month")]),
    ("令和元年（2019年）7月20日（土）",
     [("令和元年（2019年）7月20日（土）", "2019-07-20", "2019-07-20", "day")]),
    # The Western year first, the era year in brackets after its 年 (some bureaus' form).
    ("2019年（令和元年）7月20日", [("2019年（令和元年）7月20日", "2019-07-20", "2019-07-20", "day")]),
    ("訪問（2019年(令和元年)7月）", [("2019年(令和元年)7月", "2019-07-01", "2019-07-31", "month")]),
    ("2019年（令和元年）", [("2019年（令和元年）", "2019-01-01", "2019-12-31", "year")]),
    ("2019年（令和元年）度", [("2019年（令和元年）度", "2019-04-01", "2020-03-31", "fiscal_year")]),
    ("2018年（平成30年）度実績",
     [("2018年（平成30年）度", "2018-04-01", "2019-03-31", "fiscal_year")]),
    ("2019年（平成31年）4月1日", [("2019年（平成31年）4月1日", "2019-04-01", "2019-04-01", "day")]),
    ("2019年（令和元年）7月～2020年（令和2年）3月",
     [("2019年（令和元年）7月～2020年（令和2年）3月", "2019-07-01", "2020-03-31", "month")]),
]


@pytest.mark.parametrize(("text", "expected"), CONFIRMED_YEAR)
def test_bracketed_year_confirms_the_year(text: str, expected: list[Row]) -> None:
    assert periods(text) == expected
    assert codes(text) == []


# The two years disagree: a warning naming both, and no period (never a guess).
YEARS_DISAGREE = [
    ("令和元年（2020年）7月", "令和元年（2020年）7月", 2019, 2020),
    ("令和元(2020)年度", "令和元(2020)年度", 2019, 2020),
    ("2020（令和元）年度実績", "2020（令和元）年度", 2019, 2020),
    ("令和元年（2018年）度", "令和元年（2018年）度", 2019, 2018),
    ("令和２年（２０１９年）４月１日", "令和２年（２０１９年）４月１日", 2020, 2019),
    ("2019年（令和2年）7月", "2019年（令和2年）7月", 2020, 2019),
    ("2019年（令和2年）度", "2019年（令和2年）度", 2020, 2019),
]


@pytest.mark.parametrize(("text", "written", "era_year", "bracket_year"), YEARS_DISAGREE)
def test_bracketed_year_that_disagrees_is_a_warning(text: str, written: str, era_year: int,
                                                    bracket_year: int) -> None:
    found = find_dates(text)
    assert found.periods == ()
    assert [(w.code, w.text) for w in found.warnings] == [("date-invalid", written)]
    message = found.warnings[0].message
    assert message == (f"{written}: the era year is {era_year} but the year in brackets is "
                       f"{bracket_year}; the two years disagree")


def test_bracketed_year_of_a_later_list_item_is_checked_against_its_era() -> None:
    found = find_dates("令和元年5月、2年（2021年）4月")
    assert [p.text for p in found.periods] == ["令和元年5月"]
    assert [(w.code, w.text) for w in found.warnings] == [("date-invalid", "2年（2021年）4月")]


# ---------------------------------------------------------------- a season: its year, warned
@pytest.mark.parametrize(("text", "written", "start", "end", "precision", "message"), [
    ("(平成24年夏)", "平成24年", "2012-01-01", "2012-12-31", "year",
     "平成24年夏: a season is read as its year, 平成24年"),
    ("2013年春", "2013年", "2013-01-01", "2013-12-31", "year",
     "2013年春: a season is read as its year, 2013年"),
    ("平成24年度秋", "平成24年度", "2012-04-01", "2013-03-31", "fiscal_year",
     "平成24年度秋: a season is read as its fiscal year, 平成24年度"),
])
def test_a_season_is_read_as_its_year_with_a_warning(
        text: str, written: str, start: str, end: str, precision: str, message: str) -> None:
    """Regression: 平成24年夏 was the whole year 2012, silently."""
    assert periods(text, 2012) == [(written, start, end, precision)]
    assert [(w.code, w.message) for w in find_dates(text, 2012).warnings] == [
        ("date-season", message)]


def test_a_year_before_other_words_is_no_season() -> None:
    assert codes("平成24年中に開催", 2012) == codes("平成24年7月夏祭り", 2012) == []
