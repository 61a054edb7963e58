"""Gathering for `pipeline report`: an output folder -> the numbers of the overview page.

Only counting happens here; overview_render.py turns the result into HTML. Every count
keeps the event ids behind it (or the filter that selects them), so the page can link or
name the rows each number stands for.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.loading import LoadError, read_arrow
from pipeline.schema import TABLES

Year = int | None  # None: a report whose fiscal year could not be read


class OverviewError(Exception):
    """A folder that is not an output folder of `pipeline run`, or unreadable tables."""


@dataclass(slots=True)
class PartnerSummary:
    partner_id: str
    country: str
    city: str
    first_year: Year  # the first fiscal year the dataset holds a row of this partner in
    since: int | None  # the fiscal year the partnership began (start_fiscal_year)
    events: int = 0
    bureaus: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Overview:
    years: list[Year]
    events_per_year: Counter[Year]
    entries_per_year: Counter[Year]
    partners_per_year: Counter[Year]
    people_per_year: Counter[Year]  # sum of participant_count where one is written
    grid: dict[tuple[str, Year], list[str]]  # (partner_id, year) -> event ids
    kinds: Counter[tuple[Year, str]]
    directions: Counter[tuple[Year, str]]
    actors: Counter[str]
    partners: list[PartnerSummary]
    events: dict[str, dict[str, Any]]  # event_id -> the event's row, for the appendix
    rejects: int


def folder_to_overview(folder: Path) -> Overview:
    if not folder.is_dir():
        raise OverviewError(f"{folder}: no such folder")
    if not any((folder / f"events{s}").exists() for s in (".parquet", ".csv", "")):
        raise OverviewError(f"{folder}: not an output folder of `pipeline run` (no events "
                            "table)")
    try:
        rows = {name: read_arrow(folder, name, TABLES[name]).to_pylist()
                for name in ("events", "entries", "partners", "rejects")}
    except LoadError as error:
        raise OverviewError(str(error)) from error
    # Every event a run writes has a kind and a partner key; an output without them was
    # written by a pipeline before facets, and its page would show every event as `other`.
    lacking = sum(1 for event in rows["events"]
                  if event["kind"] is None or event["partner_id"] is None)
    if lacking:
        raise OverviewError(f"{folder}: {lacking} of {len(rows['events'])} events have no kind "
                            "or partner_id (an output of an older pipeline?); run `pipeline "
                            "run` on its reports again to add them")
    return tables_to_overview(rows["events"], rows["entries"], rows["partners"],
                              len(rows["rejects"]))


def _partner_summaries(partners: list[dict[str, Any]]) -> list[PartnerSummary]:
    """One summary per partner over its years, most events first."""
    summaries: dict[str, PartnerSummary] = {}
    for row in sorted(partners, key=lambda p: (p["fiscal_year"] is None, p["fiscal_year"] or 0)):
        summary = summaries.get(row["partner_id"])
        if summary is None:
            summary = summaries[row["partner_id"]] = PartnerSummary(
                row["partner_id"], row["partner_country"] or "", row["partner_city"] or "",
                row["fiscal_year"], row["start_fiscal_year"])
        summary.events += row["event_count"] or 0
        summary.bureaus.update(b for b in (row["bureaus"] or "").split("; ") if b)
        if summary.since is None:
            summary.since = row["start_fiscal_year"]
    return sorted(summaries.values(), key=lambda s: (-s.events, s.partner_id))


def tables_to_overview(events: list[dict[str, Any]], entries: list[dict[str, Any]],
                       partners: list[dict[str, Any]], rejects: int) -> Overview:
    years = sorted({e["fiscal_year"] for e in [*events, *entries]},
                   key=lambda y: (y is None, y or 0))
    grid: dict[tuple[str, Year], list[str]] = defaultdict(list)
    kinds: Counter[tuple[Year, str]] = Counter()
    directions: Counter[tuple[Year, str]] = Counter()
    actors: Counter[str] = Counter()
    people: Counter[Year] = Counter()
    for event in events:
        year = event["fiscal_year"]
        grid[(event["partner_id"] or "", year)].append(event["event_id"])
        kinds[(year, event["kind"] or "other")] += 1
        directions[(year, event["direction"] or "unknown")] += 1
        actors.update(a for a in (event["actors"] or "").split("; ") if a)
        people[year] += event["participant_count"] or 0
    return Overview(
        years=years,
        events_per_year=Counter(e["fiscal_year"] for e in events),
        entries_per_year=Counter(e["fiscal_year"] for e in entries),
        partners_per_year=Counter(p["fiscal_year"] for p in partners),
        people_per_year=people,
        grid=dict(grid),
        kinds=kinds,
        directions=directions,
        actors=actors,
        partners=_partner_summaries(partners),
        events={e["event_id"]: e for e in events},
        rejects=rejects,
    )

