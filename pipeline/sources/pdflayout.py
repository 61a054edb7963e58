"""One PDF page's characters -> blocks: table rows and text lines, top to bottom.

Tables are found by their ruling lines where they have them (the cell boxes come from
pdfplumber, as `RuledTable`), else by the positions of their words: a header line names
提携都市… and 内容…; the column edges are the vertical gutters that run through the header
and every line below it and have header words on both sides; rows are separated by a gap
wider than the lines of one cell leave between them. Pure functions: pdf.py reads the
file, these only see characters and boxes.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipeline.headers import MAX_HEADER_CELL, NOTE_MARK, header_columns
from pipeline.roles import Vocabulary, builtin_vocabulary, cell_role
from pipeline.sources.pdfchars import Char, chars_to_lines, line_to_text, lines_to_cell

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass(frozen=True, slots=True)
class Block:
    """A table row (cells) or a text line outside any table (one cell)."""

    top: float
    cells: tuple[str, ...]
    table: bool
    inherited: frozenset[int] = frozenset()
    header_line: bool = False  # read from a line of header words (by word positions)


@dataclass(frozen=True, slots=True)
class RuledTable:
    """A table drawn with ruling lines: each row's cell boxes, None where a cell above
    (rowspan) or to the left (colspan) covers the place."""

    bbox: Box
    rows: tuple[tuple[Box | None, ...], ...]


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns of a table found by word positions, handed on to the next page."""

    edges: tuple[float, ...]  # x where each column after the first begins
    row_gap: float  # a vertical gap wider than this separates rows
    label: int | None = None  # the partner column, as the header names it


def _inside(char: Char, box: Box) -> bool:
    middle_x, middle_y = (char.x0 + char.x1) / 2, (char.top + char.bottom) / 2
    return box[0] <= middle_x <= box[2] and box[1] <= middle_y <= box[3]


def chars_to_cell(chars: Sequence[Char]) -> str:
    return lines_to_cell([line_to_text(line) for line in chars_to_lines(chars)])


def ruled_to_blocks(chars: Sequence[Char], table: RuledTable,
                    vocabulary: Vocabulary | None = None) -> list[Block]:
    """A ruled table's rows. A place covered by a cell from a row above (a merged bureau
    cell) gets that cell's text and counts as inherited, like an HTML rowspan; a place
    covered from the left (colspan) stays empty. A ruled row that holds several rows (a
    table ruled between its columns only) is split as a table by word positions is."""
    blocks: list[Block] = []
    texts: dict[Box, str] = {}
    lines = chars_to_lines(chars)
    row_gap = _row_gap(lines, _height(lines))
    for row in table.rows:
        boxes = [box for box in row if box is not None]
        if not boxes:
            continue
        top, bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
        if len(boxes) == len(row) and all(b[1] == top and b[3] == bottom for b in boxes):
            inside = [c for c in chars if _inside(c, (boxes[0][0], top, boxes[-1][2], bottom))]
            parts = _row_parts(inside, boxes[0], row_gap, vocabulary)
            if len(parts) > 1:
                blocks.extend(Block(min(c.top for c in part), tuple(
                    chars_to_cell([c for c in part if _inside(c, box)]) for box in boxes),
                    True) for part in parts)
                continue
        blocks.append(_ruled_row(chars, table, row, (top, bottom), texts))
    return blocks


def _ruled_row(chars: Sequence[Char], table: RuledTable, row: Sequence[Box | None],
               span: tuple[float, float], texts: dict[Box, str]) -> Block:
    """One ruled row as one block; `texts` (each cell's text so far) gains its cells."""
    top, bottom = span
    cells: list[str] = []
    inherited: set[int] = set()
    for column, box in enumerate(row):
        if box is None:
            above = _covering(table, column, top, bottom)
            value = texts.get(above, "") if above is not None else ""
            if value:
                inherited.add(column)
            cells.append(value)
            continue
        text = chars_to_cell([c for c in chars if _inside(c, box)])
        texts[box] = text
        cells.append(text)
    return Block(top, tuple(cells), True, frozenset(inherited))


def _row_parts(chars: Sequence[Char], first: Box, row_gap: float,
               vocabulary: Vocabulary | None) -> list[list[Char]]:
    """A ruled row's characters, split where a gap wider than the table's row gap follows
    a header's lines, or comes before a line with text in the first column after the
    first column had text already: rows that no ruling line separates. A row's own
    paragraphs (a gap in the content column only) are not split."""
    parts: list[list[Char]] = []
    texts: list[str] = []  # the current part's lines
    seen_first = False
    lines = chars_to_lines(chars)
    gaps = [float("inf"), *_gaps(lines)][: len(lines)]
    for line, gap in zip(lines, gaps, strict=True):
        starts = any(first[0] <= (c.x0 + c.x1) / 2 <= first[2] for c in line if c.text.strip())
        if not parts or (gap > row_gap and (
                (starts and seen_first) or is_header_line(" ".join(texts), vocabulary))):
            parts.append([])
            texts, seen_first = [], False
        parts[-1].extend(line)
        texts.append(line_to_text(line))
        seen_first = seen_first or starts
    return parts


def _covering(table: RuledTable, column: int, top: float, bottom: float) -> Box | None:
    """The cell of this column that starts in a row above and reaches into [top, bottom]."""
    found: Box | None = None
    for row in table.rows:
        box = row[column] if column < len(row) else None
        if box is not None and box[1] < top - 0.5 and box[3] > (top + bottom) / 2:
            found = box
    return found


def is_header_line(text: str, vocabulary: Vocabulary | None = None) -> bool:
    """Whether a text line may be a table's header, before its columns are known: some
    run of up to three of its words names a partner or content column, and another run
    names a second role. header_columns decides on the cells once the columns are found."""
    if len(text) > 4 * MAX_HEADER_CELL:
        return False
    vocabulary = vocabulary or builtin_vocabulary()
    words = text.split()
    roles = {role for i in range(len(words)) for j in range(i + 1, min(i + 3, len(words)) + 1)
             if (role := cell_role(" ".join(words[i:j]), vocabulary)) is not None}
    return len(roles) >= 2 and bool(roles & {"partner", "content"})


def _height(lines: Sequence[Sequence[Char]]) -> float:
    heights = [c.bottom - c.top for line in lines for c in line if c.text.strip()]
    return statistics.median(heights) if heights else 10.0


def _gutters(lines: Sequence[Sequence[Char]], height: float) -> list[tuple[float, float]]:
    """x-intervals no character of these lines covers, at least 0.6 character heights wide:
    wider than a space between words (half a character in most Japanese fonts)."""
    spans = sorted((c.x0, c.x1) for line in lines for c in line if c.text.strip())
    gutters: list[tuple[float, float]] = []
    if not spans:
        return gutters
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= 0.6 * height:
            gutters.append((reach, x0))
        reach = max(reach, x1)
    return gutters


def _edges(header: Sequence[Char], gutters: list[tuple[float, float]]) -> tuple[float, ...]:
    """The gutters that have header words on both sides, one per pair of header columns."""
    middles = sorted((c.x0 + c.x1) / 2 for c in header if c.text.strip())
    edges: list[float] = []
    previous = float("-inf")
    for start, end in gutters:
        between = any(previous <= m <= start for m in middles)
        after = any(m >= end for m in middles)
        if between and after:
            edges.append(end - 0.5)  # a column begins where its text does
            previous = end
    return tuple(edges)


def _split(line: Sequence[Char], edges: tuple[float, ...]) -> list[list[Char]]:
    parts: list[list[Char]] = [[] for _ in range(len(edges) + 1)]
    for char in line:
        middle = (char.x0 + char.x1) / 2
        parts[sum(1 for edge in edges if middle >= edge)].append(char)
    return parts


def _straddles(line: Sequence[Char], edges: tuple[float, ...]) -> bool:
    """A line with a character across a column edge is no table row (a note, a footer)."""
    return any(c.x0 < edge - 1 < edge + 1 < c.x1 for c in line for edge in edges
               if c.text.strip())


def _gaps(lines: Sequence[Sequence[Char]]) -> list[float]:
    """The gap above each line after the first, below every line before it: cells set in
    the middle of their rows interleave their lines with the other columns' lines."""
    gaps: list[float] = []
    bottom = float("-inf")
    for upper, lower in itertools.pairwise(lines):
        bottom = max(bottom, max(c.bottom for c in upper))
        gaps.append(min(c.top for c in lower) - bottom)
    return gaps


def _row_gap(lines: Sequence[Sequence[Char]], height: float) -> float:
    """Lines of one cell stand closer than rows: the smallest gap between lines is a
    cell's line spacing, and a row break is wider by 0.4 character heights or more."""
    gaps = _gaps(lines)
    positive = [g for g in gaps if g >= 0]
    return max(min(positive, default=0.0) + 0.4 * height, 0.5 * height)


def _rows(lines: Sequence[Sequence[Char]], columns: Columns, header: bool = False
          ) -> list[Block]:
    """Lines of a table found by word positions -> rows, split where the gap is wide, and
    (data rows only) where the label column, after lines without text in it, has text
    again: a label's lines stand together, so rows set as tightly as a cell's lines still
    come apart when their cells are top-aligned."""
    groups: list[list[Sequence[Char]]] = []
    label_bottom: float | None = None  # where the row's label text so far ends
    gaps = [float("inf"), *_gaps(lines)][: len(lines)]  # none above the first line
    for line, gap in zip(lines, gaps, strict=True):
        label = (_split(line, columns.edges)[columns.label]
                 if not header and columns.label is not None else [])
        # The label column's own gap: lines of other columns may stand between two lines
        # of one label (cells set in the middle of their rows interleave their lines).
        resumes = bool(label) and label_bottom is not None and (
            min(c.top for c in label) - label_bottom > columns.row_gap)
        if groups and gap <= columns.row_gap and not resumes:
            groups[-1].append(line)
        else:
            groups.append([line])
            label_bottom = None
        if label:
            label_bottom = max(label_bottom or float("-inf"), max(c.bottom for c in label))
    blocks: list[Block] = []
    for group in groups:
        parts = [_split(line, columns.edges) for line in group]
        cells = tuple(lines_to_cell([line_to_text(p[i]) for p in parts if p[i]])
                      for i in range(len(columns.edges) + 1))
        blocks.append(Block(min(c.top for c in group[0]), cells, True))
    return blocks


def _ends_table(lines: Sequence[Sequence[Char]], index: int, columns: Columns, height: float,
               vocabulary: Vocabulary | None) -> bool:
    """A line across a column edge, a note, or the header of the next table."""
    line = lines[index]
    return (_straddles(line, columns.edges) or bool(NOTE_MARK.match(line_to_text(line)))
            or _header_band(lines, index, height, vocabulary) > 0)


def text_to_blocks(chars: Sequence[Char], carry: Columns | None,
                   vocabulary: Vocabulary | None = None) -> tuple[list[Block], Columns | None]:
    """Characters outside ruled tables -> blocks. `carry` is the table by word positions
    that the previous page ended in: lines at the top of this page continue it until a
    header, a note or a line across its columns. Returns the blocks and the table this
    page ends in (None when it ends in text)."""
    lines = chars_to_lines(chars)
    blocks: list[Block] = []
    height = _height(lines)
    index = 0
    current = carry
    while index < len(lines):
        line = lines[index]
        text = line_to_text(line)
        band = _header_band(lines, index, height, vocabulary)
        if band:
            # A header right where the table of the page before goes on is that table's
            # header repeated: its columns are kept (this page's own gutters may differ,
            # an empty column showing a gap between the words of its header).
            found = _table_at(lines, index, band, height, current, vocabulary)
            if found is not None:
                header_end, columns = found
                end = header_end
                while end < len(lines) and not _ends_table(lines, end, columns, height,
                                                           vocabulary):
                    end += 1
                header = [replace(block, header_line=True) for block in
                          _rows(lines[index:header_end], columns, header=True)]
                blocks.extend(header)
                blocks.extend(_rows(lines[header_end:end], columns))
                current = columns
                index = end
                continue
        if current is not None and not _ends_table(lines, index, current, height, vocabulary):
            end = index
            while end < len(lines) and not _ends_table(lines, end, current, height, vocabulary):
                end += 1
            blocks.extend(_rows(lines[index:end], current))
            index = end
            continue
        current = None
        if text:
            blocks.append(Block(min(c.top for c in line), (text,), False))
        index += 1
    return blocks, current


def _header_band(lines: Sequence[Sequence[Char]], index: int, height: float,
                 vocabulary: Vocabulary | None) -> int:
    """How many lines from `index` hold a header's words (0: none). Header cells set in
    the middle of their row come back as several overlapping lines (提携都市名 (事業開始年
    above 内容・実績 above 度)): up to four lines that overlap or touch are read together."""
    if is_header_line(line_to_text(lines[index]), vocabulary):
        return 1
    bottom = max(c.bottom for c in lines[index])
    end = index + 1
    while end < len(lines) and end - index < 4 and \
            min(c.top for c in lines[end]) < bottom + 0.3 * height:
        bottom = max(bottom, max(c.bottom for c in lines[end]))
        end += 1
    text = " ".join(line_to_text(line) for line in lines[index:end])
    return end - index if end > index + 1 and is_header_line(text, vocabulary) else 0


def _header_cells(lines: Sequence[Sequence[Char]], edges: tuple[float, ...]) -> list[str]:
    parts = [_split(line, edges) for line in lines]
    return [lines_to_cell([line_to_text(p[i]) for p in parts if p[i]])
            for i in range(len(edges) + 1)]


def _table_at(lines: Sequence[Sequence[Char]], index: int, band: int, height: float,
              carry: Columns | None, vocabulary: Vocabulary | None
              ) -> tuple[int, Columns] | None:
    """Header lines at `index` (`band` of them) with the lines below: where the header's
    own lines end, and the columns; None when the words make no header with columns."""
    header = lines[index : index + band]

    def header_end_by(row_gap: float, limit: int) -> int:
        gaps = _gaps(lines[index:limit])
        end = index + 1
        while end < limit and (end < index + band or gaps[end - index - 1] <= row_gap):
            end += 1
        return end

    if carry is not None and header_columns(_header_cells(header, carry.edges),
                                            vocabulary) is not None:
        return header_end_by(carry.row_gap, len(lines)), carry
    below = list(lines[index:])
    body_end = band
    while body_end < len(below) and not NOTE_MARK.match(line_to_text(below[body_end])) \
            and not _header_band(below, body_end, height, vocabulary):
        body_end += 1
    body = below[:body_end]
    edges = _edges([c for line in header for c in line], _gutters(body, height))
    if not edges:
        return None
    found = header_columns(_header_cells(header, edges), vocabulary)
    if found is None:
        return None
    columns = Columns(edges, _row_gap(body[band:], height), found.label)
    return header_end_by(columns.row_gap, index + len(body)), columns
