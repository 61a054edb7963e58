"""`pipeline diff` on long items (issue 17, finding 6): pairing and marking up a reworded
item cost time linear in its length, and what cannot be compared in bounded time is said.

Review finding: a 48 KB item changed by one character took 31 s to diff as text and 127 s
as HTML (difflib is quadratic on it), ×3.2 per doubling. Time is never asserted here:
the end-to-end case runs under a generous hang guard (60 s; the old code needed 127 s),
and benchmarks/bench_diff.py measures it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import similar
from pipeline.cli import main
from pipeline.diff_match import pair_similar
from pipeline.runner import run
from tests.conftest import REPORT, read_csv
from tests.reports import hang_guard

LONDON = "・知事のロンドン出張(平成25年1月)"  # line 21 of the report


def guard(seconds: int = 60) -> AbstractContextManager[None]:
    return hang_guard(seconds, "diffing")


def test_a_long_text_changed_by_one_character() -> None:
    """Common start 24,000 and end 24,000 characters, middles X and Y that do not match:
    2 × 48,000 / 96,002."""
    old, new = "あ" * 24_000 + "X" + "い" * 24_000, "あ" * 24_000 + "Y" + "い" * 24_000
    with guard():
        assert similar.common_ends(old, new) == (24_000, 24_000)
        assert similar.ratio(old, new) == 96_000 / 96_002
        assert similar.opcodes(old, new) == [("equal", 0, 24_000, 0, 24_000),
                                             ("replace", 24_000, 24_001, 24_000, 24_001),
                                             ("equal", 24_001, 48_001, 24_001, 48_001)]


def test_middles_too_long_to_compare_give_no_ratio_and_one_replaced_span() -> None:
    """Middles of 1,500 × 1,500 characters (2,250,000 pairs, over 1,000,000)."""
    old, new = "前" * 500 + "かき" * 750 + "後" * 500, "前" * 500 + "きか" * 750 + "後" * 500
    assert similar.common_ends(old, new) == (500, 500)
    assert similar.ratio(old, new) is None
    assert similar.opcodes(old, new) == [("equal", 0, 500, 0, 500),
                                         ("replace", 500, 2_000, 500, 2_000),
                                         ("equal", 2_000, 2_500, 2_000, 2_500)]


def test_pairs_too_long_to_compare_are_handed_back() -> None:
    old_text, new_text = ("前" * 500 + "かき" * 750 + "後" * 500,
                          "前" * 500 + "きか" * 750 + "後" * 500)
    common = {"fiscal_year": 2012, "partner_country": "英国", "partner_country_code": "GB",
              "partner_city": "ロンドン市"}
    too_long: list[tuple[int, int]] = []
    pairs = pair_similar([{**common, "event_id": "a", "description": old_text}],
                         [{**common, "event_id": "b", "description": new_text}],
                         too_long=too_long)
    assert pairs == [] and too_long == [(0, 0)]


texts = st.text(alphabet="あいうXY", max_size=60)


@given(texts, texts, texts, texts)
def test_opcodes_turn_one_text_into_the_other(start: str, a: str, b: str, end: str) -> None:
    """Short, or long (a common start and end of 1,200 characters each, past similar.LONG,
    around them): applying the opcodes to the old text gives the new one."""
    for old, new in ((a, b), ("う" * 1_200 + start + a + end + "い" * 1_200,
                              "う" * 1_200 + start + b + end + "い" * 1_200)):
        built = []
        for tag, i1, i2, j1, j2 in similar.opcodes(old, new):
            assert tag in ("equal", "replace", "insert", "delete")
            built.append(old[i1:i2] if tag == "equal" else new[j1:j2])
            if tag == "equal":
                assert old[i1:i2] == new[j1:j2]
        assert "".join(built) == new


@given(texts, texts)
def test_short_texts_keep_difflibs_own_ratio(a: str, b: str) -> None:
    assert similar.ratio(a, b) == SequenceMatcher(None, a, b, autojunk=False).ratio()


@given(texts, texts)
def test_common_ends_are_common_and_as_long_as_they_can_be(a: str, b: str) -> None:
    prefix, suffix = similar.common_ends(a, b)
    assert prefix + suffix <= min(len(a), len(b))
    assert a[:prefix] == b[:prefix] and a[len(a) - suffix :] == b[len(b) - suffix :]
    rest = min(len(a), len(b)) - prefix - suffix
    assert rest == 0 or (a[prefix] != b[prefix] and a[-suffix - 1] != b[-suffix - 1])


def folder(tmp_path: Path, name: str, item: str) -> Path:
    text = REPORT.read_text(encoding="utf-8")
    assert text.count(LONDON) == 1
    place = tmp_path / name
    place.mkdir()
    (place / REPORT.name).write_text(text.replace(LONDON, item), encoding="utf-8")
    return place


def event_id(tmp_path: Path, reports: Path, start: str) -> str:
    out = tmp_path / f"{reports.name}-out"
    run([reports], out)
    (row,) = [r for r in read_csv(out / "events.csv") if r["description"].startswith(start)]
    return row["event_id"]


@pytest.mark.parametrize("form", ["text", "html"])
def test_a_48_kb_item_changed_by_one_character_is_one_change(
        tmp_path: Path, form: str, capsys: pytest.CaptureFixture[str]) -> None:
    body = "ロンドン市との交流について" * 1_800  # 23,400 characters a side
    old = folder(tmp_path, "old", f"・{body}甲{body}(平成25年1月)")
    new = folder(tmp_path, "new", f"・{body}乙{body}(平成25年1月)")
    with guard():
        assert main(["diff", str(old), str(new), "--format", form]) == 1
    shown = capsys.readouterr().out
    if form == "text":
        assert "1 added" not in shown and "0 added, 0 removed, 1 changed" in shown
        assert ", description 100% alike]" in shown
    else:
        assert "<del>甲</del>" in shown and "<ins>乙</ins>" in shown


def test_items_too_long_to_compare_are_said_to_be_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = folder(tmp_path, "old", "・" + "前" * 500 + "かき" * 750 + "後" * 500 + "(平成25年1月)")
    new = folder(tmp_path, "new", "・" + "前" * 500 + "きか" * 750 + "後" * 500 + "(平成25年1月)")
    old_id, new_id = event_id(tmp_path, old, "前"), event_id(tmp_path, new, "前")
    with guard():
        assert main(["diff", str(old), str(new)]) == 1
    shown = capsys.readouterr().out
    assert ("not compared for rewording (descriptions differ in more than 1,000,000 "
            f"character pairs; shown as removed and added): {old_id} ~ {new_id}\n") in shown
    assert "1 added, 1 removed, 0 changed" in shown
