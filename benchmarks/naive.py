"""The script a user would write by hand, as the performance issue describes it.

Read each file, split on tabs, flatten each cell with BeautifulSoup, split bullets on
・, one regex for the date, pandas to CSV and Parquet. It reads only UTF-8 and only the
forms it was written for; it is the yardstick, not a reference for correctness.

    python benchmarks/naive.py FOLDER OUT
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup

DATE = re.compile(r"平成(\d+)年(\d+)(?:～(\d+))?月")


def main(folder: Path, out: Path) -> int:
    rows = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            cells = line.split("\t")
            if len(cells) < 2 or "提携都市名" in cells[0]:
                continue
            content = BeautifulSoup(cells[1], "lxml").get_text()
            for item in content.split("・"):
                item = item.strip()
                if not item:
                    continue
                match = DATE.search(item)
                year = 1988 + int(match.group(1)) if match else None
                rows.append({"file": path.name, "line": number, "partner": cells[0],
                             "text": item, "year": year,
                             "month": int(match.group(2)) if match else None})
    frame = pd.DataFrame(rows)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "events.csv", index=False)
    frame.to_parquet(out / "events.parquet")
    return len(frame)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]), Path(sys.argv[2])), "rows")
