"""Hostile HTML cells (issue 17, finding 5): a cell past the size or depth limits never
costs another row, and never goes unsaid, whatever its tag names.

Each page is the report's own HTML page (tests.test_sources.html_page) with the content
cell of the カイロ県 row (one event) replaced. Its row starts at the <tr> line; the content
cell is two lines below (html_page writes <tr>, then each <td> on a line of its own).
"""

from __future__ import annotations

import lxml.html
import pytest

from pipeline.extract import extract_bytes
from pipeline.model import Extraction
from pipeline.sources.markup import parser_stops
from tests.reports import html_page

PAGE = html_page(one_table=False)
START = PAGE.index("<td><ul><li>カイロ県") + len("<td>")
END = PAGE.index("</td>", START)
CELL_LINE = PAGE.count("\n", 0, START) + 1
ROW_LINE = CELL_LINE - 2


def extract(cell: str) -> Extraction:
    found = extract_bytes((PAGE[:START] + cell + PAGE[END:]).encode(), "fy2012.html")
    assert isinstance(found, Extraction), found
    return found


def test_the_page_is_as_this_file_assumes() -> None:
    assert PAGE.splitlines()[ROW_LINE - 1] == "<tr>"
    clean = extract(PAGE[START:END])
    assert (len(clean.events), len(clean.entries)) == (35, 15)
    assert [e.source_line for e in clean.events].count(ROW_LINE) == 1


@pytest.mark.parametrize("name", ["b_", "my-element", "x:y", "bあ", "span"])
def test_300_nested_tags_of_any_name_cost_no_row(name: str) -> None:
    """Review finding: 300 nested <b_> (which the depth guard's pattern did not take for a
    tag) made libxml2 stop at 256 open elements: 11 events and 7 entries lost, exit 0.
    The page's <html>, <body> and <table> are open (<tr>, <td> and <li> never deepen a
    page), so the 198th to 300th opening tags (103) are past the limit of 200 and removed
    with their 103 closing tags, and so are the <ul> and </ul> the cell holds: 208 tags,
    the first on the cell's line."""
    found = extract(f"<{name}>" * 300 + PAGE[START:END] + f"</{name}>" * 300)
    assert (len(found.events), len(found.entries)) == (35, 15)
    (depth,) = [issue for issue in found.issues if issue.code == "html-depth"]
    assert (depth.severity, depth.source_line) == ("warning", CELL_LINE)
    assert depth.message == (f"fy2012.html:{CELL_LINE}: 208 tag(s) nested deeper than 200 "
                             "removed, the first on this line; their text is kept")


def test_a_cell_past_the_size_limit_is_a_reject_at_its_line() -> None:
    """Review finding: a cell over 10 MB made libxml2 stop ("huge text node"): every row
    after it was lost, with no reject and exit 0. Now only the row itself is lost, as a
    reject that says why."""
    found = extract("a" * 11_000_000)
    assert (len(found.events), len(found.entries)) == (34, 14)
    (reject,) = [issue for issue in found.issues if issue.severity == "reject"]
    assert (reject.code, reject.source_line) == ("cell-html", ROW_LINE)
    assert reject.message == (f"fy2012.html:{ROW_LINE}: the cell holds 11000000 characters, "
                              "more than 10000000; not read")


def test_a_cell_past_libxml2s_limit_but_within_ours_is_read() -> None:
    """4,000,000 あ are 12 MB of UTF-8, past libxml2's 10 MB for one text, but within the
    10,000,000 characters a cell may hold: read as one prose event, whose length is
    flagged (item-too-long), and every other row read too."""
    found = extract("あ" * 4_000_000)
    assert (len(found.events), len(found.entries)) == (35, 15)
    (event,) = [e for e in found.events if e.source_line == ROW_LINE]
    assert event.description == "あ" * 4_000_000
    assert [i.code for i in found.issues if i.source_line == ROW_LINE] == ["item-too-long"]


def test_a_fatal_parser_error_is_said_with_its_line() -> None:
    """The guard for a limit nobody foresaw: whatever makes libxml2 stop is a warning at
    the line where it stopped. Shown with the depth limit, which the reader itself never
    reaches (it removes deep tags first and reads with huge_tree)."""
    parser = lxml.html.HTMLParser(no_network=True)
    lxml.html.document_fromstring("<html><body>\n\n" + "<div>" * 300 + "</body></html>",
                                  parser=parser)
    (stop,) = parser_stops(parser, "p.html")
    assert (stop.code, stop.severity, stop.source_line) == ("html-parser-stopped", "warning", 3)
    assert stop.message.startswith("p.html:3: the HTML parser stopped here (Excessive depth")
    assert stop.message.endswith("); the rest of the page is not read")
