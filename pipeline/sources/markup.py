"""HTML markup below the table level: a page's over-deep tags flattened before parsing, the
parser's fatal stops as warnings, and a cell's text or inner HTML."""

from __future__ import annotations

import html
import re

from lxml import etree

from pipeline.model import Issue

# libxml2 stops reading a page at 256 open elements and drops everything after, so a cell
# of 20,000 nested tags would cost every later row. Tags deeper than this are removed first.
MAX_DEPTH = 200
# A tag as libxml2's HTML parser (HTML5 tokenising) reads one: an ASCII letter, then
# anything but whitespace, / and >, so <b_>, <my-element> and <x:y> open elements too.
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/<>]*)[^<>]*>")
# Elements that never nest (void) or that the parser closes by itself (li, td, p...):
# they do not deepen a page however many are left open.
_FLAT_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                        "meta", "source", "track", "wbr", "li", "dt", "dd", "p", "td", "th",
                        "tr", "option", "thead", "tbody", "tfoot", "colgroup", "caption"})
BREAKS = frozenset({"br", "p", "div", "li"})  # a word boundary in a label or a header
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def flatten_deep_tags(text: str, limit: int = MAX_DEPTH) -> tuple[str, int, int]:
    """Remove tags nested deeper than `limit`, keeping their text and line breaks.

    Returns the page, how many tags were removed and the offset of the first (0 when
    none was). Linear in the page size.
    """
    stack: list[str] = []
    dropped: list[str] = []  # names of removed opening tags, to drop their closing tags too
    pieces: list[str] = []
    position = removed = first = 0
    for match in _TAG.finditer(text):
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name in _FLAT_TAGS or match.group(0).endswith("/>"):
            continue
        drop = False
        if closing:
            if dropped and dropped[-1] == name:
                dropped.pop()
                drop = True
            elif name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
        elif len(stack) >= limit:
            dropped.append(name)
            drop = True
        else:
            stack.append(name)
        if drop:
            first = first or match.start()
            pieces.append(text[position : match.start()])
            pieces.append("\n" * match.group(0).count("\n"))  # keep source lines right
            position = match.end()
            removed += 1
    pieces.append(text[position:])
    return "".join(pieces), removed, first


def parser_stops(parser: etree.HTMLParser, name: str) -> list[Issue]:
    """A warning for each fatal error libxml2 logged: it stopped reading there, and the
    rest of the page is lost. flatten_deep_tags and the parser's huge_tree option handle
    depth and size; this is the guard for the case nobody foresaw."""
    return [Issue("html-parser-stopped", f"{name}:{error.line}: the HTML parser stopped "
                  f"here ({error.message.strip()}); the rest of the page is not read",
                  "warning", name, error.line)
            for error in parser.error_log if error.level_name == "FATAL"]


def element_text(element: etree._Element) -> str:
    """The text of a cell: `<br>` is a space, entities decoded, whitespace collapsed."""
    parts = [element.text or ""]
    for node in element.iterdescendants():
        if isinstance(node.tag, str):  # comments and processing instructions give only tails
            parts.append(" " if node.tag.lower() in BREAKS else "")
            parts.append(node.text or "")
        parts.append(node.tail or "")
    return " ".join("".join(parts).split())


def inner_html(element: etree._Element) -> str:
    """A cell's children serialised as HTML, so that cells.py can split its items.

    Line breaks of the page source are only spaces in HTML; cells.py would take them for
    item boundaries (as in a spreadsheet cell), so HTML whitespace is collapsed. `&nbsp;`
    (U+00A0) is no HTML whitespace and stays.
    """
    pieces = [html.escape(element.text or "", quote=False)]
    pieces.extend(etree.tostring(child, encoding="unicode", method="html", with_tail=True)
                  for child in element)
    return HTML_SPACE.sub(" ", "".join(pieces)).strip(" ")
