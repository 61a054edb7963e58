"""The `partners` table: one row per partner and fiscal year, built from the entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pipeline.model import EntryRecord


class PartnerRecord(NamedTuple):
    partner_id: str
    fiscal_year: int | None
    partner_country: str
    partner_country_code: str | None
    partner_city: str
    start_fiscal_year: int | None
    entry_count: int
    event_count: int
    bureaus: str
    source_files: str


@dataclass(slots=True)
class _Tally:
    country: str
    code: str | None
    city: str
    start: int | None = None
    entries: int = 0
    events: int = 0
    bureaus: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)


def partner_id(code: str | None, country: str, city: str) -> str:
    """`US:ニューヨーク市`: the same partner whatever form the country is printed in."""
    return f"{code or country}:{city}"


class PartnerTable:
    """Accumulates entries as they stream past; small (partners x years), kept in memory."""

    def __init__(self) -> None:
        self._tallies: dict[tuple[int | None, str], _Tally] = {}

    def add_columns(self, columns: list[list[Any]]) -> None:
        """Entries given as columns (the cache's form, see outputs.records_to_columns)."""
        self.add([EntryRecord._make(row) for row in zip(*columns, strict=True)])

    def add(self, entries: list[EntryRecord]) -> None:
        for entry in entries:
            key = (entry.fiscal_year, partner_id(entry.partner_country_code,
                                                 entry.partner_country, entry.partner_city))
            tally = self._tallies.get(key)
            if tally is None:
                tally = self._tallies[key] = _Tally(entry.partner_country,
                                                    entry.partner_country_code,
                                                    entry.partner_city)
            if tally.start is None:
                tally.start = entry.start_fiscal_year
            tally.entries += 1
            tally.events += entry.event_count
            if entry.bureau:
                tally.bureaus.add(entry.bureau)
            tally.files.add(entry.source_file)

    def records(self) -> list[PartnerRecord]:
        return [
            PartnerRecord(partner_id=key[1], fiscal_year=key[0], partner_country=t.country,
                          partner_country_code=t.code, partner_city=t.city,
                          start_fiscal_year=t.start, entry_count=t.entries,
                          event_count=t.events, bureaus="; ".join(sorted(t.bureaus)),
                          source_files="; ".join(sorted(t.files)))
            for key, t in sorted(self._tallies.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1]))
        ]
