"""Excel 97-2003 workbooks (.xls): read with xlrd, then handled exactly like .xlsx ones.

Japanese government sites still publish many tables in this format. xlrd reads the cell
values and, with formatting_info=True, the merged ranges; everything after that (which
sheets hold the report, merged cells filled like a rowspan, line numbers) is shared with
the .xlsx reader in `workbook.sheets_to_document`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import xlrd

from pipeline.model import SourceDocument
from pipeline.roles import Vocabulary
from pipeline.sources.budget import Budget, WorkbookTooLarge
from pipeline.sources.errors import ReadError
from pipeline.sources.workbook import (
    Sheet,
    date_cell_to_text,
    filled_to_grid,
    sheets_to_document,
    value_to_text,
)


def cell_to_text(book: Any, cell: Any, doubts: list[str] | None = None) -> str:
    """A cell as the report shows it, and as the .xlsx reader gives it: text as written,
    24.0 as 24, a date as its number format shows it (workbook.date_cell_to_text), a time
    of day as 13:30:00, TRUE, #DIV/0!. A date format not understood is added to `doubts`."""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            if 0 <= cell.value < 1:  # a time of day: Excel counts days, the time is the rest
                hour, minute, second = xlrd.xldate_as_tuple(cell.value, book.datemode)[3:]
                return value_to_text(dt.time(hour, minute, second))
            value = xlrd.xldate_as_datetime(cell.value, book.datemode)
            number_format = _number_format(book, cell)
            text, understood = date_cell_to_text(value, number_format)
            if not understood and doubts is not None:
                doubts.append(number_format)
            return text
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return value_to_text(cell.value)  # a number formatted as a date: keep the number
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return value_to_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return str(xlrd.error_text_from_code.get(cell.value, "#N/A"))
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return value_to_text(cell.value)


def _number_format(book: Any, cell: Any) -> str:
    """The cell's number format as its XF record names it ('' when the file does not)."""
    try:
        return str(book.format_map[book.xf_list[cell.xf_index].format_key].format_str)
    except (AttributeError, IndexError, KeyError, TypeError):
        return ""


def xls_to_document(data: bytes, name: str, sha256: str,
                    vocabulary: Vocabulary | None = None) -> SourceDocument:
    """Read an .xls workbook (see workbook.sheets_to_document). Raises ReadError."""
    try:
        # ragged_rows: each row as long as the file says, not as long as the longest one
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True,
                                  logfile=_Silent())
    except Exception as error:  # xlrd raises XLRDError, CompDocError, struct and index errors
        if _ENCRYPTED in data:  # an Office 2007+ file with a password sits in this container
            raise ReadError("file-unreadable", "the file is encrypted (saved with a password); "
                            "save it without one") from None
        raise ReadError("file-unreadable", "the file is not a readable Excel 97-2003 workbook "
                        "(.xls): it is damaged or cut short, or another Office 97-2003 file "
                        f"(.doc, .ppt) [{type(error).__name__}: {error}]") from None
    budget = Budget()
    try:
        return sheets_to_document([_sheet(book, sheet, budget) for sheet in book.sheets()],
                                  name, sha256, len(data), "xls", vocabulary=vocabulary,
                                  budget=budget)
    except WorkbookTooLarge as error:
        raise ReadError("workbook-too-large", f"the workbook is too large to read: {error}"
                        ) from None


def _sheet(book: Any, sheet: Any, budget: Budget) -> Sheet:
    """One sheet's cells and merged ranges, each cell and each cell a merged range covers
    charged to the workbook's budget (the .xls format is not compressed, so its size
    bounds what xlrd reads; merged ranges are what can claim more)."""
    where = f"worksheet {sheet.name!r}"
    filled: dict[tuple[int, int], str] = {}
    found: list[str] = []  # the number format of the last cell, when not understood
    doubts: list[tuple[int, int, str]] = []
    for row in range(sheet.nrows):
        length = sheet.row_len(row)
        budget.charge_cells(length, f"{where}: the cells up to row {row + 1}")
        for column in range(length):
            if text := cell_to_text(book, sheet.cell(row, column), found):
                filled[(row + 1, column + 1)] = text
            if found:
                doubts.append((row + 1, column + 1, found.pop()))
    budget.check_time(where)
    # xlrd gives (first row, row after the last, first column, column after the last),
    # 0-based; sheets_to_document takes them 1-based and inclusive.
    merged = []
    for top, bottom, left, right in sheet.merged_cells:
        area = max(bottom - top, 0) * max(right - left, 0)
        budget.charge_cells(area, f"{where}: merged range {_ref(top, left, bottom, right)} "
                            f"covers {area} cells")
        merged.append((top + 1, left + 1, bottom, right))
    return Sheet(sheet.name, filled_to_grid(filled), merged, doubts=tuple(doubts))


def _ref(top: int, left: int, bottom: int, right: int) -> str:
    """xlrd's 0-based, end-exclusive bounds as Excel names the range: A2:C5."""
    return (f"{_letters(left + 1)}{top + 1}:"
            f"{_letters(max(right, left + 1))}{max(bottom, top + 1)}")


def _letters(column: int) -> str:
    """1 -> A, 27 -> AA; any size (a damaged file's range may lie past Excel's columns)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# The name of the stream that holds an encrypted Office 2007+ file, as OLE2 directory
# entries spell names (UTF-16LE).
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


class _Silent:
    """xlrd writes warnings about unusual records to a log file; they are not the user's."""

    def write(self, _: str) -> int:
        return 0
