"""Workbooks of either kind (.xlsx, .xls) once their readers have the cells: which sheets
hold the report, merged cells filled like a rowspan, rows numbered by sheet."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from pipeline.eras import ERAS
from pipeline.headers import is_header, unrecognised_header
from pipeline.model import Issue, RawRow, SourceDocument
from pipeline.roles import Vocabulary
from pipeline.sources.budget import Budget, WorkbookTooLarge
from pipeline.sources.errors import ReadError

# A row's line (source_line in every output) is sheet_index * SHEET_LINES + its row number
# in its own sheet, sheet_index counting every worksheet from 0 in workbook order: a
# one-sheet book keeps Excel's row numbers, and line 100007 is row 7 of the second sheet.
# Lines stay unique across sheets (later stages key rows by line). The row's `raw` starts
# with the sheet's name in brackets, so a reject names its sheet too. A sheet's rows from
# SHEET_LINES on are not read (warning `sheet-truncated`): no report has that many.
SHEET_LINES = 100_000
# A report sheet holds a few thousand cells. One whose grid would hold more than this once
# its merged ranges are filled (the empty cells a merge at the far right pads its rows
# with counted) is damaged or hostile: it is skipped (warning `sheet-too-large`) and the
# other sheets are read. It is below the workbook's budget (budget.py), which these cells
# are charged to as well, so that one such sheet costs only itself.
MAX_SHEET_CELLS = 200_000


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


# A date cell's number format, read for what it shows: a quoted "…" or escaped \x literal,
# a [...] tag (locale [$-411], colour, [DBNum1]; [h] [m] [s] are elapsed time), a run of
# one code letter, AM/PM or A/P, or any other character (a literal: / - . 年 space).
_FORMAT_TOKEN = re.compile(r'"[^"]*"?|\\.|\[[^\]]*\]?|(?i:am/pm|a/p)|([a-zA-Z])\1*|.', re.S)


def date_cell_to_text(value: dt.date, number_format: str) -> tuple[str, bool]:
    """A date cell as its number format shows it, and whether the format was understood.

    Year and month only (yyyy"年"m"月", yyyy/m, mmm-yy) -> 2023年8月, a year only -> 2023年;
    an era (g, e: [$-ja-JP]ggge"年"m"月"d"日", [$-411]ge.m.d) -> 平成3年7月9日 at the
    precision the format shows; a day otherwise -> ISO 2023-08-01, as is a date with a
    time of day (value_to_text). A format that shows no year, month or day in a way read
    here -> the ISO day, and False: the caller warns, never promoting the precision."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if len(number_format) > 255:  # Excel's own limit: a longer one is damage, not read
        return value_to_text(value), False
    shown = _format_to_codes(number_format)
    if shown is None:  # b (Buddhist year), General, other codes: not read
        return value_to_text(value), False
    if "h" in shown:
        return value_to_text(value), bool(shown & {"y", "m", "d", "e"})
    return _day_as_shown(day, shown)


def _format_to_codes(number_format: str) -> set[str] | None:
    """What a date format's first section shows, as codes: y, m (month), d (day of the
    month), w (weekday), e (era year), g (era), h (a time of day); None when it holds a
    code not read here."""
    shown: set[str] = set()
    previous = ""
    for match in _FORMAT_TOKEN.finditer(number_format.split(";", 1)[0]):
        code = _token_to_code(match, number_format, previous)
        if code is None:
            return None
        if code:
            shown.add(code)
            previous = code
    return shown


def _token_to_code(match: re.Match[str], number_format: str, previous: str) -> str | None:
    """One token of a date format -> its code ('' for a literal or a tag), seconds and
    minutes read as h; None for a code not read here."""
    token = match.group(0)
    code = token[0].lower() if match.group(1) else ""
    if token.startswith("[") and token[1:2].lower() in ("h", "m", "s"):
        return "h"  # elapsed time
    if token.lower() in ("am/pm", "a/p"):
        return "h"
    if code == "m" and (previous == "h" or _next_code(number_format, match.end()) == "s"):
        return "h"  # minutes
    if code == "d" and len(token) > 2:
        return "w"  # weekday: shows no day of the month
    if code not in ("", "y", "m", "d", "e", "g", "h", "s") or (
            code == "e" and "g" not in number_format.lower()):  # an era year, no era
        return None
    return "h" if code == "s" else code


def _day_as_shown(day: dt.date, shown: set[str]) -> tuple[str, bool]:
    """A day at the precision its format's codes show (no time of day among them)."""
    era = next((e for e in reversed(ERAS) if e.start <= day), None)
    if "d" in shown and "m" in shown:
        if {"e", "g"} <= shown and era is not None:
            return f"{era.name}{day.year - era.start.year + 1}年{day.month}月{day.day}日", True
        return day.isoformat(), True
    if "d" in shown or not shown & {"y", "m", "e"}:
        return day.isoformat(), False  # a day without its month, a weekday, an era alone
    year = (f"{era.name}{day.year - era.start.year + 1}" if {"e", "g"} <= shown
            and era is not None else str(day.year))
    return (f"{year}年{day.month}月" if "m" in shown else f"{year}年"), True


def _next_code(number_format: str, at: int) -> str:
    """The next code letter of a format after position `at`, lower-cased ('' if none)."""
    for match in _FORMAT_TOKEN.finditer(number_format, at):
        if match.group(1):
            return match.group(0)[0].lower()
    return ""


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


def fill_merged(grid: list[list[str]], ranges: list[tuple[int, int, int, int]],
                budget: Budget | None = None) -> dict[int, set[int]]:
    """Copy each merged range's top-left value down its first column, like a rowspan.

    `ranges` are (min_row, min_col, max_row, max_col), 1-based. Returns, per 0-based row,
    the 0-based columns that were filled from above. The columns right of the first stay
    empty: a title merged across A1:C1 must stay a one-cell row, not three equal cells.
    Values the file holds under a merge are hidden, as Excel hides them, and a row then
    ends at its last cell with text, as every row does.

    The readers have charged every cell each range covers to the workbook's budget, so
    the loops below, which visit only cells inside the ranges (and rows inside the grid),
    are bounded by it. Cells added to pad a row out to a range's first column lie outside
    it: they are charged here, to the sheet (SheetTooLarge) and to `budget`.
    """
    inherited: dict[int, set[int]] = {}
    sheet_budget = MAX_SHEET_CELLS - sum(map(len, grid))
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
                sheet_budget -= min_col - len(cells)
                if sheet_budget < 0:
                    raise SheetTooLarge
                if budget is not None:
                    budget.charge_cells(min_col - len(cells), "the empty cells that pad "
                                        "rows out to merged ranges")
                cells.extend([""] * (min_col - len(cells)))
            for column in range(min_col - 1, min(max_col, len(cells))):
                cells[column] = value if column == min_col - 1 else ""
            if value and min_col - 1 < len(cells):
                inherited.setdefault(row, set()).add(min_col - 1)
        for column in range(min_col, min(max_col, len(first))):
            first[column] = ""
    for cells in grid:  # cleared hidden values may have left empty cells at a row's end
        while cells and not cells[-1]:
            cells.pop()
    return inherited


class Sheet(NamedTuple):
    """One worksheet as both workbook readers (.xlsx, .xls) hand it over."""

    title: str
    grid: list[list[str]]  # cell texts, row by row from A1
    merged: list[tuple[int, int, int, int]]  # (min_row, min_col, max_row, max_col), 1-based
    # The sheet's last row with a value, when the reader kept only the rows before
    # SHEET_LINES in `grid`; None when `grid` holds them all.
    last_row: int | None = None
    # Date cells whose number format was not understood (date_cell_to_text), as (row,
    # column, format), 1-based: each is warning `cell-date-format`.
    doubts: tuple[tuple[int, int, str], ...] = ()


def sheet_to_rows(sheet: Sheet, index: int, budget: Budget | None = None) -> list[RawRow]:
    """A worksheet's rows; `index` is the sheet's 0-based place in the workbook.

    Row r (1-based, as Excel shows it) gets line index * SHEET_LINES + r and a `raw` that
    starts with the sheet's name: `[続き] label<TAB>content<TAB>bureau`.
    """
    grid = [list(cells) for cells in sheet.grid[: SHEET_LINES - 1]]
    inherited = fill_merged(grid, sheet.merged, budget)
    spanned: dict[int, set[int]] = {}  # 0-based row -> the columns a merge to their left covers
    for min_row, min_col, max_row, max_col in sheet.merged:
        if min_row - 1 < len(grid):
            for row in range(min_row - 1, min(max_row, len(grid))):
                spanned.setdefault(row, set()).update(range(min_col, max_col))
    return [RawRow(line=index * SHEET_LINES + number, cells=tuple(cells),
                   raw=f"[{sheet.title}] " + "\t".join(cells),
                   inherited=frozenset(inherited.get(number - 1, ())),
                   spanned=frozenset(spanned.get(number - 1, ())))
            for number, cells in enumerate(grid, start=1)]


def sheets_to_document(sheets: list[Sheet], name: str, sha256: str, size: int, fmt: str,
                       vocabulary: Vocabulary | None = None, budget: Budget | None = None,
                       found: Sequence[Issue] = ()) -> SourceDocument:
    """Every worksheet that has a report header row, in workbook order, as the tables of
    one report. A filled sheet without one is a warning. Raises ReadError without any, or
    when filling merged ranges overruns the workbook's `budget`. `found`: the reader's own
    warnings, kept first."""
    rows: list[RawRow] = []
    issues: list[Issue] = list(found)
    for index, sheet in enumerate(sheets):
        if any(is_header(row, vocabulary) for row in sheet.grid):
            try:
                rows.extend(sheet_to_rows(sheet, index, budget))
            except WorkbookTooLarge as error:
                raise ReadError("workbook-too-large", f"worksheet {sheet.title!r}: {error}"
                                ) from None
            except SheetTooLarge:
                issues.append(Issue("sheet-too-large", f"{name}: worksheet {sheet.title!r} "
                                    f"would hold more than {MAX_SHEET_CELLS} cells with its "
                                    "merged ranges filled; not read", "warning", name, 0))
                continue
            issues.extend(_date_doubts(name, sheet, index))
            last_row = sheet.last_row or len(sheet.grid)
            if last_row >= SHEET_LINES:
                issues.append(Issue("sheet-truncated", f"{name}: worksheet {sheet.title!r} has "
                                    f"{last_row} rows; read up to row {SHEET_LINES - 1}",
                                    "warning", name, 0))
        elif any(cell.strip() for row in sheet.grid for cell in row):
            issues.append(Issue("sheet-skipped", f"{name}: worksheet {sheet.title!r} has no "
                                "header row naming a partner or content column; not read",
                                "warning", name, 0))
    if not rows:
        too_large = [issue.message for issue in issues if issue.code == "sheet-too-large"]
        if too_large:
            raise ReadError("file-unreadable", too_large[0].removeprefix(f"{name}: "))
        grids = [row for sheet in sheets for row in sheet.grid[:50]]
        missing = [issue.message.removeprefix(f"{name}: ") for issue in issues
                   if issue.code == "sheet-missing"]
        raise ReadError("no-table", "no worksheet has a table header: "
                        + unrecognised_header(grids, vocabulary)
                        + "".join(f"; {message}" for message in missing[:1]))
    return SourceDocument(name=name, format=fmt, encoding=None, sha256=sha256, size=size,
                          line_count=len(rows), line_based=False, rows=tuple(rows),
                          issues=tuple(issues))


def _date_doubts(name: str, sheet: Sheet, index: int) -> list[Issue]:
    """Warning `cell-date-format` at the first cell of each number format not read in the
    sheet, counting the sheet's other cells of that format."""
    cells: dict[str, list[tuple[int, int]]] = {}
    for row, column, number_format in sheet.doubts:
        cells.setdefault(number_format, []).append((row, column))
    issues = []
    for number_format, where in cells.items():
        row, column = where[0]
        line = index * SHEET_LINES + row
        cell = f"{_column_letter(column)}{row}" if column <= 16_384 else f"column {column}"
        more = f" (and {len(where) - 1} more cells of this format)" if len(where) > 1 else ""
        issues.append(Issue(
            "cell-date-format", f"{name}:{line}: cell {cell} of worksheet {sheet.title!r}"
            f"{more} holds a date shown in the number format {number_format[:60]!r}, which "
            "is not read: its text is the day it holds, which may be more precise than the "
            "sheet shows (check the cell, or give it a plain date format or a text value)",
            "warning", name, line))
    return issues


def _column_letter(column: int) -> str:
    """Excel's letters for a 1-based column number: 1 -> A, 27 -> AA (as openpyxl's
    get_column_letter, here so that .xls reading needs no openpyxl)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
