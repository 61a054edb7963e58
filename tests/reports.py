"""Reports built from the real FY2012 report's own content, for tests of many inputs."""

from __future__ import annotations

import csv
import html
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


# --- One invented table rendered in every format the pipeline reads -----------------------
FORMATS = ("text", "csv", "html", "xlsx", "xls")
SUFFIX = {"text": ".txt", "csv": ".csv", "html": ".html", "xlsx": ".xlsx", "xls": ".xls"}


def _merge_runs(rows: list[list[str]], merged: set[tuple[int, int]]
                ) -> dict[tuple[int, int], int]:
    """(row, column) of each merge's top cell -> rows it spans. `merged` holds the cells
    (indexes into `rows`, header included) that repeat the cell above them."""
    runs: dict[tuple[int, int], int] = {}
    for r, c in sorted(merged):
        top = r
        while (top, c) in merged:
            top -= 1
        runs[(top, c)] = max(runs.get((top, c), 1), r - top + 1)
    return runs


def render_table(rows: list[list[str]], fmt: str, *, merged: set[tuple[int, int]] = frozenset(),
                 preamble: tuple[str, ...] = ("令和5年度 交流事業", "令和5年度実績")) -> bytes:
    """A report of one table (rows[0] its header) as `fmt` writes it. Cells in `merged`
    hold the value of the cell above: blank in text and CSV (as a merged cell is exported),
    a rowspan in HTML, a merged range in a workbook. Lines in a cell: a line break in CSV
    and workbooks, <br> in text and HTML."""
    shown = [[("" if (r, c) in merged else cell) for c, cell in enumerate(row)]
             for r, row in enumerate(rows)]
    if fmt == "text":
        lines = [*preamble, "", *("\t".join(cell.replace("\n", "<br>") for cell in row)
                                  for row in shown)]
        return ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        width = len(rows[0])
        for line in preamble:
            writer.writerow([line] + [""] * (width - 1))
        writer.writerows(shown)
        return buffer.getvalue().encode("utf-8")
    if fmt == "html":
        return _html(rows, merged, preamble).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(rows, merged, preamble)
    if fmt == "xls":
        return _xls(rows, merged, preamble)
    raise ValueError(fmt)


def _html(rows: list[list[str]], merged: set[tuple[int, int]], preamble: tuple[str, ...]) -> str:
    runs = _merge_runs(rows, merged)
    out = ["<!DOCTYPE html><html><body>", *(f"<p>{html.escape(line)}</p>" for line in preamble),
           "<table>"]
    for r, row in enumerate(rows):
        tag = "th" if r == 0 else "td"
        cells = []
        for c, cell in enumerate(row):
            if (r, c) in merged:
                continue
            span = f' rowspan="{runs[(r, c)]}"' if (r, c) in runs else ""
            text = "<br>".join(html.escape(line) for line in cell.split("\n"))
            cells.append(f"<{tag}{span}>{text}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out)


def _xlsx(rows: list[list[str]], merged: set[tuple[int, int]], preamble: tuple[str, ...]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    offset = len(preamble) + 1  # the preamble lines, a blank row, then the table
    for r, line in enumerate(preamble, start=1):
        sheet.cell(row=r, column=1, value=line)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if (r, c) not in merged and cell:
                sheet.cell(row=offset + r + 1, column=c + 1, value=cell)
    for (r, c), span in _merge_runs(rows, merged).items():
        sheet.merge_cells(start_row=offset + r + 1, start_column=c + 1,
                          end_row=offset + r + span, end_column=c + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xls(rows: list[list[str]], merged: set[tuple[int, int]], preamble: tuple[str, ...]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("表")
    offset = len(preamble) + 1
    for r, line in enumerate(preamble):
        sheet.write(r, 0, line)
    runs = _merge_runs(rows, merged)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if (r, c) in merged:
                continue
            if (r, c) in runs:
                sheet.write_merge(offset + r, offset + r + runs[(r, c)] - 1, c, c, cell)
            elif cell:
                sheet.write(offset + r, c, cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
