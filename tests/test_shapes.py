"""The three golden shapes of tests/data/shapes/ (a register, an activity table with a date
column, record tables in HTML) through `pipeline run`, compared value by value."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import DATA, read_csv

SHAPES = DATA / "shapes"
INPUTS = {"ward_register": "ward_register.csv", "fy2023_activities": "fy2023_activities.tsv",
          "record_tables": "record_tables.html"}
# Compared elsewhere: date_text / partnership_date_text may be the date expression found
# in the cell, not the whole cell (the golden README's conventions).
TEXT_COLUMNS = ("date_text", "partnership_date_text")


@pytest.fixture(scope="module")
def shape_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    outputs = {}
    for stem, name in INPUTS.items():
        raw = tmp_path_factory.mktemp(stem)
        shutil.copy(SHAPES / name, raw / name)
        out = raw / "out"
        assert main(["run", str(raw / name), "--out", str(out), "--quiet"]) == 0
        outputs[stem] = out
    return outputs


def _key(row: dict[str, str], key: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(row[k] for k in key)


def _cases(suffix: str, key: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    return [(stem, row) for stem in INPUTS if (SHAPES / f"{stem}.{suffix}.csv").exists()
            for row in read_csv(SHAPES / f"{stem}.{suffix}.csv")]


ENTRY_KEY = ("table_no", "row_no")
EVENT_KEY = ("table_no", "row_no", "item_no")
EXTRA_KEY = ("table_no", "row_no", "column")


@pytest.mark.parametrize("table", ["entries", "events", "extras"])
@pytest.mark.parametrize("stem", list(INPUTS))
def test_row_counts(shape_outputs: dict[str, Path], stem: str, table: str) -> None:
    golden = SHAPES / f"{stem}.{table}.csv"
    if not golden.exists():  # no golden extras for two shapes: none expected
        assert read_csv(shape_outputs[stem] / f"{table}.csv") == []
        return
    assert len(read_csv(shape_outputs[stem] / f"{table}.csv")) == len(read_csv(golden))


def _check(ours: dict[str, str], golden: dict[str, str], source: str) -> None:
    for column, expected in golden.items():
        if column in TEXT_COLUMNS:
            # The expression the reader finds, as the source prints it.
            assert ours[column] and ours[column] in source, column
            assert ours[column] in expected or expected in ours[column], column
            continue
        assert ours[column] == expected, column


@pytest.mark.parametrize(("stem", "golden"), _cases("entries", ENTRY_KEY),
                         ids=lambda v: v if isinstance(v, str) else "-".join(
                             v[k] for k in ENTRY_KEY))
def test_entry_matches_golden(shape_outputs: dict[str, Path], stem: str,
                              golden: dict[str, str]) -> None:
    ours = {_key(r, ENTRY_KEY): r for r in read_csv(shape_outputs[stem] / "entries.csv")}
    _check(ours[_key(golden, ENTRY_KEY)], golden,
           (SHAPES / INPUTS[stem]).read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize(("stem", "golden"), _cases("events", EVENT_KEY),
                         ids=lambda v: v if isinstance(v, str) else "-".join(
                             v[k] for k in EVENT_KEY))
def test_event_matches_golden(shape_outputs: dict[str, Path], stem: str,
                              golden: dict[str, str]) -> None:
    ours = {_key(r, EVENT_KEY): r for r in read_csv(shape_outputs[stem] / "events.csv")}
    _check(ours[_key(golden, EVENT_KEY)], golden,
           (SHAPES / INPUTS[stem]).read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize(("stem", "golden"), _cases("extras", EXTRA_KEY),
                         ids=lambda v: v if isinstance(v, str) else "-".join(
                             v[k] for k in EXTRA_KEY))
def test_extra_matches_golden(shape_outputs: dict[str, Path], stem: str,
                              golden: dict[str, str]) -> None:
    ours = {_key(r, EXTRA_KEY): r for r in read_csv(shape_outputs[stem] / "extras.csv")}
    _check(ours[_key(golden, EXTRA_KEY)], golden, "")


def test_register_warns_once_naming_the_unknown_column(shape_outputs: dict[str, Path]) -> None:
    manifest = json.loads((shape_outputs["ward_register"] / "manifest.json").read_text())
    unmapped = [w for w in manifest["warnings"] if w["code"] == "column-unmapped"]
    assert len(unmapped) == 1 and "きっかけ" in unmapped[0]["message"]
    assert manifest["inputs"][0]["fiscal_year"] is None  # the as-of line is no period line


def test_no_shape_rejects_a_row(shape_outputs: dict[str, Path]) -> None:
    for out in shape_outputs.values():
        assert read_csv(out / "rejects.csv") == []


def test_frictionless_validates_the_shapes_with_their_extras(shape_outputs: dict[str, Path]
                                                             ) -> None:
    """The extras rows point at entries (a foreign key); the new columns have their types."""
    import subprocess
    import sys

    frictionless = Path(sys.executable).with_name("frictionless")
    for out in shape_outputs.values():
        done = subprocess.run([str(frictionless), "validate", "datapackage.json"], cwd=out,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    package = json.loads((shape_outputs["ward_register"] / "datapackage.json").read_text())
    extras = next(r for r in package["resources"] if r["name"] == "extras")
    assert extras["schema"]["foreignKeys"][0]["reference"] == {
        "resource": "entries", "fields": ["source_file", "table_no", "row_no"]}
    entries = next(r for r in package["resources"] if r["name"] == "entries")
    types = {f["name"]: f["type"] for f in entries["schema"]["fields"]}
    assert (types["partnership_start"], types["government"]) == ("date", "string")
