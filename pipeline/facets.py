"""Facets of an event: its kind, its direction, the roles named, the head count, and the
words that decided each (facet_evidence).

The rules are data (facets.toml, beside this module, read by facet_words.py); this module
and direction.py only apply them, in the documented order. It never guesses: a kind no
word supports is `other`, a direction no cue supports is `unknown`, and every label names
its evidence so a reader can check it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from pipeline.direction import text_to_direction
from pipeline.facet_words import DIRECTIONS as DIRECTIONS
from pipeline.facet_words import KINDS as KINDS
from pipeline.facet_words import toml_to_vocabulary as toml_to_vocabulary
from pipeline.facet_words import vocabulary
from pipeline.numerals import KANJI_DIGITS, KANJI_UNITS, kanji_to_int

_OPEN, _CLOSE = "(（「【〔[『", ")）」】〕]』"
MAX_ITEM = 5_000  # characters, as events.MAX_DATE_SCAN: longer items are not read


class Facets(NamedTuple):
    kind: str
    direction: str
    actors: str | None  # '; '-separated, text order; None when no role is named
    participant_count: int | None
    evidence: str | None  # "kind: サッカー; direction: 東京都訪問; count: 5名"


def title_to_government(title: str | None) -> str | None:
    """The government a report's title names (東京都の姉妹友好都市交流 -> 東京都), or None."""
    if not title:
        return None
    text = unicodedata.normalize("NFKC", title)
    found = [(text.find(name), name) for name in vocabulary().government_names if name in text]
    return min(found)[1] if found else None


# ---- kind ----------------------------------------------------------------------------------

def text_to_kind(text: str) -> tuple[str, str | None]:
    """(kind, the word that decided it): the first kind in precedence order with a word in
    the text; `other` with no evidence when none has."""
    for name, words, excepted in vocabulary().kinds:
        for word in words:
            start = text.find(word)
            while start >= 0:
                if not any(_inside(text, start, len(word), phrase) for phrase in excepted):
                    return name, word
                start = text.find(word, start + 1)
    return "other", None


def _inside(text: str, start: int, length: int, phrase: str) -> bool:
    """Whether text[start:start+length] lies inside an occurrence of phrase."""
    lo = max(0, start - len(phrase))
    at = text.find(phrase, lo)
    while 0 <= at <= start:
        if at + len(phrase) >= start + length:
            return True
        at = text.find(phrase, at + 1)
    return False


# ---- actors --------------------------------------------------------------------------------

def text_to_actors(text: str) -> list[str]:
    """Role words naming people, in text order, each once. Scanning left to right and
    taking the longest word at each position gives a compound its longest ending word
    (視察研修団 -> 研修団, since no word starts at 視察研…) and keeps 副知事 whole."""
    vocab = vocabulary()
    found: list[str] = []
    for match in _actor_pattern().finditer(text):  # leftmost, then longest (sorted so)
        word, end = match.group(0), match.end()
        named = any(text.startswith(f, end) for f in vocab.name_followers) and not any(
            text.startswith(e, end) for e in vocab.follower_exceptions)
        if not named and word not in found:
            found.append(word)
    return found


@functools.cache
def _actor_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in vocabulary().actors))


# ---- head count ----------------------------------------------------------------------------

_NUMBER = (r"(?P<number>[0-9０-９]{1,3}(?:[,，][0-9０-９]{3})+|[0-9０-９]+|"
           f"[{''.join(KANJI_DIGITS)}{''.join(KANJI_UNITS)}]+)")


@functools.cache
def _count_pattern() -> re.Pattern[str]:
    units = re.escape(vocabulary().count_units)
    # Not after a Latin letter, hyphen or another digit (U-14, A10): those are names; nor
    # after a decimal point (2.5万人 is not read: better no count than 50,000).
    return re.compile(rf"(?<![A-Za-zＡ-Ｚａ-ｚ\-－0-9０-９.．]){_NUMBER}(?P<man>万)?\s*"
                      rf"(?P<unit>[{units}])")


def text_to_count(text: str) -> tuple[int | None, str | None]:
    """(head count, evidence) — see [counts] in facets.toml for the rules."""
    vocab = vocabulary()
    found: list[tuple[int, int, bool, str]] = []  # depth, value, is a total, the words
    for match in _count_pattern().finditer(text):
        if any(text.startswith(word, match.start("unit")) for word in vocab.count_not_after):
            continue
        raw = unicodedata.normalize("NFKC", match["number"]).replace(",", "")
        value = int(raw) if raw.isdigit() else kanji_to_int(raw)
        if value is None:
            continue
        if match["man"]:  # 1万人, 三万人
            value *= 10_000
        before = text[: match.start()].rstrip()
        total = any(before.endswith(word) or before.endswith(word + "約")
                    for word in vocab.count_totals)
        depth = _depth(text, match.start())
        found.append((depth, value, total, match.group(0)))
    if not found:
        return None, None
    shallow = min(depth for depth, _, _, _ in found)
    counted = [(value, total, words) for depth, value, total, words in found if depth == shallow]
    totals = [(value, words) for value, total, words in counted if total]
    if totals:
        return totals[0][0], totals[0][1]
    return sum(value for value, _, _ in counted), " + ".join(words for _, _, words in counted)


def _depth(text: str, position: int) -> int:
    """Bracket depth at position: opening brackets before it less closing ones."""
    before = text[:position]
    return sum(before.count(c) for c in _OPEN) - sum(before.count(c) for c in _CLOSE)


# ---- all together --------------------------------------------------------------------------

@functools.lru_cache(maxsize=8192)  # the same items recur year after year; Facets is immutable
def item_to_facets(text: str, government: str | None = None,
                   partner_names: tuple[str, ...] = (), participants: str = "") -> Facets:
    """The facets of one item (its description). `government` is the reporting government
    (東京都 when None); `partner_names` the partner's city and country as printed, so that
    a visit to them reads as outbound and their people's participation as inbound;
    `participants` the row's participants cell, whose head count is the event's when the
    description writes none."""
    if len(text) > MAX_ITEM:  # no real item is this long; events.py warns item-too-long
        return Facets("other", "unknown", None, None,
                      f"not read: the item has {len(text)} characters, more than {MAX_ITEM}")
    text = unicodedata.normalize("NFKC", text)
    government = government or vocabulary().government_default
    kind, kind_word = text_to_kind(text)
    direction, direction_words = text_to_direction(text, government, partner_names)
    actors = text_to_actors(text)
    count, count_words = text_to_count(text)
    evidence = [f"{name}: {words}" for name, words in (
        ("kind", kind_word), ("direction", direction_words), ("count", count_words)) if words]
    if count is None and participants:  # 中学生10名、引率教員2名 in its own column
        count = text_to_count(unicodedata.normalize("NFKC", participants[:MAX_ITEM]))[0]
        if count is not None:
            evidence.append(f"participant_count: participants {participants}")
    return Facets(kind, direction, "; ".join(actors) or None, count,
                  "; ".join(evidence) or None)
