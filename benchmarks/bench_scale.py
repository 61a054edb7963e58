"""Benchmark how `pipeline run` scales with the data (issue 15), as ratios made in one run.

    python benchmarks/bench_scale.py [SIZE ...] [--at N] [--rounds R]
        (default sizes 2000 8000, --at the largest size but 32000's neighbour, 1 round)

Generates each SIZE of reports (benchmarks/corpus.py) and prints, each with met / NOT met:
  - flat memory: the peak RSS of the largest process of a full run (`--jobs 1` and
    `--jobs 2`, `--force`) at each size over the size before, against 1.2 per x4 data
    (scaled as 1.2 ** log4(ratio of sizes));
  - adding one report: at N reports already extracted in an output folder, a run after one
    new report joins, over a full run of the same folder (`--jobs 1`), against 10%; the
    same with `--partition-by fiscal_year`; and, for information, a run with nothing
    changed (after one that reused every report);
  - every core used: the throughput of `--jobs 2` over `--jobs 1` on N reports, against 1.7x.
Every run is a child process (benchmarks/bench_run.py's `measure`: wall time, and the
largest VmHWM of the process tree sampled from /proc). With R rounds the runs interleave
and the median ratio is judged, with the range printed beside it.
"""

from __future__ import annotations

import itertools
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


def _run(corpus: Path, out: Path, jobs: int, force: bool = True,
         extra: tuple[str, ...] = ()) -> tuple[float, float]:
    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
               "--jobs", str(jobs), "--quiet", *extra] + (["--force"] if force else [])
    wall, peak, _ = measure(command)
    return wall, peak


def _add_one(corpus: Path, label: str) -> None:
    """A report no run has seen: the first one with a note line of its own."""
    first = sorted(p for p in corpus.iterdir() if not p.name.startswith("added"))[0]
    (corpus / f"added-{label}_{first.name}").write_bytes(
        first.read_bytes() + f"※追加 {label}\n".encode(_encoding(first.name)))


def _encoding(name: str) -> str:
    return "cp932" if "_sjis" in name else "euc_jp" if "_euc" in name else "utf-8"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} (range {min(values):.2f}-{max(values):.2f})"


def _adding_one(folder: Path, out: Path, label: str, partition: tuple[str, ...]
                ) -> tuple[float, float]:
    """(adding one report, nothing changed), each over a full run's time, `--jobs 1`."""
    wall, _ = _run(folder, out, 1, extra=partition)
    _add_one(folder, label)
    added = _run(folder, out, 1, force=False, extra=partition)[0] / wall
    _run(folder, out, 1, force=False, extra=partition)  # every report reused: recorded
    same = _run(folder, out, 1, force=False, extra=partition)[0] / wall
    shutil.rmtree(out)
    return added, same


def main(sizes: list[int], at: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temporary:
        root = Path(temporary)
        corpora = {size: root / f"reports{size}" for size in sorted({*sizes, at})}
        for size, folder in corpora.items():
            make_corpus(size, folder)
        peaks: dict[tuple[int, int], list[float]] = {}
        walls: dict[int, list[float]] = {1: [], 2: []}
        added: dict[str, list[float]] = {"single files": [], "partitioned by fiscal year": []}
        same: list[float] = []
        for round_ in range(rounds):
            for size in sizes:
                # the two --jobs runs back to back, in turn first: a machine whose speed
                # drifts over minutes (a shared host) then moves both alike
                for jobs in (1, 2) if round_ % 2 == 0 else (2, 1):
                    out = root / f"out{size}-{jobs}"
                    wall, peak = _run(corpora[size], out, jobs)
                    peaks.setdefault((size, jobs), []).append(peak)
                    if size == at:
                        walls[jobs].append(wall)
                    shutil.rmtree(out)
            for kind, partition in zip(added, ((), ("--partition-by", "fiscal_year")),
                                       strict=True):
                ratio, unchanged = _adding_one(corpora[at], root / "out-add",
                                               f"{round_}{len(partition)}", partition)
                added[kind].append(ratio)
                if not partition:
                    same.append(unchanged)
    _report(sizes, at, rounds, peaks, walls, added, same)


def _report(sizes: list[int], at: int, rounds: int, peaks: dict[tuple[int, int], list[float]],
            walls: dict[int, list[float]], added: dict[str, list[float]],
            same: list[float]) -> None:
    print(f"pipeline run, {', '.join(map(str, sizes))} reports (benchmarks/corpus.py), "
          f"{rounds} round(s)")
    for small, large in itertools.pairwise(sizes):
        target = 1.2 ** math.log(large / small, 4)
        for jobs in (1, 2):
            ratios = [b / a for a, b in zip(peaks[small, jobs], peaks[large, jobs], strict=True)]
            print(f"flat memory, --jobs {jobs}: peak RSS of the largest process "
                  f"{statistics.median(peaks[small, jobs]):.0f} MiB at {small}, "
                  f"{statistics.median(peaks[large, jobs]):.0f} MiB at {large}; ratio "
                  f"{_spread(ratios)}, target <= {target:.2f}: "
                  f"{_verdict(statistics.median(ratios) <= target)}")
    for kind, ratios in added.items():
        print(f"adding one report to {at} ({kind}): run time over a full run's "
              f"{_spread(ratios)}, target <= 0.10: {_verdict(statistics.median(ratios) <= 0.10)}")
    print(f"nothing changed, {at + 1} reports (after a run that reused every report): run "
          f"time over a full run's {_spread(same)}")
    if walls[1] and walls[2]:
        speedups = [a / b for a, b in zip(walls[1], walls[2], strict=True)]
        print(f"every core used, {at} reports: --jobs 1 {statistics.median(walls[1]):.1f} s, "
              f"--jobs 2 {statistics.median(walls[2]):.1f} s; throughput ratio "
              f"{_spread(speedups)}, target >= 1.7: "
              f"{_verdict(statistics.median(speedups) >= 1.7)}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    options = {"--rounds": 1, "--at": 0}
    for flag in options:
        if flag in arguments:
            place = arguments.index(flag)
            options[flag] = int(arguments[place + 1])
            del arguments[place:place + 2]
    chosen = sorted(int(a) for a in arguments) or [2000, 8000]
    # the incremental and --jobs targets are set at 8,000: by default the largest size,
    # or 8,000 when the list goes on to 32,000
    default_at = 8000 if 8000 in chosen else chosen[-1]
    main(chosen, options["--at"] or default_at, options["--rounds"])
