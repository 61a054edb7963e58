"""Excel date cells read as their number format shows them (review finding: a cell showing
2023年8月 became the day 2023-08-01, an era-formatted 提携年月日 an ISO day, silently)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from pipeline.extract import extract_bytes
from pipeline.model import Extraction

AUG = dt.datetime(2023, 8, 1)
JUL9 = dt.datetime(1991, 7, 9)


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [(AUG, 'yyyy"年"m"月"', "2023年8月"),
     (dt.datetime(2023, 8, 15), 'yyyy"年"m"月"', "2023年8月"),
     (AUG, "yyyy/m", "2023年8月"),
     (AUG, "mmm-yy", "2023年8月"),
     (AUG, 'yyyy"年"m"月";@', "2023年8月"),
     (AUG, "yyyy", "2023年"),
     (JUL9, '[$-ja-JP]ggge"年"m"月"d"日"', "平成3年7月9日"),
     (JUL9, "[$-411]ge.m.d", "平成3年7月9日"),
     (JUL9, '[$-411]ggge"年"m"月"', "平成3年7月"),
     (dt.datetime(2019, 4, 30), '[$-411]ggge"年"m"月"d"日"', "平成31年4月30日"),
     (dt.datetime(2019, 5, 1), '[$-411]ggge"年"m"月"', "令和1年5月"),
     (AUG, "yyyy/mm/dd", "2023-08-01"),
     (AUG, "mm-dd-yy", "2023-08-01"),
     (AUG, 'm"月"d"日"', "2023-08-01"),
     (AUG, "yyyy-mm-dd h:mm:ss", "2023-08-01"),  # openpyxl's own default for a datetime
     (dt.datetime(2023, 8, 1, 13, 30), "m/d/yy h:mm", "2023-08-01T13:30:00"),
     (AUG, "dd/mm/yyyy hh:mm", "2023-08-01")],  # mm after hh is minutes, not a month
)
def test_a_date_cell_reads_as_its_format_shows_it(value: dt.datetime, number_format: str,
                                                  text: str) -> None:
    from pipeline.sources.workbook import date_cell_to_text

    assert date_cell_to_text(value, number_format) == (text, True)


@pytest.mark.parametrize("number_format", ["General", "", "ddd", "bbbb/mm/dd",
                                           '[$-411]e"年"m"月"', "aaa"])
def test_a_date_format_not_understood_keeps_the_day_and_says_so(number_format: str) -> None:
    from pipeline.sources.workbook import date_cell_to_text

    assert date_cell_to_text(AUG, number_format) == ("2023-08-01", False)


def _extract(data: bytes, name: str) -> Extraction:
    extraction = extract_bytes(data, name)
    assert isinstance(extraction, Extraction), extraction
    return extraction


HEADER = ["相手都市", "事業名", "実施時期", "担当課"]


def _xlsx(number_format: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["令和5年度実績"], HEADER, ["米国 セーラム市", "中学生派遣", AUG, "国際交流課"]):
        sheet.append(row)
    sheet["C3"].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xls(number_format: str) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("s")
    sheet.write(0, 0, "令和5年度実績")
    for column, header in enumerate(HEADER):
        sheet.write(1, column, header)
    for column, value in enumerate(["米国 セーラム市", "中学生派遣", AUG, "国際交流課"]):
        style = xlwt.easyxf(num_format_str=number_format) if column == 2 else None
        sheet.write(2, column, value, *([style] if style else []))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("build", "name"), [(_xlsx, "mon.xlsx"), (_xls, "mon.xls")])
def test_a_month_cell_gives_a_month_event(build, name) -> None:  # type: ignore[no-untyped-def]
    extraction = _extract(build('yyyy"年"m"月"'), name)
    assert [(e.date_text, e.date_start, e.date_end, e.date_precision)
            for e in extraction.events] == [
        ("2023年8月", dt.date(2023, 8, 1), dt.date(2023, 8, 31), "month")]
    assert not extraction.issues


@pytest.mark.parametrize(("build", "name"), [(_xlsx, "mon.xlsx"), (_xls, "mon.xls")])
def test_a_date_cell_of_an_unread_format_is_a_warning_at_its_cell(  # type: ignore[no-untyped-def]
        build, name) -> None:
    extraction = _extract(build("ddd"), name)
    assert [(e.date_text, e.date_precision) for e in extraction.events] == [
        ("2023-08-01", "day")]
    assert [(i.code, i.source_line, i.message) for i in extraction.issues] == [
        ("cell-date-format", 3, f"{name}:3: cell C3 of worksheet {'Sheet' if name.endswith('x') else 's'!r} "
         "holds a date shown in the number format 'ddd', which is not read: its text is the "
         "day it holds, which may be more precise than the sheet shows (check the cell, or "
         "give it a plain date format or a text value)")]


def test_an_era_formatted_partnership_date_is_kept_as_printed() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["区市町村", "相手都市", "提携年月日"], ["東京都 新宿区", "米国 セーラム市", JUL9]):
        sheet.append(row)
    sheet["C2"].number_format = '[$-ja-JP]ggge"年"m"月"d"日"'
    buffer = io.BytesIO()
    book.save(buffer)
    extraction = _extract(buffer.getvalue(), "register_fy2023.xlsx")
    assert [(e.partnership_date_text, e.partnership_start, e.partnership_precision)
            for e in extraction.entries] == [("平成3年7月9日", dt.date(1991, 7, 9), "day")]


def test_cells_of_one_unread_format_are_one_warning_counting_them() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["令和5年度実績"])
    sheet.append(HEADER)
    for _ in range(3):
        sheet.append(["米国 セーラム市", "中学生派遣", AUG, "国際交流課"])
    for row in (3, 4, 5):
        sheet[f"C{row}"].number_format = "ddd"
    buffer = io.BytesIO()
    book.save(buffer)
    extraction = _extract(buffer.getvalue(), "mon.xlsx")
    assert [(i.code, i.source_line) for i in extraction.issues] == [("cell-date-format", 3)]
    assert extraction.issues[0].message.startswith(
        "mon.xlsx:3: cell C3 of worksheet 'Sheet' (and 2 more cells of this format) holds")


def test_a_format_longer_than_excel_allows_is_not_read() -> None:
    from pipeline.sources.workbook import date_cell_to_text

    assert date_cell_to_text(AUG, 'yyyy"年"m"月"' + "@" * 300) == ("2023-08-01", False)


def _with_builtin_format_id(data: bytes, format_id: int) -> bytes:
    """The workbook as Japanese Excel writes a built-in date format: the cell style names
    only its id, with no format string in the file."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/styles.xml":
                text = re.sub(r'<numFmt numFmtId="\d+"[^>]*/>', "", content.decode("utf-8"))
                text = re.sub(r'<xf numFmtId="1[6-9]\d"', f'<xf numFmtId="{format_id}"', text)
                assert f'numFmtId="{format_id}"' in text
                content = text.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


@pytest.mark.parametrize(("format_id", "date_text", "end", "precision"), [
    (34, "2023年8月", dt.date(2023, 8, 31), "month"),        # yyyy"年"m"月"
    (52, "2023年8月", dt.date(2023, 8, 31), "month"),
    (27, "令和5年8月1日", dt.date(2023, 8, 1), "day"),       # [$-411]ge.m.d
    (28, "令和5年8月1日", dt.date(2023, 8, 1), "day"),       # ggge"年"m"月"d"日"
    (31, "2023-08-01", dt.date(2023, 8, 1), "day"),          # yyyy"年"m"月"d"日"
])
def test_a_japanese_builtin_date_format_is_a_date(format_id: int, date_text: str,
                                                  end: dt.date, precision: str) -> None:
    """Regression: a cell in one of Japanese Excel's built-in date formats (a bare id, no
    format string in the file) came out as its serial number, 45139, read as no date."""
    extraction = _extract(_with_builtin_format_id(_xlsx('yyyy"年"m"月"d"日"'), format_id),
                          "builtin.xlsx")
    assert [(e.date_text, e.date_start, e.date_end, e.date_precision)
            for e in extraction.events] == [(date_text, dt.date(2023, 8, 1), end, precision)]
    assert not extraction.issues
