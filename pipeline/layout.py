"""Layout stage: raw rows -> report structure (title, fiscal year, tables, notes, rejects).

Each physical line gets exactly one kind (blank, title, period, header, row, note,
rejected) so that the manifest can account for every line of the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.dates import find_dates
from pipeline.headers import NOTE_MARK, Columns, header_columns, squash
from pipeline.model import Issue, Layout, RawRow, SourceDocument, TableRow
from pipeline.normalise import html_to_text
from pipeline.roles import INHERITING, ROLES, Vocabulary

# This stage's rejects that cost a table row (it never became one): the audit shows each as
# an unread row.
ROW_REJECTS = frozenset({"row-cells", "row-label", "row-outside-table", "line-encoding",
                         "fiscal-year-conflict"})
LINE_KINDS = ("blank", "title", "period", "header", "row", "note", "rejected")

# What a period line may say besides its fiscal year(s): 令和元年度（平成31年度）実績一覧.
_PERIOD_WORDS = re.compile(r"^(?:の|における)?(?:事業|交流)?(?:実績)?(?:一覧|について)?$")
_BRACKETS = re.compile(r"[()（）「」【】\[\]〔〕]")
_NAME_YEAR = re.compile(
    r"(?:fy|FY|_)(?P<year>(?:19|20)\d\d)(?!\d)|(?<!\d)(?P<bare>(?:19|20)\d\d)(?!\d)")


def period_to_fiscal_year(text: str) -> int | None:
    """平成24年度実績, （令和元年度実績）, 令和元年度（平成31年度）実績 -> the fiscal year;
    None when the line says more than that, or names no single fiscal year."""
    squashed = squash(text)
    if len(squashed) > 40 or "年度" not in squashed:
        return None
    found = find_dates(squashed).periods
    if not found or any(p.precision != "fiscal_year" or p.end.year != p.start.year + 1
                        for p in found):  # one fiscal year each, not a range of them
        return None
    if len({p.start.year for p in found}) != 1:
        return None
    rest = squashed
    for period in reversed(found):
        rest = rest[: period.span[0]] + rest[period.span[1] :]
    return found[0].start.year if _PERIOD_WORDS.match(_BRACKETS.sub("", rest)) else None


_NOT_THE_DATA_YEAR = ("版", "以降", "から", "まで", "予算", "計画", "に向け")


def title_to_fiscal_year(title: str) -> int | None:
    """The one fiscal year a title names (姉妹都市との交流実績（令和元年度）), if it names one
    and it is the year of the data: not an edition (平成25年度版), a range or a plan."""
    squashed = squash(title)
    if squashed.startswith(("(参考)", "参考")):
        return None
    found = find_dates(squashed).periods
    years = [p for p in found if p.precision == "fiscal_year"]
    if len(years) != 1 or years[0].end.year != years[0].start.year + 1:
        return None
    after = _BRACKETS.sub("", squashed[years[0].span[1] :])
    return None if after.startswith(_NOT_THE_DATA_YEAR) else years[0].start.year


def name_to_fiscal_year(name: str) -> int | None:
    match = _NAME_YEAR.search(name.rsplit("/", 1)[-1])
    if not match:
        return None
    return int(match.group("year") or match.group("bare"))


def _non_blank(cells: tuple[str, ...]) -> list[str]:
    return [cell.strip() for cell in cells if cell.strip()]


# Roles read from a row besides partner, content and bureau (which have TableRow fields).
_FIELD_ROLES = ("government", "country", "partnership_date", "date", "category",
                "participants", "note")
# FY2012's own shape: one partner a row, all its activities in one cell. There a blank
# partner cell is damage (row-label), unless the source marks it merged; in any other
# shape (one activity a row, a register) a blank partner is a merged cell exported blank.
_FY2012_ROLES = frozenset({"partner", "content", "bureau"})


@dataclass(slots=True)
class _Walk:
    """What document_to_layout carries from row to row: the table being read and all the
    layout found so far. Each step below takes it and one row."""

    name: str
    vocabulary: Vocabulary | None
    kinds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LINE_KINDS, 0))
    issues: list[Issue] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    columns: Columns | None = None
    table_no: int = 0
    row_no: int = 0
    # The last rejected row of the table: its line, and its bureau cell where that can be
    # trusted (its cells sit in their columns and the cell decoded cleanly), else None.
    carried: tuple[int, str | None] | None = None
    above: dict[int, str] = field(default_factory=dict)  # column -> last accepted cell
    unmapped_named: set[str] = field(default_factory=set)  # column-unmapped said once each
    # Set after a period line naming another fiscal year than the report's: why the table
    # rows under it are rejected, until a period line names the report's year again.
    other_year: str | None = None
    header_line: int = 0  # the table's header line, and the lines rejected before it
    rejected_before: int = 0  # (_say_if_empty)


def document_to_layout(doc: SourceDocument, vocabulary: Vocabulary | None = None) -> Layout:
    """Give every row one kind (blank, header, note, title, period, row, rejected) and read
    the table rows by the roles of the header above them."""
    walk = _Walk(doc.name, vocabulary)
    title, period_text, fiscal_year = _from_preamble(doc.preamble)
    period_line = 0  # the period line's line; 0 when it came from an HTML page's preamble
    for index, row in enumerate(doc.rows):
        if row.problem is not None:  # the reader could not decode it: never read its cells
            _reject(walk, row, "line-encoding", row.problem)
            # A damaged header still starts a table, or every row below would be lost too.
            if (found := header_columns(row.cells, vocabulary, row.spanned)) is not None:
                _start_table(walk, found, row, counted=False)
            continue
        filled = _non_blank(row.cells)
        if not filled:
            walk.kinds["blank"] += row.line_span
            continue
        if (found := header_columns(row.cells, vocabulary, row.spanned)) is not None:
            _start_table(walk, found, row)
            continue
        # One-cell lines are notes, titles and period lines; a text report may wrap them
        # in HTML (<p>…</p>), which is not part of what they say.
        text = " ".join(html_to_text(filled[0]).split()) if len(filled) == 1 else ""
        if text and NOTE_MARK.match(text):
            walk.kinds["note"] += row.line_span
            walk.notes.append((row.line, text))
        elif text and (walk.columns is None or _next_is_header(doc.rows, index, vocabulary)):
            year = period_to_fiscal_year(text)
            if year is not None and period_text is None:
                walk.kinds["period"] += row.line_span
                period_text, fiscal_year, period_line = text, year, row.line
            elif year is not None and year != fiscal_year:
                walk.kinds["period"] += row.line_span
                _other_year(walk, row, text, year, period_text, fiscal_year, period_line)
            elif year is not None and walk.other_year is not None:  # the report's year again
                walk.kinds["period"] += row.line_span
                walk.other_year = None
            elif title is None and walk.columns is None:
                walk.kinds["title"] += row.line_span
                title = text
            else:
                walk.kinds["note"] += row.line_span
                walk.notes.append((row.line, text))
        else:
            _table_row(walk, row)
    _say_if_empty(walk)
    fiscal_year = _fiscal_year_fallbacks(walk, title, fiscal_year)
    return Layout(source_file=doc.name, title=title, period_text=period_text,
                  fiscal_year=fiscal_year, rows=tuple(walk.rows), notes=tuple(walk.notes),
                  line_kinds=walk.kinds, issues=tuple(walk.issues))


def _other_year(walk: _Walk, row: RawRow, text: str, year: int, period_text: str | None,
                fiscal_year: int | None, period_line: int) -> None:
    """A second period line naming another fiscal year: a report holds one fiscal year
    (its rows, ids, dates and manifest are of it), so the table rows under this line are
    rejected until a period line names the report's year again, and the line is a warning."""
    first = f"line {period_line}: {period_text}" if period_line else period_text
    walk.issues.append(Issue(
        "fiscal-year-conflict", f"{walk.name}:{row.line}: the period line {text} names fiscal "
        f"year {year}, but the report's period line ({first}) names {fiscal_year}; a report "
        "holds one fiscal year, so the rows under this line are rejected: split the file into "
        "one report per fiscal year", "warning", walk.name, row.line, row.raw))
    walk.other_year = (f"the row is under line {row.line}'s period line {text} (fiscal year "
                       f"{year}) in a report of fiscal year {fiscal_year}; split the file into "
                       "one report per fiscal year")


def _reject(walk: _Walk, row: RawRow, code: str, reason: str) -> None:
    walk.kinds["rejected"] += row.line_span
    walk.issues.append(Issue(code, f"{walk.name}:{row.line}: {reason}", "reject", walk.name,
                             row.line, row.raw))
    columns = walk.columns
    if columns is not None:
        cell = None
        aligned = (code in ("row-label", "line-encoding")
                   and not any(c.strip() for c in row.cells[columns.width :]))
        if aligned and columns.bureau is not None and len(row.cells) > columns.bureau:
            cell = row.cells[columns.bureau].strip()
            cell = cell if cell and "\ufffd" not in cell else None
        walk.carried = (row.line, cell)


def _start_table(walk: _Walk, columns: Columns, row: RawRow, counted: bool = True) -> None:
    """A header row: a new table, read by its roles. Say once per file which headers no
    role took (their cells go to extras) and which role two columns seemed to share."""
    if counted:
        walk.kinds["header"] += row.line_span
    _say_if_empty(walk)
    walk.columns, walk.table_no, walk.row_no, walk.carried = columns, walk.table_no + 1, 0, None
    walk.header_line, walk.rejected_before = row.line, walk.kinds["rejected"]
    walk.above = {}
    where = f"{walk.name}:{row.line}"
    for doubt in columns.doubts:
        walk.issues.append(Issue("column-ambiguous", f"{where}: {doubt}", "warning",
                                 walk.name, row.line))
    for index in columns.unmapped:
        header = columns.headers[index].strip()
        if header not in walk.unmapped_named and index not in columns.doubted:
            walk.unmapped_named.add(header)
            walk.issues.append(Issue(
                "column-unmapped", f"{where}: no role for the column {header!r}; its cells "
                "go to the extras table (map it with --layout to read it as a role)",
                "warning", walk.name, row.line))


def _say_if_empty(walk: _Walk) -> None:
    """A header with neither a row read nor one rejected under it is said: a PDF whose
    page stream was cut keeps its header, loses its rows, and nothing else tells."""
    if (walk.columns is None or walk.row_no
            or walk.kinds["rejected"] != walk.rejected_before):
        return
    walk.issues.append(Issue(
        "table-empty", f"{walk.name}:{walk.header_line}: a header row with no rows under it; "
        "nothing was read from this table (if the report has rows here, the file may be "
        "damaged or cut short)", "warning", walk.name, walk.header_line))


def _table_row(walk: _Walk, row: RawRow) -> None:
    """A row inside a table: rejected when it cannot be read, else a TableRow."""
    columns = walk.columns
    if columns is None:
        _reject(walk, row, "row-outside-table", "a table row before any header row")
        return
    if walk.other_year is not None:
        _reject(walk, row, "fiscal-year-conflict", walk.other_year)
        return
    extra = [c for c in row.cells[columns.width :] if c.strip()]
    if extra:
        _reject(walk, row, "row-cells", f"the row has {columns.width + len(extra)} or more "
                f"cells with text; the header has {columns.width} columns")
        return
    cells, inherited = _inherit_blanks(walk, row, columns)

    def cell(column: int | None) -> str:
        return cells[column] if column is not None and column < len(cells) else ""

    content = cell(columns.content)
    # A register (a partnership_date column) lists partnerships: a row without activities
    # is an entry with no events. In an activity table it is a row that lost its content.
    if columns.content is not None and not content.strip() and not columns.of(
            "partnership_date"):
        _reject(walk, row, "row-cells", "the row has no content cell")
        return
    label = cell(columns.label).strip()
    if columns.label is not None and not label:
        _reject(walk, row, "row-label", f"the row has no partner label ({_no_label_why(walk)})")
        return
    fields = tuple((role, _joined(cells, columns.of(role))) for role in _FIELD_ROLES
                   if columns.of(role))
    extras = tuple((columns.name(i), cells[i]) for i in columns.extra_columns()
                   if i < len(cells) and cells[i].strip())
    _say_blank_headers(walk, row, columns, cells)
    _say_content_inherited(walk, row, inherited, label)
    walk.row_no += 1
    walk.kinds["row"] += row.line_span
    walk.above.update({i: c for i, c in enumerate(cells) if c.strip()})
    walk.rows.append(TableRow(
        source_file=walk.name, source_line=row.line, table_no=walk.table_no,
        row_no=walk.row_no, label=label, content=content,
        bureau_cell=cell(columns.bureau).strip(), bureau_merged=columns.bureau in row.inherited,
        raw=row.raw, line_span=row.line_span, bureau_after_reject=walk.carried,
        fields=fields, inherited=inherited, extras=extras,
        bureau_column=columns.bureau is not None))
    walk.carried = None


def _say_blank_headers(walk: _Walk, row: RawRow, columns: Columns, cells: list[str]) -> None:
    """A cell with text under a blank header cell goes to extras; say so once per column
    name and file, at the first row that has one."""
    for index in columns.blank:
        name, said = columns.name(index), f"{index + 1}:{columns.name(index)}"
        if index >= len(cells) or not cells[index].strip() or said in walk.unmapped_named:
            continue
        walk.unmapped_named.add(said)
        spanning = "" if name.startswith("(column ") else f", under {name!r} that spans it"
        walk.issues.append(Issue(
            "column-unmapped", f"{walk.name}:{row.line}: column {index + 1} has no header of "
            f"its own{spanning}; its cells go to the extras table as {name!r} (give the "
            "column a header in the report, then map it with --layout to read it as a role)",
            "warning", walk.name, row.line))


def _no_label_why(walk: _Walk) -> str:
    """Why a blank partner cell was not taken from the row above."""
    if walk.carried is not None:
        return "the row above was rejected"
    if not walk.above:
        return "no row above it in the table"
    return "a blank partner cell is read as damage in this table's shape"


def _say_content_inherited(walk: _Walk, row: RawRow, inherited: tuple[str, ...],
                           label: str) -> None:
    """A content cell a rowspan or merge carries down to this row: its events are kept for
    this row's partner too (a joint activity), and counted once per row; say so."""
    if "content" not in inherited:
        return
    partner = f", {label} too" if label else ""
    walk.issues.append(Issue(
        "content-inherited", f"{walk.name}:{row.line}: the content cell spans rows (a rowspan "
        f"or merged cell) down to this row, so its events are counted for each partner it "
        f"spans{partner} (a joint activity)", "warning", walk.name, row.line, row.raw))


def _inherit_blanks(walk: _Walk, row: RawRow, columns: Columns
                    ) -> tuple[list[str], tuple[str, ...]]:
    """The row's cells with blank government, country, partner and category cells taken
    from the last row read in the table (merged cells exported blank), and the roles that
    were, or whose cell the reader filled from a rowspan or merged cell (content, date,
    participants … too). Not across a rejected row, whose cells are unknown; bureau is the
    events stage's (it knows the rejected rows' bureau cells)."""
    cells = list(row.cells)
    taken: list[str] = []
    fy2012_shape = {role for role, _ in columns.roles} <= _FY2012_ROLES
    for role in INHERITING:
        if role == "bureau":
            continue
        for index in columns.of(role):
            if role == "partner" and fy2012_shape and index not in row.inherited:
                continue
            blank = index >= len(cells) or not cells[index].strip()
            if blank and index in walk.above and walk.carried is None:
                cells.extend([""] * (index + 1 - len(cells)))
                cells[index] = walk.above[index]
                taken.append(role)
            elif index in row.inherited:  # a rowspan or merged cell: the reader filled it
                taken.append(role)
    # Roles never taken from above when blank, but whose merged cell the reader filled.
    taken.extend(role for role in ROLES if role not in INHERITING
                 and any(index in row.inherited for index in columns.of(role)))
    return cells, tuple(dict.fromkeys(taken))


def _joined(cells: list[str], columns: tuple[int, ...]) -> str:
    """The role's cells in column order, joined without a separator (東京都 + 練馬区)."""
    return "".join(cells[i].strip() for i in columns if i < len(cells))


def _fiscal_year_fallbacks(walk: _Walk, title: str | None, fiscal_year: int | None
                           ) -> int | None:
    """No period line: the title's one fiscal year, else the file name's year, each with a
    warning; else none, with a warning."""
    name = walk.name
    if fiscal_year is None and title is not None:
        fiscal_year = title_to_fiscal_year(title)
        if fiscal_year is not None:
            walk.issues.append(Issue("fiscal-year-from-title", f"{name}: no period line; "
                                     f"fiscal year {fiscal_year} taken from the title",
                                     "warning", name, 0))
    if fiscal_year is None:
        fiscal_year = name_to_fiscal_year(name)
        if fiscal_year is not None:
            walk.issues.append(Issue("fiscal-year-from-name", f"{name}: no period line; "
                                     f"fiscal year {fiscal_year} taken from the file name",
                                     "warning", name, 0))
        else:
            walk.issues.append(Issue("fiscal-year-missing", f"{name}: no period line and no "
                                     "year in the file name; fiscal_year is empty",
                                     "warning", name, 0))
    return fiscal_year


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _from_preamble(preamble: tuple[tuple[str, str], ...]
                   ) -> tuple[str | None, str | None, int | None]:
    """(title, period line, its fiscal year) from the text before an HTML page's table: the
    period is the first line that is one (the same rule as for a text report's lines), the
    title the first heading (h1-h6) that is not the period, else the first other line."""
    period, year = None, None
    for _, text in preamble:
        if (found := period_to_fiscal_year(text)) is not None:
            period, year = text, found
            break
    others = [(tag, text) for tag, text in preamble if text != period]
    title = next((text for tag, text in others if tag in _HEADING_TAGS),
                 others[0][1] if others else None)
    return title, period, year


def _next_is_header(rows: tuple[RawRow, ...], index: int, vocabulary: Vocabulary | None
                    ) -> bool:
    """A one-cell line right before a header is a heading, not a damaged row."""
    for row in rows[index + 1 :]:
        if _non_blank(row.cells):
            return header_columns(row.cells, vocabulary) is not None
    return False
