"""CSV saved from a spreadsheet: quoted cells may hold line breaks (one bullet per line)."""

from __future__ import annotations

import csv
import io

from pipeline.model import RawRow

csv.field_size_limit(1 << 30)  # one 5 MB cell is damage to report, not a reason to stop


def csv_to_rows(text: str) -> list[RawRow]:
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows: list[RawRow] = []
    consumed = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # A malformed record: keep its lines as a one-cell row so layout rejects it.
            cells = ["\ufffd"]
        first, consumed = consumed + 1, reader.line_num
        raw = "".join(physical[first - 1 : consumed]).rstrip("\r\n")
        rows.append(RawRow(line=first, cells=tuple(cells), raw=raw, line_span=consumed - first + 1))
    return rows
