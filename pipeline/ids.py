"""Event ids: a hash of what identifies an event, and the occurrence numbers that keep ids
a key within one report and across the reports of one fiscal year.
"""

from __future__ import annotations

import hashlib

from pipeline.model import Partner
from pipeline.outputs import Columns
from pipeline.schema import TABLES

_EVENT_ID = [name for name, _, _ in TABLES["events"]].index("event_id")
_PERIOD_EVENT_ID = [name for name, _, _ in TABLES["periods"]].index("event_id")


def event_key(fiscal_year: int | None, partner: Partner, bureau: str, description: str) -> str:
    """What identifies an event: no position and no date, so a corrected date keeps its id;
    the country by its code, so 米国 and アメリカ合衆国 are the same partner."""
    return "\x1f".join([str(fiscal_year or ""), partner.country_code or partner.country,
                        partner.city, bureau, description])


def make_event_id(key: str, occurrence: int) -> str:
    """A short hash of the key, with -N for the Nth event of the same key in a report."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return digest if occurrence == 1 else f"{digest}-{occurrence}"


def keep_ids_unique(tables: dict[str, Columns], used: dict[str, int]) -> None:
    """Two reports of one year may hold the same event (a corrected re-issue beside the
    original); the later file's copy gets the next occurrence number so ids stay a key.
    `used` maps each base id to the highest occurrence given out so far in this year."""
    ids = tables["events"][_EVENT_ID]
    renamed: dict[str, str] = {}
    for index, event_id in enumerate(ids):
        base, _, number = event_id.partition("-")
        occurrence = int(number) if number else 1
        if occurrence <= used.get(base, 0):
            occurrence = used[base] + 1
            ids[index] = renamed[event_id] = f"{base}-{occurrence}"
        used[base] = max(used.get(base, 0), occurrence)
    if renamed:
        periods = tables["periods"]
        periods[_PERIOD_EVENT_ID] = [renamed.get(i, i) for i in periods[_PERIOD_EVENT_ID]]
