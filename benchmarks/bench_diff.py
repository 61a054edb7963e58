"""Benchmark: `diff_outputs` on 200,000 events against 200,000, with a few thousand changes.

Run with `python benchmarks/bench_diff.py [EVENTS]`; `python benchmarks/bench_diff.py long
[KB ...]` instead times `pipeline diff` (text and HTML) of the FY2012 report against
itself with one item made KB kilobytes long and changed by one character in its middle
(issue 17: quadratic before). Set PIPELINE_CODE to a checkout to time that code instead.

The default builds two output folders (Parquet) from the real FY2012 events, varied over
fiscal years and partner copies so that every id is distinct; the new folder has dates
corrected, items removed, added, reworded, moved, and values changed without their source
changing. The diff runs in a fresh child process, so its wall time and peak RSS are the
diff's own, not the generator's.
"""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from pipeline.folder import read_table  # noqa: E402
from pipeline.runner import run  # noqa: E402
from pipeline.schema import ENTRIES, EVENTS, PERIODS  # noqa: E402

CHANGES = {"date": 1500, "removed": 1000, "added": 1000, "reworded": 1000, "moved": 2000,
           "extractor": 500}


def real_tables(work: Path) -> dict[str, list[dict[str, Any]]]:
    run([ROOT / "raw"], work / "real")
    return {name: read_table(work / "real", name).to_pylist()
            for name in ("events", "periods", "entries")}


def _id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def synthesise(real: dict[str, list[dict[str, Any]]], count: int) -> dict[str, list[dict]]:
    """`count` events: the real ones repeated over fiscal years and numbered partner copies."""
    periods_of: dict[str, list[dict[str, Any]]] = {}
    for p in real["periods"]:
        periods_of.setdefault(p["event_id"], []).append(p)
    events, periods, entries = [], [], []
    copy = 0
    while len(events) < count:
        year, suffix = 1990 + copy % 40, copy // 40
        shift = year - 2012
        for e in real["events"]:
            if len(events) == count:
                break
            city = f"{e['partner_city']}{suffix}"
            new_id = _id(year, e["partner_country_code"], city, e["description"], e["item_no"])
            moved = {k: (v.replace(year=v.year + shift) if hasattr(v, "year") and v else v)
                     for k, v in e.items()}
            events.append({**moved, "event_id": new_id, "fiscal_year": year,
                           "partner_city": city, "source_file": f"fy{year}_{suffix}.txt"})
            periods.extend({**p, "event_id": new_id,
                            "date_start": p["date_start"].replace(year=p["date_start"].year
                                                                  + shift),
                            "date_end": p["date_end"].replace(year=p["date_end"].year + shift)}
                           for p in periods_of.get(e["event_id"], []))
        entries.extend({**r, "fiscal_year": year, "partner_city": f"{r['partner_city']}{suffix}",
                        "source_file": f"fy{year}_{suffix}.txt"} for r in real["entries"])
        copy += 1
    return {"events": events, "periods": periods, "entries": entries}


def edit(tables: dict[str, list[dict]], rng: random.Random) -> dict[str, list[dict]]:
    events = [dict(e) for e in tables["events"]]
    periods = [dict(p) for p in tables["periods"]]
    picks = rng.sample(range(len(events)), sum(CHANGES.values()) - CHANGES["added"])
    cursor = 0

    def take(kind: str) -> list[int]:
        nonlocal cursor
        chosen = picks[cursor:cursor + CHANGES.get(kind, 0)]
        cursor += len(chosen)
        return chosen

    by_event: dict[str, list[dict]] = {}
    for p in periods:
        by_event.setdefault(p["event_id"], []).append(p)
    for i in take("date"):
        e = events[i]
        e["date_text"] += "訂正"
        e["source_sha256"] = _id("edited", e["source_sha256"])
        for p in by_event.get(e["event_id"], []):
            p["date_text"] += "訂正"
    for i in take("moved"):
        events[i]["source_line"] += 1
    for i in take("extractor"):
        events[i]["date_precision"] = "year" if events[i]["date_precision"] == "day" else "day"
    renamed = {}
    for i in take("reworded"):
        e = events[i]
        new_id = _id("reworded", e["event_id"])
        renamed[e["event_id"]] = new_id
        e.update(event_id=new_id, description=e["description"] + "等",
                 source_sha256=_id("edited", e["source_sha256"]))
    removed = {events[i]["event_id"] for i in take("removed")}
    added = []
    for n in range(CHANGES["added"]):
        template = dict(events[rng.randrange(len(events))])
        template.update(event_id=_id("added", n), description=f"追加の交流事業その{n}",
                        item_no=99)
        added.append(template)
    events = [e for e in events if e["event_id"] not in removed] + added
    periods = [{**p, "event_id": renamed.get(p["event_id"], p["event_id"])}
               for p in periods if p["event_id"] not in removed]
    return {"events": events, "periods": periods, "entries": tables["entries"]}


def write(folder: Path, tables: dict[str, list[dict]]) -> None:
    folder.mkdir(parents=True)
    kinds = {"string": pa.string(), "integer": pa.int64(), "boolean": pa.bool_(),
             "date": pa.date32()}
    for name, columns in (("events", EVENTS), ("periods", PERIODS), ("entries", ENTRIES)):
        schema = pa.schema([(n, kinds[k]) for n, k, _ in columns])
        pq.write_table(pa.Table.from_pylist(tables[name], schema=schema),
                       folder / f"{name}.parquet")


# Peak RSS as VmHWM: ru_maxrss survives exec on Linux, so a child would report the peak of
# the parent that generated the data.
# CPU seconds too: on a shared machine the wall time includes waiting for a core.
CHILD = """
import json, resource, sys, time
from pathlib import Path
from pipeline.diff import diff_outputs
start = time.perf_counter()
cpu = resource.getrusage(resource.RUSAGE_SELF)
result = diff_outputs(Path(sys.argv[1]), Path(sys.argv[2]))
seconds = time.perf_counter() - start
done = resource.getrusage(resource.RUSAGE_SELF)
cpu = done.ru_utime + done.ru_stime - cpu.ru_utime - cpu.ru_stime
status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_rss_mb": int(status.split()[0]) / 1024,
    "added": len(result.added),
    "removed": len(result.removed), "changed": len(result.changed),
    "moved": len(result.moved), "periods": len(result.periods),
    "causes": sorted({c.cause for c in result.changed})}))
"""


LONG_CHILD = """
import contextlib, io, sys, time
from pipeline.cli import main
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["diff", sys.argv[1], sys.argv[2], "--format", sys.argv[3]])
print(time.perf_counter() - start, code)
"""
LONDON = "・知事のロンドン出張(平成25年1月)"


def long_items(sizes: list[int]) -> None:
    import os

    code = Path(os.environ.get("PIPELINE_CODE", ROOT))
    text = (ROOT / "raw" / "fy2012_sister_city_exchanges.txt").read_text(encoding="utf-8")
    unit = "ロンドン市との交流について"  # 13 characters, 39 bytes of UTF-8
    for kb in sizes:
        body = unit * (kb * 1000 // (2 * len(unit.encode())))
        with tempfile.TemporaryDirectory() as tmp:
            folders = []
            for side, mark in (("old", "甲"), ("new", "乙")):
                folder = Path(tmp) / side
                folder.mkdir()
                (folder / "fy2012.txt").write_text(
                    text.replace(LONDON, f"・{body}{mark}{body}(平成25年1月)"), encoding="utf-8")
                folders.append(str(folder))
            for form in ("text", "html"):
                done = subprocess.run([sys.executable, "-c", LONG_CHILD, *folders, form],
                                      cwd=code, capture_output=True, text=True, check=True)
                seconds, exit_code = done.stdout.split()
                print(f"{len(f'{body}甲{body}'.encode()) / 1000:5.1f} KB item, {form:4}: "
                      f"{float(seconds):7.2f} s (exit {exit_code})", flush=True)


def main() -> None:
    if sys.argv[1:2] == ["long"]:
        long_items([int(kb) for kb in sys.argv[2:]] or [6, 12, 24, 48])
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        old = synthesise(real_tables(work), count)
        new = edit(old, random.Random(2012))
        write(work / "old", old)
        write(work / "new", new)
        print(f"events: {len(old['events']):,} old, {len(new['events']):,} new; "
              f"periods {len(old['periods']):,}; entries {len(old['entries']):,}")
        print(f"edits: {CHANGES}")
        baseline = subprocess.run([sys.executable, "-c", "import pyarrow, numpy, pipeline.diff;"
                                   "from pathlib import Path;print(int(Path('/proc/self/status')"
                                   ".read_text().split('VmHWM:')[1].split()[0]) / 1024)"],
                                  cwd=ROOT, capture_output=True, text=True, check=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, str(work / "old"),
                               str(work / "new")], cwd=ROOT, capture_output=True, text=True,
                              check=True)
        wall = time.perf_counter() - started
        figures = json.loads(done.stdout)
        print(f"diff_outputs: {figures['seconds']:.2f} s, CPU {figures['cpu']:.2f} s "
              f"(child process wall {wall:.2f} s); "
              f"peak RSS {figures['peak_rss_mb']:.0f} MB (imports alone "
              f"{float(baseline.stdout):.0f} MB)")
        print(f"found: {figures['added']} added, {figures['removed']} removed, "
              f"{figures['changed']} changed, {figures['moved']} moved, periods of "
              f"{figures['periods']} events; causes {figures['causes']}")


if __name__ == "__main__":
    main()
