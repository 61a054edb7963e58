"""Benchmark `pipeline run` against the naive script, at N = 2,000 and 8,000 reports.

    python benchmarks/bench_run.py [N ...] [--rounds R]   (default: 2000 8000, 3 rounds)

For each N it generates a corpus (benchmarks/corpus.py) in a temporary folder, then runs
R rounds of the naive baseline (benchmarks/naive.py) and `pipeline run --force` with
--jobs 1 and 2, interleaved, each as a child process of this one. It prints the median
wall time, MB/s, events/s, peak memory (the largest VmHWM of the process tree, sampled
from /proc), the ratio of the medians to the naive script's and the range of the
per-round ratios.
Then it profiles one in-process extraction of 400 reports and prints where the time goes,
stage by stage (own time of each module's functions).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402

# Stage -> the functions whose cumulative time is that stage (module fragment, name).
STAGES: dict[str, list[tuple[str, str]]] = {
    "read (decode, split rows)": [("pipeline/sources/__init__", "read_document")],
    "layout (rows -> tables)": [("pipeline/layout", "document_to_layout")],
    "cells (items)": [("pipeline/cells", "cell_to_items")],
    "entities (partner, bureau)": [("pipeline/entities", "label_to_partner"),
                                   ("pipeline/entities", "bureau_to_parts")],
    "dates (items -> periods)": [("pipeline/events", "item_to_dates")],
    "cache (JSON, HMAC, SQLite)": [("pipeline/cache", "dump"), ("pipeline/cache", "get"),
                               ("pipeline/cache", "put")],
    "write (CSV, Parquet, manifest)": [("pipeline/outputs", "write_columns"),
                                       ("pipeline/outputs", "close"),
                                       ("pipeline/outputs", "commit"),
                                       ("pipeline/runner", "_write_descriptions")],
}


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found.extend(int(c) for c in text.split())
    except OSError:
        pass
    return found


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak MB of any one process in the tree, and stderr of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    peaks: dict[int, int] = {}
    while process.poll() is None:
        pending = [process.pid]
        while pending:
            pid = pending.pop()
            peaks[pid] = max(peaks.get(pid, 0), _hwm_kb(pid))
            pending.extend(_children(pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    _, err = process.communicate()
    if process.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {err}")
    return wall, max(peaks.values(), default=0) / 1024, err


def profile_stages(corpus: Path, count: int = 400) -> list[tuple[str, float]]:
    """Cumulative seconds per stage for one in-process run over `count` reports; events is
    what layout_to_records spends beyond cells, entities and dates."""
    from pipeline.outputs import arrow_without_pandas
    from pipeline.runner import RunOptions, run

    arrow_without_pandas()  # as `pipeline run` does, or pandas' import counts as writing
    sample = Path(tempfile.mkdtemp(prefix="bench-sample-"))
    for path in sorted(corpus.iterdir())[:count]:
        (sample / path.name).write_bytes(path.read_bytes())
    profiler = cProfile.Profile()
    profiler.enable()
    run([sample], sample.with_name(sample.name + "-out"), RunOptions(jobs=1, force=True))
    profiler.disable()
    raw = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def cumulative(module: str, name: str) -> float:
        return sum(v[3] for (f, _, n), v in raw.items() if module in f and n == name)

    total = cumulative("pipeline/runner", "run")
    stages = {stage: sum(cumulative(m, n) for m, n in parts) for stage, parts in STAGES.items()}
    inner = sum(stages[s] for s in ("cells (items)", "entities (partner, bureau)",
                                    "dates (items -> periods)"))
    stages["events (records, ids)"] = cumulative("pipeline/events", "layout_to_records") - inner
    stages["other (imports, discovery, ...)"] = total - sum(stages.values())
    return [*sorted(stages.items(), key=lambda kv: -kv[1]), ("total", total)]


def main(sizes: list[int], rounds: int) -> None:
    python = sys.executable
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as temporary:
            corpus = Path(temporary) / "reports"
            megabytes = make_corpus(size, corpus) / 1e6
            commands = {"naive": [python, str(HERE / "naive.py"), str(corpus),
                                  str(Path(temporary) / "naive")]}
            for jobs in (1, 2):
                commands[f"jobs{jobs}"] = [python, "-m", "pipeline", "run", str(corpus),
                                           "--out", str(Path(temporary) / f"out{jobs}"),
                                           "--jobs", str(jobs), "--force"]
            # Rounds of all three, interleaved: this machine's speed drifts by a quarter
            # between minutes, and a ratio of runs made side by side cancels most of it.
            walls: dict[str, list[float]] = {name: [] for name in commands}
            peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
            for _ in range(rounds):
                for name, command in commands.items():
                    wall, peak, _ = measure(command)
                    walls[name].append(wall)
                    peaks[name] = max(peaks[name], peak)
            naive_s = statistics.median(walls["naive"])
            row: dict[str, Any] = {"reports": size, "MB": round(megabytes, 1),
                                   "rounds": rounds, "naive_s": round(naive_s, 2),
                                   "naive_peak_MB": round(peaks["naive"])}
            for jobs in (1, 2):
                out = Path(temporary) / f"out{jobs}"
                events = sum(1 for _ in (out / "events.csv").open(encoding="utf-8")) - 1
                wall = statistics.median(walls[f"jobs{jobs}"])
                ratios = [w / n for w, n in zip(walls[f"jobs{jobs}"], walls["naive"],
                                                 strict=True)]
                row.update({f"jobs{jobs}_s": round(wall, 2),
                            f"jobs{jobs}_MB_per_s": round(megabytes / wall, 2),
                            f"jobs{jobs}_events_per_s": round(events / wall),
                            f"jobs{jobs}_peak_MB": round(peaks[f"jobs{jobs}"]),
                            f"jobs{jobs}_ratio_to_naive": round(wall / naive_s, 2),
                            f"jobs{jobs}_ratio_range": [round(min(ratios), 2),
                                                        round(max(ratios), 2)],
                            "events": events})
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            if size == sizes[0]:
                print("where the time goes (cProfile, in-process, 400 reports, --jobs 1; "
                      "profiling slows everything about 2x):")
                for stage, seconds in profile_stages(corpus):
                    print(f"  {stage:32s} {seconds:6.2f} s")
    first = results[0]
    print(f"target one job <= 0.5x naive: {first['jobs1_ratio_to_naive']}x at "
          f"{first['reports']} reports, {_met(first['jobs1_ratio_to_naive'] <= 0.5)}")
    print(f"target two jobs <= 0.33x naive: {first['jobs2_ratio_to_naive']}x, "
          f"{_met(first['jobs2_ratio_to_naive'] <= 0.33)}")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        scale = large["reports"] / small["reports"]
        growth = large["jobs1_s"] / small["jobs1_s"]
        memory = large["jobs1_peak_MB"] / small["jobs1_peak_MB"]
        print(f"time growth x{growth:.2f} for x{scale:.0f} reports, {_met(growth <= scale)}; "
              f"peak memory x{memory:.2f} and {large['jobs1_peak_MB']} MB, "
              f"{_met(memory <= 1.5 and large['jobs1_peak_MB'] < 300)}")


def _met(condition: bool) -> str:
    return "met" if condition else "NOT met"


if __name__ == "__main__":
    arguments = sys.argv[1:]
    rounds = 3
    if "--rounds" in arguments:
        at = arguments.index("--rounds")
        rounds = int(arguments[at + 1])
        del arguments[at : at + 2]
    main([int(a) for a in arguments] or [2000, 8000], rounds)
