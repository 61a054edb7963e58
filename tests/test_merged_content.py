"""Regression (review finding r4): a content cell that spans rows — `<td rowspan=2>` in HTML,
a merged range in a workbook — gave the same events to both partners with no warning and
an empty `inherited`. The events stay with both rows (a joint activity), but the entry's
`inherited` names content (and date, participants when a merge gives them too) and
warning `content-inherited` says so at the row. Expected values are written by hand."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.extract import extract_bytes
from pipeline.model import Extraction
from tests.reports import SUFFIX, render_table


def _extract(data: bytes, name: str) -> Extraction:
    found = extract_bytes(data, name)
    assert isinstance(found, Extraction), found
    return found


def _warnings(found: Extraction) -> list[tuple[str, int, str]]:
    return [(i.code, i.source_line, i.message) for i in found.issues]


def _events(found: Extraction) -> list[tuple[Any, ...]]:
    return [(e.row_no, e.partner_city, e.description, str(e.date_start), e.participants)
            for e in found.events]


# The review's page: FY2012's shape (partner, content, bureau), the content cell a rowspan.
ROWSPAN_PAGE = """<html><body><h2>令和5年度 交流実績</h2><p>令和5年度実績</p>
<table><tr><th>提携先</th><th>交流内容</th><th>担当</th></tr>
<tr><td>米国 セーラム市</td><td rowspan="2">・三都市合同会議（令和5年7月）</td><td>国際課</td></tr>
<tr><td>中国 紹興市</td><td>国際課</td></tr></table></body></html>"""


def _joint(line: int, name: str, partner: str) -> tuple[str, int, str]:
    return ("content-inherited", line,
            f"{name}:{line}: the content cell spans rows (a rowspan or merged cell) down to "
            f"this row, so its events are counted for each partner it spans, {partner} too "
            "(a joint activity)")


def test_a_rowspan_content_cell_is_named_inherited_and_warned() -> None:
    found = _extract(ROWSPAN_PAGE.encode(), "rs.html")
    assert _events(found) == [(1, "セーラム市", "三都市合同会議", "2023-07-01", ""),
                              (2, "紹興市", "三都市合同会議", "2023-07-01", "")]
    assert [(e.row_no, e.inherited) for e in found.entries] == [(1, ""), (2, "content")]
    assert _warnings(found) == [_joint(4, "rs.html", "中国 紹興市")]


# FY2012's shape in a workbook: the content cells of rows 1 and 2 one merged range (C5:C6
# under a preamble of two lines and a blank row, the header on row 4).
FY2012_SHAPE = [["提携先", "交流内容", "担当"],
                ["米国 セーラム市", "・三都市合同会議（令和5年7月）", "国際課"],
                ["中国 紹興市", "", "国際課"]]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "html"])
def test_a_merged_content_cell_is_named_inherited_and_warned(fmt: str) -> None:
    name = "merged" + SUFFIX[fmt]
    found = _extract(render_table(FY2012_SHAPE, fmt, merged={(2, 1)}), name)
    assert _events(found) == [(1, "セーラム市", "三都市合同会議", "2023-07-01", ""),
                              (2, "紹興市", "三都市合同会議", "2023-07-01", "")]
    assert [(e.row_no, e.inherited) for e in found.entries] == [(1, ""), (2, "content")]
    # html: doctype, two <p>, <table>, the header, row 1, row 2 on line 7; workbooks: the
    # preamble, a blank row, the header on row 4, row 2 on row 6.
    line = 7 if fmt == "html" else 6
    assert _warnings(found) == [_joint(line, name, "中国 紹興市")]


# One activity a row: content, date and participants merged over two partners' rows.
ACTIVITIES = [["相手都市", "事業名", "実施時期", "参加者", "担当課"],
              ["米国 セーラム市", "三都市合同会議", "令和5年7月", "20人", "国際課"],
              ["中国 紹興市", "", "", "", "国際課"]]


@pytest.mark.parametrize("fmt", ["xlsx", "html"])
def test_merged_content_date_and_participants_are_each_named(fmt: str) -> None:
    name = "joint" + SUFFIX[fmt]
    found = _extract(render_table(ACTIVITIES, fmt, merged={(2, 1), (2, 2), (2, 3)}), name)
    assert _events(found) == [(1, "セーラム市", "三都市合同会議", "2023-07-01", "20人"),
                              (2, "紹興市", "三都市合同会議", "2023-07-01", "20人")]
    assert [(e.row_no, e.inherited) for e in found.entries] == [
        (1, ""), (2, "content; date; participants")]
    assert _warnings(found) == [_joint(7 if fmt == "html" else 6, name, "中国 紹興市")]


def test_a_merged_date_alone_is_named_without_the_content_warning() -> None:
    rows = [["相手都市", "事業名", "実施時期"],
            ["米国 セーラム市", "市長の訪問", "令和5年7月"],
            ["中国 紹興市", "職員の派遣", ""]]
    found = _extract(render_table(rows, "xlsx", merged={(2, 2)}), "date.xlsx")
    assert [(e.row_no, e.inherited) for e in found.entries] == [(1, ""), (2, "date")]
    assert [e.description for e in found.events] == ["市長の訪問", "職員の派遣"]
    assert _warnings(found) == []
