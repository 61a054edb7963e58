"""Full-width and kanji numerals, for the date engine (standard library only)."""

from __future__ import annotations

# Full-width digits, Latin letters, full stop and solidus -> ASCII, one character for one
# character, so that offsets in the translated text are offsets in the original.
FULLWIDTH_TO_ASCII: dict[int, int] = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    ord("．"): ord("."),
    ord("／"): ord("/"),
}

KANJI_DIGITS: dict[str, int] = {
    "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
KANJI_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}


def kanji_to_int(text: str) -> int | None:
    """二十四 -> 24, 十 -> 10, 三十一 -> 31, 二〇一二 -> 2012 (digit by digit); None if malformed.

    Malformed means a digit run inside a unit form (二三十), a repeated or rising unit (十十,
    十百) or a character that is not a numeral.
    """
    if not text:
        return None
    if all(ch in KANJI_DIGITS for ch in text):  # positional: 二〇一二, 二四
        value = 0
        for ch in text:
            value = value * 10 + KANJI_DIGITS[ch]
        return value
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for ch in text:
        if ch in KANJI_DIGITS:
            if digit is not None:
                return None
            digit = KANJI_DIGITS[ch]
        elif ch in KANJI_UNITS:
            unit = KANJI_UNITS[ch]
            if unit >= last_unit or digit == 0:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0)


def to_int(text: str) -> int | None:
    """ASCII digits or a kanji numeral -> int; None if neither."""
    if text.isascii():
        return int(text) if text.isdigit() else None
    return kanji_to_int(text)
