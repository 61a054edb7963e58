"""Facets of an event: its kind, its direction, the roles named, the head count, and the
words that decided each (facet_evidence).

The rules are data (facets.toml, beside this module); this module only applies them, in
the documented order. It never guesses: a kind no word supports is `other`, a direction
no cue supports is `unknown`, and every label names its evidence so a reader can check it.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

from pipeline.numerals import KANJI_DIGITS, KANJI_UNITS, kanji_to_int

KINDS = ("disaster_relief", "sports", "culture", "youth_education", "conference",
         "study_visit", "training", "economic", "official_visit", "other")
DIRECTIONS = ("inbound", "outbound", "both", "remote", "unknown")
_OPEN, _CLOSE = "(（「【〔[『", ")）」】〕]』"
MAX_ITEM = 5_000  # characters, as events.MAX_DATE_SCAN: longer items are not read
MAX_NAME = 40  # characters: a run longer than this before a cue word is no name


class Facets(NamedTuple):
    kind: str
    direction: str
    actors: str | None  # '; '-separated, text order; None when no role is named
    participant_count: int | None
    evidence: str | None  # "kind: サッカー; direction: 東京都訪問; count: 5名"


@dataclass(frozen=True, slots=True)
class Vocabulary:
    kinds: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # name, words, except
    direction: dict[str, tuple[str, ...]]
    government_default: str
    government_names: tuple[str, ...]
    government_roles: dict[str, tuple[str, ...]]
    government_arrival: dict[str, tuple[str, ...]]
    actors: tuple[str, ...]  # longest first, so the first match at a position is the longest
    name_followers: tuple[str, ...]
    follower_exceptions: tuple[str, ...]
    count_units: str
    count_not_after: tuple[str, ...]
    count_totals: tuple[str, ...]


def _words(values: Any) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFKC", str(v)) for v in values)


@functools.cache
def vocabulary() -> Vocabulary:
    """The facet vocabulary shipped in the package (facets.toml), read once."""
    return toml_to_vocabulary(resources.files("pipeline").joinpath("facets.toml")
                              .read_text(encoding="utf-8"))


def toml_to_vocabulary(text: str) -> Vocabulary:
    """A vocabulary file's text -> Vocabulary; ValueError naming what is wrong with it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"facets.toml: {error}") from error
    try:
        return _vocabulary(data)
    except (KeyError, TypeError) as error:
        raise ValueError(f"facets.toml: missing or malformed entry {error}") from error


def _vocabulary(data: dict[str, Any]) -> Vocabulary:
    kinds = tuple((k["name"], _words(k["words"]), _words(k.get("except", [])))
                  for k in data["kinds"])
    if [name for name, _, _ in kinds] + ["other"] != list(KINDS):
        raise ValueError("facets.toml: the kinds must be, in order: " + ", ".join(KINDS))
    government = data["government"]
    return Vocabulary(
        kinds=kinds,
        direction={key: _words(value) for key, value in data["direction"].items()},
        government_default=government["default"],
        government_names=_words(government["names"]),
        government_roles={k: _words(v) for k, v in government["roles"].items()},
        government_arrival={k: _words(v) for k, v in government["arrival"].items()},
        actors=tuple(sorted(_words(data["actors"]["words"]), key=len, reverse=True)),
        name_followers=_words(data["actors"]["name_followers"]),
        follower_exceptions=_words(data["actors"]["follower_exceptions"]),
        count_units="".join(data["counts"]["units"]),
        count_not_after=_words(data["counts"]["not_after"]),
        count_totals=_words(data["counts"]["totals"]),
    )


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


# ---- direction -----------------------------------------------------------------------------

_STOP = re.compile(r"[\u3041-\u309f\s、。，,()（）「」『』【】〔〕\[\]・]")  # hiragana, marks


def _token_before(text: str, end: int) -> str:
    """The run of kanji/katakana ending at `end` (a place, body or person): it stops at
    hiragana (の, を, 及び's び), punctuation and brackets. ・ inside a katakana name such as
    ニュー・サウス・ウェールズ州 is kept."""
    start = end
    while start > 0:
        if end - start >= MAX_NAME:  # no place, body or role name is this long
            return ""
        ch = text[start - 1]
        if ch == "・" and start >= 2 and _is_katakana(text[start - 2]):
            start -= 1
            continue
        if _STOP.match(ch):
            break
        start -= 1
    return text[start:end]


def _is_katakana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff"


@dataclass(frozen=True, slots=True)
class _Sides:
    """Whose is a place, body or person: ours (the reporting government) or theirs."""

    government: str
    partners: tuple[str, ...]  # the partner's names and their stems, longest first

    def owner(self, token: str) -> str | None:
        """"ours", "theirs" or None (the words do not say)."""
        vocab = vocabulary()
        if not token:
            return None
        if any(token.startswith(p) for p in self.partners):
            return "theirs"
        if (token.endswith(self.government) or token.startswith(self.government)
                or token == self.government.rstrip("都府県")):  # 東京での = 東京都での
            return "ours"
        roles = self.our_roles()
        role = next((r for r in sorted(roles, key=len, reverse=True) if token.endswith(r)), None)
        if role is not None:  # 副知事 is ours; ニューヨーク州知事 is theirs
            rest = token[: -len(role)]
            return "theirs" if rest and rest[-1] in _suffixes("place_suffixes") else "ours"
        if any(token.endswith(s) for s in vocab.direction["our_body_suffixes"]):
            return "ours"
        if any(token.endswith(p) for p in self.partners):
            return "theirs"
        if token[-1] in _suffixes("place_suffixes"):
            return "theirs"
        return None  # a bare role of another title (市長表敬) does not say whose it is

    def is_partner(self, token: str) -> bool:
        """Whether the name is the partner's own (北京市代表チーム), by its first words."""
        return bool(token) and any(token.startswith(p) for p in self.partners)

    def our_roles(self) -> tuple[str, ...]:
        return vocabulary().government_roles.get(self.government[-1:], ())

    def arrival(self) -> tuple[str, ...]:
        return vocabulary().government_arrival.get(self.government[-1:], ())


def _suffixes(key: str) -> str:
    return "".join(vocabulary().direction[key])


def _partner_names(partner_names: tuple[str, ...]) -> tuple[str, ...]:
    """Each name and its stem (ジャカルタ特別市 -> ジャカルタ), longest first."""
    names: set[str] = set()
    for name in partner_names:
        name = unicodedata.normalize("NFKC", name).strip()
        if not name:
            continue
        names.add(name)
        stem = re.sub(r"(特別市|特別区|自治区|市|州|県|省|都|府|区)$", "", name)
        if len(stem) >= 2:
            names.add(stem)
    return tuple(sorted(names, key=len, reverse=True))


def _travel(text: str, sides: _Sides) -> tuple[list[str], list[str]]:
    """Cues of travel: (inbound evidence, outbound evidence)."""
    vocab = vocabulary()
    inbound: list[str] = []
    outbound: list[str] = []
    for word in (*vocab.direction["inbound"], *sides.arrival()):
        if word in text:
            inbound.append(word)
    for word in vocab.direction["outbound"]:
        # Xからの派遣 says who was sent from where: step 4 reads it, whoever X is.
        if text.replace("からの" + word, "").find(word) >= 0:
            outbound.append(word)
    # X訪問, Xを訪問, X表敬訪問, Xを表敬: X is the place, body or person visited. 訪問団
    # (a visiting delegation) names people, not a visit.
    for match in re.finditer(r"(?:への|を|に|へ)?(?:表敬訪問|表敬|訪問)(?![団者])", text):
        token = _token_before(text, match.start())
        cue = text[match.start() - len(token): match.end()]
        owner = sides.owner(token)
        if owner == "ours":
            inbound.append(cue)
        elif owner == "theirs" and not sides.is_partner(_visitor(text, match.start() - len(token))):
            outbound.append(cue)  # (the partner's people visiting a third place: no cue)
    return _unique(inbound), _unique(outbound)


def _setting(text: str, sides: _Sides) -> tuple[list[str], list[str]]:
    """Cues of where it was held or who invited: (inbound evidence, outbound evidence)."""
    vocab = vocabulary()
    inbound: list[str] = []
    outbound: list[str] = []
    swapped = (*vocab.direction["sent_from"], *vocab.direction["invites"])
    for word in (*vocab.direction["hosted"], *vocab.direction["held"],
                 *vocab.direction["invited_by"], *swapped):
        at = text.find(word)
        while at >= 0:
            token = _token_before(text, at)
            owner = sides.owner(token)
            if any(token.endswith(j) for j in vocab.direction["joint"]):
                owner = None  # 東京都・北京市共同主催: hosted by both says nothing
            elif word in vocab.direction["invites"] and any(
                    text.startswith(by, at) for by in vocab.direction["invited_by"]):
                owner = None  # Xの招へいにより: X is the inviter, read as invited_by
            elif owner is None and word in vocab.direction["invited_by"]:
                owner = "theirs"  # invited by any body but ours: our people went to it
            if word in swapped:  # people from us, or invited from us, went out; and back
                owner = {"ours": "theirs", "theirs": "ours"}.get(owner or "")
            if owner == "ours":
                inbound.append(token + word)
            elif owner == "theirs":
                outbound.append(token + word)
            at = text.find(word, at + 1)
    if not inbound and not outbound:
        for word in vocab.direction["joined"]:
            at = text.find(word)
            if at < 0:
                continue
            # Who takes part: the item's subject (北京市代表チームの…大会参加) or the name
            # right before the word (…大会への北京市チーム参加, 北京市チームが参加).
            for who in (_subject(text), _token_before(text, len(text[:at].rstrip("のがはも")))):
                if sides.is_partner(who):
                    inbound.append(f"{who}…{word}")
                    break
            break
    return _unique(inbound), _unique(outbound)


def _visitor(text: str, place_start: int) -> str:
    """Who visits in "Xの Y訪問": the name X before the の in front of the place Y."""
    if place_start < 1 or text[place_start - 1] != "の":
        return ""
    return _token_before(text, place_start - 1)


def _subject(text: str) -> str:
    """The name the item starts with, up to its first の (北京市代表チームの… -> 北京市代表チーム);
    empty when the item does not start with a name."""
    if "の" not in text:
        return ""
    head = text.split("の", 1)[0]
    token = _token_before(text, len(head))
    return token if token and text.startswith(token) else ""


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def text_to_direction(text: str, government: str,
                      partner_names: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """(direction, the words that decided it), in the order facets.toml documents."""
    vocab = vocabulary()
    both = [w for w in vocab.direction["both"] if w in text]
    if both:
        return "both", both[0]
    sides = _Sides(unicodedata.normalize("NFKC", government), _partner_names(partner_names))
    inbound, outbound = _travel(text, sides)
    if inbound and outbound:
        return "both", f"{inbound[0]} / {outbound[0]}"
    if inbound or outbound:
        return ("inbound", inbound[0]) if inbound else ("outbound", outbound[0])
    remote = [w for w in vocab.direction["remote"] if w in text]
    if remote:
        return "remote", remote[0]
    inbound, outbound = _setting(text, sides)
    if inbound and outbound:  # held here and there: the words do not say who went where
        return "unknown", f"{inbound[0]} / {outbound[0]}"
    if inbound or outbound:
        return ("inbound", inbound[0]) if inbound else ("outbound", outbound[0])
    return "unknown", None


# ---- all together --------------------------------------------------------------------------

@functools.lru_cache(maxsize=8192)  # the same items recur year after year; Facets is immutable
def item_to_facets(text: str, government: str | None = None,
                   partner_names: tuple[str, ...] = ()) -> Facets:
    """The facets of one item (its description). `government` is the reporting government
    (東京都 when None); `partner_names` the partner's city and country as printed, so that
    a visit to them reads as outbound and their people's participation as inbound."""
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
    return Facets(kind, direction, "; ".join(actors) or None, count,
                  "; ".join(evidence) or None)
