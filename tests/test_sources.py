"""Every supported format and encoding, each built from the FY2012 report's own content,
must give the same events as the tab-separated text file itself.

The variants are generated here from `raw/` (nothing is read back from the pipeline to
build them): the report is split into its title, period and two tables, and each table
is written out as a spreadsheet would save it, as an HTML page, or as a workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.layout import document_to_layout
from pipeline.model import Extraction, Issue, SourceDocument
from pipeline.sources import ReadError, read_document
from tests.conftest import REPORT
from tests.reports import (
    REPORT_PARTS,
    content_items,
    cp932_bytes,
    csv_variant,
    euc_jp_bytes,
    html_page,
    html_variant,
    label_html,
    shift_jis_bytes,
    text_variant,
    xls_variant,
    xlsx_variant,
)

REPORT_BYTES = REPORT.read_bytes()
REPORT_TEXT = REPORT_BYTES.decode("utf-8")
COMPARED = ("description", "date_start", "date_end", "date_precision", "partner_country",
            "partner_country_code", "partner_city", "bureau", "bureau_inherited")


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], tuple[str, bytes]]
    format: str
    encoding: str | None


CASES = [
    Case("text-utf8", text_variant(str.encode, "fy2012.txt"), "text", "utf-8"),
    Case("text-utf8-bom", text_variant(lambda t: b"\xef\xbb\xbf" + t.encode(), "fy2012.txt"),
         "text", "utf-8-sig"),
    Case("text-crlf", text_variant(lambda t: t.replace("\n", "\r\n").encode(), "fy2012.txt"),
         "text", "utf-8"),
    Case("text-cr", text_variant(lambda t: t.replace("\n", "\r").encode(), "fy2012.txt"),
         "text", "utf-8"),
    Case("text-cp932", text_variant(cp932_bytes, "fy2012.txt"), "text", "cp932"),
    # Shift_JIS bytes are CP932 bytes; the wave dash reads back as the full-width tilde.
    Case("text-shift_jis", text_variant(shift_jis_bytes, "fy2012.txt"), "text", "cp932"),
    Case("text-euc-jp", text_variant(euc_jp_bytes, "fy2012.txt"), "text", "euc_jp"),
    Case("csv-excel", csv_variant, "csv", "utf-8-sig"),
    Case("html", html_variant(), "html", "utf-8"),
    Case("html-one-table", html_variant(one_table=True), "html", "utf-8"),
    Case("html-cp932", html_variant(encoding="cp932"), "html", "cp932"),
    Case("html-pretty-printed", html_variant(pretty=True), "html", "utf-8"),
    Case("html-title-in-table", html_variant(title_in_table=True), "html", "utf-8"),
    Case("xlsx", xlsx_variant, "xlsx", None),
    Case("xls", xls_variant, "xls", None),
]


@pytest.fixture(params=CASES, ids=[case.id for case in CASES])
def variant(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Case, str, bytes]:
    case: Case = request.param
    name, data = case.build(tmp_path)
    return case, name, data


# ---------------------------------------------------------------------------------------
# Reader level: what each reader hands to layout.


def _filled(cells: tuple[str, ...]) -> list[str]:
    return [" ".join(cell.split()) for cell in cells if cell.strip()]


def test_reader_detects_format_and_encoding(variant: tuple[Case, str, bytes]) -> None:
    case, name, data = variant
    document = read_document(data, name)
    assert (document.format, document.encoding) == (case.format, case.encoding)


def test_reader_finds_every_label_and_the_two_headers(variant: tuple[Case, str, bytes]) -> None:
    _case, name, data = variant
    document = read_document(data, name)
    labels = [" ".join(row[0].split()) for table in REPORT_PARTS.tables for row in table]
    headers = [row for row in document.rows if len(_filled(row.cells)) == 3
               and row.cells[0].strip().startswith("提携都市名")]
    assert len(headers) == 2
    found = [_filled(row.cells)[0] for row in document.rows
             if len(_filled(row.cells)) >= 2 and row not in headers]
    assert found == labels


def test_reader_keeps_title_and_period(variant: tuple[Case, str, bytes]) -> None:
    """In the rows (text, CSV, a sheet) or before the table (a page's headings), layout
    finds them."""
    _case, name, data = variant
    layout = document_to_layout(read_document(data, name))
    assert (layout.title, layout.period_text) == (REPORT_PARTS.title, REPORT_PARTS.period)
    assert layout.fiscal_year == 2012


def test_reader_lines_point_into_the_source(variant: tuple[Case, str, bytes]) -> None:
    case, name, data = variant
    document = read_document(data, name)
    assert all(row.line >= 1 for row in document.rows)
    assert [row.line for row in document.rows] == sorted(row.line for row in document.rows)
    assert document.line_based == (case.format in ("text", "csv"))


@pytest.mark.parametrize("build", [html_variant(), xlsx_variant, xls_variant],
                         ids=["html", "xlsx", "xls"])
def test_spanned_bureau_cells_are_copied_and_marked_inherited(
        build: Callable[[Path], tuple[str, bytes]], tmp_path: Path) -> None:
    name, data = build(tmp_path)
    document = read_document(data, name)
    rows = [row for row in document.rows if len(_filled(row.cells)) >= 2
            and not row.cells[0].startswith("提携都市名")]
    expected_bureaus: list[str] = []
    expected_inherited: list[bool] = []
    for table in REPORT_PARTS.tables:
        above = ""
        for _, _, bureau in table:
            above = bureau.strip() or above
            expected_bureaus.append(above)
            expected_inherited.append(not bureau.strip())
    assert [row.cells[2] for row in rows] == expected_bureaus
    assert [2 in row.inherited for row in rows] == expected_inherited


def test_html_rows_carry_their_source_line_and_html(tmp_path: Path) -> None:
    name, data = html_variant()(tmp_path)
    lines = data.decode().splitlines()
    document = read_document(data, name)
    for row in document.rows:
        assert lines[row.line - 1].startswith("<tr>"), row.line
        assert row.raw.startswith("<tr>") and row.raw.endswith("</tr>")
    first = next(row for row in document.rows if row.cells[0].startswith("アメリカ合衆国"))
    assert first.cells[1].startswith('<ul><li><a href="https://www.metro.tokyo.lg.jp/?id=24&amp;'
                                     'lang=ja">知事本局職員')  # passed on as HTML
    beijing = next(row for row in document.rows if "北京市(S53)" in row.cells[0])
    assert beijing.cells[0] == "中華人民共和国 北京市(S53)"  # &nbsp; is a space in a label
    assert beijing.cells[1].count("<br>") == 2


def test_html_header_with_br_is_joined() -> None:
    page = ("<table><tr><th>提携都市名<br>(事業開始年度)</th><th>内容・<br>実績</th>"
            "<th>所管局</th></tr><tr><td>英国 ロンドン市</td><td>・会談(平成24年8月)</td>"
            "<td>外務課</td></tr></table>")
    document = read_document(page.encode(), "x.html")
    assert document.rows[0].cells == ("提携都市名 (事業開始年度)", "内容・ 実績", "所管局")


def test_html_entities_reach_the_items_as_text() -> None:
    from pipeline.cells import cell_to_items

    page = ("<h2>平成24年度実績</h2><table><tr><th>提携都市名</th><th>内容・実績</th>"
            "<th>所管局</th></tr><tr><td>英国&nbsp;ロンドン市</td><td><ul><li>知事本局 &amp; "
            "環境局の会談&nbsp;(平成24年8月)</li><li>&lt;速報&gt;視察(平成24年9月)</li></ul></td>"
            "<td>外務課</td></tr></table>")
    document = read_document(page.encode(), "x.html")
    cell = document.rows[1].cells[1]
    assert "&amp;" in cell and "&lt;速報&gt;" in cell  # still HTML for cells.py
    items = [item.text for item in cell_to_items(cell).items]
    assert [" ".join(text.split()) for text in items] == [
        "知事本局 & 環境局の会談 (平成24年8月)", "<速報>視察(平成24年9月)"]
    assert document.preamble == (("h2", "平成24年度実績"),)


@pytest.mark.parametrize(("preamble", "period", "year"), [
    ("<h1>姉妹都市との交流</h1><p>（令和元年度実績）</p>", "（令和元年度実績）", 2019),
    ("<h1>姉妹都市との交流</h1><h3>令和元年度（平成31年度）実績</h3>", "令和元年度（平成31年度）実績", 2019),
    ("<p>令和２年度の交流実績</p><h2>姉妹都市との交流</h2>", "令和２年度の交流実績", 2020),
])
def test_html_period_before_the_table_is_read_as_in_a_text_report(
        preamble: str, period: str, year: int) -> None:
    """Regression: the page reader had its own narrower idea of a period line, so the first
    two years came from the file name (a warning) instead of the period; the third it read."""
    page = (f"<html><body>{preamble}<table><tr><th>提携都市名</th><th>内容・実績</th>"
            "<th>所管局</th></tr><tr><td>英国 ロンドン市</td><td>・会談(8月)</td>"
            "<td>外務課</td></tr></table></body></html>")
    layout = document_to_layout(read_document(page.encode(), "fy2030.html"))
    assert (layout.title, layout.period_text, layout.fiscal_year) == (
        "姉妹都市との交流", period, year)
    assert [issue.code for issue in layout.issues] == []


def test_html_colspan_leaves_the_spanned_columns_empty() -> None:
    page = ("<table><tr><th>提携都市名</th><th>内容</th><th>所管局</th></tr>"
            "<tr><td>英国 ロンドン市</td><td colspan=2>平成24年度実績なし</td></tr>"
            "<tr><td colspan=3>※所管局欄の括弧内は内線番号</td></tr></table>")
    document = read_document(page.encode(), "x.html")
    assert [row.cells for row in document.rows[1:]] == [
        ("英国 ロンドン市", "平成24年度実績なし", ""), ("※所管局欄の括弧内は内線番号", "", "")]


def test_html_rowspan_ends_at_the_next_header() -> None:
    page = ("<table><tr><th>提携都市名</th><th>内容</th><th>所管局</th></tr>"
            "<tr><td>英国 ロンドン市</td><td>・会談(平成24年8月)</td><td rowspan=9>外務課</td></tr>"
            "<tr><th>提携都市名</th><th>内容</th><th>所管局</th></tr>"
            "<tr><td>大韓民国 ソウル特別市</td><td>・視察(平成24年6月)</td></tr></table>")
    document = read_document(page.encode(), "x.html")
    assert [row.cells for row in document.rows[2:]] == [
        ("提携都市名", "内容", "所管局"), ("大韓民国 ソウル特別市", "・視察(平成24年6月)")]
    assert document.rows[3].inherited == frozenset()


def test_html_page_without_a_report_table_is_a_read_error() -> None:
    page = "<html><body><h1>お知らせ</h1><table><tr><td>a</td></tr></table></body></html>"
    with pytest.raises(ReadError) as raised:
        read_document(page.encode(), "notice.html")
    assert raised.value.code == "no-table"


def test_html_never_fetches_an_external_dtd_or_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    page = (f'<!DOCTYPE html SYSTEM "file://{secret}" [<!ENTITY x SYSTEM "file://{secret}">]>'
            "<html><body><table><tr><th>提携都市名</th><th>内容</th></tr>"
            "<tr><td>英国 ロンドン市</td><td>&x;</td></tr></table></body></html>")
    document = read_document(page.encode(), "x.html")
    assert "SECRET" not in repr(document.rows)


def test_xlsx_that_is_not_a_workbook_is_a_read_error() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    for data in (buffer.getvalue(), b"PK\x03\x04" + b"\x00" * 100):
        with pytest.raises(ReadError) as raised:
            read_document(data, "broken.xlsx")
        assert raised.value.code == "file-unreadable"
        assert raised.value.message.startswith("the file is not a readable Excel workbook: ")


ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"


@pytest.mark.parametrize(("members", "kind"), [
    ({"word/document.xml": "x", "[Content_Types].xml": "x"}, "it is a Word document (.docx)"),
    ({"ppt/presentation.xml": "x", "[Content_Types].xml": "x"}, "it is a PowerPoint file"),
    ({"[Content_Types].xml": "x", "xl/workbook.bin": "x"}, "it is an Excel binary workbook"),
    ({"mimetype": ODS, "content.xml": "x"}, "it is an OpenDocument spreadsheet (.ods)"),
    ({"mimetype": ODT, "content.xml": "x"}, f"it is an OpenDocument file of another kind ({ODT})"),
    ({"reports/fy2012.txt": "x"}, "it is a ZIP archive, not a workbook"),
    ({"fy2012.xlsx": "x", "fy2013.xlsx": "x"}, "it is a ZIP archive, not a workbook"),
])
def test_a_zip_that_is_no_workbook_says_what_it_is(members: dict[str, str], kind: str) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    with pytest.raises(ReadError) as raised:
        read_document(buffer.getvalue(), "report.xlsx")
    assert raised.value.message.startswith(f"the file is not a readable Excel workbook: {kind}")


def test_a_workbook_whose_parts_have_other_names_is_read(tmp_path: Path) -> None:
    """The workbook part may have any name its relationships give it (review finding: a
    check for xl/workbook.xml turned such a workbook away)."""
    import zipfile

    _, data = xlsx_variant(tmp_path)
    renamed = {"xl/workbook.xml": "xl/book.xml", "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.namelist():
            content = source.read(member).replace(b"xl/workbook.xml", b"xl/book.xml")
            target.writestr(renamed.get(member, member), content)
    document = read_document(buffer.getvalue(), "fy2012.xlsx")
    assert document.rows == read_document(data, "fy2012.xlsx").rows


def test_an_excel_2003_xml_spreadsheet_says_what_it_is() -> None:
    page = ('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">\n'
            "<Worksheet><Table><Row><Cell><Data>提携都市名</Data></Cell></Row></Table>"
            "</Worksheet></Workbook>\n")
    with pytest.raises(ReadError) as raised:
        read_document(page.encode(), "fy2012.xls")
    assert raised.value.message == ("the file is an Excel 2003 XML spreadsheet, which is not "
                                    "read: save it as .xlsx")


def test_a_sheet_that_merged_cells_would_blow_up_costs_only_itself(tmp_path: Path) -> None:
    """Review finding: one narrow merge at the far right (XFD4:XFD99999) padded every row
    it covers to 16,384 cells: a 5 KB file took gigabytes."""
    import openpyxl

    _, data = xlsx_variant(tmp_path)
    book = openpyxl.load_workbook(io.BytesIO(data))
    hostile = book.create_sheet("続き")
    hostile.append([cell.strip() for cell in REPORT_PARTS.header])
    hostile["XFD4"] = "x"
    hostile.merge_cells("XFD4:XFD99999")
    hostile["A99999"] = "y"
    buffer = io.BytesIO()
    book.save(buffer)
    document = read_document(buffer.getvalue(), "fy2012.xlsx")
    assert [issue.code for issue in document.issues] == ["sheet-too-large"]
    assert document.rows == read_document(data, "fy2012.xlsx").rows


def test_merged_ranges_too_large_to_open_are_refused_before_opening(tmp_path: Path) -> None:
    """openpyxl made an object for every cell of a merged range as it opened the file; the
    range is now charged to the workbook's budget as it is read (tests/test_hostile_workbooks.py
    has its other spellings)."""
    import zipfile

    _, data = xlsx_variant(tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.namelist():
            content = source.read(member)
            if member == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<mergeCell ref="A1:C1"/>',
                                          b'<mergeCell ref="A1:XFD1048576"/>')
            target.writestr(member, content)
    with pytest.raises(ReadError) as raised:
        read_document(buffer.getvalue(), "fy2012.xlsx")
    assert raised.value.code == "workbook-too-large"
    assert raised.value.message == (
        "the workbook is too large to read: worksheet '平成24年度' (xl/worksheets/sheet1.xml): "
        "merged range A1:XFD1048576 covers 17179869184 cells, past the 500000 cells a "
        "workbook may hold (every cell its merged ranges cover counted)")


def test_text_that_looks_like_a_marker_is_only_text(tmp_path: Path) -> None:
    """Review finding: a cell naming EncryptedPackage made a valid .xls 'encrypted', and a
    page declaring the spreadsheet namespace was refused as an Excel 2003 XML file."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("s")
    for column, value in enumerate(["提携都市名", "内容", "所管局"]):
        sheet.write(0, column, value)
    sheet.write(1, 0, "英国 ロンドン市")
    sheet.write(1, 1, "・暗号化EncryptedPackageの説明(平成24年8月)")
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(read_document(buffer.getvalue(), "a.xls").rows) == 2
    _, page = html_variant()(tmp_path)
    page = page.replace(b'<html lang="ja">',
                        b'<html xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">')
    assert read_document(page, "fy2012.xls").format == "html"


def test_a_value_under_a_merge_stays_hidden_as_excel_hides_it(tmp_path: Path) -> None:
    """Review finding: with the merge's top-left cell empty, a value the .xls file holds
    under the merge showed as the bureau of the row below."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("s", cell_overwrite_ok=True)
    for column, value in enumerate(["提携都市名", "内容", "所管局"]):
        sheet.write(0, column, value)
    sheet.write(1, 0, "英国 ロンドン市")
    sheet.write(1, 1, "・会談(平成24年8月)")
    sheet.write(2, 0, "米国 ニューヨーク市")
    sheet.write(2, 1, "・視察(平成24年9月)")
    sheet.merge(1, 2, 2, 2)  # C2:C3 merged, C2 empty
    sheet.write(2, 2, "隠れ局")
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_document(buffer.getvalue(), "a.xls").rows
    assert [row.cells[2:] for row in rows[1:]] in ([(), ("",)], [(), ()])


def test_an_encrypted_workbook_says_so() -> None:
    data = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)
            + "EncryptedPackage".encode("utf-16-le") + bytes(500))
    with pytest.raises(ReadError) as raised:
        read_document(data, "secret.xlsx")
    assert raised.value.message == ("the file is encrypted (saved with a password); "
                                    "save it without one")


def test_xls_and_xlsx_cells_read_alike(tmp_path: Path) -> None:
    """Review finding: a time of day, a boolean read differently in the two formats."""
    import openpyxl
    import xlwt

    values = [dt.time(13, 30), True, False, 24.0, dt.datetime(2012, 7, 22), "・会談"]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("s")
    styles = {dt.time: xlwt.easyxf(num_format_str="h:mm"),
              dt.datetime: xlwt.easyxf(num_format_str="yyyy/mm/dd")}
    for column, value in enumerate(["提携都市名", "内容", "所管局"]):
        sheet.write(0, column, value)
    for row, value in enumerate(values, start=1):
        sheet.write(row, 0, "英国 ロンドン市")
        sheet.write(row, 1, value, styles.get(type(value), xlwt.Style.default_style))
    old = io.BytesIO()
    book.save(old)
    new_book = openpyxl.Workbook()
    new_sheet = new_book.active
    new_sheet.append(["提携都市名", "内容", "所管局"])
    for value in values:
        new_sheet.append(["英国 ロンドン市", value])
    new = io.BytesIO()
    new_book.save(new)
    read = [[row.cells[1] for row in read_document(data, name).rows[1:]]
            for data, name in ((old.getvalue(), "a.xls"), (new.getvalue(), "a.xlsx"))]
    assert read[0] == read[1] == ["13:30:00", "TRUE", "FALSE", "24", "2012-07-22", "・会談"]


def test_an_xls_error_cell_reads_as_excel_shows_it() -> None:
    """xlwt cannot write an error cell, so the cell is made directly: code 0x07 is #DIV/0!,
    which openpyxl gives for the same cell of an .xlsx."""
    import xlrd

    from pipeline.sources.xls import cell_to_text

    assert cell_to_text(None, xlrd.sheet.Cell(xlrd.XL_CELL_ERROR, 0x07)) == "#DIV/0!"
    assert cell_to_text(None, xlrd.sheet.Cell(xlrd.XL_CELL_ERROR, 0x2A)) == "#N/A"


def extract_document_of(data: bytes, name: str) -> Extraction:
    from pipeline.extract import extract_bytes

    extraction = extract_bytes(data, name)
    assert isinstance(extraction, Extraction), extraction
    return extraction


def test_a_stray_value_far_off_costs_its_own_row_only(tmp_path: Path) -> None:
    """Review finding: one value at a sheet's far corner made a grid of every cell in
    between (.xls: 16 million cells, 34 s and 856 MB; .xlsx: 17 billion)."""
    import openpyxl

    _, data = xlsx_variant(tmp_path)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active.cell(row=1048576, column=16384, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    _, old = xls_variant(tmp_path, stray=(65535, 255))
    for name, workbook, last_line in (("fy2012.xlsx", buffer.getvalue(), 1048576),
                                      ("fy2012.xls", old, 65536)):
        document = read_document(workbook, name)
        assert sum(len(row.cells) for row in document.rows) < 10_000
        extraction = extract_document_of(workbook, name)
        assert len(extraction.events) == 35
        if name.endswith(".xls"):  # .xlsx rows past 100,000 are cut (sheet-truncated)
            assert document.rows[-1].line == last_line and document.rows[-1].cells[-1] == "x"


def test_a_page_saved_with_the_xls_extension_is_read_as_the_page_it_is(tmp_path: Path) -> None:
    """Sites often serve HTML tables as .xls; only the Office container makes a workbook."""
    _, data = html_variant()(tmp_path)
    document = read_document(data, "fy2012.xls")
    assert document.format == "html"
    _, text = text_variant(str.encode, "fy2012.txt")(tmp_path)
    assert read_document(text, "fy2012.xls").format == "text"


def test_broken_xlsx_names_the_file_once_through_extract() -> None:
    from pipeline.extract import extract_bytes

    issue = extract_bytes(b"PK\x03\x04" + b"\x00" * 100, "broken.xlsx")
    assert isinstance(issue, Issue) and issue.code == "file-unreadable"
    assert issue.message.startswith("broken.xlsx: the file is not a readable Excel workbook: ")


def test_xlsx_uses_the_first_sheet_with_a_header(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["表紙"])
    report = book.create_sheet("data")
    report.append(["提携都市名", "内容・実績", "所管局"])
    report.append(["英国 ロンドン市 (H18)", "・会談(平成24年8月)\n・出張(平成25年1月)", 21415])
    book.save(tmp_path / "book.xlsx")
    document = read_document((tmp_path / "book.xlsx").read_bytes(), "book.xlsx")
    assert document.rows[1].cells == ("英国 ロンドン市 (H18)", "・会談(平成24年8月)\n・出張(平成25年1月)",
                                      "21415")
    # Rows 1 and 2 of the workbook's second sheet (xlsx.SHEET_LINES per sheet).
    assert [row.line for row in document.rows] == [100_001, 100_002]


# ---------------------------------------------------------------------------------------
# End to end: the same events from every variant.


def _events(extraction: Extraction | Issue) -> dict[tuple[int, int, int], tuple[Any, ...]]:
    assert isinstance(extraction, Extraction), extraction
    return {(e.table_no, e.row_no, e.item_no): tuple(getattr(e, f) for f in COMPARED)
            for e in extraction.events}


@pytest.fixture(scope="module")
def reference() -> dict[tuple[int, int, int], tuple[Any, ...]]:
    from pipeline.extract import extract_bytes

    events = _events(extract_bytes(REPORT_BYTES, REPORT.name))
    assert len(events) == 35
    return events


def test_variant_gives_the_same_events(variant: tuple[Case, str, bytes],
                                       reference: dict[tuple[int, int, int], tuple[Any, ...]]
                                       ) -> None:
    from pipeline.extract import extract_bytes

    _case, name, data = variant
    extraction = extract_bytes(data, name)
    ours = _events(extraction)
    assert ours.keys() == reference.keys()
    for key, expected in reference.items():
        assert dict(zip(COMPARED, ours[key], strict=True)) == dict(
            zip(COMPARED, expected, strict=True)), key
    assert isinstance(extraction, Extraction)
    assert [i for i in extraction.issues if i.severity == "reject"] == []
    assert extraction.layout is not None and extraction.layout.fiscal_year == 2012


def test_variant_through_the_cli(variant: tuple[Case, str, bytes], tmp_path: Path) -> None:
    from pipeline.cli import main

    case, name, data = variant
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(data)
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["inputs"]
    assert (entry["format"], entry["encoding"]) == (case.format, case.encoding)
    assert entry["counts"]["events"] == 35 and entry["counts"]["rejects"] == 0
    assert entry["fiscal_year"] == 2012


def test_text_document_counts_physical_lines() -> None:
    document = read_document(REPORT_BYTES, REPORT.name)
    assert isinstance(document, SourceDocument)
    assert document.line_count == len(REPORT_TEXT.splitlines())


# ---------------------------------------------------------------------------------------
# Regressions: inputs that used to lose rows or whole files.


def _same_events(extraction: Extraction | Issue,
                 reference: dict[tuple[int, int, int], tuple[Any, ...]]) -> None:
    ours = _events(extraction)
    assert ours.keys() == reference.keys()
    for key, expected in reference.items():
        assert ours[key] == expected, key


def _with_line(number: int, edit: Callable[[str], str]) -> bytes:
    lines = REPORT_TEXT.split("\n")
    lines[number - 1] = edit(lines[number - 1])
    return "\n".join(lines).encode()


_TITLE_LINE = REPORT_TEXT.split("\n").index(REPORT_PARTS.title) + 1
_LAST_LINE = len(REPORT_TEXT.split("\n"))


@pytest.mark.parametrize("data", [
    _with_line(_TITLE_LINE, lambda line: f"<p>{line}</p>"),
    _with_line(_LAST_LINE, lambda line: line + "<table><tr><td>表</td></tr></table>"),
], ids=["title-in-p", "table-in-a-cell"])
def test_tab_separated_text_with_html_in_it_is_read_as_text(
        data: bytes, reference: dict[tuple[int, int, int], tuple[Any, ...]]) -> None:
    from pipeline.extract import extract_bytes

    assert read_document(data, REPORT.name).format == "text"
    extraction = extract_bytes(data, REPORT.name)
    assert isinstance(extraction, Extraction)
    assert len(extraction.entries) == 15
    # Only the last row's cell was changed: every other event is the clean one.
    last = max(key[:2] for key in reference)
    ours = _events(extraction)
    assert {k: v for k, v in ours.items() if k[:2] != last} == {
        k: v for k, v in reference.items() if k[:2] != last}


def test_csv_that_looks_like_html_falls_back_to_csv(
        tmp_path: Path, reference: dict[tuple[int, int, int], tuple[Any, ...]]) -> None:
    from pipeline.extract import extract_bytes

    name, data = csv_variant(tmp_path)
    title = f'"{REPORT_PARTS.title}"'.encode()
    data = data.replace(title, f'"<p>{REPORT_PARTS.title}</p>"'.encode(), 1)
    data = data.replace(b'\xef\xbb\xbf"', b'\xef\xbb\xbf', 1).replace(b'</p>"', b"</p>", 1)
    assert data.startswith(b"\xef\xbb\xbf<p>")  # reads as an HTML fragment at first sight
    assert read_document(data, name).format == "csv"
    _same_events(extract_bytes(data, name), reference)


def _split_first_table(page: str, before: str, tail: str = "") -> str:
    """The page with its first table cut in two before the row whose label starts `before`."""
    at = page.index(f"<tr>\n  <td>{before}")
    return page[:at] + "</table>\n" + tail + '<table border="1">\n' + page[at:]


def test_html_table_without_a_header_continues_the_table_above(
        reference: dict[tuple[int, int, int], tuple[Any, ...]]) -> None:
    from pipeline.extract import extract_bytes

    # Cut inside a bureau rowspan: the cell above spans into the second table, as before.
    label = label_html(REPORT_PARTS.tables[0][2][0])
    page = _split_first_table(html_page(), label, "<p>つづき</p>\n")
    assert page.count("<table") == 3
    extraction = extract_bytes(page.encode(), "fy2012.html")
    _same_events(extraction, reference)
    assert isinstance(extraction, Extraction)
    assert [i for i in extraction.issues if i.severity == "reject"] == []


def test_html_headerless_table_wider_than_the_report_is_a_warning_not_dropped() -> None:
    from pipeline.extract import extract_bytes

    extra = ("<table><tr><td>英国 ロンドン市</td><td>・会談(平成24年8月)</td><td>外務課</td>"
             "<td>余分</td></tr></table>")
    page = html_page().replace("</body>", extra + "\n</body>")
    line = page.split("\n").index(extra) + 1
    extraction = extract_bytes(page.encode(), "fy2012.html")
    assert isinstance(extraction, Extraction)
    assert len(extraction.events) == 35
    assert [i for i in extraction.issues if i.severity == "reject"] == []
    assert [(i.code, i.severity, i.source_line) for i in extraction.issues] == [
        ("html-table-skipped", "warning", line)]


def test_html_notes_after_the_last_table_reach_the_notes() -> None:
    from pipeline.extract import extract_bytes

    notes = ("<p>※所管局欄の括弧内は内線番号</p>\n<div>注：<b>平成25年3月31日</b>現在<br>"
             "※印は新規</div>\n<p>ページの先頭へ</p>\n")
    page = html_page().replace("</body>", notes + "</body>")
    extraction = extract_bytes(page.encode(), "fy2012.html")
    assert isinstance(extraction, Extraction) and extraction.layout is not None
    assert [text for _, text in extraction.layout.notes] == [
        "※所管局欄の括弧内は内線番号", "注：平成25年3月31日現在", "※印は新規"]
    assert len(extraction.events) == 35
    assert [i for i in extraction.issues if i.severity == "reject"] == []


@pytest.mark.parametrize("build", [html_variant(), xlsx_variant, xls_variant],
                         ids=["html", "xlsx", "xls"])
def test_non_line_documents_count_each_row_once(build: Callable[[Path], tuple[str, bytes]],
                                                tmp_path: Path) -> None:
    from pipeline.extract import extract_document

    name, data = build(tmp_path)
    document = read_document(data, name)
    assert document.line_count == len(document.rows)
    layout = extract_document(document).layout
    assert layout is not None and sum(layout.line_kinds.values()) == document.line_count


def _two_sheet_book(folder: Path, cover: list[str] | None) -> bytes:
    """The report with its second table on a sheet of its own (header repeated there)."""
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "表1"
    first.append([REPORT_PARTS.title])
    first.append([REPORT_PARTS.period])
    if cover is not None:
        book.create_sheet("メモ").append(cover)
    for number, table in enumerate(REPORT_PARTS.tables):
        sheet = first if number == 0 else book.create_sheet(f"表{number + 1}")
        sheet.append([cell.strip() for cell in REPORT_PARTS.header])
        for label, content, bureau in table:
            items = content_items(content)
            cell = "\n".join(f"・{item}" for item in items) if items else content.strip()
            sheet.append([label.strip(), cell, bureau.strip() or None])
    book.save(folder / "book.xlsx")
    return (folder / "book.xlsx").read_bytes()


def test_xlsx_reads_every_sheet_with_a_header(
        tmp_path: Path, reference: dict[tuple[int, int, int], tuple[Any, ...]]) -> None:
    from pipeline.extract import extract_bytes

    data = _two_sheet_book(tmp_path, cover=[])
    document = read_document(data, "fy2012.xlsx")
    assert document.issues == ()  # an empty sheet is no loss
    assert [row.line for row in document.rows] == sorted(row.line for row in document.rows)
    extraction = extract_bytes(data, "fy2012.xlsx")
    assert isinstance(extraction, Extraction)
    assert len(extraction.events) == 35
    ours = {(e.partner_city, e.description) for e in extraction.events}
    assert ours == {(v[COMPARED.index("partner_city")], v[0]) for v in reference.values()}


def test_xlsx_sheet_without_a_header_is_a_warning(tmp_path: Path) -> None:
    data = _two_sheet_book(tmp_path, cover=["作成者", "外務課"])
    document = read_document(data, "fy2012.xlsx")
    assert [(i.code, i.severity, i.source_file) for i in document.issues] == [
        ("sheet-skipped", "warning", "fy2012.xlsx")]
    assert "メモ" in document.issues[0].message


def test_html_nested_and_framing_tables_are_no_continuations() -> None:
    header = "<tr><th>提携都市名</th><th>内容</th><th>所管局</th></tr>"
    nested = f"<table>{header}<tr><td>仏 パリ市</td><td>・視察(平成24年9月)</td><td>課</td></tr></table>"
    report = (f"<table>{header}<tr><td>英国 ロンドン市</td><td>{nested}</td><td>外務課</td></tr>"
              "</table>")
    # The page is laid out in a frame table; a link table follows inside the frame.
    page = (f"<table><tr><td>{report}</td></tr><tr><td><table><tr><td>※戻る</td></tr></table>"
            "</td></tr></table>")
    document = read_document(page.encode(), "x.html")
    assert [row.cells[0] for row in document.rows] == ["提携都市名", "英国 ロンドン市", "※戻る"]
    assert "パリ市" in document.rows[1].cells[1]  # the nested table stays in its cell


NOTE = "※所管局欄の括弧内は内線番号"
_XHTML_DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                  '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')
# A saved page's head: keywords with commas, then enough links to push <table> past 4 KB.
_BIG_HEAD = ('<meta name="keywords" content="東京都,姉妹都市,交流,政策提携" />\n' + "".join(
    f'<link rel="stylesheet" href="/css/style{n}.css" media="screen,print,projection" />\n'
    for n in range(60)))


def _saved_page(preamble: str, keep_html_tag: bool = True) -> str:
    page = html_page().replace("<!DOCTYPE html>\n", preamble, 1)
    page = page.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n' + _BIG_HEAD, 1)
    if not keep_html_tag:  # a fragment saved without <html>/<head>: only the name says HTML
        page = page.replace('<html lang="ja">\n<head>', "", 1).replace("</head>", "", 1)
    assert page.index("<table") > 4096
    return page


@pytest.mark.parametrize(("page", "name"), [
    pytest.param(_saved_page(f'<?xml version="1.0" encoding="UTF-8"?>\n{_XHTML_DOCTYPE}\n'),
                 "fy2012", id="xml-declaration-and-xhtml-doctype"),
    pytest.param(_saved_page("<!-- saved from url=(0040)https://www.metro.tokyo.lg.jp/ -->\n"
                             "<!DOCTYPE html>\n"), "fy2012", id="saved-from-comment"),
    pytest.param(_saved_page("<!-- a\ncomment, over, lines -->\n<!-- two -->\n"),
                 "fy2012", id="comments-before-html"),
    # No name says HTML in the cases above (a page saved without an extension); here only
    # the name does.
    pytest.param(_saved_page("", keep_html_tag=False), "fy2012.html", id="html-extension"),
    pytest.param(_saved_page("", keep_html_tag=False), "fy2012.htm", id="htm-extension"),
])
def test_saved_page_with_a_large_head_is_read_as_html(
        page: str, name: str, reference: dict[tuple[int, int, int], tuple[Any, ...]]) -> None:
    from pipeline.extract import extract_bytes

    assert read_document(page.encode(), name).format == "html"
    extraction = extract_bytes(page.encode(), name)
    _same_events(extraction, reference)
    assert isinstance(extraction, Extraction)
    assert [i for i in extraction.issues if i.severity == "reject"] == []


_FOOTER = ('<div id="footer"><table class="contact"><tr><td>お問い合わせ</td>'
           "<td>生活文化局 国際課 電話 03-5388-0000 (平成25年4月更新)</td></tr>"
           "<tr><td>ページ</td><td>先頭へ戻る</td></tr></table></div>")


def test_html_footer_table_is_no_continuation_and_the_note_before_it_is_kept(
        reference: dict[tuple[int, int, int], tuple[Any, ...]]) -> None:
    from pipeline.extract import extract_bytes

    page = html_page().replace("</body>", f"<p>{NOTE}</p>\n{_FOOTER}\n</body>")
    extraction = extract_bytes(page.encode(), "fy2012.html")
    _same_events(extraction, reference)
    assert isinstance(extraction, Extraction) and extraction.layout is not None
    assert extraction.issues == []  # a narrower table is page furniture: no reject, no warning
    line = page.split("\n").index(f"<p>{NOTE}</p>") + 1
    assert list(extraction.layout.notes) == [(line, NOTE)]



def test_html_notes_between_tables_are_kept_in_page_order(
        reference: dict[tuple[int, int, int], tuple[Any, ...]]) -> None:
    from pipeline.extract import extract_bytes

    # Notes after the first report table, inside a cut table (before its continuation),
    # and after the last table, each on its own source line.
    label = label_html(REPORT_PARTS.tables[0][2][0])
    page = _split_first_table(html_page(), label, "<p>※表はつづく</p>\n")
    first_end = page.index("</table>", page.index("※表はつづく"))
    page = page[:first_end] + "</table>\n<p>注：一つ目の表の注</p>" + page[first_end + 8:]
    page = page.replace("</body>", f"<div>{NOTE}</div>\n</body>")
    extraction = extract_bytes(page.encode(), "fy2012.html")
    _same_events(extraction, reference)
    assert isinstance(extraction, Extraction) and extraction.layout is not None
    assert [i for i in extraction.issues if i.severity == "reject"] == []
    lines = page.split("\n")

    def line_of(text: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if text in line)

    assert list(extraction.layout.notes) == [
        (line_of("※表はつづく"), "※表はつづく"), (line_of("注：一つ目の表の注"), "注：一つ目の表の注"),
        (line_of(NOTE), NOTE)]


def test_xlsx_rows_are_numbered_within_their_sheet(tmp_path: Path) -> None:
    import openpyxl

    from pipeline.extract import extract_bytes

    book = openpyxl.Workbook()
    first = book.active
    first.title = "H24"
    for row in ([REPORT_PARTS.title], [REPORT_PARTS.period],
                [cell.strip() for cell in REPORT_PARTS.header],
                ["アメリカ合衆国ニューヨーク市 (S35)", "・訪問(平成24年6月)", "知事本局外務部外務課"]):
        first.append(row)
    more = book.create_sheet("続き")
    for row in ([cell.strip() for cell in REPORT_PARTS.header],
                ["フランス共和国 パリ市(S57)", "・会談(平成24年10月)", None],
                ["英国 ロンドン市 (H18)", "・会談(平成24年8月)", "外務課", "余分"]):
        more.append(row)
    book.save(tmp_path / "book.xlsx")
    extraction = extract_bytes((tmp_path / "book.xlsx").read_bytes(), "book.xlsx")
    assert isinstance(extraction, Extraction)
    # Row 4 of the first sheet; row 2 of the second (sheet index 1 * 100,000 + row).
    assert [(e.partner_city, e.source_line) for e in extraction.events] == [
        ("ニューヨーク市", 4), ("パリ市", 100_002)]
    (reject,) = [i for i in extraction.issues if i.severity == "reject"]
    assert (reject.code, reject.source_line) == ("row-cells", 100_003)
    assert reject.raw == "[続き] 英国 ロンドン市 (H18)\t・会談(平成24年8月)\t外務課\t余分"


def test_a_workbook_of_one_sheet_per_fiscal_year_keeps_only_the_reports_year(
        tmp_path: Path) -> None:
    """Review finding: a 令和4年度 sheet after the 令和5年度 one was read as FY2023, its
    （8月） as 2023-08, with no warning. Its rows are rejected, saying to split the file."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for era_year, rows in (("令和5年度", [["米国 セーラム市", "・市長の訪問（7月）", "国際課"]]),
                           ("令和4年度", [["米国 セーラム市", "・市長の訪問（8月）", "国際課"],
                                          ["中国 紹興市", "・代表団来訪（2月）", "国際課"]])):
        sheet = book.create_sheet(era_year)
        for row in [[f"{era_year}実績"], ["提携先", "交流内容", "担当"], *rows]:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    extraction = extract_document_of(buffer.getvalue(), "years.xlsx")
    assert [(e.fiscal_year, e.source_line, e.date_start) for e in extraction.events] == [
        (2023, 3, dt.date(2023, 7, 1))]
    assert [(i.code, i.severity, i.source_line) for i in extraction.issues] == [
        ("fiscal-year-conflict", "warning", 100001), ("fiscal-year-conflict", "reject", 100003),
        ("fiscal-year-conflict", "reject", 100004)]
