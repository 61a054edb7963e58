"""Benchmark a re-run that reuses every report from the cache.

    python benchmarks/bench_reuse.py [N] [--rounds R]   (default: 2000 reports, 5 rounds)

Generates N reports (benchmarks/corpus.py), runs `pipeline run --jobs 1` once to fill the
cache, then times R re-runs (each a child process, every report reused) and prints the
median and range of their wall times.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402


def _run(folder: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out),
                    "--jobs", "1", "--quiet"], check=True)
    return time.perf_counter() - start


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv and not argv[0].startswith("-") else 2000
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    with tempfile.TemporaryDirectory() as temporary:
        folder, out = Path(temporary) / "reports", Path(temporary) / "out"
        make_corpus(count, folder)
        first = _run(folder, out)
        times = [_run(folder, out) for _ in range(rounds)]
    print(f"{count} reports: first run {first:.2f} s; re-run (all reused) median "
          f"{statistics.median(times):.2f} s, range {min(times):.2f}-{max(times):.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
