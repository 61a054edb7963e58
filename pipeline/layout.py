"""Layout stage: raw rows -> report structure (title, fiscal year, tables, notes, rejects).

Each physical line gets exactly one kind (blank, title, period, header, row, note,
rejected) so that the manifest can account for every line of the input.
"""

from __future__ import annotations

import re

from pipeline.dates import find_dates
from pipeline.headers import (
    BUREAU_HEADER,
    CONTENT_HEADER,
    LABEL_HEADER,
    MAX_HEADER_CELL,
    NOTE_MARK,
    Columns,
    header_columns,
    squash,
)
from pipeline.model import Issue, Layout, RawRow, SourceDocument, TableRow
from pipeline.normalise import html_to_text

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


def document_to_layout(doc: SourceDocument) -> Layout:
    kinds = dict.fromkeys(LINE_KINDS, 0)
    issues: list[Issue] = []
    notes: list[tuple[int, str]] = []
    rows: list[TableRow] = []
    title, period_text, fiscal_year = _from_preamble(doc.preamble)
    columns: Columns | None = None
    table_no = row_no = 0
    raw_rows = doc.rows

    # The last rejected row of the table: its line, and its bureau cell where that can be
    # trusted (its cells sit in their columns and the cell decoded cleanly), else None.
    carried: tuple[int, str | None] | None = None

    def reject(row: RawRow, code: str, reason: str) -> None:
        nonlocal carried
        kinds["rejected"] += row.line_span
        issues.append(Issue(code, f"{doc.name}:{row.line}: {reason}", "reject", doc.name,
                            row.line, row.raw))
        if columns is not None:
            cell = None
            aligned = (code in ("row-label", "line-encoding")
                       and not any(c.strip() for c in row.cells[columns.width :]))
            if aligned and columns.bureau is not None and len(row.cells) > columns.bureau:
                cell = row.cells[columns.bureau].strip()
                cell = cell if cell and "\ufffd" not in cell else None
            carried = (row.line, cell)

    for index, row in enumerate(raw_rows):
        if row.problem is not None:  # the reader could not decode it: never read its cells
            reject(row, "line-encoding", row.problem)
            # A damaged header still starts a table, or every row below would be lost too.
            if (found := header_columns(row.cells)) is not None:
                columns, table_no, row_no, carried = found, table_no + 1, 0, None
            continue
        filled = _non_blank(row.cells)
        if not filled:
            kinds["blank"] += row.line_span
            continue
        found = header_columns(row.cells)
        if found is not None:
            kinds["header"] += row.line_span
            columns, table_no, row_no, carried = found, table_no + 1, 0, None
            continue
        # One-cell lines are notes, titles and period lines; a text report may wrap them
        # in HTML (<p>…</p>), which is not part of what they say.
        text = " ".join(html_to_text(filled[0]).split()) if len(filled) == 1 else ""
        if text and NOTE_MARK.match(text):
            kinds["note"] += row.line_span
            notes.append((row.line, text))
            continue
        if text and (columns is None or _next_is_header(raw_rows, index)):
            year = period_to_fiscal_year(text)
            if year is not None and period_text is None:
                kinds["period"] += row.line_span
                period_text, fiscal_year = text, year
            elif title is None and columns is None:
                kinds["title"] += row.line_span
                title = text
            else:
                kinds["note"] += row.line_span
                notes.append((row.line, text))
            continue
        if columns is None:
            reject(row, "row-outside-table", "a table row before any header row")
            continue
        extra = [c for c in row.cells[columns.width :] if c.strip()]
        if extra:
            reject(row, "row-cells", f"the row has {columns.width + len(extra)} or more cells "
                   f"with text; the header has {columns.width} columns")
            continue
        if len(row.cells) <= columns.content or not row.cells[columns.content].strip():
            reject(row, "row-cells", "the row has no content cell")
            continue
        label = row.cells[columns.label].strip() if len(row.cells) > columns.label else ""
        if not label:
            reject(row, "row-label", "the row has no partner label")
            continue
        bureau = ""
        if columns.bureau is not None and len(row.cells) > columns.bureau:
            bureau = row.cells[columns.bureau]
        row_no += 1
        kinds["row"] += row.line_span
        rows.append(TableRow(
            source_file=doc.name, source_line=row.line, table_no=table_no, row_no=row_no,
            label=label, content=row.cells[columns.content], bureau_cell=bureau.strip(),
            bureau_merged=columns.bureau in row.inherited, raw=row.raw,
            line_span=row.line_span, bureau_after_reject=carried,
        ))
        carried = None

    if fiscal_year is None and title is not None:
        fiscal_year = title_to_fiscal_year(title)
        if fiscal_year is not None:
            issues.append(Issue("fiscal-year-from-title", f"{doc.name}: no period line; fiscal "
                                f"year {fiscal_year} taken from the title", "warning",
                                doc.name, 0))
    if fiscal_year is None:
        fiscal_year = name_to_fiscal_year(doc.name)
        if fiscal_year is not None:
            issues.append(Issue("fiscal-year-from-name", f"{doc.name}: no period line; fiscal "
                                f"year {fiscal_year} taken from the file name", "warning",
                                doc.name, 0))
        else:
            issues.append(Issue("fiscal-year-missing", f"{doc.name}: no period line and no year "
                                "in the file name; fiscal_year is empty", "warning", doc.name, 0))
    return Layout(source_file=doc.name, title=title, period_text=period_text,
                  fiscal_year=fiscal_year, rows=tuple(rows), notes=tuple(notes),
                  line_kinds=kinds, issues=tuple(issues))


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


def _next_is_header(rows: tuple[RawRow, ...], index: int) -> bool:
    """A one-cell line right before a header is a heading, not a damaged row."""
    for row in rows[index + 1 :]:
        if _non_blank(row.cells):
            return header_columns(row.cells) is not None
    return False


# ---- a file with no report table ---------------------------------------------------------

_KNOWN_HEADER_WORDS = ((LABEL_HEADER, "partner city"), (CONTENT_HEADER, "content"),
                       (BUREAU_HEADER, "bureau"))
_SHOWN_LINES = 3  # how many of a file's first lines the message quotes


def no_table(doc: SourceDocument) -> str | None:
    """Why no report table can be read from `doc`, or None when one can: the message of a
    file that would otherwise count as a report with nothing in it. A row is a header by
    the same test document_to_layout starts a table with (a damaged header row too)."""
    if any(header_columns(row.cells) is not None for row in doc.rows):
        return None
    return no_table_message(doc.rows)


def no_table_message(rows: tuple[RawRow, ...]) -> str:
    """What was seen instead of a header row, and the words a header row is known by."""
    known = "; ".join(f"{', '.join(words)} ({role})" for words, role in _KNOWN_HEADER_WORDS)
    return f"no report table: no header row; {_what_was_seen(rows)}. Known header words: {known}"


def _what_was_seen(rows: tuple[RawRow, ...]) -> str:
    filled = [(row, cells) for row in rows if (cells := _non_blank(row.cells))]
    if not filled:
        return "the file has no text"
    # The first line of several cells is the likeliest header: say which roles it lacks.
    for row, cells in filled:
        if len(cells) >= 2:
            squashed = [squash(cell) for cell in cells]
            missing = [role for words, role in _KNOWN_HEADER_WORDS[:2]
                       if not any(word in cell for cell in squashed for word in words)]
            shown = " | ".join(_clip(html_to_text(cell)) for cell in cells[:6])
            if not missing:  # the words are there, but not as header_columns needs them
                return (f"line {row.line} may be the header ({shown}) but is not read as "
                        f"one: the partner city and content words must stand in two "
                        f"different cells of at most {MAX_HEADER_CELL} characters")
            return (f"line {row.line} may be the header ({shown}) but names no "
                    f"{' and no '.join(missing)} column")
    quoted = ", ".join(f"line {row.line}: {_clip(html_to_text(cells[0]))}"
                       for row, cells in filled[:_SHOWN_LINES])
    return f"the first lines look like prose ({quoted})"


def _clip(text: str, limit: int = 20) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
