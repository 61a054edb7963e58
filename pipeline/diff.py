"""Compare two extractions: which events were added, removed, changed, or only moved.

Events are matched by `event_id`, which holds no position and no date: a corrected date is
a change of the same event, a reordered row is a move (not a change). A removed and an added
event of the same partner and fiscal year with near-identical descriptions are one event
whose wording changed. Each change says its cause: `source` when the source cell differs,
`extractor` when the cell is byte-identical, so the pipeline itself read it differently.

The comparison is columnar (pyarrow compute and numpy): whole columns are compared at once
and Python only loops over the rows that differ, so 200,000 events diff in seconds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.commit import OutputError
from pipeline.diff_load import DiffError as DiffError  # raised here too, caught by the CLI
from pipeline.diff_load import Tables
from pipeline.diff_match import match_by_key, on_both_sides, pair_similar, partner_key
from pipeline.folder import absent_columns, is_output_folder
from pipeline.inputs import InputError, NoReportsError
from pipeline.runner import RunOptions, run
from pipeline.schema import ENTRIES, EVENTS, PERIODS, TABLES

Cause = Literal["source", "extractor", "unknown"]
Record = dict[str, Any]

# Where a row sits, not what it says: a change here alone is a move. The file name is one
# too, so `pipeline diff fy2012_v1.txt fy2012_v2.txt` compares contents, not names.
POSITION: tuple[str, ...] = ("source_file", "source_line", "table_no", "row_no", "item_no")
ENTRY_POSITION: tuple[str, ...] = ("source_file", "source_line", "table_no", "row_no")
# The cell hash says why an event changed; on its own it is no change, since editing one
# item of a cell changes the hash of every other item read from that cell.
CAUSE_COLUMN = "source_sha256"
_SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class Side:
    """Where a compared row came from on one side: file, line, and the text as written."""

    file: str
    line: int | None
    text: str  # the item's source_text; for an entry, its partner label
    table_no: int | None = None
    row_no: int | None = None
    item_no: int | None = None


@dataclass(frozen=True, slots=True)
class EventChange:
    event_id: str  # the new side's id
    old_event_id: str  # differs from event_id when matched by similar description
    fields: dict[str, tuple[Any, Any]]  # column -> (old, new), schema order
    cause: Cause
    old_source: Side
    new_source: Side
    record: Record  # the new side's row, for grouping and display
    similarity: float | None = None  # description ratio, when matched by description


@dataclass(frozen=True, slots=True)
class Move:
    event_id: str
    old: Side
    new: Side
    record: Record


@dataclass(frozen=True, slots=True)
class PeriodChange:
    """An event (present on both sides) whose list of periods differs."""

    event_id: str
    old: list[Record]
    new: list[Record]


@dataclass(frozen=True, slots=True)
class EntryChange:
    key: str  # fiscal year, partner, city, bureau, occurrence
    fields: dict[str, tuple[Any, Any]]
    old_source: Side
    new_source: Side
    record: Record


@dataclass(slots=True)
class EntryDiff:
    added: list[Record] = field(default_factory=list)
    removed: list[Record] = field(default_factory=list)
    changed: list[EntryChange] = field(default_factory=list)
    moved: int = 0


@dataclass(slots=True)
class DiffResult:
    old_label: str
    new_label: str
    added: list[Record] = field(default_factory=list)
    removed: list[Record] = field(default_factory=list)
    changed: list[EventChange] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)
    periods: list[PeriodChange] = field(default_factory=list)
    entries: EntryDiff = field(default_factory=EntryDiff)
    ignored: tuple[str, ...] = ()
    # (table, column, "OLD" | "NEW" | "OLD and NEW"): columns one side lacks, not compared
    not_compared: tuple[tuple[str, str, str], ...] = ()
    # (old event_id, new event_id): a removed and an added event of one partner and year
    # whose long descriptions differ too widely to be compared in bounded time, so never
    # paired as a rewording (similar.ratio); both stayed removed and added.
    not_paired: tuple[tuple[str, str], ...] = ()

    @property
    def differs(self) -> bool:
        """True when anything but positions differs: what the exit code reports."""
        return bool(self.added or self.removed or self.changed or self.periods
                    or self.entries.added or self.entries.removed or self.entries.changed)


# ---- reading -----------------------------------------------------------------------------

def load(path: Path, workdir: Path, layout: Path | None = None) -> Tables:
    """The tables of an output folder, or of reports extracted into workdir (with `layout`
    as `pipeline run --layout`), which must outlive them. The events are read at once, so
    that a side without readable events is an error before the other side is read."""
    if not path.exists():
        raise DiffError(f"{path}: no such file or folder")
    folder = path
    if not is_output_folder(path):
        folder = workdir
        try:
            result = run([path], folder, RunOptions(layout=layout))
        except (InputError, OutputError) as error:
            raise DiffError(str(error)) from error
        except NoReportsError:
            raise DiffError(f"{path}: no reports and no events.parquet or events.csv") from None
        if not result.files:
            raise DiffError(f"{path}: no reports and no events.parquet or events.csv")
        if result.unreadable:
            raise DiffError(result.unreadable[0].message)
        if not result.events and not result.inputs_with_table:
            raise DiffError(f"{path}: no report table found, so there is nothing to compare")
    tables = Tables(folder)
    tables.read("events")  # now: see the docstring
    return tables


def _check_unique(table: pa.Table, key: str, label: str) -> None:
    if pc.count_distinct(table[key]).as_py() != table.num_rows:
        raise DiffError(f"{label}: {key} is not unique, so events cannot be matched")


def _fields(old: Record, new: Record, compare: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    return {c: (old[c], new[c]) for c in compare if old[c] != new[c]}


def event_side(row: Record) -> Side:
    return Side(row["source_file"], row["source_line"], row["source_text"], row["table_no"],
                row["row_no"], row["item_no"])


def entry_side(row: Record) -> Side:
    return Side(row["source_file"], row["source_line"], row["partner_label"], row["table_no"],
                row["row_no"])


def _cause(old: Record, new: Record, known: bool = True) -> Cause:
    """`unknown` when a side has no cell hash: guessing `source` would mislead."""
    if not known:
        return "unknown"
    return "source" if old[CAUSE_COLUMN] != new[CAUSE_COLUMN] else "extractor"


def _order(row: Record) -> tuple[Any, ...]:
    return (*partner_key(row), row["source_file"], row["source_line"] or 0,
            row.get("item_no") or 0, row.get("event_id", ""))


# ---- the three tables --------------------------------------------------------------------

def _events(old: pa.Table, new: pa.Table, ignore: set[str], result: DiffResult,
            known: bool = True) -> dict[str, str]:
    """Fill the event part of result; return the old -> new ids of similar pairs. Columns in
    `ignore` are not compared; `known` is False when a side lacks the cell hash."""
    compare = [n for n, _, _ in EVENTS
               if n not in ignore and n not in POSITION and n not in ("event_id", CAUSE_COLUMN)]
    position = [c for c in POSITION if c not in ignore]
    matched = match_by_key(old, new, "event_id", compare, position)
    for o, n in matched.pairs(old, new, matched.changed):
        result.changed.append(EventChange(n["event_id"], o["event_id"], _fields(o, n, compare),
                                          _cause(o, n, known), event_side(o), event_side(n), n))
    for o, n in matched.pairs(old, new, matched.moved):
        result.moved.append(Move(n["event_id"], event_side(o), event_side(n), n))
    removed, added = matched.removed.to_pylist(), matched.added.to_pylist()
    renamed: dict[str, str] = {}
    with_id = ["event_id", *compare]
    too_long: list[tuple[int, int]] = []
    for o, n, ratio in pair_similar(removed, added, too_long=too_long):
        renamed[o["event_id"]] = n["event_id"]
        result.changed.append(EventChange(n["event_id"], o["event_id"], _fields(o, n, with_id),
                                          _cause(o, n, known), event_side(o), event_side(n), n,
                                          ratio))
    result.not_paired = tuple(sorted((removed[i]["event_id"], added[j]["event_id"])
                                     for i, j in too_long))
    paired_new = set(renamed.values())
    result.removed = sorted((r for r in removed if r["event_id"] not in renamed), key=_order)
    result.added = sorted((r for r in added if r["event_id"] not in paired_new), key=_order)
    result.changed.sort(key=lambda c: _order(c.record))
    result.moved.sort(key=lambda m: _order(m.record))
    return renamed


def _period_signatures(periods: pa.Table, ids: Any, ignore: set[str]) -> Any:
    parts = [ids]
    for name, kind, _ in PERIODS[1:]:
        if name not in ignore:
            column = periods[name] if kind == "string" else pc.cast(periods[name], pa.string())
            parts.append(pc.fill_null(column, "\x00"))
    return pc.binary_join_element_wise(*parts, _SEP)


def _periods(old: pa.Table, new: pa.Table, old_events: pa.Table, new_events: pa.Table,
             renamed: dict[str, str], ignore: set[str]) -> list[PeriodChange]:
    """Periods of events on both sides (or paired), compared as whole lists per event. The
    signatures of every row are compared, and only the few ids that differ are then kept to
    those on both sides: cheaper than first cutting 200,000 rows down to those (a signature
    begins with its id, so the events of one side only cannot make any other differ)."""
    old_ids = old["event_id"]
    if renamed:
        keys = pa.array(list(renamed), pa.string())
        index = pc.index_in(old_ids, value_set=keys)
        old_ids = pc.if_else(pc.is_null(index), old_ids,
                             pc.take(pa.array(list(renamed.values()), pa.string()), index))
    old_sig = _period_signatures(old, old_ids, ignore)
    new_sig = _period_signatures(new, new["event_id"], ignore)
    differing = set(pc.filter(old_ids, pc.invert(pc.is_in(old_sig, value_set=new_sig)))
                    .to_pylist())
    differing |= set(new["event_id"].filter(pc.invert(pc.is_in(new_sig, value_set=old_sig)))
                     .to_pylist())
    differing = on_both_sides(differing, old_events, new_events, renamed)
    if not differing:
        return []
    wanted = pa.array(sorted(differing), pa.string())
    grouped: dict[str, tuple[list[Record], list[Record]]] = {i: ([], []) for i in differing}
    old_rows = old.filter(pc.is_in(old_ids, value_set=wanted))
    for event_id, row in zip(pc.filter(old_ids, pc.is_in(old_ids, value_set=wanted))
                             .to_pylist(), old_rows.to_pylist(), strict=True):
        grouped[event_id][0].append(row)
    for row in new.filter(pc.is_in(new["event_id"], value_set=wanted)).to_pylist():
        grouped[row["event_id"]][1].append(row)
    return [PeriodChange(i, sorted(o, key=lambda r: r["period_no"]),
                         sorted(n, key=lambda r: r["period_no"]))
            for i, (o, n) in sorted(grouped.items())]


def entry_keys(entries: pa.Table) -> pa.Table:
    """Entries in position order with a `_key`: fiscal year, partner (code, else country),
    city, bureau, and the occurrence of that combination, so a reordered row keeps its key."""
    entries = entries.sort_by([("fiscal_year", "ascending"), ("source_file", "ascending"),
                               ("table_no", "ascending"), ("row_no", "ascending")])
    code = entries["partner_country_code"]
    partner = pc.if_else(pc.equal(code, ""), entries["partner_country"], code)
    year = pc.fill_null(pc.cast(entries["fiscal_year"], pa.string()), "")
    base = pc.binary_join_element_wise(year, partner, entries["partner_city"],
                                       entries["bureau"], _SEP)
    if "government" in entries.column_names:  # a register: two wards may share a partner
        government = pc.fill_null(entries["government"], "")
        base = pc.if_else(pc.equal(government, ""), base,
                          pc.binary_join_element_wise(base, government, _SEP))
    codes = np.asarray(pc.dictionary_encode(base.combine_chunks()).indices.to_numpy(),
                       dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    ranks = np.arange(len(codes))
    starts = np.r_[True, codes[order][1:] != codes[order][:-1]] if len(codes) else ranks > 0
    first = np.maximum.accumulate(np.where(starts, ranks, 0))
    occurrence = np.empty(len(codes), dtype=np.int64)
    occurrence[order] = ranks - first + 1
    key = pc.binary_join_element_wise(base, pa.array(occurrence.astype(str)), _SEP)
    return entries.append_column("_key", key)


EXTRAS_COLUMN = "extras"  # an entry's extras cells, compared as one more entry field


def with_extras(entries: pa.Table, extras: pa.Table) -> pa.Table:
    """Entries with one more column: the row's extras cells as `column=value; …`, so an
    added, removed or changed extras cell shows as a change of its entry."""
    found: dict[tuple[Any, ...], list[str]] = {}
    for row in extras.to_pylist():
        found.setdefault((row["source_file"], row["table_no"], row["row_no"]), []).append(
            f"{row['column']}={row['value']}")
    keys = zip(entries["source_file"].to_pylist(), entries["table_no"].to_pylist(),
               entries["row_no"].to_pylist(), strict=True)
    values = ["; ".join(found.get(key, [])) for key in keys]
    return entries.append_column(EXTRAS_COLUMN, pa.array(values, pa.string()))


def _entries(old: pa.Table, new: pa.Table, ignore: set[str]) -> EntryDiff:
    compare = [n for n, _, _ in ENTRIES if n not in ignore and n not in ENTRY_POSITION]
    if EXTRAS_COLUMN in old.column_names and EXTRAS_COLUMN not in ignore:
        compare.append(EXTRAS_COLUMN)
    position = [c for c in ENTRY_POSITION if c not in ignore]
    old, new = entry_keys(old), entry_keys(new)
    matched = match_by_key(old, new, "_key", compare, position)
    diff = EntryDiff(moved=len(matched.moved))

    def strip(row: Record) -> Record:
        return {k: v for k, v in row.items() if k != "_key"}

    for o, n in matched.pairs(old, new, matched.changed):
        diff.changed.append(EntryChange(n["_key"].replace(_SEP, " "), _fields(o, n, compare),
                                        entry_side(o), entry_side(n), strip(n)))
    diff.removed = sorted((strip(r) for r in matched.removed.to_pylist()), key=_order)
    diff.added = sorted((strip(r) for r in matched.added.to_pylist()), key=_order)
    diff.changed.sort(key=lambda c: _order(c.record))
    return diff


# ---- entry point -------------------------------------------------------------------------

ALL_COLUMNS = frozenset(name for columns in TABLES.values() for name, _, _ in columns)


def check_ignore(ignore: Collection[str]) -> set[str]:
    unknown = sorted(set(ignore) - ALL_COLUMNS)
    if unknown:
        raise DiffError(f"--ignore {unknown[0]}: no such column")
    if "event_id" in ignore:
        raise DiffError("--ignore event_id: event_id is the key events are matched by")
    return set(ignore)


def _skipped(name: str, old: Tables, new: Tables, ignored: set[str],
             not_compared: list[tuple[str, str, str]]) -> set[str]:
    """The columns of table `name` not compared: ignored, or absent from a side (noted)."""
    in_old, in_new = absent_columns(old[name]), absent_columns(new[name])
    for column in sorted(in_old | in_new):
        side = " and ".join(s for s, cols in (("OLD", in_old), ("NEW", in_new))
                            if column in cols)
        not_compared.append((name, column, side))
    return ignored | in_old | in_new


def diff_tables(old: Tables, new: Tables, ignore: Collection[str] = (),
                old_label: str = "old", new_label: str = "new") -> DiffResult:
    """Compare two extractions (see `load`). Once the events are compared only their ids
    are kept, and only then are the periods and entries read: the peak memory is the
    events' stage alone, not the sum of every table."""
    ignored = check_ignore(ignore)
    not_compared: list[tuple[str, str, str]] = []
    skip = _skipped("events", old, new, ignored, not_compared)
    for label, tables in ((old_label, old), (new_label, new)):
        if "event_id" in absent_columns(tables["events"]):
            raise DiffError(f"{label}: events have no event_id, so they cannot be matched")
        _check_unique(tables["events"], "event_id", label)
    result = DiffResult(old_label, new_label, ignored=tuple(sorted(ignored)))
    renamed = _events(old["events"], new["events"], skip, result,
                      known=CAUSE_COLUMN not in skip - ignored)
    for tables in (old, new):
        tables.keep_only("events", ["event_id"])
    skip = _skipped("periods", old, new, ignored, not_compared)
    result.periods = _periods(old["periods"], new["periods"], old["events"], new["events"],
                              renamed, skip)
    skip = _skipped("entries", old, new, ignored, not_compared)
    old_entries, new_entries = old["entries"], new["entries"]
    if "extras" in old and "extras" in new and (old["extras"].num_rows
                                                or new["extras"].num_rows):
        old_entries = with_extras(old_entries, old["extras"])
        new_entries = with_extras(new_entries, new["extras"])
    result.entries = _entries(old_entries, new_entries, skip)
    result.not_compared = tuple(not_compared)
    return result


def diff_outputs(old: Path, new: Path, ignore: Collection[str] = (),
                 layout: Path | None = None) -> DiffResult:
    """Compare two output folders, or raw reports (files or folders) extracted first, with
    `layout` as `pipeline run --layout`."""
    check_ignore(ignore)
    with tempfile.TemporaryDirectory(prefix="pipeline-diff-") as work:  # read till the end
        old_tables = load(old, Path(work) / "old", layout)
        new_tables = load(new, Path(work) / "new", layout)
        return diff_tables(old_tables, new_tables, ignore, str(old), str(new))
