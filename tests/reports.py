"""What tests build and share: reports made from the real FY2012 report's own content (in
every format, for tests of many inputs), folders of reports, and the browser that renders
the pages. Test modules import these from here, never from one another."""

from __future__ import annotations

import csv
import html
import io
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from tests.conftest import REPORT, ROOT


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


# ---- folders of reports and runs -------------------------------------------------------

def build_folder(folder: Path, order: tuple[str, ...] = ("a", "b", "c", "d")) -> Path:
    """Four reports: FY2012 as is, FY2010 in a subfolder, FY2015 in Shift_JIS, FY2016 as CSV."""
    writers = {
        "a": lambda: (folder / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8"),
        "b": lambda: (folder / "older" / "h22.txt").write_text(report_for_year(2010),
                                                               encoding="utf-8"),
        "c": lambda: (folder / "sjis.txt").write_bytes(report_for_year(2015).encode("cp932")),
        "d": lambda: (folder / "2016.csv").write_bytes(
            ("\ufeff" + text_to_csv(report_for_year(2016))).encode("utf-8")),
    }
    (folder / "older").mkdir(parents=True, exist_ok=True)
    for key in order:
        writers[key]()
    return folder


def output_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)}


def run_quiet(*argv: str) -> int:
    return main(["run", *argv, "--quiet"])


def record_extractions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the inputs the runs that follow extract (rather than reuse), in the
    order they are extracted. Runs must extract in this process: `--jobs 1`."""
    from pipeline import per_report

    names: list[str] = []
    original = per_report.extract_bytes

    def recording(data: bytes, name: str, *rest: Any) -> Any:
        names.append(name)
        return original(data, name, *rest)

    monkeypatch.setattr(per_report, "extract_bytes", recording)
    return names


# ---- the report's parts, in every format -------------------------------------------------
# Each variant takes a folder and returns (file name, bytes).

REPORT_TEXT = REPORT.read_bytes().decode("utf-8")


@dataclass(frozen=True)
class Report:
    title: str
    period: str
    header: tuple[str, ...]
    tables: tuple[tuple[tuple[str, ...], ...], ...]  # rows of cells, per table


def parse_report(text: str) -> Report:
    """The report's parts, read by hand from its lines (tab-separated, blank-separated)."""
    singles: list[str] = []
    header: tuple[str, ...] = ()
    tables: list[list[tuple[str, ...]]] = []
    for line in text.splitlines():
        cells = tuple(line.split("\t"))
        if not line.strip():
            continue
        if len(cells) == 1:
            singles.append(line.strip())
        elif cells[0].startswith("提携都市名"):
            header = cells
            tables.append([])
        else:
            tables[-1].append(cells)
    title, period = singles
    return Report(title, period, header, tuple(tuple(t) for t in tables))


REPORT_PARTS = parse_report(REPORT_TEXT)
_UL = re.compile(r'^\s*<ul[^>]*>\s*')


def content_items(cell: str) -> list[str] | None:
    """A list cell's items without their bullets; None for a prose or no-activity cell."""
    if not cell.lstrip().startswith("<ul"):
        return None
    body = _UL.sub("", cell).strip()
    # A bullet starts an item only after whitespace: ニュー・サウス・ウェールズ州 stays whole.
    return [item.strip() for item in re.split(r"(?:^|\s)・", body) if item.strip()]


# ---------------------------------------------------------------------------------------
# Variants. Each takes the report and a folder and returns (file name, bytes).


def text_variant(transform: Callable[[str], bytes], name: str) -> Callable[[Path], tuple[str, bytes]]:
    def build(_: Path) -> tuple[str, bytes]:
        return name, transform(REPORT_TEXT)

    return build


def cp932_bytes(text: str) -> bytes:
    # The report writes its ranges with the full-width tilde U+FF5E, which CP932 has;
    # JIS Shift_JIS has only the wave dash U+301C, so strict shift_jis would fail here.
    assert "\u301c" not in text and "\uff5e" in text
    return text.encode("cp932")


def shift_jis_bytes(text: str) -> bytes:
    # As a JIS-strict tool writes it: the tilde becomes the wave dash, 0x8160 both ways.
    return text.replace("\uff5e", "\u301c").encode("shift_jis")


def euc_jp_bytes(text: str) -> bytes:
    # EUC-JP has no U+FF5E either; its 0xA1C1 is the wave dash.
    return text.replace("\uff5e", "\u301c").encode("euc_jp")


def csv_variant(_: Path) -> tuple[str, bytes]:
    """As a spreadsheet saves it: every cell quoted, one bullet a line, BOM, CRLF."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([REPORT_PARTS.title])
    writer.writerow([REPORT_PARTS.period])
    for number, table in enumerate(REPORT_PARTS.tables):
        if number:
            writer.writerow([])
        writer.writerow(REPORT_PARTS.header)
        for label, content, bureau in table:
            items = content_items(content)
            cell = "\n".join(f"・{item}" for item in items) if items else content.strip()
            writer.writerow([label, cell, bureau])
    return "fy2012_sister_city_exchanges.csv", b"\xef\xbb\xbf" + buffer.getvalue().encode()


def _rowspans(table: tuple[tuple[str, ...], ...]) -> list[int]:
    """Per row, how many rows its bureau cell covers (0 where a cell above covers it)."""
    spans = [0] * len(table)
    anchor = 0
    for index, (_, _, bureau) in enumerate(table):
        if bureau.strip() or index == 0:
            anchor = index
        spans[anchor] += 1
    return spans


def label_html(label: str) -> str:
    # A space in a label is written as &nbsp;, as page editors do.
    return html.escape(label.strip()).replace(" ", "&nbsp;")


def _content_html(content: str, as_br: bool, pretty: bool) -> str:
    items = content_items(content)
    if items is None:
        return html.escape(content.strip())
    escaped = [html.escape(item).replace(" (", "&nbsp;(") for item in items]
    if as_br:
        return "<br>".join(escaped)
    if pretty:  # one <li> a line, the date wrapped onto a line of its own
        return "\n    <ul>\n" + "".join(
            "      <li>{}</li>\n".format(item.replace("(平成", "\n        (平成"))
            for item in escaped) + "    </ul>\n  "
    return "<ul>" + "".join(f"<li>{item}</li>" for item in escaped) + "</ul>"


def html_page(one_table: bool = False, pretty: bool = False, title_in_table: bool = False
              ) -> str:
    header = "".join(f"<th>{html.escape(cell).replace(' (', '<br>(')}</th>"
                     for cell in REPORT_PARTS.header)
    out = ['<!DOCTYPE html>', '<html lang="ja">', '<head><meta charset="utf-8">',
           f"<title>{html.escape(REPORT_PARTS.title)}</title></head>", "<body>"]
    if not title_in_table:
        out += [f"<h1>{html.escape(REPORT_PARTS.title)}</h1>",
                f"<p>{html.escape(REPORT_PARTS.period)}</p>"]
    for number, table in enumerate(REPORT_PARTS.tables):
        if not (one_table and number):
            out.append('<table border="1">')
        if title_in_table and not number:
            out += [f'<tr><td colspan="3">{html.escape(REPORT_PARTS.title)}</td></tr>',
                    f'<tr><td colspan="3">{html.escape(REPORT_PARTS.period)}</td></tr>']
        out.append(f"<tr>{header}</tr>")
        for index, ((label, content, bureau), span) in enumerate(
                zip(table, _rowspans(table), strict=True)):
            as_br = (number, index) == (0, 1)
            cells = [f"<td>{label_html(label)}</td>",
                     f"<td>{_content_html(content, as_br, pretty)}</td>"]
            if span > 1:
                cells.append(f'<td rowspan="{span}">{html.escape(bureau.strip())}</td>')
            elif span == 1:
                cells.append(f"<td>{html.escape(bureau.strip())}</td>")
            out.append("<tr>\n  " + "\n  ".join(cells) + "\n</tr>")
        if not one_table or number == len(REPORT_PARTS.tables) - 1:
            out.append("</table>")
    out.append("</body></html>")
    # A linked item: markup inside <li>, and &amp; that must stay an entity in the HTML.
    first = "<li>知事本局職員のニューヨーク市主催サミット参加"
    link = ('<li><a href="https://www.metro.tokyo.lg.jp/?id=24&amp;lang=ja">'
            "知事本局職員のニューヨーク市主催サミット参加</a>")
    return "\n".join(out).replace(first, link, 1) + "\n"


def html_variant(encoding: str = "utf-8", **shape: bool) -> Callable[[Path], tuple[str, bytes]]:
    def build(_: Path) -> tuple[str, bytes]:
        page = html_page(**shape)
        if encoding != "utf-8":
            page = page.replace('charset="utf-8"', f'charset="{encoding}"')
        return "fy2012_sister_city_exchanges.html", page.encode(encoding)

    return build


def xlsx_variant(folder: Path) -> tuple[str, bytes]:
    """A workbook: title merged across A1:C1, bureau cells merged down, one bullet a line."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "平成24年度"
    sheet.append([REPORT_PARTS.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    sheet.append([REPORT_PARTS.period])
    for number, table in enumerate(REPORT_PARTS.tables):
        if number:
            sheet.append([])
        sheet.append([cell.strip() for cell in REPORT_PARTS.header])
        first = sheet.max_row + 1
        for index, ((label, content, bureau), span) in enumerate(
                zip(table, _rowspans(table), strict=True)):
            items = content_items(content)
            cell = "\n".join(f"・{item}" for item in items) if items else content.strip()
            sheet.append([label.strip(), cell, bureau.strip() or None])
            if span > 1:
                row = first + index
                sheet.merge_cells(start_row=row, start_column=3, end_row=row + span - 1,
                                  end_column=3)
    path = folder / "fy2012_sister_city_exchanges.xlsx"
    book.save(path)
    return path.name, path.read_bytes()


def xls_variant(folder: Path, stray: tuple[int, int] | None = None) -> tuple[str, bytes]:
    """The same workbook as xlsx_variant, saved as Excel 97-2003 (.xls) with xlwt; with
    `stray`, one more value "x" at that (row, column), 0-based."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("平成24年度")
    sheet.write_merge(0, 0, 0, 2, REPORT_PARTS.title)
    sheet.write(1, 0, REPORT_PARTS.period)
    row = 2
    for number, table in enumerate(REPORT_PARTS.tables):
        if number:
            row += 1  # a blank row between the tables
        for column, cell in enumerate(REPORT_PARTS.header):
            sheet.write(row, column, cell.strip())
        row += 1
        for (label, content, bureau), span in zip(table, _rowspans(table), strict=True):
            items = content_items(content)
            sheet.write(row, 0, label.strip())
            sheet.write(row, 1, "\n".join(f"・{item}" for item in items) if items
                        else content.strip())
            if span > 1:
                sheet.write_merge(row, row + span - 1, 2, 2, bureau.strip())
            elif span == 1:
                sheet.write(row, 2, bureau.strip())
            row += 1
    if stray is not None:
        sheet.write(*stray, "x")
    path = folder / "fy2012_sister_city_exchanges.xls"
    book.save(str(path))
    return path.name, path.read_bytes()


# ---- a real browser ----------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


def chromium(*args: str, profile: Path) -> str:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the audit page must be checked in a real browser. "
                    "Install it with: apt-get update && apt-get install -y chromium")
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=2000", *args],
        capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


# ---- a hang guard ------------------------------------------------------------------------

@contextmanager
def hang_guard(seconds: int = 120, doing: str = "running") -> Iterator[None]:
    """A hang guard, not a timing: fail instead of hanging the suite (SIGALRM). What runs
    under it takes well under a second; the limit is generous so a busy machine never
    trips it. Speed itself is measured in benchmarks/."""
    def hang(*_: object) -> None:
        raise AssertionError(f"still {doing} after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
