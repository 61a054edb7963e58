"""An event's direction (inbound, outbound, both, remote, unknown) from its description:
whose place was visited, who hosted or invited, who took part — in the order facets.toml
documents. Words that do not say whose a place is decide nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from pipeline.facet_words import vocabulary

MAX_NAME = 40  # characters: a run longer than this before a cue word is no name

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


@functools.cache
def government_parts(government: str) -> tuple[str, ...]:
    """The government and, where it is joined from a prefecture and a more local government
    (東京都 + 練馬区 -> 東京都練馬区), each part: the ward and its prefecture are ours too."""
    prefecture = next((name for name in vocabulary().government_names
                       if name[-1] in "都道府県" and government.startswith(name)
                       and len(government) > len(name)), None)
    if prefecture is None:
        return (government,)
    return government, government[len(prefecture):], prefecture


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
        if any(token.endswith(name) or token.startswith(name)
               or token == name.rstrip("都府県")  # 東京での = 東京都での
               for name in government_parts(self.government)):
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
