"""Column roles: which column of a report table holds what, from header words kept as data.

The words live in `roles.toml` beside this module; `pipeline run --layout FILE` adds a
user's own file of the same format in front of them. Pure data and pure functions: the
readers (to find a table) and layout (to assign its columns) share them.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources

ROLES = ("partner", "country", "government", "partnership_date", "content", "date",
         "category", "bureau", "participants", "note")
# Roles whose blank cell means "the same as the row above" (merged cells exported blank).
INHERITING = ("government", "country", "partner", "category", "bureau")
# Roles of which a table may have several columns, joined in column order (decision 1 of
# the shapes' golden README: 都道府県名 + 自治体名 -> 東京都練馬区).
JOINED = ("government",)

_BRACKETED = re.compile(r"[(（\[［【〔<＜「][^()（）\[\]［］【】〔〕<>＜＞「」]*[)）\]］】〕>＞」]")
_BRACKET_CHARS = re.compile(r"[()（）\[\]［］【】〔〕<>＜＞「」]")


class VocabularyError(ValueError):
    """A vocabulary or layout file that cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Header words -> roles. `columns` are exact (in header_key form), `patterns` searched."""

    columns: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[str, str], ...] = ()
    origin: str = "roles.toml"

    def then(self, other: Vocabulary) -> Vocabulary:
        """This vocabulary first, `other` where this one says nothing."""
        return Vocabulary(self.columns + other.columns, self.patterns + other.patterns,
                          f"{self.origin} + {other.origin}")


def header_key(text: str) -> str:
    """How a header is compared: NFKC, bracketed parts, brackets and spaces removed."""
    normal = unicodedata.normalize("NFKC", text)
    while True:  # nested groups: the inner one first
        stripped = _BRACKETED.sub("", normal)
        if stripped == normal:
            break
        normal = stripped
    return "".join(_BRACKET_CHARS.sub("", normal).split())


def parse_vocabulary(text: str, origin: str) -> Vocabulary:
    """A vocabulary from TOML text ([columns] header -> role, [patterns] regex -> role).
    Raises VocabularyError naming the file and the entry for anything it cannot use."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise VocabularyError(f"{origin}: not a TOML file ({error})") from None
    unknown_tables = sorted(set(data) - {"columns", "patterns"})
    if unknown_tables:
        raise VocabularyError(f"{origin}: unknown section(s) {', '.join(unknown_tables)}; "
                              "a layout has [columns] (header = \"role\") and [patterns]")
    if "columns" not in data and "patterns" not in data:
        raise VocabularyError(f"{origin}: no [columns] section; write e.g.\n[columns]\n"
                              "\"交流の概要\" = \"content\"")
    sections: dict[str, list[tuple[str, str]]] = {"columns": [], "patterns": []}
    for section, found in sections.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise VocabularyError(f"{origin}: [{section}] must be a table of header = role")
        for key, role in table.items():
            if not isinstance(role, str) or role not in ROLES:
                raise VocabularyError(
                    f"{origin}: [{section}] {key!r} = {role!r}: unknown role; the roles are "
                    f"{', '.join(ROLES)}")
            if section == "patterns":
                try:
                    re.compile(key)
                except re.error as error:
                    raise VocabularyError(f"{origin}: [patterns] {key!r} is not a regular "
                                          f"expression ({error})") from None
                found.append((key, role))
            elif not header_key(key):
                raise VocabularyError(f"{origin}: [columns] {key!r} is an empty header")
            else:
                found.append((header_key(key), role))
    return Vocabulary(tuple(sections["columns"]), tuple(sections["patterns"]), origin)


@functools.cache
def builtin_vocabulary() -> Vocabulary:
    text = resources.files("pipeline").joinpath("roles.toml").read_text(encoding="utf-8")
    return parse_vocabulary(text, "roles.toml")


@functools.lru_cache(maxsize=256)
def _lookup(vocabulary: Vocabulary) -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str],
                                                                   ...]]:
    exact: dict[str, str] = {}
    for key, role in vocabulary.columns:
        exact.setdefault(key, role)  # the first entry wins: a layout's own come first
    return exact, tuple((re.compile(p), role) for p, role in vocabulary.patterns)


MAX_HEADER_CELL = 60  # characters; longer cells are content, never a header


@functools.lru_cache(maxsize=16384)
def cell_role(cell: str, vocabulary: Vocabulary) -> str | None:
    """The role a header cell names, or None. Header cells recur in every report."""
    if not cell.strip() or len(cell) > MAX_HEADER_CELL:
        return None
    key = header_key(cell)
    if not key:
        return None
    exact, patterns = _lookup(vocabulary)
    if key in exact:
        return exact[key]
    return next((role for pattern, role in patterns if pattern.search(key)), None)
