"""Benchmark `pipeline run` against the naive script, at N = 2,000 and 8,000 reports.

    python benchmarks/bench_run.py [N ...]        (default: 2000 8000)

For each N it generates a corpus (benchmarks/corpus.py) in a temporary folder, runs the
naive baseline (benchmarks/naive.py) and `pipeline run --force` with --jobs 1 and 2, each
as a child process of this one, and prints wall time, MB/s, events/s, peak memory (the
largest VmHWM of the process tree, sampled from /proc) and the ratio to the naive script.
Then it profiles one in-process extraction of 400 reports and prints where the time goes,
stage by stage (own time of each module's functions).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402

STAGES = {  # module path fragment -> stage name, first match wins
    "pipeline/sources/": "read (decode, split)", "pipeline/layout": "layout",
    "pipeline/cells": "cells", "pipeline/entities": "entities", "pipeline/countries": "entities",
    "pipeline/dates": "dates", "pipeline/numerals": "dates", "pipeline/events": "events",
    "pipeline/outputs": "write", "pipeline/partners": "write", "pyarrow": "write",
    "pipeline/cache": "cache", "pickle": "cache", "pipeline/runner": "run",
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
    from pipeline.runner import RunOptions, run

    sample = Path(tempfile.mkdtemp(prefix="bench-sample-"))
    for path in sorted(corpus.iterdir())[:count]:
        (sample / path.name).write_bytes(path.read_bytes())
    profiler = cProfile.Profile()
    profiler.enable()
    run([sample], sample.with_name(sample.name + "-out"), RunOptions(jobs=1, force=True))
    profiler.disable()
    stats = pstats.Stats(profiler)
    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        stage = next((name for key, name in STAGES.items() if key in filename), "other")
        totals[stage] = totals.get(stage, 0.0) + own
    return sorted(totals.items(), key=lambda kv: -kv[1])


def main(sizes: list[int]) -> None:
    python = sys.executable
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as temporary:
            corpus = Path(temporary) / "reports"
            megabytes = make_corpus(size, corpus) / 1e6
            naive_s, naive_mb, _ = measure([python, str(HERE / "naive.py"), str(corpus),
                                            str(Path(temporary) / "naive")])
            row = {"reports": size, "MB": round(megabytes, 1), "naive_s": round(naive_s, 2),
                   "naive_peak_MB": round(naive_mb)}
            for jobs in (1, 2):
                out = Path(temporary) / f"out{jobs}"
                wall, peak, _ = measure([python, "-m", "pipeline", "run", str(corpus), "--out",
                                           str(out), "--jobs", str(jobs), "--force"])
                events = sum(1 for _ in (out / "events.csv").open(encoding="utf-8")) - 1
                row.update({f"jobs{jobs}_s": round(wall, 2),
                            f"jobs{jobs}_MB_per_s": round(megabytes / wall, 2),
                            f"jobs{jobs}_events_per_s": round(events / wall),
                            f"jobs{jobs}_peak_MB": round(peak),
                            f"jobs{jobs}_ratio_to_naive": round(wall / naive_s, 2),
                            "events": events})
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            if size == sizes[0]:
                print("where the time goes (own time, in-process, 400 reports, --jobs 1):")
                for stage, seconds in profile_stages(corpus):
                    print(f"  {stage:22s} {seconds:6.2f} s")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        scale = large["reports"] / small["reports"]
        print(f"time growth x{large['jobs1_s'] / small['jobs1_s']:.2f} for x{scale:.0f} reports; "
              f"peak memory x{large['jobs1_peak_MB'] / small['jobs1_peak_MB']:.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2000, 8000])
