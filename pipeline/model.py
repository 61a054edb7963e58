"""The values that flow between stages: plain frozen dataclasses, no behaviour.

Every record carries where it came from (file, physical line, table, row, item)
so that any value, reject or warning can be traced back to the input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Severity = Literal["warning", "reject", "error"]


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem found in the input, as data: a stable code, a message naming the place."""

    code: str
    message: str
    severity: Severity
    source_file: str
    source_line: int  # 1-based physical line; 0 for a problem with the whole file
    raw: str = ""


@dataclass(frozen=True, slots=True)
class RawRow:
    """One table-shaped row as a reader found it, before any interpretation."""

    line: int  # first physical line of the row (1-based)
    cells: tuple[str, ...]
    raw: str  # the row exactly as in the source
    line_span: int = 1  # physical lines the row covers (quoted newlines in CSV)
    inherited: frozenset[int] = frozenset()  # cells filled from a rowspan or merged cell
    spanned: frozenset[int] = frozenset()  # cells a cell to their left covers (colspan, merge)
    # Set when the reader found the row damaged (its bytes did not decode): layout must
    # reject the row with this reason instead of reading its cells.
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A decoded input: its identity plus the rows a reader found in it."""

    name: str  # relative to the input folder, '/'-separated, never absolute
    format: str  # "text" | "csv" | "html" | "xlsx" | "xls" | "pdf"
    encoding: str | None
    sha256: str
    size: int
    line_count: int  # physical lines of a line-based input; rows for html and workbooks
    line_based: bool
    rows: tuple[RawRow, ...]
    issues: tuple[Issue, ...] = ()
    # Text before the table that is not in rows: (tag, text) of an HTML page's headings,
    # paragraphs and caption, in page order. Layout finds the title and period among them.
    preamble: tuple[tuple[str, str], ...] = ()
    # What a format's reader tells the manifest besides the common fields, as (key, value)
    # pairs: a PDF's pages and the characters its fonts changed. Empty for other formats.
    details: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class TableRow:
    """A data row of a report table, its columns assigned by the header above it."""

    source_file: str
    source_line: int
    table_no: int
    row_no: int
    label: str
    content: str
    bureau_cell: str
    bureau_merged: bool  # the source marks the bureau as spanning from above (rowspan, merge)
    raw: str
    line_span: int = 1
    # A rejected row just above: its line, and its bureau cell where it could be read.
    # Blank bureau cells below belong to that row's bureau, which may be unknown.
    bureau_after_reject: tuple[int, str | None] | None = None
    # The other roles' cells (government, country, partnership_date, date, category,
    # participants, note) as (role, text), blanks already inherited from the row above.
    fields: tuple[tuple[str, str], ...] = ()
    inherited: tuple[str, ...] = ()  # roles whose blank cell was taken from the row above
    extras: tuple[tuple[str, str], ...] = ()  # (header as printed, cell) of unmapped columns
    bureau_column: bool = True  # False: the table has no bureau column (a register)

    def value_of(self, role: str) -> str:
        return next((text for name, text in self.fields if name == role), "")


@dataclass(frozen=True, slots=True)
class Layout:
    """A report's structure: title, fiscal year, table rows, notes, and what was not a row."""

    source_file: str
    title: str | None
    period_text: str | None
    fiscal_year: int | None
    rows: tuple[TableRow, ...]
    notes: tuple[tuple[int, str], ...]
    line_kinds: dict[str, int]
    issues: tuple[Issue, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """One bullet item (or a whole prose cell) of a content cell."""

    text: str  # tags stripped, entities decoded, bullet removed, as written otherwise
    source_text: str  # exactly as in the source cell
    note: str = ""  # a ※ note that followed the item in the cell


@dataclass(frozen=True, slots=True)
class CellItems:
    kind: Literal["list", "prose", "none", "empty"]
    items: tuple[Item, ...]
    note: str = ""  # e.g. 平成24年度実績なし
    # Why the split may be wrong (an item cut inside brackets, markup left in its text, a
    # line without the bullet its neighbours have): each becomes a warning on the row.
    doubts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Partner:
    label: str
    country: str
    country_code: str | None
    city: str
    qualifier: str
    start_code: str | None
    start_fiscal_year: int | None


# Output rows are NamedTuples whose fields are the output columns in order (schema.py;
# a test holds them equal): they pickle, transpose into columns and compare at C speed.


class EntryRecord(NamedTuple):
    fiscal_year: int | None
    source_file: str
    source_line: int
    table_no: int
    row_no: int
    partner_label: str
    partner_country: str
    partner_country_code: str | None
    partner_city: str
    partner_qualifier: str
    start_code: str | None
    start_fiscal_year: int | None
    bureau: str
    bureau_contact: str
    bureau_inherited: bool
    event_count: int
    note: str
    government: str = ""
    partnership_date_text: str = ""
    partnership_start: dt.date | None = None
    partnership_end: dt.date | None = None
    partnership_precision: str | None = None
    category: str = ""
    inherited: str = ""


class EventRecord(NamedTuple):
    event_id: str
    fiscal_year: int | None
    source_file: str
    source_line: int
    table_no: int
    row_no: int
    item_no: int
    partner_country: str
    partner_country_code: str | None
    partner_city: str
    bureau: str
    bureau_contact: str
    bureau_inherited: bool
    description: str
    source_text: str
    date_text: str
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: str | None
    period_count: int
    date_inferred: bool
    note: str
    source_sha256: str
    category: str
    participants: str
    # Facets (facets.py) and the partner key; appended so the columns before keep their
    # place. No defaults: a field without one may be appended after them.
    kind: str
    direction: str
    actors: str | None
    participant_count: int | None
    facet_evidence: str | None
    partner_id: str


class EventMonthRecord(NamedTuple):
    event_id: str
    month: dt.date  # the first day of a calendar month one of the event's periods touches
    fiscal_year: int | None
    partner_id: str
    kind: str
    direction: str


class PeriodRecord(NamedTuple):
    event_id: str
    period_no: int
    date_start: dt.date
    date_end: dt.date
    date_precision: str
    date_text: str
    inferred: bool
    open_start: bool = False
    open_end: bool = False


class ExtraRecord(NamedTuple):
    """One non-empty cell of a column no role took: nothing in a table is dropped."""

    source_file: str
    source_line: int
    table_no: int
    row_no: int
    column: str
    value: str


class RejectRecord(NamedTuple):
    source_file: str
    source_line: int
    reason: str
    raw: str


@dataclass(slots=True)
class Extraction:
    """Everything taken from one report."""

    document: SourceDocument
    layout: Layout | None
    entries: list[EntryRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    periods: list[PeriodRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    extras: list[ExtraRecord] = field(default_factory=list)
