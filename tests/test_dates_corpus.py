"""The date engine's fast paths read exactly what it read before them (issue 18, speed).

The pattern shortcuts (tests that reject a position before the full pattern is tried, the
rarely used patterns compiled on first use) and the block-wise reading and writing of
`pipeline dates` must change no result. The corpus is the 20,000 sentences of
benchmarks/bench_dates.py; its results were recorded, block by block, by the engine as it
was before the shortcuts (commit 7132c23).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dates import find_dates
from pipeline.dates.jsonl import read_lines, texts_to_lines, write_jsonl

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_dates.py"
BLOCK = 2000
# sha256 (first 16 hex digits) of repr(find_dates(sentence, fiscal_year)), one line per
# sentence, for each block of 2,000 sentences, as the engine gave them before the shortcuts.
RECORDED = {
    2012: ["1078c67b71014e48", "a5ab00e6f5a233db", "f3e94250d9d066c5", "2f97f4575d3ca8f6",
           "c3ee6d79d28dae8b", "e1a17bfab9ad551d", "e61fcff4407133f6", "d7d8c6fd9ce8eb87",
           "eba3d65b75cd9c30", "d9af85b0d3e1a1cc"],
    None: ["da6069a019ab5700", "ec8e7c91c69ca5ee", "0c202c36daa0f165", "dd52aab0084ab142",
           "6de2380c0d48e06b", "ba036baf985ec18a", "853c07b80009d9c6", "a8fedb333475ae13",
           "dd6ec939cde6676e", "95eb480a45969d78"],
}


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_dates", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    made: list[str] = _bench().make_sentences(20_000)
    return made


@pytest.mark.parametrize("fiscal_year", [2012, None])
def test_benchmark_sentences_read_as_before(sentences: list[str], fiscal_year: int | None,
                                            ) -> None:
    digests = []
    for start in range(0, len(sentences), BLOCK):
        digest = hashlib.sha256()
        for sentence in sentences[start:start + BLOCK]:
            digest.update(repr(find_dates(sentence, fiscal_year)).encode() + b"\n")
        digests.append(digest.hexdigest()[:16])
    changed = [i * BLOCK for i, (now, then) in enumerate(zip(digests, RECORDED[fiscal_year],
                                                              strict=True)) if now != then]
    assert not changed, f"sentences from {changed} are read differently"


def test_benchmark_sentences_have_dates_and_words(sentences: list[str]) -> None:
    """The corpus exercises both paths: sentences with dates, and sentences whose numbers
    (10km, 3212-2111, 第3回) the shortcuts turn away."""
    found = [bool(find_dates(s, 2012).periods) for s in sentences[:2000]]
    assert 800 < sum(found) < 1200


LINES = st.text(alphabet="ab平成24年6月\r\n\u2028\x85 ", max_size=60)


@settings(max_examples=300, deadline=None)
@given(text=LINES, block=st.integers(min_value=1, max_value=8))
def test_read_lines_gives_the_lines_of_the_stream(text: str, block: int) -> None:
    """Read in blocks, the lines are those `for line in stream` gives, less the line end."""
    expected = [line.rstrip("\r\n") for line in io.StringIO(text, newline="\n")]
    batches = list(read_lines(io.StringIO(text, newline="\n"), block))
    assert [line for batch in batches for line in batch] == expected


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(st.sampled_from(["平成24年4～5月", "3月、平成24年2月30日", "東京", "",
                                        "H24.4.1(日)", "2012年4月1日から同年6月まで"]),
                      max_size=6),
       fiscal_year=st.sampled_from([None, 2012]))
def test_write_jsonl_writes_the_lines_of_texts_to_lines(texts: list[str],
                                                        fiscal_year: int | None) -> None:
    out = io.StringIO()
    write_jsonl([texts[:2], texts[2:]], fiscal_year, out)
    assert out.getvalue() == "".join(texts_to_lines(texts, fiscal_year))
