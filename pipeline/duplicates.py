"""Reports counted twice: the same bytes under two names, and a re-issue beside its original.

A report saved twice would double every count without a word; a corrected re-issue beside
the original is read (it is a different report) but named, so a doubled count is never
silent. Pure functions over names, bytes and stored tables; runner and audit call them.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.cache import StoredReport
from pipeline.inputs import InputFile, read_input
from pipeline.model import Issue
from pipeline.schema import TABLES

# What makes two events "the same partner's event" across reports: not the bureau, which a
# re-issue may rename, nor the dates, which it may correct.
_OVERLAP_KEY = [[name for name, _, _ in TABLES["events"]].index(column) for column in
                ("partner_country", "partner_city", "description")]


@dataclass(frozen=True, slots=True)
class Duplicate:
    item: InputFile
    first: InputFile  # the input with the same bytes that is read
    sha256: str
    size: int


def drop_duplicates(files: Sequence[InputFile]) -> tuple[list[InputFile], list[Duplicate]]:
    """Inputs with the same bytes as an earlier one (by name) are read once: a report saved
    twice under two names would otherwise count every event twice. (A run finds them as it
    lists its inputs on disk: ledger.InputLedger.add.)"""
    first_of: dict[str, InputFile] = {}
    kept: list[InputFile] = []
    duplicates: list[Duplicate] = []
    for item in files:
        try:
            data = read_input(item)
        except OSError:  # extract_file reports why
            kept.append(item)
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha in first_of:
            duplicates.append(Duplicate(item, first_of[sha], sha, len(data)))
        else:
            first_of[sha] = item
            kept.append(item)
    return kept, duplicates


def duplicate_warning(duplicate: Duplicate) -> Issue:
    name, first = duplicate.item.name, duplicate.first.name
    return Issue("input-duplicate", f"{name}: the same bytes as {first} (sha256 "
                 f"{duplicate.sha256[:12]}…); read once, as {first}", "warning", name, 0)


def duplicate_manifest(duplicate: Duplicate) -> dict[str, Any]:
    # Its counts are what it adds to the tables: nothing, and the one warning that says so.
    return {"name": duplicate.item.name, "sha256": duplicate.sha256, "bytes": duplicate.size,
            "duplicate_of": duplicate.first.name,
            "counts": {"entries": 0, "events": 0, "periods": 0, "rejects": 0, "warnings": 1}}


def overlap_warnings(report: StoredReport, seen: dict[tuple[Any, ...], str]) -> list[Issue]:
    """Warning report-overlap for each earlier report of the same fiscal year that holds
    events of the same partner with the same description (a re-issue beside the original:
    both are counted). `seen` maps each such event key to the first report holding it."""
    events = report.tables["events"]
    keys = Counter(zip(*(events[column] for column in _OVERLAP_KEY), strict=True))
    shared: Counter[str] = Counter()
    for key, count in keys.items():
        first = seen.setdefault(key, report.name)
        if first != report.name:
            shared[first] += count
    year = report.fiscal_year if report.fiscal_year is not None else "unknown"
    total = sum(keys.values())
    return [Issue("report-overlap", f"{report.name}: {count} of its {total} events are "
                  f"also in {first} (fiscal year {year}, same partner and description); both "
                  "are counted: is one a re-issue of the other?", "warning", report.name, 0)
            for first, count in sorted(shared.items())]
