"""The diff's two ways of pairing rows: by a key column, compared a whole column at a time
(pyarrow compute and numpy: Python only loops over the rows that differ), and by similar
descriptions within one partner and fiscal year (difflib, bounded by cheap upper bounds).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import similar

Record = dict[str, Any]
SIMILARITY = 0.8


def _differs(old: Any, new: Any) -> Any:
    """Element-wise old != new where two nulls are equal; never null."""
    equal = pc.fill_null(pc.equal(old, new), False)
    both_null = pc.and_(pc.is_null(old), pc.is_null(new))
    return pc.invert(pc.or_(equal, both_null))


@dataclass(slots=True)
class Matched:
    removed: pa.Table
    added: pa.Table
    old_rows: np.ndarray[Any, np.dtype[np.intp]]  # rows on both sides, in key order
    new_rows: np.ndarray[Any, np.dtype[np.intp]]  # the same keys, same order, in new
    changed: np.ndarray[Any, np.dtype[np.intp]]  # indexes into old_rows / new_rows
    moved: np.ndarray[Any, np.dtype[np.intp]]

    def pairs(self, old: pa.Table, new: pa.Table, which: np.ndarray[Any, np.dtype[np.intp]]
              ) -> zip[tuple[Record, Record]]:
        return zip(old.take(self.old_rows[which]).to_pylist(),
                   new.take(self.new_rows[which]).to_pylist(), strict=True)


def _aligned(keys: Any, others: Any) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Row numbers of the keys found in `others`, in key order."""
    found = np.flatnonzero(np.asarray(pc.is_in(keys, value_set=others).to_numpy(
        zero_copy_only=False), dtype=bool))
    order = np.asarray(pc.sort_indices(pc.take(keys, found)).to_numpy(), dtype=np.intp)
    return found[order]


def match_by_key(old: pa.Table, new: pa.Table, key: str, compare: list[str],
                 position: list[str]) -> Matched:
    """Split two tables keyed by a unique column into removed, added and common rows, and
    find the common rows whose compared columns differ or whose position alone differs.

    Columns are aligned one at a time by row numbers, never as whole-table copies, so the
    peak memory stays near the size of the two tables themselves."""
    old_keys, new_keys = old[key].combine_chunks(), new[key].combine_chunks()
    old_rows, new_rows = _aligned(old_keys, new_keys), _aligned(new_keys, old_keys)
    # Columns are compared in the old side's row order, the mask put back in key order: a
    # take() by sorted row numbers reads a column front to back, several times faster than
    # by keys, whose order is random (and the new side's rows are mostly in order too).
    by_row = np.argsort(old_rows, kind="stable")
    old_by_row, new_by_row = old_rows[by_row], new_rows[by_row]

    def differs(columns: list[str]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        mask = np.zeros(len(old_rows), dtype=bool)
        for name in columns:
            mask |= np.asarray(_differs(pc.take(old[name], old_by_row), pc.take(
                new[name], new_by_row)).to_numpy(zero_copy_only=False), dtype=bool)
        in_key_order = np.empty_like(mask)
        in_key_order[by_row] = mask
        return in_key_order

    changed, placed = differs(compare), differs(position)
    kept_old = np.ones(old.num_rows, dtype=bool)
    kept_old[old_rows] = False
    kept_new = np.ones(new.num_rows, dtype=bool)
    kept_new[new_rows] = False
    return Matched(old.filter(pa.array(kept_old)), new.filter(pa.array(kept_new)),
                    old_rows, new_rows, np.flatnonzero(changed),
                    np.flatnonzero(placed & ~changed))


def on_both_sides(ids: set[str], old_events: pa.Table, new_events: pa.Table,
                  renamed: dict[str, str]) -> set[str]:
    """Those of `ids` (as the new side names them) whose event is on both sides, or paired."""
    if not ids:
        return set()
    wanted = pa.array(sorted(ids), pa.string())

    def found(events: pa.Table) -> set[str]:
        column = events["event_id"]
        return set(column.filter(pc.is_in(column, value_set=wanted)).to_pylist())

    return found(new_events) & (found(old_events) | set(renamed.values()))


def partner_key(row: Record) -> tuple[int, str, str]:
    return (row["fiscal_year"] or 0, row["partner_country_code"] or row["partner_country"],
            row["partner_city"])


def pair_similar(removed: list[Record], added: list[Record],
                 threshold: float = SIMILARITY, too_long: list[tuple[int, int]] | None = None
                 ) -> list[tuple[Record, Record, float]]:
    """Pairs (removed, added) of one partner and fiscal year whose descriptions have a
    difflib ratio >= threshold, best first, each event in at most one pair.

    Cheap upper bounds (the length ratio, then real_quick_ratio and quick_ratio) rule out
    most pairs before the quadratic ratio() is computed; descriptions longer than
    similar.LONG together are compared by similar.ratio, linear in their length. The
    (removed, added) indexes of pairs it could not compare go to `too_long`."""
    groups: dict[tuple[int, str, str], list[tuple[int, Record]]] = defaultdict(list)
    for j, row in enumerate(added):
        groups[partner_key(row)].append((j, row))
    candidates: list[tuple[float, str, str, int, int]] = []
    for i, old in enumerate(removed):
        a = old["description"]
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(a)  # seq2 is the one difflib caches
        for j, new in groups.get(partner_key(old), ()):
            b = new["description"]
            if not a and not b:
                continue
            if 2 * min(len(a), len(b)) / (len(a) + len(b)) < threshold:
                continue
            matcher.set_seq1(b)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio() if len(a) + len(b) <= similar.LONG else similar.ratio(a, b)
            if ratio is None:
                if too_long is not None:
                    too_long.append((i, j))
            elif ratio >= threshold:
                candidates.append((-ratio, old["event_id"], new["event_id"], i, j))
    candidates.sort()
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[Record, Record, float]] = []
    for negative, _, _, i, j in candidates:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((removed[i], added[j], -negative))
    if too_long is not None:  # only those whose events stayed unpaired need saying
        too_long[:] = [(i, j) for i, j in too_long if i not in used_old and j not in used_new]
    return pairs
