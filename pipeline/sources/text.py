"""Tab-separated text reports (.txt, .tsv): one physical line is one row."""

from __future__ import annotations

import re

from pipeline.model import RawRow

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Physical lines; CRLF, CR and LF all end a line; a final line break adds no line."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def text_to_rows(text: str) -> list[RawRow]:
    return [
        RawRow(line=number, cells=tuple(line.split("\t")), raw=line)
        for number, line in enumerate(split_lines(text), start=1)
    ]
