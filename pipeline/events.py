"""Events stage: table rows + their items + dates -> entry, event and period records."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections import Counter
from typing import Any

from pipeline.cells import CellError, cell_to_items
from pipeline.dates import DateResult, Period, find_dates
from pipeline.entities import LabelError, bureau_to_parts, label_to_partner
from pipeline.facets import item_to_facets, title_to_government, vocabulary
from pipeline.model import (
    EntryRecord,
    EventRecord,
    Issue,
    Item,
    Layout,
    Partner,
    PeriodRecord,
    TableRow,
)
from pipeline.normalise import MAY_HOLD_DATE, nfkc_collapse, trailing_bracket_group
from pipeline.partners import partner_id

_BACKGROUND = ("の", "に", "以来", "から", "まで")
MAX_DATE_SCAN = 5_000  # characters; the longest prose cell in a real report is a few hundred
_SEPARATORS = re.compile(r"^[\s\u3000、，,及びおよ並にと]*$")


def event_key(fiscal_year: int | None, partner: Partner, bureau: str, description: str) -> str:
    """What identifies an event: no position and no date, so a corrected date keeps its id;
    the country by its code, so 米国 and アメリカ合衆国 are the same partner."""
    return "\x1f".join([str(fiscal_year or ""), partner.country_code or partner.country,
                        partner.city, bureau, description])


def make_event_id(key: str, occurrence: int) -> str:
    """A short hash of the key, with -N for the Nth event of the same key in a report."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return digest if occurrence == 1 else f"{digest}-{occurrence}"


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
        unresolved = found.warnings and any(w.code == "date-unresolved" for w in found.warnings)
        if not unresolved:  # label groups after the date stay in the description
            description = text[:start] + text[end + 1 :]
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
        inside = [p for p in periods if p.span[0] >= begin and p.span[1] <= end]
        flagged = any(w.span[0] >= begin and w.span[1] <= end for w in result.warnings)
        if inside or flagged:
            periods, description = inside, text[:start] + text[end + 1 :]
    return nfkc_collapse(description), periods, _date_text(text, periods), warnings


def dated_group(text: str, fiscal_year: int | None) -> tuple[int, int, int, DateResult] | None:
    """The last bracketed group at the item's end that holds a date, stepping back over
    label groups after it: "訪問（平成24年6月）（知事本局）" -> the （平成24年6月） group."""
    rest = text
    while (group := trailing_bracket_group(rest)) is not None:
        start, begin, end = group
        found = _group_dates(text[begin:end], fiscal_year)
        if found.periods or found.warnings:
            return start, begin, end, found
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


def layout_to_records(layout: Layout, government: str | None = None) -> tuple[
        list[EntryRecord], list[EventRecord], list[PeriodRecord], list[Issue]]:
    """`government`: the reporting government, from which each event's direction is seen
    (a `government` column, where the report has one); else the one the title names, else
    facets.toml's default."""
    entries: list[EntryRecord] = []
    events: list[EventRecord] = []
    periods: list[PeriodRecord] = []
    issues: list[Issue] = []
    fiscal_year = layout.fiscal_year
    seen: Counter[str] = Counter()
    # table -> bureau, contact, the cell they come from, a rejected line inherited across
    bureau_above: dict[int, tuple[str, str, str, int | None]] = {}
    name = layout.source_file
    government = government or report_government(layout.title)[0]
    low, high = _fiscal_bounds(fiscal_year) if fiscal_year is not None else (dt.date.min,
                                                                              dt.date.max)

    def issue(row: TableRow, code: str, message: str, severity: str = "warning") -> None:
        issues.append(Issue(code, f"{name}:{row.source_line}: {message}",
                            "reject" if severity == "reject" else "warning",
                            name, row.source_line, row.raw if severity == "reject" else ""))

    for row in layout.rows:
        if row.bureau_after_reject is not None:  # a rejected row above may open a new bureau
            rejected_line, rejected_cell = row.bureau_after_reject
            if rejected_cell:
                bureau_above[row.table_no] = (*bureau_to_parts(rejected_cell), rejected_cell,
                                              rejected_line)
            elif row.table_no in bureau_above:
                bureau_above[row.table_no] = (*bureau_above[row.table_no][:3], rejected_line)
        if row.bureau_cell:
            bureau, contact = bureau_to_parts(row.bureau_cell)
            inherited, bureau_cell = row.bureau_merged, row.bureau_cell
            bureau_above[row.table_no] = (bureau, contact, bureau_cell, None)
        elif row.table_no in bureau_above:
            bureau, contact, bureau_cell, across = bureau_above[row.table_no]
            inherited = True
            if across is not None:  # every row that inherits across it says so
                issue(row, "bureau-after-reject", f"the bureau is inherited across line "
                      f"{across}, a rejected row; check it against the source")
        else:
            bureau, contact, inherited, bureau_cell = "", "", False, ""
            issue(row, "bureau-missing", "no bureau in this row or above it in the table")
        try:
            partner = label_to_partner(row.label)
        except LabelError as error:
            issue(row, "partner-label", str(error), "reject")
            continue
        if partner.country_code is None:
            issue(row, "country-unknown", f"{partner.country} is not a country name the "
                  "table knows; partner_country_code is empty")
        try:
            cell = cell_to_items(row.content)
        except CellError as error:
            issue(row, "cell-html", str(error), "reject")
            continue
        # The cells the event was read from: label, content, and the bureau cell it took
        # (its own or the one above). Same hash, different values: the extractor changed.
        source_sha = hashlib.sha256("\x1f".join([row.label, row.content, bureau_cell])
                                    .encode("utf-8")).hexdigest()
        for item_no, item in enumerate(cell.items, start=1):
            description, found, date_text, warnings = item_to_dates(item, fiscal_year)
            for code, message in warnings:
                issue(row, code, f"item {item_no}: {message}")
            if not found and not warnings:
                issue(row, "date-missing", f"item {item_no} has no date: {item.text[:40]}")
            key = event_key(fiscal_year, partner, bureau, description)
            seen[key] += 1  # the same key as the hash's, so ids are unique in a report
            event_id = make_event_id(key, seen[key])
            if fiscal_year is not None:
                for period in found:
                    if period.end < low or period.start > high:
                        issue(row, "date-outside-fiscal-year", f"item {item_no}: {period.text} "
                              f"lies outside fiscal year {fiscal_year}")
            for period_no, period in enumerate(found, start=1):
                periods.append(PeriodRecord(event_id, period_no, period.start, period.end,
                                            period.precision, period.text, period.inferred))
            first_day: dt.date | None
            last_day: dt.date | None
            precision: str | None
            if len(found) == 1:  # most events: spare the generators below
                only = found[0]
                first_day, last_day, precision, inferred = (only.start, only.end,
                                                             only.precision, only.inferred)
            elif found:
                first_day = min(p.start for p in found)
                last_day = max(p.end for p in found)
                precision = (found[0].precision if len({p.precision for p in found}) == 1
                             else "mixed")
                inferred = any(p.inferred for p in found)
            else:
                first_day = last_day = precision = None
                inferred = False
            events.append(EventRecord(
                event_id=event_id, fiscal_year=fiscal_year, source_file=name,
                source_line=row.source_line, table_no=row.table_no, row_no=row.row_no,
                item_no=item_no, partner_country=partner.country,
                partner_country_code=partner.country_code, partner_city=partner.city,
                bureau=bureau, bureau_contact=contact, bureau_inherited=inherited,
                description=description, source_text=item.source_text, date_text=date_text,
                date_start=first_day, date_end=last_day, date_precision=precision,
                period_count=len(found), date_inferred=inferred,
                note=item.note, source_sha256=source_sha,
                **event_facets(description, government, partner),
            ))
        entries.append(EntryRecord(
            fiscal_year=fiscal_year, source_file=name, source_line=row.source_line,
            table_no=row.table_no, row_no=row.row_no, partner_label=partner.label,
            partner_country=partner.country, partner_country_code=partner.country_code,
            partner_city=partner.city, partner_qualifier=partner.qualifier,
            start_code=partner.start_code, start_fiscal_year=partner.start_fiscal_year,
            bureau=bureau, bureau_contact=contact, bureau_inherited=inherited,
            event_count=len(cell.items), note=cell.note,
        ))
    return entries, events, periods, issues


def report_government(title: str | None) -> tuple[str, str]:
    """(the reporting government, where it came from: "title" or "default")."""
    named = title_to_government(title)
    return (named, "title") if named else (vocabulary().government_default, "default")


def event_facets(description: str, government: str, partner: Partner) -> dict[str, Any]:
    """The facet columns of one event and its partner key (EventRecord's last fields)."""
    facets = item_to_facets(description, government, (partner.city, partner.country))
    return {"kind": facets.kind, "direction": facets.direction, "actors": facets.actors,
            "participant_count": facets.participant_count,
            "facet_evidence": facets.evidence,
            "partner_id": partner_id(partner.country_code, partner.country, partner.city)}
