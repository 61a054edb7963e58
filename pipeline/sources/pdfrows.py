"""A PDF page's blocks -> the report's rows, across page breaks: a repeated header skipped,
a row the break cut joined again, page numbers and running heads and feet counted, not read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.headers import NOTE_MARK, header_columns, squash
from pipeline.model import Issue, RawRow
from pipeline.roles import Vocabulary
from pipeline.sources.pdfchars import join_cells, unmappable
from pipeline.sources.pdflayout import Block, Columns

PAGE_LINES = 1000  # rows a page may hold; a page's rows past it are not read (warned)
# Page furniture: a page number alone on the first or last line of a page, outside the
# tables (12, - 12 -, 3/10, p. 3). Anywhere else such a line is read like any other.
_PAGE_NUMBER = re.compile(r"^(?:[-‐－―—]\s*)?\d{1,4}(?:\s*[-‐－―—])?$|^\d{1,4}\s*/\s*\d{1,4}$"
                          r"|^[pP]\.?\s*\d{1,4}$")


@dataclass(slots=True)
class Reading:
    """What reading the pages gathers; one per document."""

    name: str
    vocabulary: Vocabulary | None = None  # the header words (None: the built-in ones)
    rows: list[RawRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    mapped: Counter[str] = field(default_factory=Counter)
    page_numbers: int = 0
    running_lines: int = 0  # running heads and feet skipped (see _is_running)
    edges: tuple[str, str] = ("", "")  # the previous page's first and last text line
    foot: int | None = None  # index in rows of the previous page's last line, a text line
    last_row: int | None = None  # index in rows of the latest table data row
    header_lines: int = 0  # lines of header words found (by word positions)
    chars: int = 0
    cid_chars: int = 0  # characters whose font gives no text: pdfminer's (cid:N)
    text_pages: int = 0
    image_pages: int = 0
    header: tuple[str, ...] | None = None  # the latest header row, squashed
    label: int | None = None  # its partner column
    in_table: bool = False  # the page before ended inside a table
    columns: Columns | None = None  # ...one found by word positions
    log: list[str] = field(default_factory=list)  # pdfminer's warnings not yet reported


@dataclass(slots=True)
class _Page:
    """Where the reading of one page stands."""

    number: int
    count: int  # blocks on the page
    previous_edges: tuple[str, str]  # the page before's first and last text line
    at_top: bool = True  # nothing but a repeated header or running head read yet
    in_table: bool = False  # the last block (a running foot aside) is a table data row
    foot: int | None = None  # the row this page's last line became, if a text line


def add_blocks(blocks: list[Block], number: int, reading: Reading) -> None:
    """A page's blocks -> rows of the report, across the page break (see pdf.py's doc)."""
    reading.header_lines += sum(1 for block in blocks if block.header_line)
    page = _Page(number, len(blocks), reading.edges)
    texts = [(order, block.cells[0]) for order, block in enumerate(blocks, start=1)
             if not block.table]
    reading.edges = (texts[0][1] if texts and texts[0][0] == 1 else "",
                     texts[-1][1] if texts and texts[-1][0] == len(blocks) else "")
    for order, block in enumerate(blocks, start=1):
        if order >= PAGE_LINES:
            reading.issues.append(Issue(
                "pdf-page-rows", f"{reading.name}: page {number} has more than "
                f"{PAGE_LINES - 1} rows and text lines; read up to there", "warning",
                reading.name, number * PAGE_LINES))
            break
        if not block.table and _is_furniture(order, block.cells[0], page, reading):
            continue
        _add_block(order, block, page, reading)
    reading.foot = page.foot
    reading.in_table = page.in_table or (page.at_top and reading.in_table)


def _is_furniture(order: int, text: str, page: _Page, reading: Reading) -> bool:
    """A page number or a running head or foot: counted, not read. A running head on this
    page's last line means the page before's foot was one too: that row goes."""
    if order in (1, page.count) and _PAGE_NUMBER.match(text):
        reading.page_numbers += 1
        return True
    if not _is_running(order, page.count, text, page.previous_edges):
        return False
    reading.running_lines += 1
    if order == page.count and reading.foot is not None:
        del reading.rows[reading.foot]
        if reading.last_row is not None and reading.last_row > reading.foot:
            reading.last_row -= 1
        reading.running_lines += 1
        reading.foot = None
    return True


def _continued_row(block: Block, page: _Page, reading: Reading) -> int | None:
    """The row the page break cut, when this block (a table row with an empty partner cell
    at the top of a page that goes on with a table) is its rest; else None."""
    if (block.table and page.at_top and reading.in_table and reading.label is not None
            and not _cell(block.cells, reading.label).strip()):
        return reading.last_row
    return None


def _add_block(order: int, block: Block, page: _Page, reading: Reading) -> None:
    found = header_columns(block.cells, reading.vocabulary) if block.table else None
    squashed = tuple(squash(cell) for cell in block.cells)
    if found is not None and page.at_top and reading.in_table and squashed == reading.header:
        return  # the header repeated at the top of the page
    cut = _continued_row(block, page, reading) if found is None else None
    if cut is not None:
        joined = _joined(reading.rows[cut], block, page.number)
        reading.rows[cut] = joined
        page.at_top, page.in_table = False, True
        _warn_unmappable(block.cells, joined.line, page.number, reading)
        return
    page.at_top = False
    if found is not None:
        reading.header, reading.label = squashed, found.label
    line = page.number * PAGE_LINES + order
    reading.rows.append(RawRow(line=line, cells=block.cells, inherited=block.inherited,
                               raw=f"[p.{page.number}] " + "\t".join(block.cells)))
    _warn_unmappable(block.cells, line, page.number, reading)
    if block.table and found is None:
        reading.last_row, page.in_table = len(reading.rows) - 1, True
    elif order == page.count and not block.table and not NOTE_MARK.match(block.cells[0]):
        # A last line that is no note may be a running foot (the next page tells): the
        # table goes on across it.
        page.foot = len(reading.rows) - 1
    else:
        page.in_table = False


def _is_running(order: int, count: int, text: str, previous: tuple[str, str]) -> bool:
    """A running head or foot: the first (last) line of a page, outside the tables, the same
    as the first (last) line of the page before (a report title or publisher repeated on
    every page). Page 1's lines are never skipped: there is no page before."""
    return bool(text) and ((order == 1 and text == previous[0])
                           or (order == count and text == previous[1]))


def _warn_unmappable(cells: tuple[str, ...], line: int, number: int, reading: Reading) -> None:
    bad = sorted({piece for text in cells for piece in unmappable(text)})
    if bad:
        reading.issues.append(Issue(
            "pdf-unmapped-chars", f"{reading.name}:{line}: page {number} has character(s) no "
            f"rule maps to text: {' '.join(bad)}; kept as they are", "warning", reading.name,
            line))


def _cell(cells: tuple[str, ...], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _joined(row: RawRow, block: Block, number: int) -> RawRow:
    width = max(len(row.cells), len(block.cells))
    cells = tuple(join_cells(_cell(row.cells, i), _cell(block.cells, i)) for i in range(width))
    first = row.raw[3 : row.raw.index("]")].split("-")[0]
    return RawRow(line=row.line, cells=cells, inherited=row.inherited,
                  raw=f"[p.{first}-{number}] " + "\t".join(cells))
