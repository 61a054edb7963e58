"""A content cell gives the same items whatever its markup (issue 11).

The items are the FY2012 report's own bullet items, taken from the hand-read golden file
(description + its date text in brackets, as the report writes them), never from the
pipeline's output. Each example renders a random list of them in one markup and one
whitespace style, the way a spreadsheet, a CMS export or a hand-written page would, and
checks that the splitter gives back exactly those items with exactly their dates.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cells import cell_to_items
from pipeline.events import item_to_dates

GOLDEN = Path(__file__).parent / "data" / "fy2012_events.csv"


def _golden_items() -> list[tuple[str, dt.date, dt.date]]:
    """(item as written, first day, last day) of every bullet item in the report: the
    golden rows whose description does not hold their date (the three prose cells do)."""
    with GOLDEN.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [(f"{r['description']}({r['date_text']})", dt.date.fromisoformat(r["date_start"]),
             dt.date.fromisoformat(r["date_end"]))
            for r in rows if r["date_text"] not in r["description"]]


ITEMS = _golden_items()
NEWLINES = ["", "\n", "\r\n", "\r"]
BREAKS = ["<br>", "<br/>", "<BR>", "<br />", "<BR/>", "<Br >"]


def _br(items: list[str], bullet: str, newline: str, tag: str) -> str:
    return (tag + newline).join(bullet + item for item in items)


def _list(items: list[str], bullet: str, newline: str, tag: str, close: bool, indent: str
          ) -> str:
    end = "</li>" if close else ""
    body = "".join(f"{indent}<li>{bullet}{item}{end}{newline}" for item in items)
    return f"<{tag}>{newline}{body}</{tag}>"


def _blocks(items: list[str], bullet: str, newline: str, tag: str) -> str:
    return newline.join(f"<{tag}>{bullet}{item}</{tag}>" for item in items)


def _bullets(items: list[str], separator: str) -> str:
    return separator.join("・" + item for item in items)


STYLES: list[Callable[[list[str], st.DataObject], str]] = [
    lambda items, data: _br(items, data.draw(st.sampled_from(["", "・"])),
                            data.draw(st.sampled_from(NEWLINES)),
                            data.draw(st.sampled_from(BREAKS))),
    lambda items, data: _list(items, data.draw(st.sampled_from(["", "・", " ・"])),
                              data.draw(st.sampled_from(NEWLINES)),
                              data.draw(st.sampled_from(["ul", "ol", "UL"])),
                              data.draw(st.booleans()),
                              data.draw(st.sampled_from(["", "  ", "\t"]))),
    lambda items, data: _blocks(items, data.draw(st.sampled_from(["", "・"])),
                                data.draw(st.sampled_from(NEWLINES)),
                                data.draw(st.sampled_from(["p", "div", "P", "h3", "blockquote",
                                                           "section", "pre"]))),
    # bullets with no markup: one a line (a CSV cell), or side by side as in FY2012's cells
    lambda items, data: _bullets(items, data.draw(st.sampled_from(
        ["\n", "\r\n", "\r", " ", "\u3000", " \n", "\n\n"]))),
    # FY2012's own form: an unclosed (or closed) <ul> and bullets side by side
    lambda items, data: ('<ul style="list-style-type: none">'
                         + data.draw(st.sampled_from([" ", "", "\n", "\r\n"]))
                         + _bullets(items, data.draw(st.sampled_from([" ", "\n", "<br>"])))
                         + data.draw(st.sampled_from(["  ", "</ul>", "\n</ul>\n"]))),
    # lines with no bullet and no markup: each line an item
    lambda items, data: data.draw(st.sampled_from(["\n", "\r\n", "\r"])).join(items),
]


@settings(max_examples=400, deadline=None)
@given(indexes=st.lists(st.integers(0, len(ITEMS) - 1), min_size=1, max_size=6),
       style=st.integers(0, len(STYLES) - 1), data=st.data())
def test_items_and_dates_come_back_whatever_the_markup(indexes: list[int], style: int,
                                                       data: st.DataObject) -> None:
    chosen = [ITEMS[i] for i in indexes]
    cell = STYLES[style]([text for text, _, _ in chosen], data)
    found = cell_to_items(cell)
    assert [item.text for item in found.items] == [text for text, _, _ in chosen], cell
    assert found.doubts == ()  # a clean split raises no false alarm
    for item, (_, first, last) in zip(found.items, chosen, strict=True):
        _, periods, _, warnings = item_to_dates(item, 2012)
        assert (min(p.start for p in periods), max(p.end for p in periods)) == (first, last)
        assert warnings == []
        assert item.source_text in cell  # the item as written, for the audit page


# Regressions of issue 11, each cut or lost on the old code (the line offsets inside a
# segment were shifted by the segment's start).
@pytest.mark.parametrize(("cell", "texts"), [
    ("<ul><li>・ハリケーン被害(平成24年11月)</li>\n<li>・サミット参加(平成24年6月)</li></ul>",
     ["ハリケーン被害(平成24年11月)", "サミット参加(平成24年6月)"]),
    ("・ハリケーン被害(平成24年11月)<br>\n・サミット参加(平成24年6月)",
     ["ハリケーン被害(平成24年11月)", "サミット参加(平成24年6月)"]),
    ("<p>ハリケーン被害(平成24年11月)</p>\r\n<p>サミット参加(平成24年6月)</p>",
     ["ハリケーン被害(平成24年11月)", "サミット参加(平成24年6月)"]),
    ("<ol>\n  <li>a</li>\n  <li>b</li>\n</ol>", ["a", "b"]),
])
def test_a_line_break_after_a_tag_cuts_nothing(cell: str, texts: list[str]) -> None:
    assert [item.text for item in cell_to_items(cell).items] == texts


# ---- cells the splitter cannot read with confidence: a warning, never a quiet item ----------

@pytest.mark.parametrize(("cell", "says"), [
    # an item wrapped inside its date by a spreadsheet: two halves, neither a whole item
    ("・ハリケーン被害に対する見舞金贈呈(平成24年1\n1月)\n・サミット参加(平成24年6月)",
     "item 1 has brackets that do not pair"),
    # a line without the bullet its neighbours have: an item of its own, or the one above?
    ("・ハリケーン被害に対する\n見舞金贈呈(平成24年11月)\n・サミット参加(平成24年6月)",
     "item(s) 2 start with no bullet while the others have one"),
    # what is left of a tag the splitter did not recognise
    ("・サミット参加(平成24年6月) li>\n・会談(平成24年10月)",
     "item 1 holds a piece of HTML markup"),
])
def test_a_doubtful_split_says_so(cell: str, says: str) -> None:
    assert any(says in doubt for doubt in cell_to_items(cell).doubts)


@pytest.mark.parametrize("cell", [
    '<ul style="list-style-type: none"> ・ニュー・サウス・ウェールズ州訪問(平成24年7～8月、11～12月) ',
    "平成24年6月7日、市職員等5名に対し、東京の節電対策に関する意見交換を実施。",
    "・(U-14)サッカー大会参加(平成24年4～5月)\n※雨天中止",
])
def test_a_clean_split_has_no_doubt(cell: str) -> None:
    assert cell_to_items(cell).doubts == ()


def test_a_doubtful_cell_is_a_warning_at_its_line() -> None:
    from pipeline.extract import extract_bytes
    from pipeline.model import Extraction

    report = ("平成24年度実績\n提携都市名\t内容・実績\t所管局\n"
              "アメリカ合衆国 ニューヨーク市 (S35)\t・見舞金贈呈(平成24年1<br>1月)\t知事本局\n")
    found = extract_bytes(report.encode(), "fy2012.txt")
    assert isinstance(found, Extraction)
    doubts = [i for i in found.issues if i.code == "cell-split"]
    assert {(i.source_line, i.severity) for i in doubts} == {(3, "warning")}
    assert [i.message.split(" (")[0] for i in doubts] == [
        "fy2012.txt:3: item 1 has brackets that do not pair",  # both halves of the cut item
        "fy2012.txt:3: item 2 has brackets that do not pair",
        "fy2012.txt:3: item(s) 2 start with no bullet while the others have one: read as "
        "items of their own, not as the previous item's next line; check the row against "
        "the source"]


# ---- the real report saved the ways a spreadsheet or a CMS saves it ---------------------------

FY2012_UL = '<ul style="list-style-type: none">'


@pytest.mark.parametrize("join", ["<br>\r\n", "<br />\n", "\n", "</li>\n<li>", "</p>\r\n<p>"])
def test_the_report_as_csv_gives_the_golden_items(join: str) -> None:
    """The FY2012 report as CSV, each list cell written in another markup: the 35 events
    of the golden file, item for item. On the old code items were cut and lost."""
    import io

    from pipeline.extract import extract_bytes
    from pipeline.model import Extraction
    from tests.conftest import REPORT

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    opening = {"</li>\n<li>": "<ul>\n<li>", "</p>\r\n<p>": "<p>"}.get(join, "")
    for line in REPORT.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        for index, cell in enumerate(cells):
            if cell.startswith(FY2012_UL):
                bullets = cell[len(FY2012_UL):].strip().split(" ・")
                cells[index] = opening + join.join(b if b.startswith("・") else "・" + b
                                                   for b in bullets)
        writer.writerow(cells)
    found = extract_bytes(buffer.getvalue().encode(), "fy2012.csv")
    assert isinstance(found, Extraction)
    with GOLDEN.open(encoding="utf-8", newline="") as handle:
        golden = [(r["description"], r["date_start"], r["date_end"])
                  for r in csv.DictReader(handle)]
    assert [(e.description, str(e.date_start), str(e.date_end)) for e in found.events] == golden
    assert not [i for i in found.issues if i.code == "cell-split"]


@pytest.mark.parametrize(("cell", "says"), [
    ("<ul><li>・サミット参加<br>(平成24年6月)</li><li>・会談(平成24年10月)</li></ul>",
     "the cell has 2 <li> items but 3 were read"),
    ("主な交流<ul><li>サミット参加(平成24年6月)</li><li>会談(平成24年10月)</li></ul>",
     "the cell has 2 <li> items but 3 were read"),
    ("<ul><li>訪問団受入<ul><li>視察(平成24年6月)</li></ul></li></ul>",
     "a list inside a list item"),
    ("<table><tr><td>サミット参加</td><td>平成24年6月</td></tr></table>",
     "a table inside the cell"),
])
def test_list_markup_the_items_may_not_follow_says_so(cell: str, says: str) -> None:
    assert any(doubt.startswith(says) for doubt in cell_to_items(cell).doubts)


@pytest.mark.parametrize(("cell", "texts"), [
    ("<h3>サミット参加(平成24年6月)</h3><h3>会談(平成24年10月)</h3>",
     ["サミット参加(平成24年6月)", "会談(平成24年10月)"]),
    ("<blockquote>a(平成24年6月)</blockquote><blockquote>b(平成24年7月)</blockquote>",
     ["a(平成24年6月)", "b(平成24年7月)"]),
    ("a(平成24年6月)<hr>b(平成24年7月)", ["a(平成24年6月)", "b(平成24年7月)"]),
])
def test_block_elements_end_an_item(cell: str, texts: list[str]) -> None:
    """Regression: block elements other than <p> and <div> glued two items into one."""
    found = cell_to_items(cell)
    assert [item.text for item in found.items] == texts and found.doubts == ()


def test_an_unknown_tag_is_read_as_inline_and_said() -> None:
    found = cell_to_items("<foo>サミット参加(平成24年6月)</foo><foo>会談(平成24年10月)</foo>")
    assert [item.text for item in found.items] == ["サミット参加(平成24年6月)会談(平成24年10月)"]
    assert found.doubts == ("<foo> read as inline markup: the text on either side is one item",)
