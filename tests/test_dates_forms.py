"""Date forms as real documents write them (issue 18), family by family.

Every expected value is written by hand from the form: the ISO period, its precision and
flags, or the warning. "Not a date" neighbours of each family are in
tests/test_dates_not_applicable.py.
"""

from __future__ import annotations

import pytest

from pipeline.dates import find_dates

# (text as written, start, end, precision); flags and inferred are checked apart
Row = tuple[str, str, str, str]


def read(text: str, fiscal_year: int | None = None) -> list[Row]:
    found = find_dates(text, fiscal_year)
    for p in found.periods:
        assert text[p.span[0]:p.span[1]] == p.text
        assert p.start <= p.end
    return [(p.text, p.start.isoformat(), p.end.isoformat(), p.precision) for p in found.periods]


def warned(text: str, fiscal_year: int | None = None) -> list[tuple[str, str]]:
    return [(w.code, w.text) for w in find_dates(text, fiscal_year).warnings]


def flags(text: str, fiscal_year: int | None = None) -> list[tuple[bool, bool, bool]]:
    """(inferred, open_start, open_end) of each period."""
    return [(p.inferred, p.open_start, p.open_end) for p in find_dates(text, fiscal_year).periods]


# ---------------------------------------------------------------- open ranges

OPEN_END = [
    # (text, written, start, end, precision, inferred)
    ("平成11年度～", "平成11年度～", "1999-04-01", "2000-03-31", "fiscal_year", False),
    ("平成11年度〜", "平成11年度〜", "1999-04-01", "2000-03-31", "fiscal_year", False),
    ("事業開始(平成11年度～)", "平成11年度～", "1999-04-01", "2000-03-31", "fiscal_year", False),
    ("4月～", "4月～", "2012-04-01", "2012-04-30", "month", True),
    ("2月～", "2月～", "2013-02-01", "2013-02-28", "month", True),
    ("平成24年4月1日～", "平成24年4月1日～", "2012-04-01", "2012-04-01", "day", False),
    ("平成24年4月1日 ～ 東京都で実施", "平成24年4月1日 ～", "2012-04-01", "2012-04-01", "day", False),
    ("令和2年10月～、継続中", "令和2年10月～", "2020-10-01", "2020-10-31", "month", False),
    ("2019年～", "2019年～", "2019-01-01", "2019-12-31", "year", False),
    ("H24.7.22～", "H24.7.22～", "2012-07-22", "2012-07-22", "day", False),
]


@pytest.mark.parametrize(("text", "written", "start", "end", "precision", "inferred"), OPEN_END)
def test_open_end(text: str, written: str, start: str, end: str, precision: str,
                  inferred: bool) -> None:
    assert read(text, 2012) == [(written, start, end, precision)]
    assert flags(text, 2012) == [(inferred, False, True)]
    assert warned(text, 2012) == []


OPEN_START = [
    ("～2023(令和5)年まで", "～2023(令和5)年まで", "2023-01-01", "2023-12-31", "year"),
    ("～2023年まで", "～2023年まで", "2023-01-01", "2023-12-31", "year"),
    ("（～令和5年3月）", "～令和5年3月", "2023-03-01", "2023-03-31", "month"),
    ("期間 ～平成25年3月31日", "～平成25年3月31日", "2013-03-31", "2013-03-31", "day"),
    ("〜平成25年度", "〜平成25年度", "2013-04-01", "2014-03-31", "fiscal_year"),
    ("、～R5.3.31まで", "～R5.3.31まで", "2023-03-31", "2023-03-31", "day"),
]


@pytest.mark.parametrize(("text", "written", "start", "end", "precision"), OPEN_START)
def test_open_start(text: str, written: str, start: str, end: str, precision: str) -> None:
    assert read(text) == [(written, start, end, precision)]
    assert flags(text) == [(False, True, False)]
    assert warned(text) == []


CLOSED = [  # both ends written: no flag
    ("平成24年4月～5月", "平成24年4月～5月"),
    ("平成24年4～5月", "平成24年4～5月"),
    ("平成24年7月22日から29日まで", "平成24年7月22日から29日まで"),
]


@pytest.mark.parametrize(("text", "written"), CLOSED)
def test_closed_ranges_are_not_open(text: str, written: str) -> None:
    assert [r[0] for r in read(text)] == [written]
    assert flags(text) == [(False, False, False)]


UNREADABLE_END = [  # a number after the wave dash that is no end: never the first end alone
    ("平成24年4月1日～5", "平成24年4月1日～"),
    ("平成24年4月1日 ～ 5", "平成24年4月1日 ～"),
    ("2012年4月～99", "2012年4月～"),
]


@pytest.mark.parametrize(("text", "written"), UNREADABLE_END)
def test_unreadable_end_is_unresolved(text: str, written: str) -> None:
    assert read(text) == []
    assert warned(text) == [("date-unresolved", written)]


def one(text: str, written: str, start: str, end: str, precision: str) -> None:
    assert read(text) == [(written, start, end, precision)]
    assert warned(text) == []


# ---------------------------------------------------------------- Western years in kanji digits

KANJI_WESTERN = [
    ("一九八二年五月二十日", "一九八二年五月二十日", "1982-05-20", "1982-05-20", "day"),
    ("一九七九年九月", "一九七九年九月", "1979-09-01", "1979-09-30", "month"),
    ("二〇一二年度", "二〇一二年度", "2012-04-01", "2013-03-31", "fiscal_year"),
    ("二○一二年度", "二○一二年度", "2012-04-01", "2013-03-31", "fiscal_year"),
    ("一九八○年", "一九八○年", "1980-01-01", "1980-12-31", "year"),
    ("一九八〇年十月十日", "一九八〇年十月十日", "1980-10-10", "1980-10-10", "day"),
    ("二〇〇五年一月一日", "二〇〇五年一月一日", "2005-01-01", "2005-01-01", "day"),
    ("会議録（一九五六年十二月十八日）", "一九五六年十二月十八日", "1956-12-18", "1956-12-18", "day"),
    ("一九八二年五月二十日～二十五日", "一九八二年五月二十日～二十五日", "1982-05-20", "1982-05-25", "day"),
    ("一九八二年五月上旬", "一九八二年五月上旬", "1982-05-01", "1982-05-10", "dekad"),
    ("二〇二〇年二月二十九日", "二〇二〇年二月二十九日", "2020-02-29", "2020-02-29", "day"),
    ("一九四五年八月十五日（水）", "一九四五年八月十五日（水）", "1945-08-15", "1945-08-15", "day"),
]


@pytest.mark.parametrize(("text", "written", "start", "end", "precision"), KANJI_WESTERN)
def test_western_year_in_kanji_digits(text: str, written: str, start: str, end: str,
                                      precision: str) -> None:
    one(text, written, start, end, precision)


def test_kanji_western_list_takes_the_year() -> None:
    assert read("二〇一二年四月、五月") == [("二〇一二年四月", "2012-04-01", "2012-04-30", "month"),
                                        ("五月", "2012-05-01", "2012-05-31", "month")]


def test_kanji_western_impossible_day_is_invalid() -> None:
    assert read("二〇一三年二月二十九日") == []
    assert warned("二〇一三年二月二十九日") == [("date-invalid", "二〇一三年二月二十九日")]


# ---------------------------------------------------------------- separators

SEPARATORS = [
    # units with slashes between them: one date, not the bare year
    ("2021年/7月/18日", "2021年/7月/18日", "2021-07-18", "2021-07-18", "day"),
    ("2021年/7月", "2021年/7月", "2021-07-01", "2021-07-31", "month"),
    ("平成24年/4月/1日", "平成24年/4月/1日", "2012-04-01", "2012-04-01", "day"),
    # month/day after a year with 年
    ("昭和45年 1/1", "昭和45年 1/1", "1970-01-01", "1970-01-01", "day"),
    ("昭和45年1/1", "昭和45年1/1", "1970-01-01", "1970-01-01", "day"),
    ("2012年 4/1から開始", "2012年 4/1", "2012-04-01", "2012-04-01", "day"),
    ("平成24年12/31", "平成24年12/31", "2012-12-31", "2012-12-31", "day"),
    # 翌 before a written year: one range
    ("2005年11月から翌2006年7月", "2005年11月から翌2006年7月", "2005-11-01", "2006-07-31", "month"),
    ("2005年11月～翌2006年7月", "2005年11月～翌2006年7月", "2005-11-01", "2006-07-31", "month"),
    ("平成24年12月から翌2013年1月", "平成24年12月から翌2013年1月", "2012-12-01", "2013-01-31", "month"),
    # hyphens and slashes between Western parts
    ("2020-01-01", "2020-01-01", "2020-01-01", "2020-01-01", "day"),
    ("2021-7-18", "2021-7-18", "2021-07-18", "2021-07-18", "day"),
    ("2021/7", "2021/7", "2021-07-01", "2021-07-31", "month"),
    ("2021/07", "2021/07", "2021-07-01", "2021-07-31", "month"),
    ("西暦2021/7", "2021/7", "2021-07-01", "2021-07-31", "month"),
    ("2021/7月", "2021/7月", "2021-07-01", "2021-07-31", "month"),
    ("2021/12", "2021/12", "2021-12-01", "2021-12-31", "month"),
    ("（2021/7）", "2021/7", "2021-07-01", "2021-07-31", "month"),
    # an era with slashes or hyphens
    ("令和3/7/18", "令和3/7/18", "2021-07-18", "2021-07-18", "day"),
    ("令和3-7-18", "令和3-7-18", "2021-07-18", "2021-07-18", "day"),
    ("Ｒ3/7/18", "Ｒ3/7/18", "2021-07-18", "2021-07-18", "day"),
    ("Ｒ３／７／１８", "Ｒ３／７／１８", "2021-07-18", "2021-07-18", "day"),
    ("H24/4/1", "H24/4/1", "2012-04-01", "2012-04-01", "day"),
    ("平成元/1/8", "平成元/1/8", "1989-01-08", "1989-01-08", "day"),
    # ・ between parts that make a valid date
    ("2021・7・18", "2021・7・18", "2021-07-18", "2021-07-18", "day"),
    ("令和3・7・18", "令和3・7・18", "2021-07-18", "2021-07-18", "day"),
    ("一九四〇・一・四", "一九四〇・一・四", "1940-01-04", "1940-01-04", "day"),
    ("二〇一二・十二・二十四", "二〇一二・十二・二十四", "2012-12-24", "2012-12-24", "day"),
]


@pytest.mark.parametrize(("text", "written", "start", "end", "precision"), SEPARATORS)
def test_separators(text: str, written: str, start: str, end: str, precision: str) -> None:
    one(text, written, start, end, precision)


SEPARATOR_WARNINGS = [
    # 翌 says the next year; another year written is no guess at either
    ("2005年11月から翌2007年7月", "date-invalid", "2005年11月から翌2007年7月"),
    ("令和3/2/30", "date-invalid", "令和3/2/30"),
    ("2021-02-29", "date-invalid", "2021-02-29"),
]


@pytest.mark.parametrize(("text", "code", "written"), SEPARATOR_WARNINGS)
def test_separator_warnings(text: str, code: str, written: str) -> None:
    assert read(text) == []
    assert warned(text) == [(code, written)]


def test_next_year_message_names_both_years() -> None:
    (warning,) = find_dates("2005年11月から翌2007年7月").warnings
    assert "2005" in warning.message and "2007" in warning.message


# ---------------------------------------------------------------- slash dates, era in brackets

BRACKETED_ERA = [
    ("1991/7/9 (H3)", "1991/7/9 (H3)", "1991-07-09", "1991-07-09", "day"),
    ("1991/7/9（平成3）", "1991/7/9（平成3）", "1991-07-09", "1991-07-09", "day"),
    ("1982/ (S57)", "1982/ (S57)", "1982-01-01", "1982-12-31", "year"),
    ("1989/ (H1)", "1989/ (H1)", "1989-01-01", "1989-12-31", "year"),
    ("1989/ (H元)", "1989/ (H元)", "1989-01-01", "1989-12-31", "year"),
    ("2019/5/1 (R1)", "2019/5/1 (R1)", "2019-05-01", "2019-05-01", "day"),
    ("1989/1/7 (S64)", "1989/1/7 (S64)", "1989-01-07", "1989-01-07", "day"),
    ("2021/7 (R3)", "2021/7 (R3)", "2021-07-01", "2021-07-31", "month"),
    ("設立 1960/4/1 (S35) 以降", "1960/4/1 (S35)", "1960-04-01", "1960-04-01", "day"),
]


@pytest.mark.parametrize(("text", "written", "start", "end", "precision"), BRACKETED_ERA)
def test_slash_date_with_era_in_brackets(text: str, written: str, start: str, end: str,
                                         precision: str) -> None:
    one(text, written, start, end, precision)


ERA_MISMATCH = [
    # (text, start, end, precision, words the message must hold)
    ("1989/10/12 (S64)", "1989-10-12", "1989-10-12", "day", ["昭和", "1989-01-07"]),
    ("1991/7/9 (H4)", "1991-07-09", "1991-07-09", "day", ["平成4年", "1992", "1991"]),
    ("1989/1/5 (H1)", "1989-01-05", "1989-01-05", "day", ["平成", "1989-01-08"]),
    ("2019/4/30 (R1)", "2019-04-30", "2019-04-30", "day", ["令和", "2019-05-01"]),
    ("1982/ (S58)", "1982-01-01", "1982-12-31", "year", ["昭和58年", "1983"]),
]


@pytest.mark.parametrize(("text", "start", "end", "precision", "words"), ERA_MISMATCH)
def test_bracketed_era_that_disagrees_keeps_the_date(text: str, start: str, end: str,
                                                     precision: str, words: list[str]) -> None:
    assert read(text) == [(text, start, end, precision)]
    (warning,) = find_dates(text).warnings
    assert (warning.code, warning.text) == ("date-era-mismatch", text)
    for word in words:
        assert word in warning.message


# ---------------------------------------------------------------- 同日, 同月末, 翌月, 前年度

RELATIVE: list[tuple[str, list[Row]]] = [
    ("平成24年5月1日に出発し、同日到着",
     [("平成24年5月1日", "2012-05-01", "2012-05-01", "day"),
      ("同日", "2012-05-01", "2012-05-01", "day")]),
    ("平成24年5月1日から同月末まで",
     [("平成24年5月1日から同月末まで", "2012-05-01", "2012-05-31", "day")]),
    ("平成24年2月10日～同月末",
     [("平成24年2月10日～同月末", "2012-02-10", "2012-02-29", "day")]),
    ("平成24年4月10日～翌月末",
     [("平成24年4月10日～翌月末", "2012-04-10", "2012-05-31", "day")]),
    ("平成24年12月1日～翌月末",
     [("平成24年12月1日～翌月末", "2012-12-01", "2013-01-31", "day")]),
    ("平成24年5月1日～同日",
     [("平成24年5月1日～同日", "2012-05-01", "2012-05-01", "day")]),
    ("平成24年5月1日、翌月",
     [("平成24年5月1日", "2012-05-01", "2012-05-01", "day"),
      ("翌月", "2012-06-01", "2012-06-30", "month")]),
    ("平成24年度、前年度",
     [("平成24年度", "2012-04-01", "2013-03-31", "fiscal_year"),
      ("前年度", "2011-04-01", "2012-03-31", "fiscal_year")]),
    ("平成25年2月10日、前年度",  # 2013-02 is in fiscal year 2012; the one before is 2011
     [("平成25年2月10日", "2013-02-10", "2013-02-10", "day"),
      ("前年度", "2011-04-01", "2012-03-31", "fiscal_year")]),
    ("平成24年6月、前月",
     [("平成24年6月", "2012-06-01", "2012-06-30", "month"),
      ("前月", "2012-05-01", "2012-05-31", "month")]),
    ("平成24年1月、前月",
     [("平成24年1月", "2012-01-01", "2012-01-31", "month"),
      ("前月", "2011-12-01", "2011-12-31", "month")]),
    ("平成24年5月1日、前年",
     [("平成24年5月1日", "2012-05-01", "2012-05-01", "day"),
      ("前年", "2011-01-01", "2011-12-31", "year")]),
    ("平成24年度、前年度比10%増",  # 前年度比 is a comparison, not a period
     [("平成24年度", "2012-04-01", "2013-03-31", "fiscal_year")]),
]


@pytest.mark.parametrize(("text", "expected"), RELATIVE)
def test_relative_to_the_date_before(text: str, expected: list[Row]) -> None:
    assert read(text) == expected
    assert warned(text) == []


RELATIVE_UNRESOLVED = [
    ("同日", "同日"),
    ("平成24年5月、同日", "同日"),  # the date before is a month: which day?
    ("同月末", "同月末"),
    ("同日中に到着", "同日"),  # like 同年 and 翌年: it points at a date the sentence lacks
]


@pytest.mark.parametrize(("text", "written"), RELATIVE_UNRESOLVED)
def test_relative_with_nothing_to_count_from(text: str, written: str) -> None:
    assert warned(text) == [("date-unresolved", written)]


# ---------------------------------------------------------------- spaced text (PDF, typeset)

SPACED = [
    ("平 成 28 年 (2016 年 ) 9 月 8 日", "平 成 28 年 (2016 年 ) 9 月 8 日", "2016-09-08", "2016-09-08", "day"),
    ("２ ０ １ ２ 年", "２ ０ １ ２ 年", "2012-01-01", "2012-12-31", "year"),
    ("2 0 1 2 年 4 月 1 日", "2 0 1 2 年 4 月 1 日", "2012-04-01", "2012-04-01", "day"),
    ("令　和　元　年　５　月　１　日", "令　和　元　年　５　月　１　日", "2019-05-01", "2019-05-01", "day"),
    ("平 成 24 年 度", "平 成 24 年 度", "2012-04-01", "2013-03-31", "fiscal_year"),
    ("昭 和 64 年 1 月 7 日", "昭 和 64 年 1 月 7 日", "1989-01-07", "1989-01-07", "day"),
    ("実施日　平 成 24 年 7 月 22 日", "平 成 24 年 7 月 22 日", "2012-07-22", "2012-07-22", "day"),
    ("２ ０ １ ２ 年 度", "２ ０ １ ２ 年 度", "2012-04-01", "2013-03-31", "fiscal_year"),
]


@pytest.mark.parametrize(("text", "written", "start", "end", "precision"), SPACED)
def test_spaced_text(text: str, written: str, start: str, end: str, precision: str) -> None:
    one(text, written, start, end, precision)


def test_spaced_era_year_with_the_wrong_bracketed_year_is_invalid() -> None:
    assert read("平 成 28 年 (2017 年 ) 9 月 8 日") == []
    assert [code for code, _ in warned("平 成 28 年 (2017 年 ) 9 月 8 日")] == ["date-invalid"]


# ---------------------------------------------------------------- dotted forms with a part left out

DOTTED_YEAR = [
    ("(H25.)", "H25.", "2013-01-01", "2013-12-31", "year"),
    ("（H25.）", "H25.", "2013-01-01", "2013-12-31", "year"),
    ("(平成25.)", "平成25.", "2013-01-01", "2013-12-31", "year"),
    ("(R2.)", "R2.", "2020-01-01", "2020-12-31", "year"),
    ("(S57.)", "S57.", "1982-01-01", "1982-12-31", "year"),
]


@pytest.mark.parametrize(("text", "written", "start", "end", "precision"), DOTTED_YEAR)
def test_dotted_year_alone(text: str, written: str, start: str, end: str, precision: str) -> None:
    one(text, written, start, end, precision)


ERA_LEFT_OUT: list[tuple[str, int, list[Row]]] = [
    # (text, fiscal year, expected): no earlier date, so the era of the fiscal year
    ("(26.3)", 2012, [("26.3", "2014-03-01", "2014-03-31", "month")]),
    ("(26.3.15)", 2012, [("26.3.15", "2014-03-15", "2014-03-15", "day")]),
    ("（24.10）", 2012, [("24.10", "2012-10-01", "2012-10-31", "month")]),
    ("(63.4)", 1987, [("63.4", "1988-04-01", "1988-04-30", "month")]),
    ("(3.4)", 2020, []),  # one-digit years are not read: (3.4) is a number more often
]


@pytest.mark.parametrize(("text", "fiscal_year", "expected"), ERA_LEFT_OUT)
def test_era_left_out_takes_the_fiscal_years_era(text: str, fiscal_year: int,
                                                 expected: list[Row]) -> None:
    assert read(text, fiscal_year) == expected
    assert flags(text, fiscal_year) == [(True, False, False)] * len(expected)
    assert warned(text, fiscal_year) == []


ERA_FROM_EARLIER_DATE = [
    ("昭和62年4月、(63.3)", [("昭和62年4月", "1987-04-01", "1987-04-30", "month"),
                          ("63.3", "1988-03-01", "1988-03-31", "month")]),
    ("H30.4.1 (31.3.31)", [("H30.4.1", "2018-04-01", "2018-04-01", "day"),
                           ("31.3.31", "2019-03-31", "2019-03-31", "day")]),
]


@pytest.mark.parametrize(("text", "expected"), ERA_FROM_EARLIER_DATE)
def test_era_left_out_takes_the_earlier_dates_era(text: str, expected: list[Row]) -> None:
    assert read(text, 2020) == expected  # the earlier date wins over the fiscal year
    assert flags(text, 2020)[-1] == (True, False, False)
    assert warned(text, 2020) == []


ERA_LEFT_OUT_UNRESOLVED = [
    ("(26.3)", None, "neither an earlier date"),
    ("(26.3)", 2019, "spans two eras"),  # fiscal 2019 runs from 平成 into 令和
    ("(26.3)", 2020, "2044"),  # 令和26: too far ahead of a 2020 report
]


@pytest.mark.parametrize(("text", "fiscal_year", "words"), ERA_LEFT_OUT_UNRESOLVED)
def test_era_left_out_unresolved_says_why(text: str, fiscal_year: int | None, words: str) -> None:
    found = find_dates(text, fiscal_year)
    assert found.periods == ()
    (warning,) = found.warnings
    assert (warning.code, warning.text) == ("date-unresolved", "26.3")
    assert words in warning.message


# ---------------------------------------------------------------- two fiscal years written short

FISCAL_SHORT: list[tuple[str, list[Row]]] = [
    ("平成23～25年度", [("平成23～25年度", "2011-04-01", "2014-03-31", "fiscal_year")]),
    ("平成23・26年度", [("平成23", "2011-04-01", "2012-03-31", "fiscal_year"),
                     ("26年度", "2014-04-01", "2015-03-31", "fiscal_year")]),
    ("平成22年度、23・26年度", [("平成22年度", "2010-04-01", "2011-03-31", "fiscal_year"),
                           ("23", "2011-04-01", "2012-03-31", "fiscal_year"),
                           ("26年度", "2014-04-01", "2015-03-31", "fiscal_year")]),
    ("H23・26年度", [("H23", "2011-04-01", "2012-03-31", "fiscal_year"),
                   ("26年度", "2014-04-01", "2015-03-31", "fiscal_year")]),
    ("令和2～4年度", [("令和2～4年度", "2020-04-01", "2023-03-31", "fiscal_year")]),
]


@pytest.mark.parametrize(("text", "expected"), FISCAL_SHORT)
def test_two_fiscal_years_written_short(text: str, expected: list[Row]) -> None:
    assert read(text) == expected
    assert warned(text) == []


def test_short_fiscal_years_without_an_era_name_both_items() -> None:
    """Before, 23 was dropped without a word and only 26年度 was warned about."""
    assert read("23・26年度") == []
    assert warned("23・26年度") == [("date-unresolved", "23"), ("date-unresolved", "26年度")]


# ---------------------------------------------------------------- era in brackets in every position

BRACKETS_EVERYWHERE: list[tuple[str, list[Row]]] = [
    ("2023(令和5)年", [("2023(令和5)年", "2023-01-01", "2023-12-31", "year")]),
    ("1957(昭和32)年10月", [("1957(昭和32)年10月", "1957-10-01", "1957-10-31", "month")]),
    ("2022(令和4)年～2023(令和5)年", [("2022(令和4)年～2023(令和5)年", "2022-01-01", "2023-12-31", "year")]),
    ("2022(令和4)～2023(令和5)年", [("2022(令和4)～2023(令和5)年", "2022-01-01", "2023-12-31", "year")]),
    ("2022(令和4)～2023(令和5)年度", [("2022(令和4)～2023(令和5)年度", "2022-04-01", "2024-03-31", "fiscal_year")]),
    ("令和4(2022)～令和5(2023)年度", [("令和4(2022)～令和5(2023)年度", "2022-04-01", "2024-03-31", "fiscal_year")]),
    ("2022(令和4)・2023(令和5)年度", [("2022(令和4)", "2022-04-01", "2023-03-31", "fiscal_year"),
                                 ("2023(令和5)年度", "2023-04-01", "2024-03-31", "fiscal_year")]),
    ("令和4(2022)・令和5(2023)年度", [("令和4(2022)", "2022-04-01", "2023-03-31", "fiscal_year"),
                                 ("令和5(2023)年度", "2023-04-01", "2024-03-31", "fiscal_year")]),
    ("2022(令和4)年、2023(令和5)年", [("2022(令和4)年", "2022-01-01", "2022-12-31", "year"),
                                 ("2023(令和5)年", "2023-01-01", "2023-12-31", "year")]),
    ("平成30年～2023(令和5)年", [("平成30年～2023(令和5)年", "2018-01-01", "2023-12-31", "year")]),
    ("2019（令和元）年5月1日～2020（令和2）年3月31日",
     [("2019（令和元）年5月1日～2020（令和2）年3月31日", "2019-05-01", "2020-03-31", "day")]),
]


@pytest.mark.parametrize(("text", "expected"), BRACKETS_EVERYWHERE)
def test_western_year_with_era_in_brackets_everywhere(text: str, expected: list[Row]) -> None:
    assert read(text) == expected
    assert warned(text) == []


def test_bracketed_era_range_end_that_disagrees_is_invalid() -> None:
    assert read("2022(令和4)～2023(令和6)年") == []
    assert [code for code, _ in warned("2022(令和4)～2023(令和6)年")] == ["date-invalid"]
