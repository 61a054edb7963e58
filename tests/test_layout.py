"""Raw rows -> report structure: title, period, headers, notes, rejects, line kinds."""

from __future__ import annotations

import pytest

from pipeline.layout import document_to_layout, name_to_fiscal_year, period_to_fiscal_year
from pipeline.model import SourceDocument
from pipeline.sources.text import text_to_rows

HEADER = "\t提携都市名 (事業開始年度)\t内容・実績\t所管局 (連絡先)"


def layout_of(text: str, name: str = "report.txt"):  # type: ignore[no-untyped-def]
    rows = text_to_rows(text)
    doc = SourceDocument(name=name, format="text", encoding="utf-8", sha256="", size=0,
                         line_count=len(rows), line_based=True, rows=tuple(rows))
    return document_to_layout(doc)


@pytest.mark.parametrize(
    ("text", "year"),
    [("平成24年度実績", 2012), ("令和元年度実績", 2019), ("平成31年度実績", 2019),
     ("２０１２年度実績", 2012), ("平成 24 年度 実績", 2012), ("姉妹都市との交流", None),
     ("平成24年6月", None),
     # forms other years' reports use
     ("令和元年度（平成31年度）実績", 2019), ("（令和元年度実績）", 2019), ("令和元年度 実績一覧", 2019),
     ("令和2年度の交流実績", 2020), ("令和元（2019）年度実績", 2019), ("2019（令和元）年度実績", 2019),
     # not period lines
     ("平成24年度～26年度実績", None), ("姉妹都市との交流実績（令和元年度）", None)],
)
def test_period_line(text: str, year: int | None) -> None:
    assert period_to_fiscal_year(text) == year


@pytest.mark.parametrize(("name", "year"), [("fy2012_report.txt", 2012), ("2019/report.csv", None),
                                             ("report_2020.html", 2020), ("report.txt", None)])
def test_fiscal_year_from_file_name(name: str, year: int | None) -> None:
    assert name_to_fiscal_year(name) == year


def test_second_header_starts_a_second_table() -> None:
    layout = layout_of("\n".join(["\tタイトル", "\t平成24年度実績", HEADER,
                                  "\t英国 ロンドン市 (H18)\t・a\t課 (1-2)", "", HEADER,
                                  "\t英国 ロンドン市 (H18)\t・b\t課 (1-2)"]))
    assert [(r.table_no, r.row_no) for r in layout.rows] == [(1, 1), (2, 1)]
    assert layout.title == "タイトル" and layout.fiscal_year == 2012
    assert layout.line_kinds == {"blank": 1, "title": 1, "period": 1, "header": 2, "row": 2,
                                 "note": 0, "rejected": 0}


@pytest.mark.parametrize("header", [HEADER, "\t提 携 都 市 名\t内　容\t所 管 局",
                                    "\t相手都市\t実績\t担当"])
def test_header_words_may_be_spaced_out(header: str) -> None:
    layout = layout_of("\n".join([header, "\t英国 ロンドン市\t・a\t都市整備局"]))
    assert [(r.label, r.bureau_cell) for r in layout.rows] == [("英国 ロンドン市", "都市整備局")]
    assert layout.line_kinds["header"] == 1


def test_notes_after_a_table_are_notes() -> None:
    layout = layout_of("\n".join([HEADER, "\t英国 ロンドン市\t・a\t課", "\t※所管局欄の括弧内は内線番号"]))
    assert layout.notes == ((3, "※所管局欄の括弧内は内線番号"),)
    assert layout.line_kinds["note"] == 1 and not layout.issues[:-1]


@pytest.mark.parametrize(
    ("line", "code"),
    [("\t英国 ロンドン市\t・a\t課\t余分なセル", "row-cells"),
     ("\t英国 ロンドン市", "row-cells"),
     ("\t\t・a\t課", "row-label")],
)
def test_damaged_row_is_rejected_and_its_neighbours_kept(line: str, code: str) -> None:
    layout = layout_of("\n".join([HEADER, "\t英国 ロンドン市\t・a\t課", line,
                                  "\t米国 ニューヨーク市\t・b\t"]))
    assert [r.label for r in layout.rows] == ["英国 ロンドン市", "米国 ニューヨーク市"]
    rejects = [i for i in layout.issues if i.severity == "reject"]
    assert [(i.code, i.source_line, i.raw) for i in rejects] == [(code, 3, line)]


def test_trailing_empty_cells_are_not_extra_cells() -> None:
    layout = layout_of("\n".join([HEADER, "\t英国 ロンドン市\t・a\t課\t\t  "]))
    assert len(layout.rows) == 1 and layout.line_kinds["rejected"] == 0


def test_row_before_any_header_is_rejected() -> None:
    layout = layout_of("\n".join(["\t英国 ロンドン市\t・a\t課", HEADER]))
    assert [i.code for i in layout.issues if i.severity == "reject"] == ["row-outside-table"]


def test_missing_period_line_takes_the_year_from_the_name_with_a_warning() -> None:
    layout = layout_of("\n".join([HEADER, "\t英国 ロンドン市\t・a\t課"]), name="fy2015.txt")
    assert layout.fiscal_year == 2015
    assert [i.code for i in layout.issues] == ["fiscal-year-from-name"]


def test_title_period_and_notes_wrapped_in_html_are_read_as_text() -> None:
    layout = layout_of("\n".join(["<p>姉妹都市との交流</p>", "<p>平成24年度実績</p>", HEADER,
                                  "\t英国 ロンドン市\t・a\t課", "<p>※所管局欄の括弧内は内線番号</p>"]))
    assert (layout.title, layout.period_text, layout.fiscal_year) == (
        "姉妹都市との交流", "平成24年度実績", 2012)
    assert layout.notes == ((5, "※所管局欄の括弧内は内線番号"),)


def test_fiscal_year_from_the_title_when_there_is_no_period_line() -> None:
    layout = layout_of("\n".join(["姉妹都市との交流実績（令和元年度）", HEADER,
                                  "\t英国 ロンドン市\t・a\t課"]), name="report.txt")
    assert (layout.title, layout.period_text, layout.fiscal_year) == (
        "姉妹都市との交流実績（令和元年度）", None, 2019)
    assert [i.code for i in layout.issues] == ["fiscal-year-from-title"]


@pytest.mark.parametrize("title", ["東京都の姉妹友好都市交流（平成23年度～平成24年度）",
                                   "平成25年度版　東京都の国際交流", "東京都の国際交流（平成26年度版）",
                                   "平成24年度以降の取組", "平成26年度予算に向けた検討",
                                   "（参考）令和元年度実績"])
def test_titles_whose_year_is_not_the_data_year(title: str) -> None:
    from pipeline.layout import title_to_fiscal_year

    assert title_to_fiscal_year(title) is None


def test_a_second_period_line_of_another_year_rejects_the_rows_under_it() -> None:
    """Review finding: a 令和4年度実績 section after the 令和5年度実績 one was read as FY2023
    (its （8月） as 2023-08) with no warning. A report holds one fiscal year."""
    layout = layout_of("\n".join(["国際交流実績", "", "令和5年度実績", HEADER,
                                  "\t米国 セーラム市\t・市長の訪問（7月）\t国際課", "",
                                  "令和4年度実績", HEADER,
                                  "\t米国 セーラム市\t・市長の訪問（8月）\t国際課"]))
    assert (layout.period_text, layout.fiscal_year) == ("令和5年度実績", 2023)
    assert [r.source_line for r in layout.rows] == [5]
    assert [(i.code, i.severity, i.source_line) for i in layout.issues] == [
        ("fiscal-year-conflict", "warning", 7), ("fiscal-year-conflict", "reject", 9)]
    assert layout.issues[0].message == (
        "report.txt:7: the period line 令和4年度実績 names fiscal year 2022, but the report's "
        "period line (line 3: 令和5年度実績) names 2023; a report holds one fiscal year, so "
        "the rows under this line are rejected: split the file into one report per fiscal "
        "year")
    assert layout.issues[1].message == (
        "report.txt:9: the row is under line 7's period line 令和4年度実績 (fiscal year 2022) "
        "in a report of fiscal year 2023; split the file into one report per fiscal year")
    assert layout.line_kinds == {"blank": 2, "title": 1, "period": 2, "header": 2, "row": 1,
                                 "note": 0, "rejected": 1}


def test_rows_after_the_reports_own_year_again_are_read() -> None:
    layout = layout_of("\n".join(["令和5年度実績", HEADER, "\t英国 ロンドン市\t・a\t課",
                                  "令和4年度実績", HEADER, "\t英国 ロンドン市\t・b\t課",
                                  "令和5年度実績", HEADER, "\t英国 ロンドン市\t・c\t課"]))
    assert [r.content for r in layout.rows] == ["・a", "・c"]
    assert [(i.code, i.severity, i.source_line) for i in layout.issues] == [
        ("fiscal-year-conflict", "warning", 4), ("fiscal-year-conflict", "reject", 6)]
    assert layout.line_kinds["period"] == 3


def test_a_second_period_line_of_the_same_year_is_a_heading() -> None:
    layout = layout_of("\n".join(["令和5年度実績", HEADER, "\t英国 ロンドン市\t・a\t課",
                                  "令和5年度実績", HEADER, "\t英国 ロンドン市\t・b\t課"]))
    assert [r.content for r in layout.rows] == ["・a", "・b"] and not layout.issues
    assert layout.notes == ((4, "令和5年度実績"),)
