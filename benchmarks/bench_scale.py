"""Benchmark how `pipeline run` scales with the data (issue 15), as ratios made in one run.

    python benchmarks/bench_scale.py [SMALL LARGE] [--rounds R]   (default: 2000 8000, 1)

Generates SMALL and LARGE reports (benchmarks/corpus.py) and prints, each with met / NOT met:
  - flat memory: the peak RSS of the largest process of a full run (`--jobs 1` and
    `--jobs 2`, `--force`) at LARGE over SMALL, against 1.2 per x4 data (scaled as
    1.2 ** log4(LARGE / SMALL));
  - adding one report: a run after one new report joins LARGE already extracted in the
    output folder, over a full run of the same folder (`--jobs 1`), against 10%; and,
    for information, a run with nothing changed (after one that reused every report);
  - every core used: the throughput of `--jobs 2` over `--jobs 1` on LARGE, against 1.7x.
Every run is a child process (benchmarks/bench_run.py's `measure`: wall time, and the
largest VmHWM of the process tree sampled from /proc). With R rounds the runs interleave
and the median ratio is judged, with the range printed beside it.
"""

from __future__ import annotations

import math
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_run import measure  # noqa: E402
from corpus import make_corpus  # noqa: E402


def _run(corpus: Path, out: Path, jobs: int, force: bool = True) -> tuple[float, float]:
    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
               "--jobs", str(jobs), "--quiet"] + (["--force"] if force else [])
    wall, peak, _ = measure(command)
    return wall, peak


def _add_one(corpus: Path, index: int) -> None:
    """A report no run has seen: the first one with a note line of its own."""
    first = sorted(corpus.iterdir())[0]
    (corpus / f"added{index:03d}_{first.name}").write_bytes(
        first.read_bytes() + f"※追加 {index}\n".encode(_encoding(first.name)))


def _encoding(name: str) -> str:
    return "cp932" if "_sjis" in name else "euc_jp" if "_euc" in name else "utf-8"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} (range {min(values):.2f}-{max(values):.2f})"


def main(small: int, large: int, rounds: int) -> None:
    memory_target = 1.2 ** math.log(large / small, 4)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temporary:
        root = Path(temporary)
        corpora = {size: root / f"reports{size}" for size in (small, large)}
        for size, folder in corpora.items():
            make_corpus(size, folder)
        peaks: dict[tuple[int, int], list[float]] = {}
        walls: dict[int, list[float]] = {1: [], 2: []}
        added: list[float] = []
        same: list[float] = []
        for round_ in range(rounds):
            for jobs in (1, 2):
                for size, folder in corpora.items():
                    out = root / f"out{size}-{jobs}"
                    wall, peak = _run(folder, out, jobs)
                    peaks.setdefault((size, jobs), []).append(peak)
                    if size == large:
                        walls[jobs].append(wall)
                    if size == large and jobs == 1:  # out holds LARGE extracted: add one
                        _add_one(folder, round_)
                        added.append(_run(folder, out, 1, force=False)[0] / wall)
                        _run(folder, out, 1, force=False)  # every report reused: recorded
                        same.append(_run(folder, out, 1, force=False)[0] / wall)
                    shutil.rmtree(out)
    print(f"pipeline run, {small} and {large} reports (benchmarks/corpus.py), {rounds} round(s)")
    for jobs in (1, 2):
        ratios = [b / a for a, b in zip(peaks[small, jobs], peaks[large, jobs], strict=True)]
        print(f"flat memory, --jobs {jobs}: peak RSS of the largest process "
              f"{statistics.median(peaks[small, jobs]):.0f} MiB at {small}, "
              f"{statistics.median(peaks[large, jobs]):.0f} MiB at {large}; ratio "
              f"{_spread(ratios)}, target <= {memory_target:.2f}: "
              f"{_verdict(statistics.median(ratios) <= memory_target)}")
    print(f"adding one report to {large}: run time over a full run's {_spread(added)}, "
          f"target <= 0.10: {_verdict(statistics.median(added) <= 0.10)}")
    print(f"nothing changed, {large + 1} reports (after a run that reused every report): run "
          f"time over a full run's {_spread(same)}")
    speedups = [a / b for a, b in zip(walls[1], walls[2], strict=True)]
    print(f"every core used, {large} reports: --jobs 1 {statistics.median(walls[1]):.1f} s, "
          f"--jobs 2 {statistics.median(walls[2]):.1f} s; throughput ratio "
          f"{_spread(speedups)}, target >= 1.7: {_verdict(statistics.median(speedups) >= 1.7)}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    rounds = 1
    if "--rounds" in arguments:
        at = arguments.index("--rounds")
        rounds = int(arguments[at + 1])
        del arguments[at:at + 2]
    sizes = [int(a) for a in arguments] or [2000, 8000]
    main(sizes[0], sizes[1], rounds)
