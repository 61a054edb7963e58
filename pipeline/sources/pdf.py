"""PDF reports with a text layer (Word, Excel, a browser's print to PDF), read with
pdfplumber page by page: each page's blocks (pdflayout.py) joined into one report.

- A table over several pages is one table (pdfrows.py): a header repeated at the top of a
  page, right after a page that ended inside the table, is not a row; a row at the top of a
  page whose partner cell is empty continues the row the page break cut, and is joined.
- A row's line (source_line everywhere) is page × PAGE_LINES + the row's order on its page
  (2003: the third row or text line of page 2, counted from the top, skipped ones
  included), and its `raw` starts with the page: `[p.2] label<TAB>content<TAB>bureau`
  (`[p.1-2]` for a row the page break cut).
- Characters the fonts changed are mapped back (pdfchars.py), counted in the manifest;
  one that cannot be is kept and warned about.
- A PDF with no text at all (a scan), an encrypted or damaged one, and one past the size
  or page budget is refused with a message; a damaged page costs only itself.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sys
from collections.abc import Iterator
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from pipeline.headers import header_columns, unrecognised_header
from pipeline.model import Issue, SourceDocument
from pipeline.roles import Vocabulary
from pipeline.sources.errors import ReadError
from pipeline.sources.pdfchars import Char, map_characters
from pipeline.sources.pdflayout import (
    Block,
    Box,
    Columns,
    RuledTable,
    ruled_to_blocks,
    text_to_blocks,
)
from pipeline.sources.pdfrows import PAGE_LINES, Reading, add_blocks

MAX_BYTES = 100 * 1024 * 1024  # a report is a few megabytes; more is no report
MAX_PAGES = 1000
MAX_PAGE_CHARS = 200_000  # a dense A4 page holds ~5,000 characters
# A page without characters but with more drawn shapes than a blank page's frame and rules
# may be text turned into outlines: warned, not passed over.
MAX_BARE_DRAWINGS = 20
PROGRESS_PAGES = 20  # a progress bar for PDFs of this many pages and more (on a terminal)
SCANNED = ("scanned PDF, no text layer: run OCR first (e.g. ocrmypdf) or ask the publisher "
           "for the text")
def pdf_to_document(data: bytes, name: str, sha256: str, vocabulary: Vocabulary | None = None
                    ) -> SourceDocument:
    """Read a PDF report. Raises ReadError when nothing can be read. `vocabulary` names the
    header words that make a table (None: the built-in one)."""
    if len(data) > MAX_BYTES:
        raise ReadError("file-unreadable", f"the PDF has {len(data)} bytes, more than "
                        f"{MAX_BYTES}: no report is that large; split it or export its table")
    reading = Reading(name, vocabulary)
    encrypted = (PDFPasswordIncorrect, PDFEncryptionError)
    cut_short = not data.rstrip().endswith(b"%%EOF")
    with _pdfminer_log() as reading.log:
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
        except Exception as error:  # pdfminer raises many kinds on damaged files
            raise _open_error(error, encrypted, cut_short) from None
        try:
            try:
                pages = pdf.pages
            except Exception as error:
                raise _open_error(error, encrypted, cut_short) from None
            if len(pages) > MAX_PAGES:
                raise ReadError("file-unreadable", f"the PDF has {len(pages)} pages, more than "
                                f"{MAX_PAGES}: split it, or export the report's table")
            for number, page in _progress(pages, name):
                try:
                    _read_page(page, number, reading)
                except Exception as error:  # a damaged page costs only itself
                    reading.in_table, reading.columns = False, None
                    reading.issues.append(Issue(
                        "pdf-page-unreadable", f"{name}: page {number} cannot be read "
                        f"({_why(error)}); the other pages are read", "warning", name,
                        number * PAGE_LINES))
                finally:
                    with contextlib.suppress(Exception):
                        page.close()  # frees the page's parsed objects: flat memory
        finally:
            # Not `with pdf`: closing walks the page tree again, and a broken tree would
            # raise there, over the ReadError that names the damage.
            with contextlib.suppress(Exception):
                pdf.close()
    if not reading.text_pages:
        if reading.image_pages:
            raise ReadError("pdf-scanned", SCANNED)
        failed = [i.message for i in reading.issues if i.code == "pdf-page-unreadable"]
        if failed:
            raise ReadError("pdf-damaged", f"damaged PDF: {len(failed)} of its {len(pages)} "
                            f"page(s) cannot be read, and no other holds text (first: "
                            f"{failed[0].removeprefix(name + ': ')}); download it again, or "
                            "open and re-save it")
        raise ReadError("no-table", "the PDF has no text on any page")
    if cut_short:
        reading.issues.append(Issue("file-truncated", f"{name}: the PDF does not end with "
                                    "%%EOF: it may be cut short, and pages or rows may be "
                                    "missing; download it again", "warning", name, 0))
    if 2 * reading.cid_chars > reading.chars:
        raise ReadError("pdf-no-text", f"{reading.cid_chars} of the PDF's {reading.chars} "
                        "characters come with no text, only glyph numbers ((cid:N)): its "
                        "fonts do not say which characters they draw; run OCR first (e.g. "
                        "ocrmypdf) or ask the publisher for the text")
    if not any(header_columns(row.cells, vocabulary) for row in reading.rows):
        if reading.header_lines:
            # The header's words are there, but its row grew into the rows below: nothing
            # (no ruling line, no gap) tells the header and the rows apart.
            raise ReadError("no-table", "the PDF has a header naming 提携都市 and 内容, but "
                            "no ruling lines nor space between its rows tell them apart; "
                            "export the table to .xlsx or CSV")
        raise ReadError("no-table", "no table in the PDF has a header row: " + unrecognised_header(
            [row.cells for row in reading.rows[:50]], vocabulary))
    details: dict[str, Any] = {"pages": len(pages),
                               "characters_mapped": dict(sorted(reading.mapped.items())),
                               "page_numbers_skipped": reading.page_numbers,
                               "running_lines_skipped": reading.running_lines}
    return SourceDocument(name=name, format="pdf", encoding=None, sha256=sha256,
                          size=len(data), line_count=len(reading.rows), line_based=False,
                          rows=tuple(reading.rows), issues=tuple(reading.issues),
                          details=tuple(details.items()))


def _open_error(error: BaseException, encrypted: tuple[type[Exception], ...], cut_short: bool
                ) -> Exception:
    """The ReadError for a PDF that cannot be opened. pdfplumber wraps what pdfminer
    raised (PdfminerException(error)): the cause tells an encrypted file from a damaged one."""
    cause: BaseException = error
    for _ in range(5):  # a bounded walk: a cycle of causes must not hang the reader
        if isinstance(cause, encrypted):
            return ReadError("pdf-encrypted", "encrypted PDF, which cannot be opened without "
                             "its password: ask the publisher for an unprotected copy")
        inner = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        found = inner or cause.__cause__ or cause.__context__
        if found is None:
            break
        cause = found
    if not cut_short:
        return ReadError("pdf-damaged", f"damaged PDF that cannot be opened ({_why(cause)}): "
                         "download it again, or open and re-save it")
    return ReadError("pdf-truncated", f"truncated PDF: the file is cut short (no %%EOF at its "
                     f"end) and cannot be opened ({_why(cause)}): download it again")


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
MAX_REASON = 200


def _short(text: str) -> str:
    """pdfminer's own words, shortened: they may quote a whole damaged dictionary, and
    name Python objects with their memory address, which would differ from run to run."""
    text = " ".join(_ADDRESS.sub("", text).split())
    return text[: MAX_REASON - 1] + "…" if len(text) > MAX_REASON else text


def _why(error: BaseException) -> str:
    text = _short(str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# What pdfminer logs and works around without losing text (a font without a bounding box,
# as Chromium writes them): not worth a warning.
_HARMLESS_LOG = ("Could not get FontBBox",)


@contextlib.contextmanager
def _pdfminer_log() -> Iterator[list[str]]:
    """pdfminer's warnings (such as `Data-loss while decompressing corrupted data`, when it
    reads on past damage) collected instead of printed: the reader turns them into Issues
    naming the page. The logger is restored afterwards."""
    logger = logging.getLogger("pdfminer")
    collect = _Collect()
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.addHandler(collect)
    try:
        yield collect.messages
    finally:
        logger.removeHandler(collect)
        logger.setLevel(level)
        logger.propagate = propagate


def _progress(pages: list[Any], name: str) -> Iterator[tuple[int, Any]]:
    numbered = enumerate(pages, start=1)
    if len(pages) < PROGRESS_PAGES:
        yield from numbered
        return
    from tqdm import tqdm  # lazy, for speed: only a long PDF shows a bar

    # disable=None: only on a terminal, so logs and tests get no bar.
    yield from tqdm(numbered, total=len(pages), unit="page", desc=name, file=sys.stderr,
                    delay=1.0, leave=False, disable=None)


def _page_chars(page: Any, number: int, reading: Reading) -> list[Char]:
    name = reading.name
    raw = page.chars
    if len(raw) > MAX_PAGE_CHARS:
        raise ValueError(f"{len(raw)} characters, more than {MAX_PAGE_CHARS}")
    upright = [c for c in raw if c.get("upright", True)]
    if len(upright) < len(raw):
        reading.issues.append(Issue(
            "pdf-vertical-text", f"{name}: page {number}: {len(raw) - len(upright)} "
            "character(s) set vertically or rotated are not read", "warning", name,
            number * PAGE_LINES))
    chars = [Char(str(c["text"]), float(c["x0"]), float(c["x1"]), float(c["top"]),
                  float(c["bottom"])) for c in upright]
    reading.chars += len(chars)
    reading.cid_chars += sum(1 for c in chars if c.text.startswith("(cid:"))
    return map_characters(chars, reading.mapped)


def _ruled_tables(page: Any) -> list[RuledTable]:
    tables: list[RuledTable] = []
    # A row the page break cuts has no ruling line at the cut: its cell walls run to the
    # bottom of the page (or start at its top) with nothing across. A line across at the
    # walls' far ends closes such a row, so that its cells are cells.
    walls = [e for e in page.edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 5]
    ends = sorted({round(min(e["top"] for e in walls), 1),
                   round(max(e["bottom"] for e in walls), 1)}) if walls else []
    for table in page.find_tables({"explicit_horizontal_lines": ends}):
        rows = tuple(tuple(None if box is None else _box(box) for box in row.cells)
                     for row in table.rows)
        # A frame around the page or a boxed title is one column: no table.
        if max((len(row) for row in rows), default=0) >= 2:
            tables.append(RuledTable(_box(table.bbox), rows))
    return tables


def _box(box: Any) -> Box:
    x0, top, x1, bottom = box
    return float(x0), float(top), float(x1), float(bottom)


def page_blocks(chars: list[Char], tables: list[RuledTable], carry: Columns | None,
                vocabulary: Vocabulary | None = None) -> tuple[list[Block], Columns | None]:
    """A page's blocks top to bottom, and the table by word positions it ends in."""
    blocks: list[Block] = []
    loose = list(chars)
    for table in tables:
        x0, top, x1, bottom = table.bbox
        inside = [c for c in loose if x0 <= (c.x0 + c.x1) / 2 <= x1
                  and top <= (c.top + c.bottom) / 2 <= bottom]
        taken = set(map(id, inside))
        loose = [c for c in loose if id(c) not in taken]
        blocks.extend(ruled_to_blocks(inside, table, vocabulary))
    if tables:
        carry = None  # a ruled table continues as a ruled table, not by word positions
    text_blocks, ends_in = text_to_blocks(loose, carry, vocabulary)
    blocks.extend(text_blocks)
    blocks.sort(key=lambda block: block.top)
    if tables and blocks and blocks[-1].table:
        ends_in = None
    return blocks, ends_in


def _read_page(page: Any, number: int, reading: Reading) -> None:
    reading.log.clear()
    try:
        _read_page_content(page, number, reading)
    finally:
        damage = sorted({m for m in reading.log if not m.startswith(_HARMLESS_LOG)})
        if damage:
            reading.issues.append(Issue(
                "pdf-page-damaged", f"{reading.name}: page {number}: pdfminer read on past "
                f"damage ({_short('; '.join(damage))}); text on it may be missing",
                "warning", reading.name, number * PAGE_LINES))


def _read_page_content(page: Any, number: int, reading: Reading) -> None:
    chars = _page_chars(page, number, reading)
    if any(c.text.strip() for c in chars):
        reading.text_pages += 1
    elif page.images:
        # Every such page is named: a PDF all of whose pages are images is refused as a
        # scan instead, and these warnings go with the refusal.
        reading.image_pages += 1
        reading.issues.append(Issue(
            "pdf-page-scanned", f"{reading.name}: page {number} is an image with no text "
            "layer; it is not read (run OCR on it, e.g. ocrmypdf)", "warning", reading.name,
            number * PAGE_LINES))
        return
    else:
        # A blank page, text turned into outlines (drawings, not characters), or a content
        # stream pdfminer could not read: said, never passed over.
        drawn = len(page.curves) + len(page.lines) + len(page.rects) > MAX_BARE_DRAWINGS
        reading.issues.append(Issue(
            "pdf-page-no-text", f"{reading.name}: page {number} holds no text"
            + (" but drawings (text turned into outlines?)" if drawn else
               ": a blank page, or one whose contents could not be read")
            + "; nothing on it is read", "warning", reading.name, number * PAGE_LINES))
        return
    tables = _ruled_tables(page) if chars else []
    blocks, reading.columns = page_blocks(chars, tables, reading.columns, reading.vocabulary)
    add_blocks(blocks, number, reading)
