"""Benchmark a re-run that reuses every report from the cache.

    python benchmarks/bench_reuse.py [N] [--rounds R] [--baseline DIR]

Generates N reports (default 2000; benchmarks/corpus.py), runs `pipeline run --jobs 1` once
to fill the cache, then times R re-runs (default 5; each a child process, every report
reused) and prints the median and range of their wall time and of their CPU time (user +
system, less disturbed than wall time on a shared machine). With --baseline DIR (a folder
holding another version's `pipeline` package, e.g. made with
`git archive a7e86b4 pipeline | tar -x -C DIR`) the two versions' re-runs alternate, each
in its own output folder, and the per-round CPU ratios are printed too.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402


def _run(folder: Path, out: Path, baseline: str | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one `pipeline run` in a child process."""
    env = dict(os.environ)
    if baseline:  # the baseline package first on the path; run from elsewhere than here
        env["PYTHONPATH"] = baseline
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out),
                    "--jobs", "1", "--quiet"], check=True, env=env,
                   cwd=baseline or None)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _describe(label: str, times: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in times], [c for _, c in times]
    return (f"{label}: wall median {statistics.median(walls):.2f} s "
            f"({min(walls):.2f}-{max(walls):.2f}), CPU median {statistics.median(cpus):.2f} s "
            f"({min(cpus):.2f}-{max(cpus):.2f})")


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv and not argv[0].startswith("-") else 2000
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    baseline = argv[argv.index("--baseline") + 1] if "--baseline" in argv else None
    if baseline:
        baseline = str(Path(baseline).resolve())
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "reports"
        make_corpus(count, folder)
        this, other = Path(temporary) / "out", Path(temporary) / "out-baseline"
        _run(folder, this, None)
        if baseline:
            _run(folder, other, baseline)
        mine: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for _ in range(rounds):
            if baseline:
                theirs.append(_run(folder, other, baseline))
            mine.append(_run(folder, this, None))
    print(f"{count} reports, re-run with every report reused, {rounds} rounds")
    print(_describe("this version", mine))
    if baseline:
        print(_describe("baseline", theirs))
        ratios = sorted(m[1] / t[1] for m, t in zip(mine, theirs, strict=True))
        print("CPU ratio this/baseline per round: " + ", ".join(f"{r:.2f}" for r in ratios))


if __name__ == "__main__":
    main(sys.argv[1:])
