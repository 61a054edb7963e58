"""Text normal forms shared by the stages: plain text from a cell's HTML, and the NFKC
form of description columns. Pure functions; no stage imports another for these."""

from __future__ import annotations

import html
import re
import unicodedata

ANY_TAG = re.compile(r"<[^<>]*>")
# A date expression always holds one of these (or is dotted/slashed: H24.4.1, 2012/4/1):
# text without them need not go through the date engine at all.
MAY_HOLD_DATE = re.compile(r"[年月日旬]|[0-9０-９][./／][0-9０-９]")


def html_to_text(fragment: str) -> str:
    """Tags removed and entities decoded (&nbsp; and U+00A0 as a space); nothing else changed."""
    if "<" in fragment:
        fragment = ANY_TAG.sub("", fragment)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return fragment.replace("\xa0", " ") if "\xa0" in fragment else fragment


OPEN_BRACKETS, CLOSE_BRACKETS = "(（「【〔[", ")）」】〕]"


def trailing_bracket_group(text: str) -> tuple[int, int, int] | None:
    """The bracketed group that ends the text, brackets nested or not: (its start, the
    start and end of its inside). "訪問(令和元年7月20日(土)~21日(日))" -> the outer group."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] not in CLOSE_BRACKETS:
        return None
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        char = stripped[index]
        if char in CLOSE_BRACKETS:
            depth += 1
        elif char in OPEN_BRACKETS:
            depth -= 1
            if depth == 0:
                return index, index + 1, len(stripped) - 1
    return None  # unbalanced: no group


def nfkc_collapse(text: str) -> str:
    """NFKC with runs of whitespace collapsed: the normal form of description columns."""
    return " ".join(unicodedata.normalize("NFKC", text).split())
