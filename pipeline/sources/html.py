"""HTML pages: the report table's rows as a full grid, title and period from the page.

Parsed with lxml's HTML parser and never with network access; HTML has no external
entities to resolve (libxml2 knows the HTML named entities itself, and an unknown
`&name;` stays as text). `rowspan` and `colspan` are expanded so that every row has a
cell at every column, exactly as the tab-separated text would have.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from pipeline.headers import (
    NOTE_MARK,
    header_columns,
    is_header,
    is_record_table,
    unrecognised_header,
)
from pipeline.model import Issue, RawRow, SourceDocument
from pipeline.roles import Vocabulary, builtin_vocabulary, cell_role
from pipeline.sources.errors import ReadError
from pipeline.sources.markup import (
    BREAKS,
    HTML_SPACE,
    MAX_DEPTH,
    element_text,
    flatten_deep_tags,
    inner_html,
    parser_stops,
)

_PREAMBLE_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "caption"})

_MAX_SPAN = 1000  # a colspan/rowspan beyond this is damage, not a layout
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>")
HEADER_SEARCH = 5  # a table may open with a title or period row above its header


def _span(cell: etree._Element, name: str) -> int:
    value = (cell.get(name) or "").strip()
    return min(int(value), _MAX_SPAN) if value.isdecimal() and int(value) > 0 else 1


def table_rows(table: etree._Element) -> list[etree._Element]:
    """This table's own rows (not those of a table nested in one of its cells)."""
    found = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    return [row for row in found if isinstance(row, etree._Element)] if isinstance(
        found, list) else []


def _cells(row: etree._Element) -> list[etree._Element]:
    return [child for child in row if isinstance(child.tag, str) and child.tag in ("td", "th")]


def is_report_table(table: etree._Element, vocabulary: Vocabulary | None = None) -> bool:
    """A table with a header row among its first rows (title rows may come first), or a
    record table (record_labels)."""
    return (any(is_header([element_text(cell) for cell in _cells(row)], vocabulary)
                for row in table_rows(table)[:HEADER_SEARCH])
            or record_labels(table, vocabulary) is not None)


def record_labels(table: etree._Element, vocabulary: Vocabulary | None = None
                  ) -> list[str] | None:
    """The label cells of a record table — one partnership per table, each row a label
    cell and its value (提携先 | ウェナッチー市, 主な交流内容 | ・…) — else None."""
    rows = [_cells(row) for row in table_rows(table)]
    rows = [cells for cells in rows if any(element_text(cell) for cell in cells)]
    if not rows or any(len(cells) != 2 for cells in rows):
        return None
    labels = [element_text(cells[0]) for cells in rows]
    return labels if is_record_table(labels, vocabulary) else None


def record_to_rows(table: etree._Element, labels: list[str],
                   vocabulary: Vocabulary | None = None) -> list[RawRow]:
    """A record table turned on its side: its labels as a header row, its values as the
    one data row below, so that layout reads it like any table (one entry, row 1). Both
    carry the table's first line; the data row's raw is the whole table."""
    pairs = [cells for cells in map(_cells, table_rows(table))
             if any(element_text(cell) for cell in cells)]
    words = vocabulary or builtin_vocabulary()
    values = tuple(inner_html(value) if cell_role(label, words) == "content"
                   else element_text(value) for label, (_, value) in zip(labels, pairs,
                                                                         strict=True))
    line = table.sourceline if isinstance(table.sourceline, int) else 1
    first = pairs[0][0].getparent()
    line = first.sourceline if first is not None and isinstance(first.sourceline, int) else line
    raw = etree.tostring(table, encoding="unicode", method="html", with_tail=False).strip()
    return [RawRow(line=line, cells=tuple(labels), raw=" | ".join(labels)),
            RawRow(line=line, cells=values, raw=raw)]


@dataclass(frozen=True, slots=True)
class Grid:
    """What a table hands on to its continuation: spans still open, the content column."""

    below: dict[int, tuple[str, int]] = field(default_factory=dict)  # column -> (text, rows)
    content_column: int | None = None
    line: int = 1
    width: int | None = None  # grid columns of the latest header row


def table_to_rows(table: etree._Element, grid: Grid | None = None,
                  vocabulary: Vocabulary | None = None) -> tuple[list[RawRow], Grid]:
    """Rows of a report table on a full grid: rowspans copied down and marked inherited.

    A cell spread across columns (colspan) leaves the extra columns empty: copying it
    would turn a one-cell heading or note into a row of identical cells. Cells of the
    content column (named by the latest header row) keep their inner HTML. `grid` is the
    state left by the table this one continues; the state after this table is returned.
    """
    grid = grid or Grid()
    below = dict(grid.below)
    content_column, previous_line, header_width = grid.content_column, grid.line, grid.width
    rows: list[RawRow] = []
    for tr in table_rows(table):
        covered: set[int] = set()  # the columns a colspan to their left covers
        elements = _cells(tr)
        texts = [element_text(cell) for cell in elements]
        header = is_header(texts, vocabulary)
        if header:
            below.clear()  # a header starts a new table: no span reaches across it
        cells = _place_cells(elements, texts, None if header else content_column, below,
                             covered)
        inherited = _fill_spans(cells, below)
        width = max(cells, default=-1) + 1
        if header:  # the content column as the grid counts it, colspans included
            found = header_columns([cells.get(i, "") for i in range(width)], vocabulary,
                                   covered)
            content_column = found.content if found else None
            header_width = width
        line = tr.sourceline if isinstance(tr.sourceline, int) else previous_line
        previous_line = line
        raw = etree.tostring(tr, encoding="unicode", method="html", with_tail=False)
        rows.append(RawRow(line=line, cells=tuple(cells.get(i, "") for i in range(width)),
                           raw=raw.strip(), inherited=frozenset(inherited),
                           spanned=frozenset(covered)))
    return rows, Grid(below, content_column, previous_line, header_width)


def _place_cells(elements: list[etree._Element], texts: list[str], content_column: int | None,
                 below: dict[int, tuple[str, int]], covered: set[int]) -> dict[int, str]:
    """A row's cells at their grid columns, past the places spans from above hold; a
    rowspan goes into `below` for the rows under it, and the columns a colspan covers to
    the right of its cell into `covered`. The content column keeps its HTML."""
    cells: dict[int, str] = {}
    column = 0
    for element, text in zip(elements, texts, strict=True):
        while column in below:
            column += 1
        value = inner_html(element) if column == content_column else text
        width, height = _span(element, "colspan"), _span(element, "rowspan")
        for offset in range(width):
            cells[column + offset] = value if offset == 0 else ""
            if offset:
                covered.add(column + offset)
            if height > 1:
                below[column + offset] = (value if offset == 0 else "", height - 1)
        column += width
    return cells


def _fill_spans(cells: dict[int, str], below: dict[int, tuple[str, int]]) -> set[int]:
    """Copy the open rowspans into the row's empty places; the columns given a value."""
    inherited: set[int] = set()
    for spanned, (value, remaining) in list(below.items()):
        if spanned not in cells:
            cells[spanned] = value
            if value:
                inherited.add(spanned)
            if remaining > 1:
                below[spanned] = (value, remaining - 1)
            else:
                del below[spanned]
    return inherited


def _two_columns(rows: list[RawRow]) -> bool:
    """Rows that look like a record table's: two or more, each a label and a value."""
    filled = [row for row in rows if any(cell.strip() for cell in row.cells)]
    return len(filled) >= 2 and all(len(row.cells) == 2 for row in filled)


def row_extent(row: RawRow) -> int:
    """Physical lines an HTML row covers (its serialised markup keeps the source's breaks)."""
    return row.raw.count("\n") + 1


def page_tables(root: etree._Element, vocabulary: Vocabulary | None = None
                ) -> list[tuple[etree._Element, bool]]:
    """The report tables, each with the headerless tables after it, in page order.

    A table without a header row after a report table may continue it (the page editor
    cut the table, not the report): (table, True) for a report table, False for such a
    candidate, which html_to_document keeps only when its rows fit the report's columns.
    A table inside a chosen one is part of a cell; one holding a report table is a frame.
    """
    reports = [table for table in root.iter("table") if is_report_table(table, vocabulary)]
    report_set = set(reports)
    framing = {ancestor for table in reports for ancestor in table.iterancestors("table")
               if ancestor not in report_set}
    chosen: list[tuple[etree._Element, bool]] = []
    inside: set[etree._Element] = set()
    for table in root.iter("table"):
        if table in inside or table in framing or (not chosen and table not in report_set):
            continue
        chosen.append((table, table in report_set))
        inside.update(table.iterdescendants("table"))
    return chosen


# Elements that start a line of their own when the page is read as lines.
_BLOCKS = BREAKS | frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "ul", "ol",
                               "dl", "table", "tr", "td", "th", "caption", "section",
                               "article", "footer", "main", "body", "html", "blockquote"})


def continues(rows: list[RawRow], width: int | None) -> bool:
    """A headerless table continues the report when most of its rows span the report's
    columns. A footer or link table of another width is page furniture; a damaged row
    (one cell too many) in a real continuation still continues it, and layout rejects it.
    """
    widths = [len(row.cells) for row in rows if any(cell.strip() for cell in row.cells)]
    return width is not None and 2 * widths.count(width) > len(widths)


def _lines_between(element: etree._Element, tables: dict[etree._Element, list[RawRow]]
                   ) -> Iterator[tuple[int | None, str | list[RawRow]]]:
    """The page in document order: the rows of each table in `tables` where it stands,
    text as the page shows it (a line break at each block or <br>) everywhere else, each
    piece with the source line of the element it comes from when known."""
    at = element.sourceline if isinstance(element.sourceline, int) else None
    if element in tables:
        yield at, tables[element]
    else:
        block = isinstance(element.tag, str) and element.tag.lower() in _BLOCKS
        if block:
            yield at, "\n"
        if isinstance(element.tag, str):  # a comment's text is no page text
            yield at, HTML_SPACE.sub(" ", element.text or "")
        for child in element:
            yield from _lines_between(child, tables)
        if block:
            yield None, "\n"
    yield None, HTML_SPACE.sub(" ", element.tail or "")


def rows_with_notes(root: etree._Element, tables: dict[etree._Element, list[RawRow]]
                    ) -> list[RawRow]:
    """The tables' rows and the note lines (※…, 注：…) after the first table, in page order.

    Text between and after the tables is read as lines; only lines that layout takes for
    notes become one-cell rows, the rest is page furniture (links, footers, the cells of a
    skipped table). Text before the first table is the preamble (_preamble).
    Note rows carry the source line of the element they come from.
    """
    rows: list[RawRow] = []
    line = 1  # the latest source line known
    text, text_line = "", 1  # the page line being read, and where its text starts
    started = False  # past the first table
    for at, piece in _lines_between(root, tables):
        if isinstance(at, int):
            line = max(line, at)
        if isinstance(piece, list):
            text = ""
            rows.extend(piece)
            line = max([line, *(row.line for row in piece)])
            started = True
            continue
        if not started:
            continue
        for number, part in enumerate(piece.split("\n")):
            if number:  # a line ends: keep it when it is a note
                note = " ".join(text.split())
                if NOTE_MARK.match(note):
                    rows.append(RawRow(line=text_line, cells=(note,), raw=note))
                text = ""
            if not text.strip() and part.strip():
                text_line = line
            text += part
    note = " ".join(text.split())
    if started and NOTE_MARK.match(note):
        rows.append(RawRow(line=text_line, cells=(note,), raw=note))
    return rows


def _preamble(root: etree._Element, first_table: etree._Element) -> tuple[tuple[str, str], ...]:
    """(tag, text) of the headings, paragraphs and caption before the table, in page order:
    where the title and the period line are. Layout tells which is which."""
    candidates: list[tuple[str, str]] = []
    for element in root.iter():
        if element is first_table:
            candidates.extend(("caption", element_text(c)) for c in first_table.iter("caption")
                              if next(c.iterancestors("table")) is first_table)
            break
        if isinstance(element.tag, str) and element.tag in _PREAMBLE_TAGS:
            candidates.append((element.tag, element_text(element)))
    return tuple((tag, text) for tag, text in candidates if text)


def html_to_document(text: str, name: str, sha256: str, size: int, encoding: str | None,
                     issues: list[Issue], vocabulary: Vocabulary | None = None
                     ) -> SourceDocument:
    """Read the report table(s) of an HTML page. Raises ReadError without one."""
    found = list(issues)
    # lxml refuses text that declares its encoding (XHTML's <?xml ... encoding="UTF-8"?>);
    # the text is decoded already. Its line breaks stay, so source lines stay right.
    text = _XML_DECLARATION.sub(lambda match: "\n" * match.group(0).count("\n"), text, count=1)
    page, removed, first = flatten_deep_tags(text)
    if removed:
        line = text.count("\n", 0, first) + 1
        found.append(Issue("html-depth", f"{name}:{line}: {removed} tag(s) nested deeper than "
                           f"{MAX_DEPTH} removed, the first on this line; their text is kept",
                           "warning", name, line))
    # huge_tree: libxml2 otherwise stops at a text of 10 MB and drops the rest of the page;
    # such a cell is read like any other and the later stages judge it (cells.py rejects
    # one past its size limit). Depth is bounded by flatten_deep_tags above.
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  huge_tree=True)
    try:
        root = lxml.html.document_fromstring(page, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise ReadError("no-table", f"no report table in the page ({error})") from None
    found.extend(parser_stops(parser, name))
    tables = page_tables(root, vocabulary)
    if not tables:
        seen = [[element_text(cell) for cell in _cells(row)]
                for table in root.iter("table") for row in table_rows(table)[:HEADER_SEARCH]]
        raise ReadError("no-table", "no report table in the page: "
                        + unrecognised_header(seen, vocabulary))
    read: dict[etree._Element, list[RawRow]] = {}
    grid = Grid()
    for table, is_report in tables:
        labels = record_labels(table, vocabulary) if is_report else None
        if labels is not None:  # one partnership per table: no grid to continue
            read[table], grid = record_to_rows(table, labels, vocabulary), Grid(line=grid.line)
            continue
        found_rows, after = table_to_rows(table, grid if not is_report else Grid(line=grid.line),
                                          vocabulary)
        if is_report or continues(found_rows, grid.width):
            read[table], grid = found_rows, after
        elif grid.width is None:  # after record tables: another one whose labels are unknown?
            if _two_columns(found_rows):
                line = table.sourceline if isinstance(table.sourceline, int) else 0
                found.append(Issue("html-table-skipped", f"{name}:{line}: a two-column table "
                                   "whose labels name no partner or content column; not read "
                                   "(map its labels with --layout)", "warning", name, line))
        elif any(len(row.cells) >= grid.width for row in found_rows):
            line = table.sourceline if isinstance(table.sourceline, int) else 0
            found.append(Issue("html-table-skipped", f"{name}:{line}: a table without a header "
                               f"row whose rows do not have the report's {grid.width} columns; "
                               "not read as part of the report", "warning", name, line))
        # A narrower table (links, a contact box) cannot hold the report's columns: it is
        # page furniture like the text around it, whose notes are still read.
    rows = rows_with_notes(root, read)
    # Each row counts once: the manifest's line kinds then add up to line_count.
    return SourceDocument(name=name, format="html", encoding=encoding, sha256=sha256, size=size,
                          line_count=len(rows), line_based=False, rows=tuple(rows),
                          issues=tuple(found), preamble=_preamble(root, tables[0][0]))
