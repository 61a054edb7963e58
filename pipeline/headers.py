"""The words that make a report's header row and its note lines, and how to find them.

Data and pure functions only, with no other stage imported: the readers (which must find
a table in an HTML page or a workbook) and layout (which assigns the columns) share them.
Which header word means which column role is data too: roles.toml, read by roles.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pipeline.roles import (
    JOINED,
    MAX_HEADER_CELL,
    ROLES,
    Vocabulary,
    builtin_vocabulary,
    cell_role,
)

__all__ = ["MAX_HEADER_CELL", "NOTE_MARK", "Columns", "header_columns", "is_header",
           "is_record_table", "squash", "unrecognised_header"]

# A one-cell line that is a note: ※所管局欄の括弧内は内線番号, 注：…, (注)…
NOTE_MARK = re.compile(r"^(?:※|\*|注[:：\s)）]|\(注\)|（注）)")
# A table needs one of these to be read: without both, a row is neither an activity nor a
# partnership.
ANCHOR_ROLES = ("partner", "content")


@dataclass(frozen=True, slots=True)
class Columns:
    """A table's header read as roles: which columns hold what, and what is left over."""

    width: int
    label: int | None  # the partner column
    content: int | None
    bureau: int | None
    roles: tuple[tuple[str, tuple[int, ...]], ...] = ()  # role -> its columns, in order
    headers: tuple[str, ...] = ()  # every header cell as printed
    unmapped: tuple[int, ...] = ()  # columns no role took: their cells go to extras
    doubts: tuple[str, ...] = ()  # two columns looked like one role: which was taken, why
    doubted: tuple[int, ...] = ()  # the columns of `unmapped` a doubt already names
    # Columns under a blank header cell (or a cell that a header to its left spans): their
    # non-empty cells go to extras too, each under its name in `names`.
    blank: tuple[int, ...] = ()
    # Every column's name in extras and warnings: its header as printed (stripped); for a
    # blank one, the header of the cell spanning it where the source shows a span (HTML
    # colspan, a merged range), else a placeholder "(column N)".
    names: tuple[str, ...] = ()

    def extra_columns(self) -> tuple[int, ...]:
        """The columns whose cells go to extras: no role took them, or no header names them."""
        return tuple(sorted({*self.unmapped, *self.blank}))

    def name(self, column: int) -> str:
        if column < len(self.names):
            return self.names[column]
        return self.headers[column].strip() if column < len(self.headers) else ""

    def of(self, role: str) -> tuple[int, ...]:
        return next((columns for name, columns in self.roles if name == role), ())

    def first(self, role: str) -> int | None:
        found = self.of(role)
        return found[0] if found else None


def squash(cell: str) -> str:
    """NFKC with all whitespace removed: how period words are compared."""
    return "".join(unicodedata.normalize("NFKC", cell).split())


def _cell_roles(cells: Sequence[str], vocabulary: Vocabulary) -> list[tuple[int, str | None]]:
    return [(i, cell_role(cell, vocabulary)) for i, cell in enumerate(cells) if cell.strip()]


def _is_role_row(found: list[tuple[int, str | None]]) -> bool:
    """Header-like: two cells or more name a role, they are at least half of the filled
    cells, and one of them is a partner or content column. A data row may hold one cell
    that reads like a header word (a register's category 姉妹都市), never most of them."""
    mapped = [role for _, role in found if role is not None]
    return (len(mapped) >= 2 and 2 * len(mapped) >= len(found)
            and any(role in ANCHOR_ROLES for role in mapped))


def header_columns(cells: Sequence[str], vocabulary: Vocabulary | None = None,
                   spanned: Collection[int] = ()) -> Columns | None:
    """The columns by role if these cells are a table header, else None. `spanned`: the
    columns a cell to their left covers (a colspan, a merged range), as the reader saw."""
    if any(len(cell) > MAX_HEADER_CELL for cell in cells):  # a data row: spare the lookups
        return None
    vocabulary = vocabulary or builtin_vocabulary()
    found = _cell_roles(cells, vocabulary)
    if not _is_role_row(found):
        return None
    by_role: dict[str, list[int]] = {}
    unmapped: list[int] = []
    for index, role in found:
        if role is None:
            unmapped.append(index)
        else:
            by_role.setdefault(role, []).append(index)
    doubts: list[str] = []
    doubted: list[int] = []
    for role, columns in by_role.items():
        if len(columns) > 1 and role not in JOINED:
            # The first from the left is the one a reader meets first; the others are not
            # dropped: their cells go to extras, and the warning says how to map them.
            taken, *others = columns
            unmapped.extend(others)
            doubted.extend(others)
            by_role[role] = [taken]
            names = ", ".join(f"{cells[i].strip()} (column {i + 1})" for i in others)
            doubts.append(f"{len(columns)} columns look like {role}: took "
                          f"{cells[taken].strip()} (column {taken + 1}), the first; "
                          f"{names} go to extras (map them with --layout)")
    roles = tuple((role, tuple(by_role[role])) for role in ROLES if role in by_role)
    width = max(index for index, _ in found) + 1
    # A header cell spanning columns to the right of the last one still heads them.
    while width in spanned:
        width += 1
    column_names, blank = _column_names(cells, width, spanned)
    label, content, bureau = (by_role.get(r, [None])[0] for r in ("partner", "content",
                                                                   "bureau"))
    return Columns(width=width, label=label, content=content, bureau=bureau, roles=roles,
                   headers=tuple(cells[:width]), unmapped=tuple(sorted(unmapped)),
                   doubts=tuple(doubts), doubted=tuple(sorted(doubted)), blank=blank,
                   names=column_names)


def _column_names(cells: Sequence[str], width: int, spanned: Collection[int]
                  ) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Each column's name, and the columns whose header cell is blank."""
    names: list[str] = []
    blank: list[int] = []
    for index in range(width):
        header = cells[index].strip() if index < len(cells) else ""
        if not header:
            blank.append(index)
            start = index
            while start in spanned and start > 0:  # back to the cell that spans it
                start -= 1
            spanning = cells[start].strip() if start != index and start < len(cells) else ""
            header = spanning or f"(column {index + 1})"
        names.append(header)
    return tuple(names), tuple(blank)


def is_header(cells: Sequence[str], vocabulary: Vocabulary | None = None) -> bool:
    return header_columns(cells, vocabulary) is not None


def is_record_table(labels: Sequence[str], vocabulary: Vocabulary | None = None) -> bool:
    """A two-column label -> value table (one partnership per table): its label cells, read
    down the first column, pass for a header row read across."""
    if len(labels) < 2 or any(len(label) > MAX_HEADER_CELL for label in labels):
        return False
    return _is_role_row(_cell_roles(labels, vocabulary or builtin_vocabulary()))


def _layout_example(rows: list[list[str]], vocabulary: Vocabulary) -> tuple[list[str], str]:
    """The anchor roles no cell of `rows` has, and a layout-file line that would map one."""
    roles = {cell_role(c, vocabulary) for row in rows for c in row} - {None}
    missed = [role for role in ANCHOR_ROLES if role not in roles]
    unknown = next((c for row in rows for c in row if cell_role(c, vocabulary) is None),
                   "見出し")
    return missed, f'"{unknown}" = "{missed[0] if missed else "content"}"'


def unrecognised_header(rows: Sequence[Sequence[str]], vocabulary: Vocabulary | None = None,
                        limit: int = 3) -> str:
    """Why no table header was found, and what to do: the header-like rows seen (short rows
    of several short cells), what each cell was read as, and the roles missed."""
    vocabulary = vocabulary or builtin_vocabulary()
    candidates = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    candidates = [row for row in candidates
                  if len(row) >= 2 and all(len(cell) <= MAX_HEADER_CELL for cell in row)]
    if not candidates:
        return ("no row looks like a table header (a row of short cells naming the partner "
                "or the content); is this a report table?")
    shown = [" | ".join(f"{cell}={cell_role(cell, vocabulary) or '?'}" for cell in row)
             for row in candidates[:limit]]
    missed, example = _layout_example(candidates[:limit], vocabulary)
    return ("no table header recognised; header-like rows seen: " + "; ".join(shown)
            + f". Missing: {' or '.join(missed) if missed else 'a second known column'}"
            + f". Map the headers to roles in a layout file ([columns] {example}, one line "
            "a header) and run pipeline run --layout FILE")
