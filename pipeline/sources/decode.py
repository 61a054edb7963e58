"""Bytes -> text. The encoding is decided by strict decoding, never by a statistical guess.

Candidates are tried strictly (UTF-8 with or without BOM, CP932 which is Shift_JIS as
Windows writes it, EUC-JP). When more than one decodes without error, the one whose text
reads most like Japanese wins: EUC-JP bytes read as CP932 come out as half-width katakana
and rare symbols, which the score counts against.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CANDIDATES: tuple[str, ...] = ("utf-8", "cp932", "euc_jp")

_NATURAL = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff0-9A-Za-z\s、。・「」()（）]")
_UNLIKELY = re.compile(r"[\uff61-\uff9f\ue000-\uf8ff\u2460-\u24ff\u2500-\u257f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"\x7fELF")


class DecodeError(Exception):
    """The bytes are not text in any encoding we read."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # as written to the manifest: utf-8, utf-8-sig, cp932, euc_jp
    truncated: bool  # the file ended in the middle of a character
    control_chars: int  # stray control characters removed


def _score(text: str) -> int:
    sample = text[:20000]  # plenty to tell Japanese from mojibake, and bounded on huge files
    return len(_NATURAL.findall(sample)) - 4 * len(_UNLIKELY.findall(sample))


def _strict(data: bytes, encoding: str) -> tuple[str, bool] | None:
    """Decode strictly; a file cut inside its last character decodes up to the cut."""
    try:
        return data.decode(encoding), False
    except UnicodeDecodeError as error:
        # Only an incomplete sequence in the last few bytes counts as a cut, not as damage.
        cut_short = error.reason.startswith(("unexpected end", "incomplete"))
        if error.start >= len(data) - 3 and cut_short:
            try:
                return data[: error.start].decode(encoding), True
            except UnicodeDecodeError:
                return None
        if error.start >= len(data) - 1 and encoding != "utf-8":
            try:
                return data[: error.start].decode(encoding), True
            except UnicodeDecodeError:
                return None
        return None


def looks_binary(data: bytes) -> bool:
    if data.startswith(_BINARY_MAGIC):
        return True
    head = data[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > max(8, len(head) // 10)


def decode(data: bytes) -> Decoded:
    """Decode report bytes. Raises DecodeError with a reader-facing reason."""
    if not data.strip():
        raise DecodeError("the file is empty")
    if looks_binary(data):
        raise DecodeError("the file is binary, not a text report")
    if data.startswith(b"\xef\xbb\xbf"):
        found = _strict(data[3:], "utf-8")
        if found is None:
            raise DecodeError("the file starts with a UTF-8 BOM but is not valid UTF-8")
        return _clean(found[0], "utf-8-sig", found[1])
    decoded: list[tuple[int, str, str, bool]] = []
    for order, encoding in enumerate(CANDIDATES):
        found = _strict(data, encoding)
        if found is None:
            continue
        if encoding == "utf-8" and not found[1]:
            return _clean(found[0], encoding, False)  # valid UTF-8 is never anything else
        decoded.append((_score(found[0]) - order, encoding, found[0], found[1]))
    if not decoded:
        raise DecodeError("no encoding decodes it (tried UTF-8, Shift_JIS/CP932, EUC-JP)")
    _, encoding, text, truncated = max(decoded, key=lambda entry: entry[0])
    return _clean(text, encoding, truncated)


def _clean(text: str, encoding: str, truncated: bool) -> Decoded:
    text, removed = _CONTROL.subn("", text)
    return Decoded(text=text, encoding=encoding, truncated=truncated, control_chars=removed)


def nfkc_collapse(text: str) -> str:
    """NFKC with runs of whitespace collapsed: the normal form of description columns."""
    return " ".join(unicodedata.normalize("NFKC", text).split())
