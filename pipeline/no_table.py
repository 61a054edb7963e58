"""A file with no report table: why none can be read, said as what was seen instead (the
line that may have been the header and the roles it lacks, or the first lines when they
read as prose) and the header words known, so such a file is an error (`no-table`) that
names the place, never a report with nothing in it."""

from __future__ import annotations

from pipeline.headers import MAX_HEADER_CELL, header_columns, unrecognised_header
from pipeline.model import RawRow, SourceDocument
from pipeline.normalise import html_to_text
from pipeline.roles import Vocabulary, builtin_vocabulary

_SHOWN_LINES = 3  # how many of a file's first lines the message quotes
_SHOWN_WORDS = 3  # how many header words of each anchor role the message names
_HEADER_LIKE_ROWS = 50  # the rows looked at for something that may be a header


def no_table(doc: SourceDocument, vocabulary: Vocabulary | None = None) -> str | None:
    """Why no report table can be read from `doc`, or None when one can: the message of a
    file that would otherwise count as a report with nothing in it. A row is a header by
    the same test layout.document_to_layout starts a table with (a damaged header row too)."""
    if any(header_columns(row.cells, vocabulary) is not None for row in doc.rows):
        return None
    return no_table_message(doc.rows, vocabulary)


def no_table_message(rows: tuple[RawRow, ...], vocabulary: Vocabulary | None = None) -> str:
    """What was seen instead of a header row: the header-like rows with what each cell was
    read as and the roles missed (headers.unrecognised_header), or, where no row looks like
    a header, the first lines and the words a header row is known by; and how to map
    headers with --layout."""
    cells = [row.cells for row in rows[:_HEADER_LIKE_ROWS] if row.problem is None]
    if _header_like(cells):
        return "no report table: " + unrecognised_header(cells, vocabulary)
    return (f"no report table: no header row; {_what_was_seen(rows)}. "
            f"Known header words: {_known_words(vocabulary)}")


def _header_like(rows: list[tuple[str, ...]]) -> bool:
    """A row of several short cells: what unrecognised_header lists as header-like."""
    return any(len(filled := [c for c in row if c.strip()]) >= 2
               and all(len(c.strip()) <= MAX_HEADER_CELL for c in filled) for row in rows)


def _known_words(vocabulary: Vocabulary | None) -> str:
    words = (vocabulary or builtin_vocabulary()).columns
    known = "; ".join(", ".join([w for w, r in words if r == role][:_SHOWN_WORDS]) + f" ({role})"
                      for role in ("partner", "content", "bureau"))
    return known + " … (pipeline run --layout FILE maps others)"


def _what_was_seen(rows: tuple[RawRow, ...]) -> str:
    filled = [(row, cells) for row in rows if (cells := _non_blank(row.cells))]
    if not filled:
        return "the file has no text"
    quoted = ", ".join(f"line {row.line}: {_clip(html_to_text(cells[0]))}"
                       for row, cells in filled[:_SHOWN_LINES])
    return f"the first lines look like prose ({quoted})"


def _clip(text: str, limit: int = 20) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _non_blank(cells: tuple[str, ...]) -> list[str]:
    return [cell.strip() for cell in cells if cell.strip()]
