"""Benchmark: `diff_outputs` on 200,000 events against 200,000, with a few thousand changes,
beside datacompy on the same two events tables (issue 15).

    python benchmarks/bench_diff.py [EVENTS] [--rounds R]     (default: 200000, 1 round)
    python benchmarks/bench_diff.py long [KB ...]

The default builds two output folders (Parquet) from the real FY2012 events, varied over
fiscal years and partner copies so that every id is distinct; the new folder has dates
corrected, items removed, added, reworded, moved, and values changed without their source
changing. Our diff and datacompy (the `bench` extra; pandas DataFrames read from the two
events.parquet, joined on event_id) each run in a fresh child process, so their time and
peak RSS are their own, not the generator's. With R rounds the two interleave, each going
first in turn; medians are judged and ranges printed. It prints what each found, whether
the counts reconcile, and issue 15's targets for our diff (under 3 s, under 700 MB) with
met / NOT met.

`long` instead times `pipeline diff` (text and HTML) of the FY2012 report against itself
with one item made KB kilobytes long and changed by one character in its middle (issue 17:
quadratic before). In both, PIPELINE_CODE=DIR times the pipeline code in DIR (a checkout)
instead of this one's; in the default, PIPELINE_BEFORE=DIR also times DIR's diff in the same
rounds, interleaved, and prints this code's time and peak over that code's.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
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


# Both children are measured alike: wall and CPU seconds from after their imports to the
# end of the comparison (reading the Parquet files included), and peak RSS as VmHWM, whose
# value after the imports is printed too. VmHWM, not ru_maxrss: ru_maxrss survives exec on
# Linux, so a child would report the peak of the parent that generated the data. CPU
# seconds too: on a shared machine the wall time includes waiting for a core.
MEASURED = """
import json, resource, sys, time
from pathlib import Path
{imports}
def peak_kib():
    return int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])
imports_kib = peak_kib()
start = time.perf_counter()
cpu = resource.getrusage(resource.RUSAGE_SELF)
{work}
seconds = time.perf_counter() - start
done = resource.getrusage(resource.RUSAGE_SELF)
cpu = done.ru_utime + done.ru_stime - cpu.ru_utime - cpu.ru_stime
print(json.dumps({{"seconds": seconds, "cpu": cpu, "peak_kib": peak_kib(),
                  "imports_kib": imports_kib, **found}}))
"""
CHILD = MEASURED.format(imports="from pipeline.diff import diff_outputs", work="""
result = diff_outputs(Path(sys.argv[1]), Path(sys.argv[2]))
found = {"added": len(result.added), "removed": len(result.removed),
         "changed": len(result.changed), "moved": len(result.moved),
         "reworded": sum(c.event_id != c.old_event_id for c in result.changed),
         "periods": len(result.periods), "causes": sorted({c.cause for c in result.changed})}
""")
# datacompy on the events tables only (our diff reads periods and entries too), joined on
# event_id, every other column compared exactly (its defaults: no tolerance, nulls equal).
DATACOMPY_CHILD = MEASURED.format(imports="import datacompy, pandas as pd", work="""
old = pd.read_parquet(Path(sys.argv[1]) / "events.parquet")
new = pd.read_parquet(Path(sys.argv[2]) / "events.parquet")
compare = datacompy.PandasCompare(old, new, join_columns="event_id")
found = {"only_old": len(compare.df1_unq_rows), "only_new": len(compare.df2_unq_rows),
         "both": len(compare.intersect_rows),
         "unequal_rows": len(compare.intersect_rows) - int(compare.count_matching_rows()),
         "unequal_columns": {s["column"]: int(s["unequal_cnt"]) for s in compare.column_stats
                             if s["unequal_cnt"]},
         "version": datacompy.__version__, "pandas": pd.__version__}
""")

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


SECONDS, MEGABYTES = 3.0, 700  # issue 15's targets for our diff; MB as 10**6 bytes


def _measure(child: str, code: Path | str, old: Path, new: Path) -> dict[str, Any]:
    started = time.perf_counter()  # the child imports pipeline from its cwd, code
    done = subprocess.run([sys.executable, "-c", child, str(old), str(new)], cwd=code,
                          capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(done.stdout)
    figures["wall"] = time.perf_counter() - started
    figures["peak_mb"] = figures["peak_kib"] * 1024 / 1e6
    figures["imports_mb"] = figures["imports_kib"] * 1024 / 1e6
    return figures


def _spread(values: list[float], digits: int = 2) -> str:
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} (range {min(values):.{digits}f}-{max(values):.{digits}f})"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _report(name: str, runs: list[dict[str, Any]]) -> None:
    def values(key: str) -> list[float]:
        return [r[key] for r in runs]

    print(f"{name}: {_spread(values('seconds'))} s, CPU {_spread(values('cpu'))} s, child "
          f"process wall {_spread(values('wall'))} s; peak RSS {_spread(values('peak_mb'), 0)} "
          f"MB = {_spread([r['peak_kib'] / 1024 for r in runs], 0)} MiB (imports alone "
          f"{_spread(values('imports_mb'), 0)} MB)")


def _same_tables(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    """datacompy joins on event_id only: a reworded event (a new id, paired by our diff as
    one change) is to it a row only in old plus a row only in new, and a moved event is an
    unequal row like a changed one."""
    return bool(theirs["only_old"] == ours["removed"] + ours["reworded"]
            and theirs["only_new"] == ours["added"] + ours["reworded"]
            and theirs["unequal_rows"] == ours["changed"] - ours["reworded"] + ours["moved"])


def _before(ours: list[dict[str, Any]], before: list[dict[str, Any]]) -> None:
    found = ("added", "removed", "changed", "moved", "reworded", "periods", "causes")
    _report(f"the code in PIPELINE_BEFORE ({os.environ['PIPELINE_BEFORE']})", before)
    print("  found the same: " + ("yes" if all(before[-1][k] == ours[-1][k] for k in found)
                                  else f"NO: {[before[-1][k] for k in found]}"))
    times = [o["seconds"] / b["seconds"] for o, b in zip(ours, before, strict=True)]
    peaks = [o["peak_kib"] / b["peak_kib"] for o, b in zip(ours, before, strict=True)]
    print(f"this code over PIPELINE_BEFORE's, per round: time {_spread(times)}x, peak RSS "
          f"{_spread(peaks)}x")


def main(count: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        old = synthesise(real_tables(work), count)
        new = edit(old, random.Random(2012))
        write(work / "old", old)
        write(work / "new", new)
        print(f"events: {len(old['events']):,} old, {len(new['events']):,} new; "
              f"periods {len(old['periods']):,}; entries {len(old['entries']):,}")
        print(f"edits: {CHANGES}")
        del old, new
        load = os.getloadavg()
        code = os.environ.get("PIPELINE_CODE", ROOT)
        contenders = {"ours": (CHILD, code), "datacompy": (DATACOMPY_CHILD, code)}
        if os.environ.get("PIPELINE_BEFORE"):
            contenders["before"] = (CHILD, os.environ["PIPELINE_BEFORE"])
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
        names = list(contenders)
        for round_ in range(rounds):  # interleaved, and each goes first in turn
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                runs[name].append(_measure(*contenders[name], work / "old", work / "new"))
    ours, theirs = runs["ours"][-1], runs["datacompy"][-1]
    print(f"{rounds} round(s), load average {load[0]:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after (1 minute; 2 cores)")
    _report("pipeline diff (diff_outputs; events, periods, entries)", runs["ours"])
    print(f"  found: {ours['added']} added, {ours['removed']} removed, {ours['changed']} "
          f"changed ({ours['reworded']} of them reworded, a new event_id), {ours['moved']} "
          f"moved, periods of {ours['periods']} events; causes {ours['causes']}")
    _report(f"datacompy {theirs['version']} (pandas {theirs['pandas']}; events only, joined "
            "on event_id)", runs["datacompy"])
    print(f"  found: {theirs['only_old']} rows only in old, {theirs['only_new']} only in new, "
          f"{theirs['unequal_rows']} of {theirs['both']} joined rows unequal; unequal per "
          f"column {theirs['unequal_columns']}")
    print("  the same tables, the same differences: "
          + ("yes (only in old = removed + reworded, only in new = added + reworded, "
             "unequal = changed - reworded + moved)" if _same_tables(ours, theirs)
             else "NO: the counts do not reconcile"))
    if "before" in runs:
        _before(runs["ours"], runs["before"])
    time_ratios = [t["seconds"] / o["seconds"] for o, t in zip(runs["ours"], runs["datacompy"],
                                                               strict=True)]
    peak_ratios = [t["peak_kib"] / o["peak_kib"] for o, t in zip(runs["ours"],
                                                                 runs["datacompy"], strict=True)]
    print(f"datacompy over pipeline diff, per round: time {_spread(time_ratios)}x, peak RSS "
          f"{_spread(peak_ratios)}x")
    seconds = statistics.median(r["seconds"] for r in runs["ours"])
    peak = statistics.median(r["peak_mb"] for r in runs["ours"])
    print(f"target: pipeline diff of {count:,} events against {count:,} in under {SECONDS:.0f} "
          f"s: median {seconds:.2f} s, {_verdict(seconds < SECONDS)}")
    print(f"target: ... and under {MEGABYTES} MB: median peak RSS {peak:.0f} MB, "
          f"{_verdict(peak < MEGABYTES)}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["long"]:
        long_items([int(kb) for kb in arguments[1:]] or [6, 12, 24, 48])
        sys.exit()
    rounds = 1
    if "--rounds" in arguments:
        at = arguments.index("--rounds")
        rounds = int(arguments[at + 1])
        del arguments[at:at + 2]
    main(int(arguments[0]) if arguments else 200_000, rounds)
