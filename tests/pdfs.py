"""PDFs made by the tests themselves: the FY2012 report as an HTML page printed by
headless Chromium with Debian's Japanese fonts, in several table layouts.

Nothing here reads the PDFs: the page is built from raw/fy2012_sister_city_exchanges.txt
(title, period line, two tables; each bullet item on a line of its own, as a published
report shows it), and Chromium lays it out. What comes back is the reader's business.
"""

from __future__ import annotations

import html
import subprocess
from pathlib import Path

from tests.conftest import REPORT

CHROMIUM = Path("/usr/bin/chromium")
_UL = '<ul style="list-style-type: none">'

# One family per layout, so that at least two fonts (and their glyph-to-text maps) are read.
NOTO = "'Noto Sans CJK JP'"
VL = "'VL Gothic', 'VL PGothic'"
NOTO_SERIF = "'Noto Serif CJK JP'"


def report_tables() -> tuple[str, str, list[list[list[str]]]]:
    """(title, period line, tables): each table's rows as cells, the header row first."""
    lines = [line for line in REPORT.read_text(encoding="utf-8").splitlines() if line.strip()]
    title, period = lines[0].strip(), lines[1].strip()
    tables: list[list[list[str]]] = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.split("\t")]
        if cells[0].startswith("提携都市名"):
            tables.append([])
        tables[-1].append(cells + [""] * (3 - len(cells)))
    return title, period, tables


def _content_html(cell: str) -> str:
    """A content cell as a report prints it: one bullet item a line, prose as a paragraph."""
    if not cell.startswith(_UL):
        return html.escape(cell)
    items = [item.strip() for item in cell.removeprefix(_UL).split(" ・") if item.strip()]
    return "".join(f"<div>・{html.escape(item.removeprefix('・'))}</div>" for item in items)


def report_html(layout: str, font: str, spaced_header: bool = False,
                note: str | None = None) -> str:
    """The FY2012 report as one page (`spaced_header`: the label header and the period
    line letter-spaced, as 均等割付 leaves them). layout: `ruled` (every cell boxed), `plain` (no
    ruling lines at all: only the words' positions show the columns), `tight` (plain, and
    no space between rows beyond a cell's line spacing), `middle` (plain, cells in the
    middle of their rows and headers centred, as browsers set them), `columns` (ruled
    between the columns only: no line between the rows), `merged` (ruled, a
    bureau cell spanning the rows below it that leave it blank, as rowspan)."""
    title, period, tables = report_tables()
    border = {"ruled": "1px solid #000", "merged": "1px solid #000",
              "columns": "none; border-left: 1px solid #000; border-right: 1px solid #000"
              }.get(layout, "none")
    # middle: plain, with the browser's own defaults: cells set in the middle of their
    # rows (their lines interleave with the other columns'), headers centred.
    align = "middle" if layout == "middle" else "top"
    header_align = "center" if layout == "middle" else "left"
    padding = "0 6pt" if layout == "tight" else "5pt 6pt"  # tight: rows as close as lines
    style = f"""
      @page {{ size: A4; margin: 18mm 15mm; }}
      body {{ font-family: {font}; font-size: 10.5pt; line-height: 1.45; }}
      table {{ border-collapse: collapse; width: 100%; margin-bottom: 14mm; }}
      th, td {{ border: {border}; padding: {padding}; vertical-align: {align}; text-align: left; }}
      th {{ font-weight: normal; text-align: {header_align}; }}
      .spaced {{ letter-spacing: 0.8em; }}
      col.label {{ width: 28%; }} col.bureau {{ width: 22%; }}
    """
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style>"
             f"</head><body><h1 style='font-size:14pt'>{html.escape(title)}</h1>"
             f"<p{' class=spaced' if spaced_header else ''}>{html.escape(period)}</p>"]
    for table in tables:
        header, *rows = table
        head = "".join(f"<th{' class=spaced' if spaced_header and i == 0 else ''}>"
                       f"{html.escape(cell)}</th>" for i, cell in enumerate(header))
        body: list[str] = []
        spans = _bureau_spans(rows) if layout == "merged" else {}
        for index, (label, content, bureau) in enumerate(rows):
            cells = f"<td>{html.escape(label)}</td><td>{_content_html(content)}</td>"
            if layout != "merged":
                cells += f"<td>{html.escape(bureau)}</td>"
            elif index in spans:
                cells += f"<td rowspan='{spans[index]}'>{html.escape(bureau)}</td>"
            body.append(f"<tr>{cells}</tr>")
        parts.append("<table><colgroup><col class='label'><col><col class='bureau'></colgroup>"
                     f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    if note:
        parts.append(f"<p>{html.escape(note)}</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _bureau_spans(rows: list[list[str]]) -> dict[int, int]:
    """Row index -> rowspan of its bureau cell: a filled cell spans the blank ones below."""
    spans: dict[int, int] = {}
    current = 0
    for index, (_, _, bureau) in enumerate(rows):
        if bureau.strip() or index == 0:
            current = index
            spans[index] = 1
        else:
            spans[current] += 1
    return spans


def print_pdf(page: str, folder: Path, name: str = "report") -> Path:
    """Print an HTML page to PDF with headless Chromium (no header or footer lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    source, out = folder / f"{name}.html", folder / f"{name}.pdf"
    source.write_text(page, encoding="utf-8")
    # A hang guard only, generous: printing takes a few seconds.
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={folder / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", source.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return out
