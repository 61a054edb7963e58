"""Benchmark: reading a PDF report, time per page and peak memory.

Run with `python benchmarks/bench_pdf.py [COPIES]` (default 40). Prints the FY2012 report's
first table with its rows repeated COPIES times, ruled, with headless Chromium and Noto Sans
CJK (tests/pdfs.py), then reads it with `extract_bytes` in a fresh child process — so
that the wall time and the peak RSS are the reading's own — three times, and reports the
best and the median seconds per page. The rows are checked too: COPIES × the table's rows.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import pdfs  # noqa: E402

CHILD = """
import json, resource, sys, time
from pathlib import Path
from pipeline.extract import extract_bytes
data = Path(sys.argv[1]).read_bytes()
start = time.perf_counter()
result = extract_bytes(data, "bench.pdf")
seconds = time.perf_counter() - start
pages = dict(result.document.details)["pages"]
print(json.dumps({"seconds": seconds, "pages": pages, "entries": len(result.entries),
                  "events": len(result.events), "rejects": sum(
                      1 for i in result.issues if i.severity == "reject"),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(copies: int) -> None:
    title, period, tables = pdfs.report_tables()
    header, *rows = tables[0]
    original = pdfs.report_tables
    pdfs.report_tables = lambda: (title, period, [[header, *rows * copies]])  # type: ignore[assignment]
    try:
        page = pdfs.report_html("ruled", pdfs.NOTO)
    finally:
        pdfs.report_tables = original  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        path = pdfs.print_pdf(page, Path(tmp))
        runs = [json.loads(subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                                          capture_output=True, text=True, cwd=ROOT).stdout)
                for _ in range(3)]
    first = runs[0]
    per_page = [r["seconds"] / r["pages"] for r in runs]
    print(f"{first['pages']} pages, "
          f"{first['entries']} entries (expected {copies * len(rows)}), {first['events']} "
          f"events, {first['rejects']} rejects")
    print(f"seconds per page: best {min(per_page):.3f}, median {statistics.median(per_page):.3f}"
          f"; whole file median {statistics.median(r['seconds'] for r in runs):.1f} s; peak RSS "
          f"{max(r['peak_mb'] for r in runs):.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
