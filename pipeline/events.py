"""Events stage: table rows + their items + dates -> entry, event and period records."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pipeline.cells import CellError, cell_to_items
from pipeline.dates import DateResult, Period, find_dates
from pipeline.entities import (
    LabelError,
    bureau_to_parts,
    columns_to_partner,
    label_to_partner,
)
from pipeline.facet_words import vocabulary
from pipeline.facets import item_to_facets, title_to_government
from pipeline.ids import event_key, make_event_id
from pipeline.model import (
    EntryRecord,
    EventRecord,
    ExtraRecord,
    Issue,
    Item,
    Layout,
    Partner,
    PeriodRecord,
    TableRow,
)
from pipeline.normalise import MAY_HOLD_DATE, nfkc_collapse, trailing_bracket_group
from pipeline.partners import partner_id
from pipeline.partnership import PartnershipDates, partnership_dates

# This stage's rejects: a table row whose label or cell could not be read gave no entry.
ROW_REJECTS = frozenset({"partner-label", "cell-html"})
_BACKGROUND = ("の", "に", "以来", "から", "まで")
MAX_DATE_SCAN = 5_000  # characters; the longest prose cell in a real report is a few hundred
_SEPARATORS = re.compile(r"^[\s\u3000、，,及びおよ並にと]*$")


@functools.lru_cache(maxsize=8192)
def _group_dates(text: str, fiscal_year: int | None) -> DateResult:
    """The same few date expressions recur in every row and every year's report; reading
    each once per process is the cheapest date engine there is. DateResult is immutable."""
    return find_dates(text, fiscal_year)


def item_to_dates(item: Item, fiscal_year: int | None) -> tuple[str, list[Period], str, list[
        tuple[str, str]]]:
    """(description, periods, date_text, warnings as (code, message)) for one item.

    A bullet item's date is its trailing parenthesised group; the description is the item
    without it. Where there is no such group, every date in the text is the event's and the
    text stays whole (a prose cell keeps its sentence).
    """
    text = item.text
    if len(text) > MAX_DATE_SCAN:  # no real item is this long: do not scan it for dates
        doubt = (f"the item has {len(text)} characters; dates are not read in items longer "
                 f"than {MAX_DATE_SCAN}")
        return nfkc_collapse(text), [], "", [("item-too-long", doubt)]
    dated = dated_group(text, fiscal_year)
    if dated:
        start, begin, end, found = dated
        inner = text[begin:end]
        close = end if begin > start else end - 1  # the group's closing bracket
        unresolved = found.warnings and any(w.code == "date-unresolved" for w in found.warnings)
        if not unresolved:  # label groups after the date stay in the description
            description = text[:start] + text[close + 1 :]
            warnings = [(w.code, w.message) for w in found.warnings] if found.warnings else []
            if MAY_HOLD_DATE.search(description):
                warnings[:0] = _description_doubts(text[:start], fiscal_year)
            periods = list(found.periods)
            return nfkc_collapse(description), periods, _date_text(inner, periods), warnings
    # No dated trailing group (a prose cell, or 同年 pointing into the text): read it all.
    result = find_dates(text, fiscal_year)
    warnings = [(w.code, w.message) for w in result.warnings]
    periods = list(result.periods)
    description = text
    if dated:
        start, begin, end, _ = dated
        close = end if begin > start else end - 1
        inside = [p for p in periods if p.span[0] >= begin and p.span[1] <= end]
        flagged = any(w.span[0] >= begin and w.span[1] <= end for w in result.warnings)
        if inside or flagged:
            periods, description = inside, text[:start] + text[close + 1 :]
    return nfkc_collapse(description), periods, _date_text(text, periods), warnings


def dated_group(text: str, fiscal_year: int | None) -> tuple[int, int, int, DateResult] | None:
    """The last bracketed group at the item's end that holds a date, stepping back over
    label groups after it: "訪問（平成24年6月）（知事本局）" -> the （平成24年6月） group.
    Returns (opening bracket, first and past-last character read, what was read): the inside
    of the brackets, or the whole group for forms the date rules read only in brackets
    ((26.3) with its era left out, (H25.)), so that such a group leaves the description too."""
    rest = text
    while (group := trailing_bracket_group(rest)) is not None:
        start, begin, end = group
        found = _group_dates(text[begin:end], fiscal_year)
        if found.periods or found.warnings:
            return start, begin, end, found
        found = _group_dates(text[start : end + 1], fiscal_year)
        if found.periods or found.warnings:
            return start, start, end + 1, found
        rest = text[:start]
    return None


def _description_doubts(description: str, fiscal_year: int | None) -> list[tuple[str, str]]:
    """Dates in a description are not the event's (its date is the trailing group), but a
    second dated item run into this one must not vanish silently. Background dates are
    not flagged: whole years, dates outside the fiscal year, and dates followed by の, に,
    以来, から or まで (平成23年度に締結した協定, 東日本大震災（平成23年3月）の支援)."""
    found = find_dates(description, fiscal_year)
    doubts = [(w.code, w.message) for w in found.warnings]
    low, high = _fiscal_bounds(fiscal_year) if fiscal_year else (dt.date.min, dt.date.max)
    suspects = [p.text for p in found.periods
                if p.precision in ("day", "dekad", "month") and low <= p.start <= high
                and not description[p.span[1] :].lstrip(")）").startswith(_BACKGROUND)]
    if suspects:
        doubts.append(("date-in-description", f"{'、'.join(suspects)} in the description "
                       "is not taken as the event's date; is it a second item?"))
    return doubts


def _date_text(text: str, periods: list[Period]) -> str:
    if len(periods) < 2:  # most items: one period, written as it is
        return text[periods[0].span[0] : periods[0].span[1]] if periods else ""
    gaps = (text[a.span[1] : b.span[0]] for a, b in itertools.pairwise(periods))
    if all(_SEPARATORS.match(gap) for gap in gaps):
        return text[periods[0].span[0] : periods[-1].span[1]]
    return "、".join(p.text for p in periods)


def _fiscal_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


@dataclass(slots=True)
class Records:
    """What the events stage makes of a layout, and the rows it could not read."""

    entries: list[EntryRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    periods: list[PeriodRecord] = field(default_factory=list)
    extras: list[ExtraRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rejected: list[TableRow] = field(default_factory=list)  # layout counted them as rows


# (bureau, contact, the cell they come from, a rejected line inherited across)
_Bureau = tuple[str, str, str, int | None]
_EventDates = tuple[str, str, dt.date | None, dt.date | None, str | None, bool]
_NO_PARTNER = Partner(label="", country="", country_code=None, city="", qualifier="",
                      start_code=None, start_fiscal_year=None)


def layout_to_records(layout: Layout, government: str | None = None) -> Records:
    """Each table row -> one entry, its items -> events and periods, its unmapped cells ->
    extras. A row that cannot be read is a reject and is listed in `rejected`.
    `government`: the reporting government, from which each event's direction is seen;
    else a row's `government` column, else the one the title names, else facets.toml's
    default."""
    reader = _RowReader(layout, government)
    for row in layout.rows:
        reader.read(row)
    return reader.records


class _RowReader:
    """Reads rows in order: the bureau above and the ids given out carry from row to row."""

    def __init__(self, layout: Layout, government: str | None = None) -> None:
        self.name = layout.source_file
        self.government = government
        self.title_government = report_government(layout.title)[0]
        self.fiscal_year = layout.fiscal_year
        self.records = Records()
        self.seen: Counter[str] = Counter()
        self.bureau_above: dict[int, _Bureau] = {}  # table -> the bureau its rows inherit
        self.bounds = (_fiscal_bounds(self.fiscal_year) if self.fiscal_year is not None
                       else (dt.date.min, dt.date.max))

    def issue(self, row: TableRow, code: str, message: str, severity: str = "warning") -> None:
        self.records.issues.append(Issue(
            code, f"{self.name}:{row.source_line}: {message}",
            "reject" if severity == "reject" else "warning", self.name, row.source_line,
            row.raw if severity == "reject" else ""))

    def reject(self, row: TableRow, code: str, message: str) -> None:
        self.issue(row, code, message, "reject")
        self.records.rejected.append(row)

    def read(self, row: TableRow) -> None:
        bureau, contact, inherited, bureau_cell = self.row_bureau(row)
        partner = self.row_partner(row)
        if partner is None:
            return
        try:
            cell = cell_to_items(row.content)
        except CellError as error:
            self.reject(row, "cell-html", str(error))
            return
        for doubt in cell.doubts:
            self.issue(row, "cell-split", f"{doubt}; check the row against the source")
        # The cells the event was read from: label, content, and the bureau cell it took
        # (its own or the one above), then the other roles' cells where a table has them.
        # Same hash, different values: the extractor changed.
        parts = [row.label, row.content, bureau_cell,
                 *(f"{role}={text}" for role, text in row.fields if text)]
        source_sha = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
        row_date = self.row_date(row)
        category, participants = row.value_of("category"), row.value_of("participants")
        for item_no, item in enumerate(cell.items, start=1):
            event_id, found, event = self.item_event(row, item_no, item, partner, bureau,
                                                     row_date)
            for period_no, period in enumerate(found, start=1):
                self.records.periods.append(PeriodRecord(
                    event_id, period_no, period.start, period.end, period.precision,
                    period.text, period.inferred, period.open_start, period.open_end))
            description, date_text, first_day, last_day, precision, inferred = event
            self.records.events.append(EventRecord(
                event_id=event_id, fiscal_year=self.fiscal_year, source_file=self.name,
                source_line=row.source_line, table_no=row.table_no, row_no=row.row_no,
                item_no=item_no, partner_country=partner.country,
                partner_country_code=partner.country_code, partner_city=partner.city,
                bureau=bureau, bureau_contact=contact, bureau_inherited=inherited,
                description=description, source_text=item.source_text, date_text=date_text,
                date_start=first_day, date_end=last_day, date_precision=precision,
                period_count=len(found), date_inferred=inferred, note=item.note,
                source_sha256=source_sha, category=category, participants=participants,
                **event_facets(description, self.government or row.value_of("government")
                               or self.title_government, partner, participants)))
        self.records.entries.append(self.entry(row, partner, bureau, contact, inherited,
                                               len(cell.items), cell.note))
        self.records.extras.extend(
            ExtraRecord(self.name, row.source_line, row.table_no, row.row_no, column, value)
            for column, value in row.extras)

    def row_bureau(self, row: TableRow) -> tuple[str, str, bool, str]:
        """(bureau, contact, inherited, the cell it comes from): the row's own bureau cell,
        else the one above in the table, across a rejected row with a warning."""
        if row.bureau_after_reject is not None:  # a rejected row above may open a new bureau
            rejected_line, rejected_cell = row.bureau_after_reject
            if rejected_cell:
                self.bureau_above[row.table_no] = (*bureau_to_parts(rejected_cell),
                                                   rejected_cell, rejected_line)
            elif row.table_no in self.bureau_above:
                self.bureau_above[row.table_no] = (*self.bureau_above[row.table_no][:3],
                                                   rejected_line)
        if row.bureau_cell:
            bureau, contact = bureau_to_parts(row.bureau_cell)
            self.bureau_above[row.table_no] = (bureau, contact, row.bureau_cell, None)
            return bureau, contact, row.bureau_merged, row.bureau_cell
        if row.table_no in self.bureau_above:
            bureau, contact, bureau_cell, across = self.bureau_above[row.table_no]
            if across is not None:  # every row that inherits across it says so
                self.issue(row, "bureau-after-reject", f"the bureau is inherited across line "
                           f"{across}, a rejected row; check it against the source")
            return bureau, contact, True, bureau_cell
        if row.bureau_column:  # a table without one (a register) has no bureau to miss
            self.issue(row, "bureau-missing", "no bureau in this row or above it in the table")
        return "", "", False, ""

    def row_partner(self, row: TableRow) -> Partner | None:
        """The partner from its cell (with the country column's country where the table has
        one); None, with a reject, when no rule reads it."""
        country = row.value_of("country")
        try:
            if country:
                partner = columns_to_partner(country, row.label)
            elif row.label:
                partner = label_to_partner(row.label)
            else:  # a table of activities without a partner column
                self.issue(row, "partner-missing", "the table has no partner column; the "
                           "partner is empty (map a column to partner with --layout)")
                return _NO_PARTNER
        except LabelError as error:
            self.reject(row, "partner-label", str(error))
            return None
        if partner.country_code is None:
            self.issue(row, "country-unknown", f"{partner.country} is not a country name the "
                       "table knows; partner_country_code is empty")
        return partner

    def row_date(self, row: TableRow) -> tuple[str, list[Period]]:
        """The date column's date, which the row's items without a date of their own take."""
        text = row.value_of("date")
        if not text:
            return "", []
        found = _group_dates(text, self.fiscal_year)
        for warning in found.warnings:
            self.issue(row, warning.code, f"date column: {warning.message}")
        periods = list(found.periods)
        if not periods and not found.warnings:
            self.issue(row, "date-unread", f"the date column {text!r} holds no date the date "
                       "rules read")
        return _date_text(text, periods), periods

    def item_event(self, row: TableRow, item_no: int, item: Item, partner: Partner,
                   bureau: str, row_date: tuple[str, list[Period]]
                   ) -> tuple[str, list[Period], _EventDates]:
        """(event id, periods, (description, date text, first day, last day, precision,
        inferred))."""
        description, found, date_text, warnings = item_to_dates(item, self.fiscal_year)
        for code, message in warnings:
            self.issue(row, code, f"item {item_no}: {message}")
        if not found and not warnings and row_date[1]:  # the row's date column
            date_text, found = row_date[0], list(row_date[1])
        elif found and row_date[1] and not _within(found, row_date[1]):
            # The item's own date wins, but a date column saying otherwise is a doubt.
            self.issue(row, "date-column-differs", f"item {item_no}: its date {date_text} "
                       f"lies outside the row's date column {row_date[0]}; the item's is taken")
        elif not found and not warnings:
            self.issue(row, "date-missing", f"item {item_no} has no date: {item.text[:40]}")
        key = event_key(self.fiscal_year, partner, bureau, description)
        self.seen[key] += 1  # the same key as the hash's, so ids are unique in a report
        event_id = make_event_id(key, self.seen[key])
        if self.fiscal_year is not None:
            low, high = self.bounds
            for period in found:
                if period.end < low or period.start > high:
                    self.issue(row, "date-outside-fiscal-year", f"item {item_no}: "
                               f"{period.text} lies outside fiscal year {self.fiscal_year}")
                elif period.start < low or period.end > high:  # 平成24年2月～4月 in FY2012
                    outside = "; ".join(f"{a}..{b}" for a, b in (
                        (period.start, low - dt.timedelta(days=1)),
                        (high + dt.timedelta(days=1), period.end)) if a <= b)
                    self.issue(row, "date-outside-fiscal-year", f"item {item_no}: "
                               f"{period.text} lies partly outside fiscal year "
                               f"{self.fiscal_year}: {outside}")
        first_day, last_day, precision, inferred = _span(found)
        return event_id, found, (description, date_text, first_day, last_day, precision,
                                 inferred)

    def entry(self, row: TableRow, partner: Partner, bureau: str, contact: str,
              inherited: bool, event_count: int, cell_note: str) -> EntryRecord:
        start, end, precision = self.partnership(row)
        # A 備考 column is the entry's note; a "no activity" cell (実績なし) is one too.
        note = "; ".join(text for text in (cell_note, row.value_of("note")) if text)
        return EntryRecord(
            fiscal_year=self.fiscal_year, source_file=self.name, source_line=row.source_line,
            table_no=row.table_no, row_no=row.row_no, partner_label=partner.label,
            partner_country=partner.country, partner_country_code=partner.country_code,
            partner_city=partner.city, partner_qualifier=partner.qualifier,
            start_code=partner.start_code, start_fiscal_year=partner.start_fiscal_year,
            bureau=bureau, bureau_contact=contact, bureau_inherited=inherited,
            event_count=event_count, note=note, government=row.value_of("government"),
            partnership_date_text=row.value_of("partnership_date"), partnership_start=start,
            partnership_end=end, partnership_precision=precision,
            category=row.value_of("category"), inherited="; ".join(row.inherited))

    def partnership(self, row: TableRow) -> PartnershipDates:
        """The partnership_date cell's dates (partnership.py), its doubts warned."""
        dates, doubts = partnership_dates(row.value_of("partnership_date"))
        for code, message in doubts:
            self.issue(row, code, message)
        return dates


def _within(inner: list[Period], outer: list[Period]) -> bool:
    """Every period of `inner` inside the span of `outer`."""
    low, high = min(p.start for p in outer), max(p.end for p in outer)
    return all(low <= p.start and p.end <= high for p in inner)


def _span(found: list[Period]) -> tuple[dt.date | None, dt.date | None, str | None, bool]:
    """(first day, last day, precision, inferred) over an event's periods."""
    if len(found) == 1:  # most events: spare the generators below
        only = found[0]
        return only.start, only.end, only.precision, only.inferred
    if not found:
        return None, None, None, False
    precision = found[0].precision if len({p.precision for p in found}) == 1 else "mixed"
    return (min(p.start for p in found), max(p.end for p in found), precision,
            any(p.inferred for p in found))


def report_government(title: str | None) -> tuple[str, str]:
    """(the reporting government, where it came from: "title" or "default")."""
    named = title_to_government(title)
    return (named, "title") if named else (vocabulary().government_default, "default")


def event_facets(description: str, government: str, partner: Partner,
                 participants: str = "") -> dict[str, Any]:
    """The facet columns of one event and its partner key (EventRecord's last fields)."""
    facets = item_to_facets(description, government, (partner.city, partner.country),
                            participants)
    return {"kind": facets.kind, "direction": facets.direction, "actors": facets.actors,
            "participant_count": facets.participant_count,
            "facet_evidence": facets.evidence,
            "partner_id": partner_id(partner.country_code, partner.country, partner.city)}
