"""Column roles (issue 12): every word of the vocabulary, tables of other shapes in every
format the pipeline reads, ambiguous and unknown columns, and the error without a header.
Expected values are written by hand from the invented rows below."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from pipeline.extract import extract_bytes
from pipeline.model import Extraction
from tests.reports import FORMATS, SUFFIX, render_table

VOCABULARY = tomllib.loads(
    resources.files("pipeline").joinpath("roles.toml").read_text(encoding="utf-8"))

# For each role: the cell a test row holds, and where its value must land (table, column,
# expected value), read by hand. The base table has a partner and a content column.
BASE = {"partner": ("相手都市", "米国 セーラム市"),
        "content": ("事業名", "・市長の訪問（令和5年8月）")}
EXPECTED: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "partner": ("韓国 清州市", [("events", "partner_country", "韓国"),
                              ("events", "partner_country_code", "KR"),
                              ("events", "partner_city", "清州市")]),
    "country": ("アメリカ合衆国", [("entries", "partner_country", "アメリカ合衆国"),
                               ("entries", "partner_country_code", "US"),
                               ("entries", "partner_city", "セーラム市")]),
    "government": ("青葉市", [("entries", "government", "青葉市")]),
    "partnership_date": ("1991/7/9 (H3)", [("entries", "partnership_start", "1991-07-09"),
                                           ("entries", "partnership_end", "1991-07-09"),
                                           ("entries", "partnership_precision", "day"),
                                           ("entries", "partnership_date_text",
                                            "1991/7/9 (H3)")]),
    "content": ("・職員の派遣（令和5年6月～7月）", [("events", "description", "職員の派遣"),
                                           ("events", "date_start", "2023-06-01"),
                                           ("events", "date_end", "2023-07-31")]),
    "date": ("令和5年11月", [("events", "date_start", "2023-11-01"),
                           ("events", "date_end", "2023-11-30"),
                           ("events", "date_text", "令和5年11月")]),
    "category": ("青少年交流", [("entries", "category", "青少年交流"),
                             ("events", "category", "青少年交流")]),
    "bureau": ("国際交流課 (21-415)", [("entries", "bureau", "国際交流課"),
                                   ("entries", "bureau_contact", "21-415")]),
    "participants": ("職員2名", [("events", "participants", "職員2名")]),
    "note": ("令和2年度から交流休止", [("entries", "note", "令和2年度から交流休止")]),
}


def extract(data: bytes, name: str) -> Extraction:
    found = extract_bytes(data, name)
    assert isinstance(found, Extraction), found
    return found


def rows_of(found: Extraction, table: str) -> list[dict[str, Any]]:
    records = getattr(found, table)
    return [{k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
             for k, v in r._asdict().items()} for r in records]


def test_the_expected_table_covers_every_role() -> None:
    from pipeline.roles import ROLES

    assert set(EXPECTED) == set(ROLES)
    assert set(VOCABULARY["columns"].values()) == set(ROLES)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("header", "role"), sorted(VOCABULARY["columns"].items()))
def test_every_vocabulary_word_reads_its_column(header: str, role: str, fmt: str) -> None:
    cell, checks = EXPECTED[role]
    columns = dict(BASE)
    if role == "date":  # the item has no date of its own: it takes the date column's
        columns["content"] = ("事業名", "職員の派遣")
    if role == "country":  # with a country column the partner cell is the city alone
        columns["partner"] = ("相手都市", "セーラム市")
    columns[role] = (header, cell)
    header_row = [h for h, _ in columns.values()]
    data_row = [v for _, v in columns.values()]
    found = extract(render_table([header_row, data_row], fmt), "r" + SUFFIX[fmt])
    assert [i.code for i in found.issues if i.severity != "warning"] == []
    for table, column, expected in checks:
        (row,) = rows_of(found, table)
        assert row[column] == expected, (table, column)


@pytest.mark.parametrize(("header", "role"), [("提携都市名等", "partner"),
                                              ("提 携 都 市 名", "partner"),
                                              ("提携都市名（事業開始年度）", "partner"),
                                              ("主な活動実績", "content"),
                                              ("交流の内容", "content"),
                                              ("内　容", "content"),
                                              ("内容及び実績", "content"),
                                              ("主な取組と成果", "content"),
                                              ("姉妹都市提携先", "partner"),
                                              ("交流相手", "partner"),
                                              ("所管課・連絡先", "bureau"),
                                              ("担当者", "bureau"),
                                              ("実施日時", "date"),
                                              ("派遣者数", "participants")])
def test_patterns_and_spacing_read_their_role(header: str, role: str) -> None:
    from pipeline.roles import builtin_vocabulary, cell_role

    assert cell_role(header, builtin_vocabulary()) == role


@pytest.mark.parametrize("cell", ["姉妹都市", "米国 セーラム市", "令和5年度実績", "国際交流課",
                                  "中学生10名", "", "平成24年度実績", "文化交流", "中学生の派遣",
                                  "都市"])
def test_a_data_row_with_one_header_like_cell_is_no_header(cell: str) -> None:
    from pipeline.headers import header_columns
    from pipeline.roles import builtin_vocabulary, cell_role

    assert header_columns([cell, "東京都", "ボーズマン市", "1991/7/9 (H3)"]) is None
    if cell not in ("姉妹都市", ""):  # a partner word, and nothing: the only role cells here
        assert cell_role(cell, builtin_vocabulary()) is None


# --- An activity table in another shape, in every format ----------------------------------
# Other order, a separate country column, a date column, category and participants; the
# category and country cells of rows 2 and 3 are merged with the row above.
ACTIVITY = [
    ["実施時期", "区分", "国名", "提携先", "交流内容", "参加人数", "担当課"],
    ["令和5年8月1日～8月5日", "青少年交流", "アメリカ合衆国", "セーラム市", "中学生の派遣",
     "中学生10名", "国際交流課"],
    ["令和5年10月", "青少年交流", "アメリカ合衆国", "セーラム市", "・高校生の受入れ\n・歓迎会の開催（令和5年10月20日）",
     "高校生8名", "国際交流課"],
    ["令和6年2月中旬", "行政交流", "中華人民共和国", "紹興市", "代表団の来訪", "6名", "秘書課"],
]
ACTIVITY_MERGED = {(2, 1), (2, 2), (2, 3), (2, 6)}
ACTIVITY_EVENTS = [
    # row_no, item_no, country, code, city, category, bureau, inherited, description,
    # date_text, date_start, date_end, precision, participants
    ("1", "1", "アメリカ合衆国", "US", "セーラム市", "青少年交流", "国際交流課", "false", "中学生の派遣",
     "令和5年8月1日～8月5日", "2023-08-01", "2023-08-05", "day", "中学生10名"),
    ("2", "1", "アメリカ合衆国", "US", "セーラム市", "青少年交流", "国際交流課", "true", "高校生の受入れ",
     "令和5年10月", "2023-10-01", "2023-10-31", "month", "高校生8名"),
    ("2", "2", "アメリカ合衆国", "US", "セーラム市", "青少年交流", "国際交流課", "true", "歓迎会の開催",
     "令和5年10月20日", "2023-10-20", "2023-10-20", "day", "高校生8名"),
    ("3", "1", "中華人民共和国", "CN", "紹興市", "行政交流", "秘書課", "false", "代表団の来訪",
     "令和6年2月中旬", "2024-02-11", "2024-02-20", "dekad", "6名"),
]
EVENT_COLUMNS = ("row_no", "item_no", "partner_country", "partner_country_code", "partner_city",
                 "category", "bureau", "bureau_inherited", "description", "date_text",
                 "date_start", "date_end", "date_precision", "participants")


@pytest.mark.parametrize("fmt", FORMATS)
def test_activity_table_of_another_shape_in_every_format(fmt: str) -> None:
    data = render_table(ACTIVITY, fmt, merged=ACTIVITY_MERGED)
    found = extract(data, "activities" + SUFFIX[fmt])
    assert found.document.format == fmt
    assert [i for i in found.issues if i.severity == "reject"] == []
    events = [tuple(row[c] for c in EVENT_COLUMNS) for row in rows_of(found, "events")]
    assert events == ACTIVITY_EVENTS
    entries = rows_of(found, "entries")
    assert [(e["row_no"], e["category"], e["event_count"]) for e in entries] == [
        ("1", "青少年交流", "1"), ("2", "青少年交流", "2"), ("3", "行政交流", "1")]
    assert found.layout is not None and found.layout.fiscal_year == 2023


# --- A register with merged government cells, in every format -----------------------------
REGISTER = [
    ["都道府県名", "区市町村名", "海外の国および地域名", "提携先の自治体名", "提携日", "種別", "経緯"],
    ["東京都", "練馬区", "アメリカ合衆国", "ボーズマン市", "1991/7/9 (H3)", "姉妹都市", "高校の留学"],
    ["東京都", "練馬区", "オーストラリア", "イプスウィッチ市", "1994(平成6)年10月", "姉妹都市", ""],
    ["東京都", "府中市", "カナダ", "ナナイモ市", "昭和38年9月14日", "姉妹都市", "移住者の縁"],
]
REGISTER_MERGED = {(2, 0), (3, 0), (2, 1)}
REGISTER_ENTRIES = [
    # row_no, government, country, code, city, text, start, end, precision, category, events
    ("1", "東京都練馬区", "アメリカ合衆国", "US", "ボーズマン市", "1991-07-09", "1991-07-09", "day",
     "姉妹都市", "0"),
    ("2", "東京都練馬区", "オーストラリア", "AU", "イプスウィッチ市", "1994-10-01", "1994-10-31",
     "month", "姉妹都市", "0"),
    ("3", "東京都府中市", "カナダ", "CA", "ナナイモ市", "1963-09-14", "1963-09-14", "day", "姉妹都市",
     "0"),
]
ENTRY_COLUMNS = ("row_no", "government", "partner_country", "partner_country_code", "partner_city",
                 "partnership_start", "partnership_end", "partnership_precision", "category",
                 "event_count")


@pytest.mark.parametrize("fmt", FORMATS)
def test_register_with_merged_government_cells_in_every_format(fmt: str) -> None:
    data = render_table(REGISTER, fmt, merged=REGISTER_MERGED, preamble=("海外姉妹都市一覧",))
    found = extract(data, "register" + SUFFIX[fmt])
    assert [i for i in found.issues if i.severity == "reject"] == []
    entries = [tuple(row[c] for c in ENTRY_COLUMNS) for row in rows_of(found, "entries")]
    assert entries == REGISTER_ENTRIES
    assert [e["partnership_date_text"] for e in rows_of(found, "entries")] == [
        "1991/7/9 (H3)", "1994(平成6)年10月", "昭和38年9月14日"]  # the cell as printed
    assert found.events == []
    extras = [(r["row_no"], r["column"], r["value"]) for r in rows_of(found, "extras")]
    assert extras == [("1", "経緯", "高校の留学"), ("3", "経緯", "移住者の縁")]
    assert [i.code for i in found.issues if i.code == "column-unmapped"] == ["column-unmapped"]
    # the government cells merged into row 2 (and 3) are flagged as inherited
    assert rows_of(found, "entries")[1]["inherited"] == "government"


# --- Record tables in HTML ------------------------------------------------------------------
RECORD_PAGE = """<!DOCTYPE html><html><body><h2>海外との交流</h2>
<table><tr><th>実施年度</th><td>令和4年度</td></tr>
<tr><th>交流の相手方</th><td>台湾 台南市</td></tr>
<tr><th>現在の取組内容及び成果</th><td>・観光物産展の開催（令和4年11月）<br>・学生交流</td></tr></table>
<table><tr><td>交流の相手方</td><td>タイ バンコク都</td></tr>
<tr><td>実施年度</td><td>令和5年度</td></tr>
<tr><td>現在の取組内容及び成果</td><td>職員の相互派遣</td></tr></table>
</body></html>"""


def test_record_tables_are_one_entry_each_with_the_date_as_fallback() -> None:
    found = extract(RECORD_PAGE.encode(), "records.html")
    got = [(r["table_no"], r["row_no"], r["item_no"], r["partner_country_code"], r["partner_city"],
            r["description"], r["date_start"], r["date_end"], r["date_precision"])
           for r in rows_of(found, "events")]
    assert got == [
        ("1", "1", "1", "TW", "台南市", "観光物産展の開催", "2022-11-01", "2022-11-30", "month"),
        ("1", "1", "2", "TW", "台南市", "学生交流", "2022-04-01", "2023-03-31", "fiscal_year"),
        ("2", "1", "1", "TH", "バンコク都", "職員の相互派遣", "2023-04-01", "2024-03-31",
         "fiscal_year"),
    ]


# --- Ambiguity, and a table no header of which is known -----------------------------------
def test_two_content_columns_take_the_first_and_warn() -> None:
    rows = [["相手都市", "事業内容", "交流内容"],
            ["米国 セーラム市", "市長の訪問（令和5年8月）", "市民の訪問（令和5年9月）"]]
    found = extract(render_table(rows, "text"), "two.txt")
    assert [e["description"] for e in rows_of(found, "events")] == ["市長の訪問"]
    (doubt,) = [i for i in found.issues if i.code == "column-ambiguous"]
    assert doubt.message == ("two.txt:4: 2 columns look like content: took 事業内容 (column 2), "
                             "the first; 交流内容 (column 3) go to extras (map them with --layout)")
    assert [(r["column"], r["value"]) for r in rows_of(found, "extras")] == [
        ("交流内容", "市民の訪問（令和5年9月）")]
    assert not [i for i in found.issues if i.code == "column-unmapped"]


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_no_known_header_names_the_rows_and_the_missing_roles(fmt: str) -> None:
    rows = [["訪問先", "交流の概要"], ["米国 セーラム市", "市長の訪問（令和5年8月）"]]
    found = extract_bytes(render_table(rows, fmt), "unknown" + SUFFIX[fmt])
    assert not isinstance(found, Extraction)
    assert found.code == "no-table"
    assert "header-like rows seen: 訪問先=? | 交流の概要=?;" in found.message
    assert found.message.endswith(
        'Missing: partner or content. Map the headers to roles in a layout file ([columns] '
        '"訪問先" = "partner", one line a header) and run pipeline run --layout FILE')


def test_a_table_of_content_alone_gives_events_without_a_partner_and_says_so() -> None:
    rows = [["事業内容", "実施時期", "担当課"],
            ["県民の海外派遣", "令和5年7月", "国際課"]]
    found = extract(render_table(rows, "text"), "content.txt")
    (event,) = rows_of(found, "events")
    assert (event["partner_country"], event["partner_city"], event["description"],
            event["date_start"], event["bureau"]) == ("", "", "県民の海外派遣", "2023-07-01", "国際課")
    assert [i.message for i in found.issues if i.code == "partner-missing"] == [
        "content.txt:5: the table has no partner column; the partner is empty (map a column "
        "to partner with --layout)"]


def test_a_blank_partner_inherits_in_an_activity_table_but_not_in_fy2012s_shape() -> None:
    wide = [["相手都市", "事業名", "実施時期"], ["米国 セーラム市", "派遣", "令和5年7月"],
            ["", "受入れ", "令和5年8月"]]
    found = extract(render_table(wide, "text"), "wide.txt")
    assert [e["partner_city"] for e in rows_of(found, "events")] == ["セーラム市", "セーラム市"]
    assert rows_of(found, "entries")[1]["inherited"] == "partner"
    narrow = [["相手都市", "事業名", "担当課"], ["米国 セーラム市", "派遣（令和5年7月）", "課"],
              ["", "受入れ（令和5年8月）", "課"]]
    found = extract(render_table(narrow, "text"), "narrow.txt")
    assert [i.code for i in found.issues if i.severity == "reject"] == ["row-label"]


def test_an_item_date_outside_the_rows_date_column_is_taken_with_a_warning() -> None:
    rows = [["相手都市", "事業名", "実施時期"],
            ["米国 セーラム市", "・派遣（令和5年7月）<br>・歓迎会（令和5年10月20日）", "令和5年10月"]]
    found = extract(render_table(rows, "text"), "differs.txt")
    assert [e["date_start"] for e in rows_of(found, "events")] == ["2023-07-01", "2023-10-20"]
    assert [i.message for i in found.issues if i.code == "date-column-differs"] == [
        "differs.txt:5: item 1: its date 令和5年7月 lies outside the row's date column "
        "令和5年10月; the item's is taken"]


def test_a_partnership_date_of_two_dates_spans_them_with_a_warning() -> None:
    rows = [["提携先", "国名", "提携年月日"], ["ボーズマン市", "米国", "1960年（1991年再締結）"]]
    found = extract(render_table(rows, "csv"), "two.csv")
    (entry,) = rows_of(found, "entries")
    assert (entry["partnership_start"], entry["partnership_end"]) == ("1960-01-01", "1991-12-31")
    assert [i.code for i in found.issues if i.code == "partnership-date-several"] == [
        "partnership-date-several"]


def test_a_two_column_table_after_record_tables_with_unknown_labels_is_named() -> None:
    """Regression: it was warned about as lacking 'the report's None columns'."""
    page = RECORD_PAGE.replace("</body>", "<table><tr><td>住所</td><td>若葉市1-1</td></tr>"
                               "<tr><td>電話</td><td>000-0000</td></tr></table>"
                               "<table><tr><td><a href='/'>ホーム</a></td></tr></table></body>")
    found = extract(page.encode(), "records.html")
    assert len(found.events) == 3
    (skipped,) = [i for i in found.issues if i.code == "html-table-skipped"]
    assert skipped.message == ("records.html:8: a two-column table whose labels name no partner "
                               "or content column; not read (map its labels with --layout)")


# --- A column under a blank or spanned header cell ------------------------------------------
# Regression: a column whose header cell was blank (or covered by a header spanning two
# columns) was in no table and no warning: 市長ほか3名 vanished.
PREAMBLE = ("令和5年度 交流実績", "令和5年度実績")
BLANK_HEADED = [["提携先", "交流内容", "", "担当"],
                ["米国 セーラム市", "・市長の訪問（令和5年7月）", "市長ほか3名", "国際課"],
                ["米国 セーラム市", "・職員の訪問（令和5年9月）", "", "国際課"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_cell_under_a_blank_header_goes_to_extras_and_is_named(fmt: str) -> None:
    found = extract(render_table(BLANK_HEADED, fmt, preamble=PREAMBLE), "bh" + SUFFIX[fmt])
    assert [(r["row_no"], r["column"], r["value"]) for r in rows_of(found, "extras")] == [
        ("1", "(column 3)", "市長ほか3名")]
    assert [e["description"] for e in rows_of(found, "events")] == ["市長の訪問", "職員の訪問"]
    (warning,) = [i for i in found.issues if i.code == "column-unmapped"]
    assert warning.message.split(": ", 1)[1] == (
        "column 3 has no header of its own; its cells go to the extras table as '(column 3)' "
        "(give the column a header in the report, then map it with --layout to read it as a "
        "role)")


def test_a_blank_header_cell_in_a_csv_is_named_by_its_line() -> None:
    found = extract(render_table(BLANK_HEADED, "csv", preamble=PREAMBLE), "bh.csv")
    (warning,) = [i for i in found.issues if i.code == "column-unmapped"]
    assert (warning.source_line, warning.message.split(": ", 1)[0]) == (4, "bh.csv:4")


SPANNED_HTML = """<!DOCTYPE html><html><body><p>令和5年度 交流実績</p><p>令和5年度実績</p>
<table><tr><th>提携先</th><th colspan="2">交流内容</th><th>担当</th></tr>
<tr><td>米国 セーラム市</td><td>・市長の訪問（令和5年7月）</td><td>市長ほか3名</td><td>国際課</td></tr>
</table></body></html>"""
SPANNED_LAST_HTML = """<!DOCTYPE html><html><body><p>令和5年度 交流実績</p><p>令和5年度実績</p>
<table><tr><th>提携先</th><th colspan="2">交流内容</th></tr>
<tr><td>米国 セーラム市</td><td>・市長の訪問（令和5年7月）</td><td>市長ほか3名</td></tr>
</table></body></html>"""
SPANNED_WARNING = ("column 3 has no header of its own, under '交流内容' that spans it; its "
                   "cells go to the extras table as '交流内容' (give the column a header in the "
                   "report, then map it with --layout to read it as a role)")


def _merged_header_xlsx(last: bool) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"] = PREAMBLE
    header = ["提携先", "交流内容", None] if last else ["提携先", "交流内容", None, "担当"]
    row = ["米国 セーラム市", "・市長の訪問（令和5年7月）", "市長ほか3名", "国際課"]
    sheet.append([])
    sheet.append(header)
    sheet.append(row[:3] if last else row)
    sheet.merge_cells("B4:C4")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "name"), [
    (SPANNED_HTML.encode(), "span.html"), (SPANNED_LAST_HTML.encode(), "last.html"),
    (_merged_header_xlsx(False), "span.xlsx"), (_merged_header_xlsx(True), "last.xlsx")],
    ids=["colspan", "colspan-last", "merged", "merged-last"])
def test_a_cell_under_a_spanning_header_goes_to_extras_under_its_name(data: bytes,
                                                                      name: str) -> None:
    found = extract(data, name)
    assert [i.code for i in found.issues if i.severity == "reject"] == []
    assert [(r["column"], r["value"]) for r in rows_of(found, "extras")] == [
        ("交流内容", "市長ほか3名")]
    assert [e["description"] for e in rows_of(found, "events")] == ["市長の訪問"]
    (warning,) = [i for i in found.issues if i.code == "column-unmapped"]
    assert warning.message.split(": ", 1)[1] == SPANNED_WARNING


def test_a_blank_header_with_empty_cells_below_is_no_warning() -> None:
    rows = [[*row[:2], "", row[3]] for row in BLANK_HEADED]
    found = extract(render_table(rows, "csv", preamble=PREAMBLE), "quiet.csv")
    assert rows_of(found, "extras") == []
    assert [i for i in found.issues if i.code == "column-unmapped"] == []


@pytest.mark.parametrize(("written", "start", "end", "precision"), [
    ("平成11年度～", "1999-04-01", "", "fiscal_year"),  # ongoing since fiscal 1999
    ("～2023(令和5)年まで", "", "2023-12-31", "year"),  # ended; its start is not written
    ("平成11年度", "1999-04-01", "2000-03-31", "fiscal_year"),  # closed: both ends
])
def test_an_open_partnership_date_leaves_its_unwritten_end_empty(
        written: str, start: str, end: str, precision: str) -> None:
    """Regression: 平成11年度～ gave partnership_end 2000-03-31, as if it had ended."""
    rows = [["提携先", "提携年月日", "内容"], ["米国 ボーズマン市", written, "・訪問（令和5年7月）"]]
    found = extract(render_table(rows, "text"), "open.txt")
    (entry,) = rows_of(found, "entries")
    assert (entry["partnership_start"], entry["partnership_end"],
            entry["partnership_precision"]) == (start, end, precision)
    assert [i.code for i in found.issues if i.code.startswith(("date", "partnership"))] == []


def test_the_participants_cell_gives_the_head_count_the_description_does_not() -> None:
    """Regression: 中学生10名、引率教員2名 in the participants column left participant_count
    empty; a count in the description still wins."""
    rows = [["相手都市", "事業名", "参加者"],
            ["米国 セーラム市", "・中学生派遣（令和5年8月）", "中学生10名、引率教員2名"],
            ["米国 セーラム市", "・職員3名の派遣（令和5年9月）", "職員5名"],
            ["米国 セーラム市", "・職員の派遣（令和5年10月）", "職員"]]
    events = rows_of(extract(render_table(rows, "text"), "count.txt"), "events")
    assert [(e["participant_count"], e["facet_evidence"]) for e in events] == [
        ("12", "kind: 学生; direction: 派遣; participant_count: participants 中学生10名、引率教員2名"),
        ("3", "direction: 派遣; count: 3名"),
        ("", "direction: 派遣")]


def test_a_joined_government_is_ours_in_each_of_its_parts() -> None:
    """Regression: 東京都 + 練馬区 -> 東京都練馬区 hid the ward, so a visit to 練馬区 was
    direction unknown."""
    rows = [["都道府県名", "自治体名", "相手都市", "交流内容"],
            ["東京都", "練馬区", "米国 ボーズマン市", "ボーズマン市長の練馬区訪問（令和5年7月）"],
            ["東京都", "練馬区", "米国 ボーズマン市", "ボーズマン市長の東京都訪問（令和5年8月）"],
            ["東京都", "練馬区", "米国 ボーズマン市", "区長のボーズマン市訪問（令和5年9月）"]]
    events = rows_of(extract(render_table(rows, "text"), "ward.txt"), "events")
    assert [(e["direction"], e["facet_evidence"]) for e in events] == [
        ("inbound", "kind: 訪問; direction: 練馬区訪問"),
        ("inbound", "kind: 訪問; direction: 東京都訪問"),
        ("outbound", "kind: 訪問; direction: ボーズマン市訪問")]
