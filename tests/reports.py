"""Reports built from the real FY2012 report's own content, for tests of many inputs."""

from __future__ import annotations

import csv
import io

from tests.conftest import REPORT


def fy2012_text() -> str:
    return REPORT.read_text(encoding="utf-8")


def report_for_year(year: int) -> str:
    """The FY2012 report moved to fiscal year `year` (平成 years only, 1990..2018)."""
    heisei = year - 1988
    text = fy2012_text().replace("平成25年", "\0NEXT\0").replace("平成24年", f"平成{heisei}年")
    return text.replace("\0NEXT\0", f"平成{heisei + 1}年")


def text_to_csv(text: str) -> str:
    """The same table as a spreadsheet saves it: one bullet a line, no HTML, title rows."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in text.splitlines():
        cells = line.split("\t")[1:] if line.startswith("\t") else line.split("\t")
        cells = [cell.replace('<ul style="list-style-type: none">', "").strip() for cell in cells]
        cells = [cell.replace(" ・", "\n・").lstrip("\n") for cell in cells]
        writer.writerow(cells)
    return buffer.getvalue()
