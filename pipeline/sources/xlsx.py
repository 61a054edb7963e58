"""Excel workbooks (.xlsx): their cells and merged ranges, for `workbook.sheets_to_document`.

Read within one budget (budget.py) for the whole workbook, charged while reading:
every ZIP member is inflated once in bounded chunks and its real size charged (the ZIP
directory's sizes are never trusted); openpyxl, in read-only mode, then reads the parts
it needs to know the sheets (found through the workbook's relationships, wherever they
are stored), the shared strings and the date styles; each sheet's XML is streamed with
lxml's iterparse (no network, no entities, no DTD), every cell and every cell of every
merged range charged as it is met. openpyxl's own cell parser gives the values, so a
cell reads exactly as openpyxl reads it, with data_only=True: a formula cell gives the
value Excel last computed.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
import zlib
from typing import IO, Any

from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, builtin_format_code
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

from pipeline.model import Issue, SourceDocument
from pipeline.roles import Vocabulary
from pipeline.sources.budget import Budget, WorkbookTooLarge
from pipeline.sources.errors import ReadError
from pipeline.sources.workbook import (
    SHEET_LINES,
    Sheet,
    date_cell_to_text,
    filled_to_grid,
    sheets_to_document,
    value_to_text,
)

_CHUNK = 1 << 20  # bytes inflated at a time
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL, _ROW, _MERGE = f"{_MAIN}c", f"{_MAIN}row", f"{_MAIN}mergeCell"
_ROWS, _COLUMNS = 1_048_576, 16_384  # Excel's grid: what A:A or 1:1 covers
# A cell's value is a handful of elements (v, f, is/r/t); more is damage, and would be
# held in memory until the cell ends.
_MAX_CELL_ELEMENTS = 10_000
# What a damaged ZIP makes zipfile and lxml raise (NotImplementedError: a compression method
# zipfile does not know); each is file-unreadable, never a crash.
_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError,
           NotImplementedError, EOFError, RuntimeError, zlib.error, etree.XMLSyntaxError)


def _unreadable(reason: str) -> Exception:
    return ReadError("file-unreadable", f"the file is not a readable Excel workbook: {reason}")


def _inflate_members(archive: zipfile.ZipFile, budget: Budget) -> str:
    """Inflate every member once, in chunks, charging its real size; the ODF mimetype (or
    ""). zipfile stops a member at the size the directory gives and then fails its CRC
    check, so a directory that lies costs one chunk at a time and ends as an error."""
    mimetype = b""
    for info in archive.infolist():
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                budget.charge_bytes(len(chunk), f"ZIP member {info.filename}")
                budget.check_time(f"ZIP member {info.filename}")
                if info.filename == "mimetype" and len(mimetype) < 200:
                    mimetype += chunk[:200]
    return mimetype.decode("ascii", "replace").strip()


def merged_range(ref: str) -> tuple[int, int, int, int] | None:
    """'A1:C3', '$A$1:$C$3', ' A1 : C3 ', 'B2', 'A:A', '1:1' -> (min_row, min_col, max_row,
    max_col), 1-based; None when it names no cells."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(
            "".join(ref.split()).replace("$", "").upper())
    except (ValueError, TypeError):
        return None
    bounds = (min_row or 1, min_col or 1, max_row or _ROWS, max_col or _COLUMNS)
    if bounds[0] > bounds[2] or bounds[1] > bounds[3]:
        return None
    return bounds


def stream_sheet(source: IO[bytes], parser: Any, budget: Budget, where: str,
                 formats: dict[int, str] | None = None,
                 doubts: list[tuple[int, int, str]] | None = None
                 ) -> tuple[dict[tuple[int, int], str], list[tuple[int, int, int, int]], int]:
    """One worksheet's XML -> ({(row, column): text} of rows before SHEET_LINES, merged
    ranges, the last row with text). Each element is dropped once read, so memory holds
    one cell at a time; every cell and every cell a merged range covers is charged.
    `formats`: the number format of each date style (date_styles); a date cell reads as
    its format shows it, and one whose format is not understood is added to `doubts`."""
    filled: dict[tuple[int, int], str] = {}
    merged: list[tuple[int, int, int, int]] = []
    last_row = 0
    depth = 0  # open elements of the current cell, the cell itself counted; 0 outside
    parts = 0  # elements the current cell holds
    pending = 0  # cells read but not yet charged (charging each one costs time)
    events = etree.iterparse(source, events=("start", "end"), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    for event, element in events:
        if depth:  # inside a cell only its end matters: its parts are read with it
            if event == "start":
                depth += 1
                parts += 1
                if parts > _MAX_CELL_ELEMENTS:
                    raise WorkbookTooLarge(f"{where}: a cell holds more than "
                                           f"{_MAX_CELL_ELEMENTS} XML elements")
                continue
            depth -= 1
            if depth:
                continue
            row, column, text = _cell_to_text(parser.parse_cell(element), formats, doubts)
            if text:
                last_row = max(last_row, row)
                if row < SHEET_LINES:
                    filled[(row, column)] = text
            pending += 1
            if pending == 10_000:
                budget.charge_cells(pending, f"{where}: the cells up to row {row}")
                budget.check_time(where)
                pending = 0
            # Its parts go now; the emptied cell goes with its row (cells are few enough,
            # being charged, and dropping each one from its row costs as much as reading it).
            element.clear(keep_tail=False)
            continue
        else:
            tag = element.tag
            if event == "start":
                if tag == _CELL:
                    depth, parts = 1, 0
                elif tag == _ROW:
                    _start_row(parser, element)
                continue
            if tag == _MERGE:
                merged.append(_merge_to_bounds(element, budget, where))
        _drop_read(element)
    budget.charge_cells(pending, f"{where}: its cells")
    return filled, merged, last_row


def _cell_to_text(cell: dict[str, Any], formats: dict[int, str] | None,
                  doubts: list[tuple[int, int, str]] | None) -> tuple[int, int, str]:
    """A cell openpyxl parsed -> (row, column, text as the report shows it). A date cell
    reads as its number format shows it; one whose format is not understood is added to
    `doubts` (rows before SHEET_LINES only)."""
    value = cell["value"]
    if isinstance(value, dt.date) and formats is not None:
        number_format = formats.get(cell["style_id"] or 0, "")
        text, understood = date_cell_to_text(value, number_format)
        if not understood and doubts is not None and cell["row"] < SHEET_LINES:
            doubts.append((cell["row"], cell["column"], number_format))
    else:
        text = value_to_text(value)
    return cell["row"], cell["column"], text


def _merge_to_bounds(element: Any, budget: Budget, where: str) -> tuple[int, int, int, int]:
    """A <mergeCell> -> its bounds, every cell it covers charged to the budget."""
    ref = element.get("ref") or ""
    bounds = merged_range(ref)
    if bounds is None:
        raise _unreadable(f"{where}: the merged range {ref[:40]!r} names no cells")
    top, left, bottom, right = bounds
    area = (bottom - top + 1) * (right - left + 1)
    budget.charge_cells(area, f"{where}: merged range {''.join(ref.split())[:40]} "
                        f"covers {area} cells")
    return bounds


def _drop_read(element: Any) -> None:
    """Whatever else ended is read: drop it and what came before it, so that the tree
    lxml builds never grows beyond one row of emptied cells."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# Built-in number formats that Japanese Excel writes as bare ids, with no format string in
# the file (ECMA-376 Part 1, 18.8.30, the ja-JP list). openpyxl knows only the
# locale-neutral ids, so without these a date cell came out as its serial number (41112).
# Only the date formats: the time ids (32, 33, 55, 56) stay numbers as before.
JAPANESE_DATE_FORMATS = {
    27: '[$-411]ge.m.d', 28: '[$-411]ggge"年"m"月"d"日"', 29: '[$-411]ggge"年"m"月"d"日"',
    30: "m/d/yy", 31: 'yyyy"年"m"月"d"日"', 34: 'yyyy"年"m"月"', 35: 'm"月"d"日"',
    36: '[$-411]ge.m.d', 50: '[$-411]ge.m.d', 51: '[$-411]ggge"年"m"月"d"日"',
    52: 'yyyy"年"m"月"', 53: 'm"月"d"日"', 54: '[$-411]ggge"年"m"月"d"日"',
    57: '[$-411]ge.m.d', 58: '[$-411]ggge"年"m"月"d"日"',
}


def date_styles(book: Any) -> dict[int, str]:
    """Style id -> number format of each cell style read as a date: those openpyxl reads
    as dates, and those of a Japanese built-in date format (added to the book's date
    styles, so that its cell parser turns their serial numbers into dates)."""
    for style_id, style in enumerate(book._cell_styles):
        if style.numFmtId in JAPANESE_DATE_FORMATS:
            book._date_formats.add(style_id)
    formats = {}
    for style_id in book._date_formats:
        number = book._cell_styles[style_id].numFmtId
        formats[style_id] = (book._number_formats[number - BUILTIN_FORMATS_MAX_SIZE]
                             if number >= BUILTIN_FORMATS_MAX_SIZE
                             else JAPANESE_DATE_FORMATS.get(number)
                             or builtin_format_code(number) or "")
    return formats


def _start_row(parser: Any, row: Any) -> None:
    """The row counter as openpyxl's own row parser sets it (cells without an `r` count on
    from it)."""
    number = row.get("r")
    if number is None:
        parser.row_counter += 1
    else:
        value = float(number)
        if not value.is_integer():
            raise ValueError(f"{number!r} is not a row number")
        parser.row_counter = int(value)
    parser.col_counter = 0


def zip_kind(names: list[str], mimetype: str) -> str | None:
    """What a ZIP that openpyxl could not read is, and what to do, when its members say."""
    if any(name.startswith("word/") for name in names):
        return "it is a Word document (.docx); copy its table into a workbook or save it as HTML"
    if any(name.startswith("ppt/") for name in names):
        return "it is a PowerPoint file (.pptx), which is not read"
    if "xl/workbook.bin" in names:
        return "it is an Excel binary workbook (.xlsb), which is not read; save it as .xlsx"
    if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
        return "it is an OpenDocument spreadsheet (.ods); save it as .xlsx"
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return f"it is an OpenDocument file of another kind ({mimetype}), which is not read"
    if not any(name.startswith("xl/") for name in names):
        return "it is a ZIP archive, not a workbook; unpack it and run on its files"
    return None  # a workbook that openpyxl cannot read: its own error says more


def xlsx_to_document(data: bytes, name: str, sha256: str,
                     vocabulary: Vocabulary | None = None) -> SourceDocument:
    """Read an .xlsx workbook (see sheets_to_document). Raises ReadError."""
    budget = Budget()
    try:
        return _read(data, name, sha256, budget, vocabulary)
    except WorkbookTooLarge as error:
        raise ReadError("workbook-too-large", f"the workbook is too large to read: {error}"
                        ) from None


def _sheet_list() -> Any:
    """openpyxl's workbook reader, stopped short of the worksheets: it finds them through
    the workbook's relationships and keeps (title, member) of each, in workbook order.
    Its own read-only worksheets would scan a whole sheet for its size when the sheet
    does not state it: seconds per 100 MB, before any budget is charged."""
    class SheetList(ExcelReader):  # type: ignore[misc]  # openpyxl has no type hints
        sheets: list[tuple[str, str]]
        missing: list[tuple[str, str]]  # sheets whose part the file does not hold

        def read_worksheets(self) -> None:
            found = [(sheet.name, rel.target) for sheet, rel in self.parser.find_sheets()
                     if "chartsheet" not in rel.Type]
            self.sheets = [(title, part) for title, part in found if part in self.valid_files]
            self.missing = [(title, part) for title, part in found
                            if part not in self.valid_files]

    return SheetList


def _read(data: bytes, name: str, sha256: str, budget: Budget,
          vocabulary: Vocabulary | None = None) -> SourceDocument:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mimetype = _inflate_members(archive, budget)
    except _ERRORS as error:
        raise _unreadable(str(error)) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and dates it does not read
        try:
            reader = _sheet_list()(io.BytesIO(data), read_only=True, data_only=True,
                                   keep_links=False)
            reader.read()
        except Exception as error:  # openpyxl raises whatever its zip or XML layer raised
            raise _unreadable(zip_kind(names, mimetype) or f"{type(error).__name__}: {error}"
                              ) from None
        book = reader.wb
        try:
            sheets = []
            formats = date_styles(book)
            for title, member in reader.sheets:
                # openpyxl's cell parser, as its own reader sets it up; only its parse_cell
                # is used, on the cells stream_sheet hands it.
                parser = WorkSheetParser(None, reader.shared_strings, data_only=True,
                                         epoch=book.epoch, date_formats=book._date_formats,
                                         timedelta_formats=book._timedelta_formats)
                where = f"worksheet {title!r} ({member})"
                doubts: list[tuple[int, int, str]] = []
                try:
                    with reader.archive.open(member) as source:
                        filled, merged, last_row = stream_sheet(source, parser, budget, where,
                                                                formats, doubts)
                except (WorkbookTooLarge, ReadError):
                    raise
                # openpyxl's cell parser raises what a damaged value makes it raise (an
                # IndexError for a shared string that is not there, say), as it did when
                # openpyxl read the whole workbook: the file is unreadable, never a crash.
                except Exception as error:
                    raise _unreadable(f"{where}: {type(error).__name__}: {error}") from None
                sheets.append(Sheet(title, filled_to_grid(filled), merged, last_row,
                                    tuple(doubts)))
        finally:
            reader.archive.close()
    # openpyxl passes over a sheet whose part is missing; it is said, not lost in silence.
    missing = [Issue("sheet-missing", f"{name}: worksheet {title!r} names {part}, which the "
                     "file does not hold; not read", "warning", name, 0)
               for title, part in reader.missing]
    return sheets_to_document(sheets, name, sha256, len(data), "xlsx", vocabulary=vocabulary,
                              budget=budget, found=missing)
