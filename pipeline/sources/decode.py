"""Bytes -> text. The encoding is decided by strict decoding, never by a statistical guess.

Candidates are tried strictly (UTF-8 with or without BOM, CP932 which is Shift_JIS as
Windows writes it, EUC-JP). When more than one decodes without error, the one whose text
reads most like Japanese wins: EUC-JP bytes read as CP932 come out as half-width katakana
and rare symbols, which the score counts against.

When none decodes the whole file, lines are decoded one by one: a stray byte costs only
its own line (kept with U+FFFD and listed in `bad_lines`) unless too many lines are bad:
more than MAX_BAD_SHARE of the non-blank lines and more than MIN_BAD_LINES, or over half.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CANDIDATES: tuple[str, ...] = ("utf-8", "cp932", "euc_jp")

# Counted by its complement: in good text the unnatural characters are the few.
_UNNATURAL = re.compile(r"[^\u3040-\u30ff\u4e00-\u9fff0-9A-Za-z\s、。・「」()（）]")
_UNLIKELY = re.compile(r"[\uff61-\uff9f\ue000-\uf8ff\u2460-\u24ff\u2500-\u257f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])
# What a binary file is, by its first bytes, and what to do to read it: the error says so.
_BINARY_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF whose header is damaged (no %PDF-<version>): download it again"),
    (b"\x89PNG", "an image (PNG), not a text report"),
    (b"GIF8", "an image (GIF), not a text report"),
    (b"\xff\xd8\xff", "an image (JPEG), not a text report"),
    (b"\x1f\x8b", "gzip-compressed: unpack it first"),
    (b"\x7fELF", "a program, not a text report"),
)
_BINARY_MAGIC = tuple(magic for magic, _ in _BINARY_KINDS)
# CR and LF are never part of a multibyte character in these encodings, so the bytes
# split into the same physical lines as the text (text.split_lines).
_LINE_END = re.compile(rb"(\r\n|\r|\n)")
# More undecodable lines than this share means the file is not text in that encoding...
MAX_BAD_SHARE = 0.1
# ...unless they are this few: two stray bytes must not cost a 19-line report, nor one
# byte a 9-line one. Binary data is caught before (looks_binary), and a file whose lines
# are mostly bad is never text with stray bytes (too_damaged).
MIN_BAD_LINES = 3
_TRIED = "tried UTF-8, Shift_JIS/CP932, EUC-JP"


class DecodeError(Exception):
    """The bytes are not text in any encoding we read."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # as written to the manifest: utf-8, utf-8-sig, cp932, euc_jp
    truncated: bool  # the file ended in the middle of a character
    control_chars: int  # stray control characters removed
    bad_lines: tuple[int, ...] = ()  # 1-based lines that did not decode (U+FFFD in the text)


def _score(text: str) -> int:
    sample = text[:20000]  # plenty to tell Japanese from mojibake, and bounded on huge files
    natural = len(sample) - len(_UNNATURAL.findall(sample))
    return natural - 4 * len(_UNLIKELY.findall(sample))


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


def binary_kind(data: bytes) -> str:
    """What a binary file is, for its error message, as far as its first bytes tell."""
    kind = next((kind for magic, kind in _BINARY_KINDS if data.startswith(magic)), None)
    return f"the file is {kind}" if kind else "the file is binary, not a text report"


def decode(data: bytes) -> Decoded:
    """Decode report bytes. Raises DecodeError with a reader-facing reason."""
    if not data.strip():
        raise DecodeError("the file is empty")
    if looks_binary(data):
        raise DecodeError(binary_kind(data))
    if data.startswith(b"\xef\xbb\xbf"):
        found = _strict(data[3:], "utf-8")
        if found is None:
            return decode_lines(data[3:], ("utf-8",), "the file starts with a UTF-8 BOM "
                                "but is not valid UTF-8", bom=True)
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
        return decode_lines(data, CANDIDATES, f"no encoding decodes it ({_TRIED})")
    _, encoding, text, truncated = max(decoded, key=lambda entry: entry[0])
    return _clean(text, encoding, truncated)


def byte_lines(data: bytes) -> list[bytes]:
    """Physical lines, each with its own line end; a final line end adds no line."""
    parts = _LINE_END.split(data)
    lines = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _by_line(lines: list[bytes], encoding: str) -> tuple[str, bool, tuple[int, ...]]:
    """Each line decoded strictly on its own; the bad ones with U+FFFD for bad bytes."""
    texts: list[str] = []
    bad: list[int] = []
    truncated = False
    for number, line in enumerate(lines, start=1):
        found = _strict(line, encoding) if number == len(lines) else None
        try:
            text = found[0] if found else line.decode(encoding)
            truncated = bool(found and found[1])
        except UnicodeDecodeError:
            text = line.decode(encoding, errors="replace")
            bad.append(number)
        texts.append(text)
    return "".join(texts), truncated, tuple(bad)


def decode_lines(data: bytes, candidates: tuple[str, ...], reason: str, bom: bool = False
                 ) -> Decoded:
    """Decode line by line with the candidate that leaves the fewest undecodable lines.

    Raises DecodeError(`reason`) when even that one leaves too many lines undecodable
    (too_damaged): then the file is not text with a few stray bytes.
    """
    lines = byte_lines(data)
    results = []
    for order, encoding in enumerate(candidates):
        text, truncated, bad = _by_line(lines, encoding)
        results.append(((len(bad), -_score(text), order), encoding, text, truncated, bad))
    _, encoding, text, truncated, bad = min(results, key=lambda result: result[0])
    filled = sum(1 for line in lines if line.strip())
    if too_damaged(len(bad), filled):
        raise DecodeError(f"{reason}: {len(bad)} of {filled} lines are undecodable even "
                          f"as {encoding}")
    return _clean(text, "utf-8-sig" if bom else encoding, truncated, bad)


def too_damaged(bad: int, filled: int) -> bool:
    """True when `bad` undecodable lines of `filled` non-blank ones are more than stray bytes.

    A few bad lines are kept however short the file (up to MIN_BAD_LINES, or
    MAX_BAD_SHARE of a long one), but never more than half of its lines.
    """
    return bad > max(MIN_BAD_LINES, filled * MAX_BAD_SHARE) or 2 * bad > filled


def _clean(text: str, encoding: str, truncated: bool, bad_lines: tuple[int, ...] = ()
           ) -> Decoded:
    text, removed = _CONTROL.subn("", text)
    return Decoded(text=text, encoding=encoding, truncated=truncated, control_chars=removed,
                   bad_lines=bad_lines)
