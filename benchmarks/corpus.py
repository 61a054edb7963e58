"""Generate N yearly reports derived from the real FY2012 report, for benchmarks.

Years move across 平成2–30 and 令和元–6, table rows are rotated, and a share of the
reports come as CSV (saved from a spreadsheet), Shift_JIS (CP932) or EUC-JP text, so
the benchmark exercises the same readers real collections do.

    python benchmarks/corpus.py N FOLDER
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "raw" / "fy2012_sister_city_exchanges.txt"


def era_year(year: int) -> str:
    """Calendar year -> the era form the report prints (平成24年, 令和元年)."""
    if year >= 2019:
        return "令和元年" if year == 2019 else f"令和{year - 2018}年"
    return f"平成{year - 1988}年"


def move_to_year(text: str, year: int) -> str:
    """Shift every date of the FY2012 report to fiscal year `year`."""
    text = text.replace("平成25年", "\0NEXT\0").replace("平成24年度", f"{era_year(year)[:-1]}年度")
    return text.replace("平成24年", era_year(year)).replace("\0NEXT\0", era_year(year + 1))


def rotate_rows(text: str, shift: int) -> str:
    """Rotate the rows of table 1 (not its first row, which holds the bureau cell)."""
    lines = text.split("\n")
    header = next(i for i, line in enumerate(lines) if "提携都市名" in line)
    end = next(i for i in range(header + 1, len(lines)) if not lines[i].strip())
    body = lines[header + 2 : end]
    if body:
        shift %= len(body)
        lines[header + 2 : end] = body[shift:] + body[:shift]
    return "\n".join(lines)


def to_csv(text: str) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in text.split("\n"):
        cells = line.split("\t")[1:] if line.startswith("\t") else line.split("\t")
        cells = [c.replace('<ul style="list-style-type: none">', "").strip() for c in cells]
        writer.writerow([c.replace(" ・", "\n・").lstrip("\n") for c in cells])
    return buffer.getvalue()


def make_corpus(count: int, folder: Path, seed: int = 2012) -> int:
    """Write `count` reports into `folder`; return the total bytes written."""
    rng = random.Random(seed)
    source = REPORT.read_text(encoding="utf-8")
    years = list(range(1990, 2019)) + list(range(2019, 2025))
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for index in range(count):
        year = years[index % len(years)]
        text = rotate_rows(move_to_year(source, year), rng.randrange(10))
        # A note line of its own makes every report's bytes unique: `pipeline run` reads
        # identical files once (input-duplicate), and most of the corpus would be copies.
        text = text.rstrip("\n") + f"\n※資料番号 {index:05d}\n"
        form = rng.random()
        if form < 0.70:
            name, payload = f"r{index:05d}_{year}.txt", text.encode("utf-8")
        elif form < 0.80:
            name, payload = f"r{index:05d}_{year}.csv", ("\ufeff" + to_csv(text)).encode("utf-8")
        elif form < 0.92:
            name, payload = f"r{index:05d}_{year}_sjis.txt", text.encode("cp932")
        else:
            # EUC-JP has the wave dash 〜 (U+301C) where CP932 has the full-width tilde ～
            name = f"r{index:05d}_{year}_euc.txt"
            payload = text.replace("～", "〜").encode("euc_jp")
        (folder / name).write_bytes(payload)
        total += len(payload)
    return total


if __name__ == "__main__":
    size = make_corpus(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{sys.argv[1]} reports, {size / 1e6:.1f} MB in {sys.argv[2]}")
