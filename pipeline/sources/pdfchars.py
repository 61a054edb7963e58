"""PDF characters -> text: undoing what fonts do to characters, lines from positions,
cells from lines. Pure functions on plain values, so that tests can feed hand-made
characters; pdf.py brings the characters out of the file.

A character here is a `Char`: its text and its box in PDF points, y growing downwards
(pdfplumber's `top`/`bottom`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

# CJK Radicals Supplement (U+2E80-2EFF) -> the ideograph a reader sees. Fonts such as
# Noto Sans CJK draw an ideograph and its radical with one glyph, and a PDF's ToUnicode map
# (Chromium writes it) may name the radical: 長 comes back as ⻑. The pairs are those of
# Unicode's EquivalentUnifiedIdeograph.txt whose ideograph Japanese text uses; the Kangxi
# radicals (U+2F00-2FD5: ⽉ for 月) need no table, NFKC maps every one of them.
RADICAL_SUPPLEMENT = {
    "\u2e8c": "小", "\u2e8d": "小", "\u2e9c": "日", "\u2e9d": "月", "\u2e9f": "母",
    "\u2ea0": "民", "\u2ea7": "牛", "\u2ea9": "王", "\u2eab": "目", "\u2eac": "示",
    "\u2ebc": "肉", "\u2ebd": "臼", "\u2ec1": "虎", "\u2ec4": "西", "\u2ec6": "角",
    "\u2ed1": "長", "\u2ed7": "雨", "\u2ed8": "青", "\u2edd": "食", "\u2ee3": "骨",
    "\u2ee4": "鬼", "\u2ee8": "麦", "\u2ee9": "黄", "\u2eeb": "斉", "\u2eed": "歯",
    "\u2eef": "竜", "\u2ef2": "亀", "\u2ef3": "龟",
}
# Punctuation a font gives another code point than the text reports use: ‧ (hyphenation
# point) for the middle dot 「・」 that makes bullets and joins names (ニュー・サウス), 〜 (wave
# dash) for ～ (full-width tilde), the range mark of the text reports.
PUNCTUATION = {"\u2027": "・", "\u301c": "～"}
# What stays unreadable: radicals no table maps, private-use glyphs, U+FFFD, and
# pdfminer's `(cid:N)` for a glyph the PDF gives no text for.
_UNMAPPABLE = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fdf\ue000-\uf8ff\ufffd]|\(cid:\d+\)")
# Characters that start a new line of a cell's text: a bullet item, a numbered item, a note.
LINE_START_MARKS = "・●○■◆◇□▪•◎※" + "".join(chr(c) for c in range(0x2460, 0x2474))


class Char(NamedTuple):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def map_character(text: str) -> str:
    """A character as the font's artefacts leave it -> the character a reader sees."""
    if "\u2f00" <= text <= "\u2fdf":  # Kangxi radicals: NFKC gives the ideograph
        return unicodedata.normalize("NFKC", text)
    return RADICAL_SUPPLEMENT.get(text) or PUNCTUATION.get(text, text)


def map_characters(chars: Iterable[Char], mapped: Counter[str]) -> list[Char]:
    """Every character mapped back; `mapped` counts each change as 'from → to'."""
    out: list[Char] = []
    for char in chars:
        text = map_character(char.text) if len(char.text) == 1 else char.text
        if text != char.text:
            mapped[f"{char.text} → {text}"] += 1
            char = char._replace(text=text)
        out.append(char)
    return out


def unmappable(text: str) -> list[str]:
    """The characters (or `(cid:N)` pieces) in the text that no rule could map back."""
    return _UNMAPPABLE.findall(text)


def chars_to_lines(chars: Sequence[Char]) -> list[list[Char]]:
    """Characters grouped into text lines, top to bottom, each line left to right.

    A character joins the line whose vertical extent holds its middle: characters of
    one line differ in height (a bracket, a small kana) but share the middle band.
    """
    lines: list[list[Char]] = []
    bands: list[tuple[float, float]] = []
    for char in sorted(chars, key=lambda c: (c.top, c.x0)):
        middle = (char.top + char.bottom) / 2
        for index in range(len(lines) - 1, max(len(lines) - 4, -1), -1):
            top, bottom = bands[index]
            if top <= middle <= bottom:
                lines[index].append(char)
                bands[index] = (min(top, char.top), max(bottom, char.bottom))
                break
        else:
            lines.append([char])
            bands.append((char.top, char.bottom))
    for line in lines:
        line.sort(key=lambda c: c.x0)
    return lines


def _word_like(token: str) -> bool:
    return len(token) == 1 and unicodedata.category(token)[0] in "LNP"


def _letters(run: list[str]) -> int:
    return sum(1 for token in run if unicodedata.category(token)[0] in "LN")


def join_spaced(text: str) -> str:
    """Characters spaced out by the layout joined again: `平 成 2 8 年 9 月 8 日` ->
    `平成28年9月8日`, `( 事 業 )` -> `(事業)`. Only runs of one-character words (letters,
    digits, punctuation) holding two or more letters or digits are joined; the space
    between words of several characters (`中華人民共和国 北京市`) stays."""
    tokens = text.split(" ")
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if _word_like(token):
            run.append(token)
            continue
        if run:
            if _letters(run) >= 2:
                out.append("".join(run))
            else:
                out.extend(run)
            run = []
        out.append(token)
    return " ".join(out[:-1]).strip()


def line_to_text(line: Sequence[Char]) -> str:
    """One text line's characters as text. A space is kept where the PDF has one, and
    put where characters stand apart by more than a quarter of their height (a PDF
    may position words without space characters); spaced-out runs are joined again."""
    parts: list[str] = []
    previous: Char | None = None
    for char in line:
        if previous is not None and char.text != " " and previous.text != " ":
            size = max(char.bottom - char.top, 1.0)
            if char.x0 - previous.x1 > 0.25 * size:
                parts.append(" ")
        parts.append(char.text)
        previous = char
    return join_spaced(" ".join("".join(parts).split()))


def _joins_with_space(before: str, after: str) -> bool:
    # A line break inside Japanese text is no word boundary; between two Latin words it is.
    return bool(before) and bool(after) and before[-1].isascii() and before[-1].isalnum() \
        and after[0].isascii() and after[0].isalnum()


def lines_to_cell(lines: Sequence[str]) -> str:
    """A cell's text lines -> its text: a line that starts with a bullet, a number mark or
    ※ starts a line of its own (the items the cells stage splits); any other line
    continues the line before it, as the cell wrapped it."""
    out: list[str] = []
    for line in lines:
        if not line:
            continue
        if out and not line.startswith(tuple(LINE_START_MARKS)):
            out[-1] += (" " if _joins_with_space(out[-1], line) else "") + line
        else:
            out.append(line)
    return "\n".join(out)


def join_cells(first: str, second: str) -> str:
    """A cell cut by a page break joined again (see lines_to_cell)."""
    if not first or not second:
        return first or second
    return lines_to_cell([*first.split("\n"), *second.split("\n")])
