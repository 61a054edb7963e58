"""Read stage: bytes of any supported report form -> a SourceDocument of raw rows.

The format is decided from the content first and the file extension second; every
reader returns the same RawRow shape so that the later stages never know the format.
"""

from __future__ import annotations

import hashlib
import re

from pipeline.model import Issue, SourceDocument
from pipeline.sources.csvfile import csv_to_rows
from pipeline.sources.decode import DecodeError, decode
from pipeline.sources.text import text_to_rows

FORMATS = ("text", "csv", "html", "xlsx")
_EXTENSIONS = {".txt": "text", ".tsv": "text", ".csv": "csv", ".htm": "html", ".html": "html",
               ".xlsx": "xlsx"}
_HTML_START = re.compile(r"\A\s*(?:<!doctype html|<html|<head|<body|<table|<h\d|<p[\s>])", re.I)


class ReadError(Exception):
    """A file that cannot be read at all; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def detect_format(data: bytes, text: str | None, name: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if text is not None:
        head = text[:4096]
        if _HTML_START.match(head) or re.search(r"<table[\s>]", head, re.I):
            return "html"
        lines = [line for line in head.splitlines()[:40] if line.strip()]
        tabs = sum(line.count("\t") for line in lines)
        commas = sum(1 for line in lines if line.count(",") >= 2 or line.startswith('"'))
        if tabs:
            return "text"
        if commas:
            return "csv"
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return _EXTENSIONS.get(suffix, "text")


def read_document(data: bytes, name: str) -> SourceDocument:
    """Decode and split one input. Raises ReadError when nothing at all can be read."""
    sha = hashlib.sha256(data).hexdigest()
    issues: list[Issue] = []
    if data.startswith(b"PK\x03\x04"):
        from pipeline.sources.xlsx import xlsx_to_document

        return xlsx_to_document(data, name, sha)
    try:
        decoded = decode(data)
    except DecodeError as error:
        raise ReadError("file-unreadable", str(error)) from None
    if decoded.truncated:
        issues.append(Issue("file-truncated", f"{name}: the file ends in the middle of a "
                            "character; read up to the cut", "warning", name, 0))
    if decoded.control_chars:
        issues.append(Issue("control-chars", f"{name}: removed {decoded.control_chars} stray "
                            "control character(s)", "warning", name, 0))
    fmt = detect_format(data, decoded.text, name)
    if fmt == "html":
        from pipeline.sources.html import html_to_document

        return html_to_document(decoded.text, name, sha, len(data), decoded.encoding, issues)
    rows = csv_to_rows(decoded.text) if fmt == "csv" else text_to_rows(decoded.text)
    line_count = sum(row.line_span for row in rows)
    return SourceDocument(name=name, format=fmt, encoding=decoded.encoding, sha256=sha,
                          size=len(data), line_count=line_count, line_based=True,
                          rows=tuple(rows), issues=tuple(issues))
