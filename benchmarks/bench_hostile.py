"""Benchmark: what a hostile workbook costs to read — wall time and peak memory.

Run with `python benchmarks/bench_hostile.py [SHAPE ...]`. Builds each shape of the
review's findings (issue 17, finding 3) from the report's own workbook, then reads it
with `read_document` in a fresh child process, so that the time and peak RSS are the
read's own; prints one line per shape with the outcome (the error code or the rows
read). Shapes:

  quoted      merged range written ref = '$A$1:$XFD$1048576' (single quotes, $, spaces)
  outside     the same range in a sheet stored at data/hostile.xml, not xl/worksheets/
  four        four sheets, each with a merged range of 4,900,000 cells
  bomb        a ~200 KB file of plain cells that unpacks to 100 MB, no dimension element
  lying       a 2 GB member the ZIP directory gives as 1 KB (a ~2 MB file)
  honest      the same 2 GB member with its true size in the directory
  xls         a 37 KB .xls: 4,000 merged ranges D2:D65535 under a value at row 65536
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile_workbooks import (  # noqa: E402
    MERGE,
    in_sheet,
    lie_about_size,
    moved_sheet,
    sheets_with_merges,
)
from tests.test_sources import REPORT_PARTS, xlsx_variant  # noqa: E402

HOSTILE_MERGE = b"<mergeCell  ref = '$A$1:$XFD$1048576' />"
# The child reports its own peak RSS (VmHWM, which starts afresh at exec: the parent's
# memory, shared at fork, is not counted) and CPU seconds (the machine is shared, so
# wall time includes waiting for a core).
CHILD = """
import resource, sys
from pipeline.sources import ReadError, read_document
data = open(sys.argv[1], "rb").read()
try:
    outcome = f"{len(read_document(data, sys.argv[1]).rows)} rows read"
except ReadError as error:
    outcome = f"{error.code}: {error.message[:150]}"
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(int(peak.split()[1]) / 1024, usage.ru_utime + usage.ru_stime, outcome)
"""


def report(work: Path) -> bytes:
    return xlsx_variant(work)[1]


def quoted(work: Path) -> bytes:
    return in_sheet(report(work), MERGE, HOSTILE_MERGE)


def outside(work: Path) -> bytes:
    return moved_sheet(quoted(work), "data/hostile.xml")


def four(_: Path) -> bytes:
    return sheets_with_merges(4, 4_900_000)


def bomb(_: Path) -> bytes:
    """100 MB of <c><v>1</v></c> in rows of 1,000 cells, deflated at level 9."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append([cell.strip() for cell in REPORT_PARTS.header])
    buffer = io.BytesIO()
    book.save(buffer)
    row = b"<row>" + b"<c><v>1</v></c>" * 1_000 + b"</row>"
    body = row * (100_000_000 // len(row))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.namelist():
            content = source.read(member)
            if member == "xl/worksheets/sheet1.xml":
                start = content.index(b"<dimension")
                content = content[:start] + content[content.index(b"/>", start) + 2:]
                content = content.replace(b"</sheetData>", body + b"</sheetData>")
            target.writestr(member, content)
    return out.getvalue()


def _huge_member(work: Path) -> bytes:
    """The report workbook with 2,000,000,000 spaces streamed into a member of its own."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(report(work))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            target.writestr(member, source.read(member))
        with target.open("xl/media/huge.bin", "w") as huge:
            chunk = b" " * (1 << 20)
            for _ in range(2_000_000_000 // len(chunk)):
                huge.write(chunk)
            huge.write(b" " * (2_000_000_000 % len(chunk)))
    return out.getvalue()


def lying(work: Path) -> bytes:
    return lie_about_size(_huge_member(work), "xl/media/huge.bin", 1_000)


def honest(work: Path) -> bytes:
    return _huge_member(work)


def xls(_: Path) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("s")
    for column, value in enumerate(["提携都市名", "内容", "所管局"]):
        sheet.write(0, column, value)
    sheet.write(65535, 0, "x")
    sheet._Worksheet__merged_ranges.extend([(1, 65534, 3, 3)] * 4_000)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHAPES: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "quoted": (quoted, "xlsx"), "outside": (outside, "xlsx"), "four": (four, "xlsx"),
    "bomb": (bomb, "xlsx"), "lying": (lying, "xlsx"), "honest": (honest, "xlsx"),
    "xls": (xls, "xls"),
}


def measure(path: Path) -> tuple[float, float, float, str]:
    """Wall and CPU seconds, peak RSS in MB and the outcome of one read in a child."""
    start = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, check=True,
                            stdout=subprocess.PIPE, text=True).stdout.strip()
    peak, cpu, outcome = output.split(" ", 2)
    return time.perf_counter() - start, float(cpu), float(peak), outcome


def main(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name in names or list(SHAPES):
            build, suffix = SHAPES[name]
            data = build(work)
            path = work / f"{name}.{suffix}"
            path.write_bytes(data)
            del data
            seconds, cpu, peak, outcome = measure(path)
            print(f"{name:8} {path.stat().st_size / 1024:9.0f} KB  {seconds:6.2f} s "
                  f"(cpu {cpu:5.2f} s)  {peak:6.0f} MB  {outcome}", flush=True)
        empty = work / "empty.txt"
        empty.write_bytes(b"x")
        seconds, cpu, peak, _ = measure(empty)
        print(f"(a child that reads a 1-byte text file: {seconds:.2f} s, cpu {cpu:.2f} s, "
              f"{peak:.0f} MB)")


if __name__ == "__main__":
    main(sys.argv[1:])
