"""Property (issue 12): the FY2012 table read by roles does not depend on the order of its
columns or on which of the vocabulary's words its headers use."""

from __future__ import annotations

import tomllib
from importlib import resources

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract import extract_bytes
from pipeline.model import Extraction
from tests.conftest import REPORT

VOCABULARY = tomllib.loads(
    resources.files("pipeline").joinpath("roles.toml").read_text(encoding="utf-8"))
WORDS = {role: sorted(h for h, r in VOCABULARY["columns"].items() if r == role)
         for role in ("partner", "content", "bureau")}
ROLES = ("partner", "content", "bureau")  # FY2012's columns, in its order
LINES = REPORT.read_text(encoding="utf-8").split("\n")
ORIGINAL = extract_bytes(REPORT.read_bytes(), REPORT.name)


def rearranged(order: list[int], headers: dict[str, str]) -> bytes:
    lines = []
    for line in LINES:
        cells = line.split("\t")
        if len(cells) == 3:
            if cells[0].startswith("提携都市名"):
                cells = [headers[role] for role in ROLES]
            cells = [cells[i] for i in order]
        lines.append("\t".join(cells))
    return "\n".join(lines).encode("utf-8")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations([0, 1, 2]),
       partner=st.sampled_from(WORDS["partner"]), content=st.sampled_from(WORDS["content"]),
       bureau=st.sampled_from(WORDS["bureau"]))
def test_permuted_columns_and_synonym_headers_give_the_same_events(
        order: list[int], partner: str, content: str, bureau: str) -> None:
    found = extract_bytes(rearranged(order, {"partner": partner, "content": content,
                                             "bureau": bureau}), REPORT.name)
    assert isinstance(found, Extraction) and isinstance(ORIGINAL, Extraction)
    assert len(ORIGINAL.events) == 35
    assert found.events == ORIGINAL.events
    assert found.periods == ORIGINAL.periods
    assert found.entries == ORIGINAL.entries
    assert [i for i in found.issues if i.severity == "reject"] == []
