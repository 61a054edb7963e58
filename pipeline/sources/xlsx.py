"""Excel workbooks (.xlsx): their cells and merged ranges, for `workbook.sheets_to_document`.

openpyxl is used with read_only=False because only then are merged ranges known, and
data_only=True so that a formula cell gives the value Excel last computed.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from typing import Any

from pipeline.model import SourceDocument
from pipeline.roles import Vocabulary
from pipeline.sources.workbook import (
    MAX_SHEET_CELLS,
    Sheet,
    filled_to_grid,
    sheets_to_document,
    value_to_text,
)

# Refuse a zip that would inflate past this: a report is a few hundred kilobytes.
MAX_UNPACKED = 200 * 1024 * 1024
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})([0-9]{1,7}):'
                        rb'([A-Z]{1,3})([0-9]{1,7})"')


def sheet_to_grid(sheet: Any) -> list[list[str]]:
    """The worksheet's values, row by row (see workbook.filled_to_grid)."""
    # openpyxl keeps the cells the file holds in _cells, {(row, column): cell}; iter_rows
    # would create every cell of the used range, 17 billion for one value at XFD1048576.
    return filled_to_grid({place: text for place, cell in sheet._cells.items()
                           if (text := value_to_text(cell.value))})


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
    # What reading a damaged member may raise; zipfile raises NotImplementedError for a
    # compression method it does not know.
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError,
            RuntimeError, zlib.error) as error:
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


def xlsx_to_document(data: bytes, name: str, sha256: str,
                     vocabulary: Vocabulary | None = None) -> SourceDocument:
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
    return sheets_to_document(sheets, name, sha256, len(data), "xlsx", vocabulary)
