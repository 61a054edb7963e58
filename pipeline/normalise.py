"""Text normal forms shared by the stages: plain text from a cell's HTML, and the NFKC
form of description columns. Pure functions; no stage imports another for these."""

from __future__ import annotations

import html
import re
import unicodedata

ANY_TAG = re.compile(r"<[^<>]*>")


def html_to_text(fragment: str) -> str:
    """Tags removed and entities decoded (&nbsp; and U+00A0 as a space); nothing else changed."""
    if "<" in fragment:
        fragment = ANY_TAG.sub("", fragment)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return fragment.replace("\xa0", " ") if "\xa0" in fragment else fragment


def nfkc_collapse(text: str) -> str:
    """NFKC with runs of whitespace collapsed: the normal form of description columns."""
    return " ".join(unicodedata.normalize("NFKC", text).split())
