"""The facet vocabulary: facets.toml (beside this module) read into one typed value."""

from __future__ import annotations

import functools
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

KINDS = ("disaster_relief", "sports", "culture", "youth_education", "conference",
         "study_visit", "training", "economic", "official_visit", "other")
DIRECTIONS = ("inbound", "outbound", "both", "remote", "unknown")


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
