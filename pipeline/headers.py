"""The words that make a report's header row and its note lines, and how to find them.

Data and pure functions only, with no other stage imported: the readers (which must find
a table in an HTML page or a workbook) and layout (which assigns the columns) share them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Header cells are recognised by these words (NFKC, whitespace removed); reports vary the rest.
# Every label word names 都市, which lets header_columns skip data rows at a glance.
LABEL_HEADER = ("提携都市", "都市名", "相手都市")
CONTENT_HEADER = ("内容", "実績")
BUREAU_HEADER = ("所管", "担当")
MAX_HEADER_CELL = 60  # characters; longer cells are content, never a header

# A one-cell line that is a note: ※所管局欄の括弧内は内線番号, 注：…, (注)…
NOTE_MARK = re.compile(r"^(?:※|\*|注[:：\s)）]|\(注\)|（注）)")


@dataclass(frozen=True, slots=True)
class Columns:
    width: int
    label: int
    content: int
    bureau: int | None


def squash(cell: str) -> str:
    """NFKC with all whitespace removed: how header and period words are compared."""
    return "".join(unicodedata.normalize("NFKC", cell).split())


def header_columns(cells: tuple[str, ...] | list[str]) -> Columns | None:
    """The column positions if these cells are a table header, else None."""
    # A glance first spares NFKC on every cell of every data row: a header has a short cell
    # with 都 and 市 (every label word has them, spaced or not: 提 携 都 市 名) and another
    # with 内容 or 実績 (also spaced: 内　容).
    short = [c for c in cells if len(c) <= MAX_HEADER_CELL]
    if not (any("都" in c and "市" in c for c in short)
            and any(("内" in c and "容" in c) or ("実" in c and "績" in c) for c in short)):
        return None
    squashed = [squash(cell) if len(cell) <= MAX_HEADER_CELL else "" for cell in cells]

    def find(keys: tuple[str, ...]) -> int | None:
        return next((i for i, c in enumerate(squashed) if c and any(k in c for k in keys)), None)

    label, content, bureau = find(LABEL_HEADER), find(CONTENT_HEADER), find(BUREAU_HEADER)
    if label is None or content is None or label == content:
        return None
    width = max(i for i, c in enumerate(squashed) if c) + 1
    return Columns(width=width, label=label, content=content, bureau=bureau)


def is_header(cells: tuple[str, ...] | list[str]) -> bool:
    return header_columns(cells) is not None
