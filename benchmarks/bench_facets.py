"""Benchmark: item_to_facets items per second on the FY2012 report's own descriptions.

Run with `python benchmarks/bench_facets.py`. Times the facet rules over the 35 golden
descriptions (each with its partner), 200 rounds, best of 5, one core, and prints the rate.
The cache that spares repeated items is bypassed: this is the cost of reading a new item.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.facets import item_to_facets as cached

item_to_facets = cached.__wrapped__  # time the rules, not the cache of repeated items
ROOT = Path(__file__).resolve().parent.parent

with (ROOT / "tests" / "data" / "fy2012_event_facets.csv").open(encoding="utf-8") as stream:
    ITEMS = [(row["description"], (row["partner_city"],)) for row in csv.DictReader(stream)]


def main() -> None:
    rounds, best = 200, float("inf")
    item_to_facets(ITEMS[0][0], "東京都", ITEMS[0][1])  # read the vocabulary outside the timing
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(rounds):
            for text, partner in ITEMS:
                item_to_facets(text, "東京都", partner)
        best = min(best, time.perf_counter() - started)
    count = rounds * len(ITEMS)
    print(f"{count / best:,.0f} items a second ({best / count * 1e6:.1f} µs an item), "
          f"{len(ITEMS)} descriptions x {rounds} rounds, best of 5")


if __name__ == "__main__":
    main()
