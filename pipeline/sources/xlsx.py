"""Excel workbooks (.xlsx): every worksheet with a report header, merged cells filled.

openpyxl is used with read_only=False because only then are merged ranges known, and
data_only=True so that a formula cell gives the value Excel last computed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
import zlib
from typing import Any, NamedTuple

from pipeline.headers import is_header
from pipeline.model import Issue, RawRow, SourceDocument

# Refuse a zip that would inflate past this: a report is a few hundred kilobytes.
MAX_UNPACKED = 200 * 1024 * 1024
# A row's line (source_line in every output) is sheet_index * SHEET_LINES + its row number
# in its own sheet, sheet_index counting every worksheet from 0 in workbook order: a
# one-sheet book keeps Excel's row numbers, and line 100007 is row 7 of the second sheet.
# Lines stay unique across sheets (later stages key rows by line). The row's `raw` starts
# with the sheet's name in brackets, so a reject names its sheet too. A sheet's rows from
# SHEET_LINES on are not read (warning `sheet-truncated`): no report has that many.
SHEET_LINES = 100_000
# A report sheet holds a few thousand cells. More than this, counting the cells merged
# ranges fill, is a damaged or hostile file: the sheet is skipped (warning
# `sheet-too-large`), and merged ranges covering more make openpyxl itself run out of
# memory, so such a workbook is refused before it is opened.
MAX_SHEET_CELLS = 5_000_000
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})([0-9]{1,7}):'
                        rb'([A-Z]{1,3})([0-9]{1,7})"')


class SheetTooLarge(Exception):
    """A worksheet that would hold more than MAX_SHEET_CELLS cells."""


def value_to_text(value: Any) -> str:
    """A cell value as the report shows it; 24.0 is 24, True is TRUE, an empty cell is ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def filled_to_grid(filled: dict[tuple[int, int], str]) -> list[list[str]]:
    """{(row, column): text} (1-based, only cells with text) -> rows from row 1 to the last
    with text, each as long as its last filled cell. A stray value far off (XFD1048576)
    costs its own row, not a grid of billions of empty cells."""
    if not filled:
        return []
    grid: list[list[str]] = [[] for _ in range(max(row for row, _ in filled))]
    for (row, column), text in sorted(filled.items()):
        cells = grid[row - 1]
        cells.extend([""] * (column - 1 - len(cells)))
        cells.append(text)
    return grid


def sheet_to_grid(sheet: Any) -> list[list[str]]:
    """The worksheet's values, row by row (see filled_to_grid)."""
    # openpyxl keeps the cells the file holds in _cells; iter_rows would create every cell
    # of the used range, 17 billion for one value at XFD1048576.
    cells = getattr(sheet, "_cells", None)
    if not isinstance(cells, dict):  # an openpyxl without it: the dense way
        return [[value_to_text(value) for value in row] for row in sheet.iter_rows(
            min_row=1, max_row=sheet.max_row, min_col=1, max_col=sheet.max_column,
            values_only=True)]
    return filled_to_grid({place: text for place, cell in cells.items()
                           if (text := value_to_text(cell.value))})


def fill_merged(grid: list[list[str]], ranges: list[tuple[int, int, int, int]]
                ) -> dict[int, set[int]]:
    """Copy each merged range's top-left value down its first column, like a rowspan.

    `ranges` are (min_row, min_col, max_row, max_col), 1-based. Returns, per 0-based row,
    the 0-based columns that were filled from above. The columns right of the first stay
    empty: a title merged across A1:C1 must stay a one-cell row, not three equal cells.
    """
    inherited: dict[int, set[int]] = {}
    budget = MAX_SHEET_CELLS - sum(map(len, grid))
    for min_row, min_col, max_row, max_col in ranges:
        if min_row - 1 >= len(grid):
            continue
        first = grid[min_row - 1]
        # An empty top-left cell (or a row that ends before it) fills nothing, but what
        # the file holds under the merge is hidden all the same, as Excel hides it.
        value = first[min_col - 1] if min_col - 1 < len(first) else ""
        for row in range(min_row, min(max_row, len(grid))):  # rows below the first, 0-based
            cells = grid[row]
            if value and len(cells) < min_col:  # rows end at their last filled cell
                budget -= min_col - len(cells)
                if budget < 0:
                    raise SheetTooLarge
                cells.extend([""] * (min_col - len(cells)))
            for column in range(min_col - 1, min(max_col, len(cells))):
                cells[column] = value if column == min_col - 1 else ""
            if value and min_col - 1 < len(cells):
                inherited.setdefault(row, set()).add(min_col - 1)
        for column in range(min_col, min(max_col, len(first))):
            first[column] = ""
    return inherited


def _open_zip(data: bytes) -> tuple[list[str], str]:
    """The member names and the ODF mimetype (or "") of a ZIP; ReadError for a broken or
    inflating one."""
    from pipeline.sources import ReadError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = archive.namelist()
            if unpacked > MAX_UNPACKED:
                raise ReadError("file-unreadable", "the file is not a readable Excel workbook: "
                                f"it unpacks to {unpacked} bytes, more than {MAX_UNPACKED}")
            mimetype = ""
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
            for member in names:
                if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                    merged = merged_area(archive.read(member))
                    if merged > MAX_SHEET_CELLS:
                        raise ReadError("file-unreadable", "the file is not a readable Excel "
                                        f"workbook: merged ranges in {member} cover {merged} "
                                        f"cells, more than {MAX_SHEET_CELLS}")
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError,
            RuntimeError, zlib.error) as error:  # what reading a damaged member may raise
        raise ReadError("file-unreadable", "the file is not a readable Excel workbook: "
                        f"{error}") from None
    return names, mimetype


def merged_area(sheet_xml: bytes) -> int:
    """How many cells the merged ranges of a worksheet's XML cover."""
    area = 0
    for left, top, right, bottom in _MERGE_REF.findall(sheet_xml):
        rows = int(bottom) - int(top) + 1
        columns = _column_number(right) - _column_number(left) + 1
        area += max(rows, 1) * max(columns, 1)
    return area


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64  # A=1 ... Z=26, AA=27
    return number


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


class Sheet(NamedTuple):
    """One worksheet as both workbook readers (.xlsx, .xls) hand it over."""

    title: str
    grid: list[list[str]]  # cell texts, row by row from A1
    merged: list[tuple[int, int, int, int]]  # (min_row, min_col, max_row, max_col), 1-based


def sheet_to_rows(sheet: Sheet, index: int) -> list[RawRow]:
    """A worksheet's rows; `index` is the sheet's 0-based place in the workbook.

    Row r (1-based, as Excel shows it) gets line index * SHEET_LINES + r and a `raw` that
    starts with the sheet's name: `[続き] label<TAB>content<TAB>bureau`.
    """
    grid = [list(cells) for cells in sheet.grid[: SHEET_LINES - 1]]
    inherited = fill_merged(grid, sheet.merged)
    return [RawRow(line=index * SHEET_LINES + number, cells=tuple(cells),
                   raw=f"[{sheet.title}] " + "\t".join(cells),
                   inherited=frozenset(inherited.get(number - 1, ())))
            for number, cells in enumerate(grid, start=1)]


def sheets_to_document(sheets: list[Sheet], name: str, sha256: str, size: int, fmt: str
                       ) -> SourceDocument:
    """Every worksheet that has a report header row, in workbook order, as the tables of
    one report. A filled sheet without one is a warning. Raises ReadError without any."""
    from pipeline.sources import ReadError

    rows: list[RawRow] = []
    issues: list[Issue] = []
    for index, sheet in enumerate(sheets):
        if any(is_header(row) for row in sheet.grid):
            try:
                rows.extend(sheet_to_rows(sheet, index))
            except SheetTooLarge:
                issues.append(Issue("sheet-too-large", f"{name}: worksheet {sheet.title!r} "
                                    f"would hold more than {MAX_SHEET_CELLS} cells with its "
                                    "merged ranges filled; not read", "warning", name, 0))
                continue
            if len(sheet.grid) >= SHEET_LINES:
                issues.append(Issue("sheet-truncated", f"{name}: worksheet {sheet.title!r} has "
                                    f"{len(sheet.grid)} rows; read up to row {SHEET_LINES - 1}",
                                    "warning", name, 0))
        elif any(cell.strip() for row in sheet.grid for cell in row):
            issues.append(Issue("sheet-skipped", f"{name}: worksheet {sheet.title!r} has no "
                                "header row naming 提携都市 and 内容; not read", "warning",
                                name, 0))
    if not rows:
        too_large = [issue.message for issue in issues if issue.code == "sheet-too-large"]
        if too_large:
            raise ReadError("file-unreadable", too_large[0].removeprefix(f"{name}: "))
        raise ReadError("no-table", "no worksheet has a header row naming 提携都市 and 内容")
    return SourceDocument(name=name, format=fmt, encoding=None, sha256=sha256, size=size,
                          line_count=len(rows), line_based=False, rows=tuple(rows),
                          issues=tuple(issues))


def xlsx_to_document(data: bytes, name: str, sha256: str) -> SourceDocument:
    """Read an .xlsx workbook (see sheets_to_document). Raises ReadError."""
    import openpyxl

    from pipeline.sources import ReadError

    names, mimetype = _open_zip(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as error:  # openpyxl raises whatever its zip or XML layer raised
        reason = zip_kind(names, mimetype) or f"{type(error).__name__}: {error}"
        raise ReadError("file-unreadable", "the file is not a readable Excel workbook: "
                        f"{reason}") from None
    sheets = [Sheet(sheet.title, sheet_to_grid(sheet),
                    [(r.min_row, r.min_col, r.max_row, r.max_col)
                     for r in sheet.merged_cells.ranges])
              for sheet in book.worksheets]
    return sheets_to_document(sheets, name, sha256, len(data), "xlsx")
