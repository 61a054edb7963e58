"""Read stage: bytes of any supported report form -> a SourceDocument of raw rows.

The format is decided from the content first and the file extension second; every
reader returns the same RawRow shape so that the later stages never know the format.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable
from dataclasses import replace

from pipeline.headers import is_header
from pipeline.model import Issue, RawRow, SourceDocument
from pipeline.roles import Vocabulary
from pipeline.sources.csvfile import csv_to_rows
from pipeline.sources.decode import Decoded, DecodeError, decode
from pipeline.sources.errors import ReadError as ReadError  # re-exported: readers' callers
from pipeline.sources.text import split_lines, text_to_rows

_EXTENSIONS = {".txt": "text", ".tsv": "text", ".csv": "csv", ".htm": "html", ".html": "html",
               ".xlsx": "xlsx"}  # not .xls: HTML is often served as .xls; OLE2_MAGIC decides
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files: .xls among them
# Only a page that opens as a whole document is surely HTML; a <table> or <p> may just as
# well sit in a cell or wrap a title line of a tab-separated report. An XML declaration
# (XHTML), comments (a browser's `<!-- saved from url=... -->`) and any doctype may come
# before the first tag.
_HTML_DOCUMENT = re.compile(r"\A\s*(?:(?:<\?xml[^>]*>|<!--.*?-->|<!doctype[^>]*>)\s*)*"
                            r"(?:<!doctype html|<html|<head|<body)", re.I | re.S)
_HTML_HINT = re.compile(r"\A\s*(?:<table|<h\d|<p[\s>])|<table[\s>]", re.I)
SNIFF_LINES = 40
# Excel 2003's XML spreadsheet (often saved as .xls): a Workbook root in this namespace.
_SPREADSHEET_XML = re.compile(
    r"<(?:\w+:)?Workbook\b[^>]*=\s*[\"']urn:schemas-microsoft-com:office:spreadsheet[\"']")


def _plain_format(lines: list[str]) -> str | None:
    """text or csv when these (non-blank) lines say so, else None."""
    if any("\t" in line.strip() for line in lines):  # indentation is no cell break
        return "text"
    if any(line.count(",") >= 2 or line.startswith('"') for line in lines):
        return "csv"
    return None


def _head_lines(text: str) -> list[str]:
    return [line for line in text[:4096].splitlines()[:SNIFF_LINES] if line.strip()]


def detect_format(data: bytes, text: str | None, name: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        return "xls"
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    by_extension = _EXTENSIONS.get(suffix, "text")
    if text is not None:
        if _HTML_DOCUMENT.match(text[:4096]):
            return "html"
        lines = _head_lines(text)
        tabbed = sum(1 for line in lines if "\t" in line.strip())
        if lines and 2 * tabbed >= len(lines):
            return "text"  # mostly tab-separated lines, whatever markup the cells hold
        if _HTML_HINT.search(text[:4096]):
            return "html"
        # Commas in a page's head (<meta name="keywords" content="a,b,c">) look like CSV:
        # a page's own extension goes first. Should it hold no report table, read_document
        # still tries the plain readers.
        if by_extension == "html":
            return "html"
        plain = _plain_format(lines)
        if plain is not None:
            return plain
    return by_extension


def _has_header(rows: list[RawRow], vocabulary: Vocabulary | None) -> bool:
    # Header cells are short; skipping long rows spares NFKC on a 5 MB line.
    return any(is_header(row.cells, vocabulary) for row in rows
               if sum(map(len, row.cells)) < 1000)


def read_document(data: bytes, name: str, vocabulary: Vocabulary | None = None
                  ) -> SourceDocument:
    """Decode and split one input. Raises ReadError when nothing at all can be read.
    `vocabulary` names the header words that make a table (None: the built-in one)."""
    sha = hashlib.sha256(data).hexdigest()
    issues: list[Issue] = []
    # Each reader is imported (lazy) when a file of its kind is read, only for speed:
    # openpyxl, xlrd, pdfplumber and lxml load only for a run that has such a file.
    if data.startswith(b"PK\x03\x04"):
        from pipeline.sources.xlsx import xlsx_to_document  # lazy (speed)

        return xlsx_to_document(data, name, sha, vocabulary)
    if data.startswith(OLE2_MAGIC):  # Excel 97-2003 (.xls)
        from pipeline.sources.xls import xls_to_document  # lazy (speed)

        return xls_to_document(data, name, sha, vocabulary)
    if data[:1024].lstrip().startswith(b"%PDF-"):  # readers skip junk before the header too
        from pipeline.sources.pdf import pdf_to_document  # lazy (speed)

        return pdf_to_document(data, name, sha, vocabulary)
    try:
        decoded = decode(data)
    except DecodeError as error:
        raise ReadError("file-unreadable", str(error)) from None
    head = decoded.text[:4096]
    if "office:spreadsheet" in head and _SPREADSHEET_XML.search(head):  # the regex is rarer
        raise ReadError("file-unreadable", "the file is an Excel 2003 XML spreadsheet, which "
                        "is not read: save it as .xlsx")
    issues.extend(decoding_issues(decoded, name))
    fmt = detect_format(data, decoded.text, name)
    if fmt == "html":
        from pipeline.sources.html import html_to_document, row_extent  # lazy (speed)

        try:
            document = html_to_document(decoded.text, name, sha, len(data), decoded.encoding,
                                        issues, vocabulary)
        except ReadError as error:
            # Markup in a tab-separated or CSV file can pass for a page: try those readers.
            fallback = _plain_format(_head_lines(decoded.text)) or "text"
            if error.code != "no-table" or not _has_header(_plain_rows(decoded.text, fallback),
                                                         vocabulary):
                raise
            fmt = fallback
        else:
            rows = mark_undecodable(list(document.rows), decoded, row_extent)
            return replace(document, rows=tuple(rows), line_count=len(rows))
    rows = mark_undecodable(_plain_rows(decoded.text, fmt), decoded, lambda row: row.line_span)
    line_count = sum(row.line_span for row in rows)
    return SourceDocument(name=name, format=fmt, encoding=decoded.encoding, sha256=sha,
                          size=len(data), line_count=line_count, line_based=True,
                          rows=tuple(rows), issues=tuple(issues))


def _plain_rows(text: str, fmt: str) -> list[RawRow]:
    return csv_to_rows(text) if fmt == "csv" else text_to_rows(text)


def decoding_issues(decoded: Decoded, name: str) -> list[Issue]:
    issues: list[Issue] = []
    if decoded.truncated:
        issues.append(Issue("file-truncated", f"{name}: the file ends in the middle of a "
                            "character; read up to the cut", "warning", name, 0))
    if decoded.control_chars:
        issues.append(Issue("control-chars", f"{name}: removed {decoded.control_chars} stray "
                            "control character(s)", "warning", name, 0))
    if decoded.bad_lines:
        issues.append(Issue("file-encoding", f"{name}: {len(decoded.bad_lines)} line(s) do not "
                            f"decode as {decoded.encoding}; they are rejected, the rest is "
                            "read", "warning", name, 0))
    return issues


def mark_undecodable(rows: list[RawRow], decoded: Decoded, extent: Callable[[RawRow], int]
                     ) -> list[RawRow]:
    """Rows covering an undecodable line get a `problem`, so that layout rejects them.

    `extent` says how many physical lines a row covers. A bad line that no row covers (in
    an HTML page's head, say) becomes a one-cell row of its own: never silently lost.
    """
    bad = decoded.bad_lines  # ascending
    if not bad:
        return rows
    covered: set[int] = set()
    marked: list[RawRow] = []
    for row in rows:
        first = bisect.bisect_left(bad, row.line)
        hit = bad[first : bisect.bisect_left(bad, row.line + max(extent(row), 1))]
        if hit:
            covered.update(hit)
            row = replace(row, problem=_encoding_problem(hit, decoded.encoding))
        marked.append(row)
    if len(covered) < len(bad):
        lines = split_lines(decoded.text)
        marked.extend(RawRow(line=n, cells=(lines[n - 1],), raw=lines[n - 1],
                             problem=_encoding_problem((n,), decoded.encoding))
                      for n in bad if n not in covered and n <= len(lines))
        marked.sort(key=lambda row: row.line)
    return marked


def _encoding_problem(lines: tuple[int, ...], encoding: str) -> str:
    if len(lines) == 1:
        return f"line {lines[0]} does not decode as {encoding}; bad bytes shown as U+FFFD"
    numbers = ", ".join(map(str, lines))
    return f"lines {numbers} do not decode as {encoding}; bad bytes shown as U+FFFD"
