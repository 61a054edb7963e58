"""Cells stage: a content cell -> its items (HTML lists, bullet lines, or one prose item).

Cells are scanned with a small linear tag tokenizer rather than a DOM: it keeps exact
character offsets into the source (so `source_text` is what the report says), never
resolves anything external, and stays linear on unclosed or 20,000-deep tags.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from pipeline.model import CellItems, Item
from pipeline.normalise import (
    ANY_TAG,
    CLOSE_BRACKETS,
    MAY_HOLD_DATE,
    OPEN_BRACKETS,
    html_to_text,
    trailing_bracket_group,
)

# Bullet marks that start an item; only at an item's start (cell start, after a line
# break, a tag or whitespace). `・` inside a word (ニュー・サウス・ウェールズ州) never is.
NUMBERED_MARKS = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①…⑳
BULLET_MARKS = "・●○■◆◇□▪•◎" + NUMBERED_MARKS
# A hyphen is a bullet only at the start of a line, never after a space (U-14, 3212-2111).
LINE_ONLY_MARKS = "-－‐"

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
_UNCLOSED_TAG = re.compile(r"<[A-Za-z/][^<>]*$")
_ITEM_TAGS = {"li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "thead", "tbody",
              "tfoot", "caption"}
# Block elements: each starts a new line, so an item never runs across one (<h3>a</h3><h3>b…).
_LINE_TAGS = {"br", "p", "div", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
              "section", "article", "header", "footer", "main", "aside", "nav", "address",
              "center", "figure", "figcaption", "details", "summary"}
# Inline elements: text on both sides stays one item (<b>太字</b>の交流). Any other tag is
# read as inline too, with warning cell-split, since it may have been meant as a break.
_INLINE_TAGS = {"a", "abbr", "b", "big", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em",
                "font", "i", "img", "ins", "kbd", "mark", "nobr", "q", "rb", "rp", "rt", "ruby",
                "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt",
                "u", "var", "wbr", "html", "body"}
_MARK = re.compile("[" + re.escape(BULLET_MARKS + LINE_ONLY_MARKS + "※") + "]")
_LINE = re.compile(r"[^\r\n]*")
# A cell that says there was nothing that year: 平成24年度実績なし, 該当なし, 特になし, なし.
_NO_ACTIVITY = re.compile(r"^(?:.{1,40}(?:により|のため|で)、?)?"  # a reason: …の影響により
                          r"(?:(?:平成|令和|昭和|H|R)?[0-9０-９元一二三四五六七八九十]*年度)?\s*"
                          r"(?:の)?(?:実績|活動|交流|該当|特に)?\s*(?:は)?\s*"
                          r"(?:なし|無し|ありません)[。.]?$")


# A report cell holds a few kilobytes. One past this is damage: its row is rejected, with
# its line, rather than split and scanned. It is libxml2's own limit for one text, which
# an HTML page's cells reach whole (sources/html.py reads with huge_tree); below it a
# long cell is read and its long items flagged (events.py, item-too-long).
MAX_CELL_CHARS = 10_000_000


class CellError(ValueError):
    """Cell HTML that cannot be read; the row goes to rejects."""


def _segments(cell: str) -> tuple[list[tuple[int, int]], bool]:
    """Split the raw cell at item and line boundaries: (start, end) spans, and whether
    the cell used list markup (<li>) at all."""
    spans: list[tuple[int, int]] = []
    used_li = False
    start = 0
    if "<" in cell:
        for match in _TAG.finditer(cell):
            name = match.group(2).lower()
            if name == "li" and not match.group(1):
                used_li = True
            if name in _ITEM_TAGS or name in _LINE_TAGS:
                spans.append((start, match.start()))
                start = match.end()
    spans.append((start, len(cell)))
    if "\n" not in cell and "\r" not in cell:
        return spans, used_li
    # Line breaks inside a segment are boundaries too (CSV cells: one bullet a line).
    lines: list[tuple[int, int]] = []
    for begin, end in spans:
        # finditer's pos/endpos leave match offsets relative to the whole cell already.
        lines.extend((m.start(), m.end())
                     for m in _LINE.finditer(cell, begin, end) if m.end() > m.start())
    return lines, used_li


def _starts_piece(cell: str, at: int, begin: int) -> bool:
    """Is the mark at `at` an item's start: at the segment start, or after whitespace or a
    tag (bullets, ※), or first on its line (hyphens)?"""
    mark = cell[at]
    if mark in LINE_ONLY_MARKS:
        line_start = max(cell.rfind("\n", begin, at), cell.rfind("\r", begin, at), begin - 1) + 1
        return (not cell[line_start:at].strip(" \t\u3000") and at + 1 < len(cell)
                and not cell[at + 1].isspace())
    after_space = at == begin or cell[at - 1].isspace() or cell[at - 1] == ">"
    if mark not in NUMBERED_MARKS:
        if after_space:
            return True
        if cell[at - 1] not in ")）":  # a ・ inside a word (ニュー・サウス・ウェールズ州)
            return False
    before = cell[begin:at]
    opened = before.lstrip(" \t\u3000")
    if mark in NUMBERED_MARKS:
        # ①…⑳ number the items only in a list that starts with one, and never inside
        # brackets: "（テーマ：①防災 ②環境）" and "議題：①環境 ②防災" are one item.
        return (bool(opened) and opened[0] in NUMBERED_MARKS and _depth(before) == 0
                and after_space)
    # Straight after a closing bracket that held a date, in a bulleted list, outside any
    # other bracket: "・来都（平成27年6月）・派遣（…）" is two items; "・東京都（本庁）・区市町村
    # 職員の研修（…）" and "東京(本庁)・大阪" are one.
    if not opened or opened[0] not in BULLET_MARKS:
        return False
    group = trailing_bracket_group(before)
    return (group is not None and _depth(before) == 0
            and bool(MAY_HOLD_DATE.search(before[group[1] : group[2]])))


def _depth(text: str) -> int:
    """How many brackets are open at the end of `text`."""
    depth = 0
    for char in text:
        if char in OPEN_BRACKETS:
            depth += 1
        elif char in CLOSE_BRACKETS and depth:
            depth -= 1
    return depth


def _cuts(cell: str, begin: int, end: int) -> list[int]:
    """Offsets inside (begin, end) where a bullet or a ※ note starts a new piece, never
    inside a tag. Candidates are found by one character-class scan, then checked."""
    cuts = [m.start() for m in _MARK.finditer(cell, begin, end)
            if m.start() > begin and _starts_piece(cell, m.start(), begin)]
    if cuts and cell.find("<", begin, end) != -1:
        inside = [(t.start(), t.end()) for t in ANY_TAG.finditer(cell, begin, end)]
        cuts = [cut for cut in cuts if not any(a < cut < b for a, b in inside)]
    return cuts


def _strip_bullet(text: str) -> str:
    text = text.strip()
    if text and (text[0] in BULLET_MARKS or text[0] in LINE_ONLY_MARKS):
        text = text[1:]
    return text.strip()


# A line that carries its own date: a number right before 年, 月 or 日, or a dotted or
# slashed date (H24.4.1, 2023/8/1). 青少年 or 20周年 are no dates.
_OWN_DATE = re.compile(r"[0-9０-９元一二三四五六七八九十]\s*[年月日]|[0-9０-９][./／][0-9０-９]")


def lines_to_events(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Lines without bullet marks: a title line followed by its description is one event.
    A line with its own date ends an event (so lines that each carry a date stay one event
    each); lines after the last dated one belong to it; without any date the cell is one
    event. A ※ note stays a piece of its own, to attach to the event before it."""
    groups: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    for span in spans:
        if span[2].startswith("※"):
            if current:
                groups.append(current)
            groups.append([span])
            current = []
            continue
        current.append(span)
        if _OWN_DATE.search(span[2]):
            groups.append(current)
            current = []
    if current:
        last = next((g for g in reversed(groups) if not g[0][2].startswith("※")), None)
        if last is not None and last is groups[-1]:
            last.extend(current)
        else:
            groups.append(current)
    return [(group[0][0], group[-1][1], " ".join(text for _, _, text in group))
            for group in groups]


def cell_to_items(cell: str) -> CellItems:
    """Split one content cell into items. Raises CellError for HTML that cannot be read."""
    if len(cell) > MAX_CELL_CHARS:
        raise CellError(f"the cell holds {len(cell)} characters, more than {MAX_CELL_CHARS}; "
                        "not read")
    if not cell.strip():
        return CellItems("empty", ())
    if "<" in cell and _UNCLOSED_TAG.search(cell):
        raise CellError("the cell has an unclosed HTML tag")
    plain = html_to_text(cell).strip()
    short = len(plain) < 40  # a no-activity note is a short phrase; skip NFKC on long cells
    if short and _NO_ACTIVITY.match(unicodedata.normalize("NFKC", plain).replace(" ", "")):
        return CellItems("none", (), note=plain)
    spans, used_li = _cell_spans(cell)
    has_bullets = any(text[0] in BULLET_MARKS or text[0] in LINE_ONLY_MARKS
                      for _, _, text in spans)
    if not used_li and not has_bullets and len(spans) > 1:
        spans = lines_to_events(spans)
    pieces = [(cell[a:b].strip(), text) for a, b, text in spans]
    is_list = used_li or has_bullets or len(pieces) > 1
    items = _pieces_to_items(pieces)
    doubts = _doubts(items, has_bullets)
    if "<" in cell:
        doubts += _unknown_tags(cell)
        if used_li or "<t" in cell or "<T" in cell:
            doubts += _markup_doubts(cell, len(items))
    return CellItems("list" if is_list else "prose", tuple(items), doubts=doubts)


def _cell_spans(cell: str) -> tuple[list[tuple[int, int, str]], bool]:
    """(start, end, text) of each line or bullet of the cell, and whether <li> split it."""
    segments, used_li = _segments(cell)
    spans: list[tuple[int, int, str]] = []
    for begin, end in segments:
        cuts = [begin, *_cuts(cell, begin, end), end]
        for a, b in itertools.pairwise(cuts):
            text = html_to_text(cell[a:b]).strip()
            if text:
                spans.append((a, b, text))
    return spans, used_li


def _pieces_to_items(pieces: list[tuple[str, str]]) -> list[Item]:
    """(source, text) pieces -> items; a ※ piece is a note of the item before it."""
    items: list[Item] = []
    for source, text in pieces:
        if text.startswith("※") and items:
            last = items[-1]
            note = f"{last.note} {text}".strip()
            items[-1] = Item(last.text, last.source_text, note)
            continue
        items.append(Item(text=_strip_bullet(text), source_text=source))
    return items


def _unknown_tags(cell: str) -> tuple[str, ...]:
    known = _ITEM_TAGS | _LINE_TAGS | _INLINE_TAGS
    unknown = sorted({name for m in _TAG.finditer(cell)
                      if (name := m.group(2).lower()) not in known})
    if not unknown:
        return ()
    names = ", ".join(f"<{name}>" for name in unknown)
    return (f"{names} read as inline markup: the text on either side is one item",)


_LIST_TAG = re.compile(r"<(/?)(ul|ol|li|table)\b[^<>]*>", re.I)


def _markup_doubts(cell: str, read: int) -> tuple[str, ...]:
    """List markup the items may not follow: a <li> holding a line break (one item or
    two?), text outside the list, a list inside a list item, a table inside the cell."""
    doubts: list[str] = []
    depth = deepest = li_count = 0
    tables = False
    for match in _LIST_TAG.finditer(cell):
        closing, name = match.group(1), match.group(2).lower()
        if name == "li":
            li_count += not closing
        elif name == "table":
            tables = True
        elif closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    if li_count and read != li_count:
        doubts.append(f"the cell has {li_count} <li> items but {read} were read: a line "
                      "break inside an item, or text outside the list")
    if deepest > 1:
        doubts.append("a list inside a list item: its items are read as events of their own")
    if tables:
        doubts.append("a table inside the cell: each of its cells is read as an item")
    return tuple(doubts)


_TAG_PIECE = re.compile(r"</?[A-Za-z]|[A-Za-z\"']>")


def _doubts(items: list[Item], has_bullets: bool) -> tuple[str, ...]:
    """What says a split may have gone wrong: each item read is checked for the marks a
    wrong cut leaves, so that a cell read differently from what it says is never quiet."""
    doubts: list[str] = []
    for number, item in enumerate(items, start=1):
        if _depth(item.text) or _closes_unopened(item.text):
            doubts.append(f"item {number} has brackets that do not pair "
                          f"({_clip(item.text)}): it may be cut from its neighbour")
        if _TAG_PIECE.search(item.text):
            doubts.append(f"item {number} holds a piece of HTML markup ({_clip(item.text)})")
    if has_bullets:
        bare = [n for n, item in enumerate(items, start=1)
                if not html_to_text(item.source_text).lstrip().startswith(_BULLET_STARTS)]
        if bare and len(bare) < len(items):
            numbers = ", ".join(map(str, bare))
            doubts.append(f"item(s) {numbers} start with no bullet while the others have one: "
                          "read as items of their own, not as the previous item's next line")
    return tuple(doubts)


_BULLET_STARTS = tuple(BULLET_MARKS + LINE_ONLY_MARKS)


def _closes_unopened(text: str) -> bool:
    depth = 0
    for char in text:
        if char in OPEN_BRACKETS:
            depth += 1
        elif char in CLOSE_BRACKETS:
            if not depth:
                return True
            depth -= 1
    return False


def _clip(text: str) -> str:
    return text if len(text) <= 30 else f"{text[:14]}…{text[-14:]}"
