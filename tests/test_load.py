"""`pipeline.load`: the output tables as typed pandas DataFrames in one call."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import pipeline
from pipeline.cli import main
from pipeline.loading import LoadError
from pipeline.schema import TABLES
from tests.conftest import REPORT

EXPECTED_DTYPES = {"string": "string", "integer": "Int64", "boolean": "boolean",
                   "date": "date32[day][pyarrow]"}


def test_every_table_with_its_dtypes(fy2012_output: Path) -> None:
    tables = pipeline.load(fy2012_output)
    assert set(tables) == set(TABLES)
    for name, columns in TABLES.items():
        frame = tables[name]
        assert list(frame.columns) == [c for c, _, _ in columns], name
        for column, kind, _ in columns:
            assert str(frame[column].dtype) == EXPECTED_DTYPES[kind], (name, column)
    assert {name: len(frame) for name, frame in tables.items()} == {
        "events": 35, "periods": 36, "entries": 15, "partners": 12, "rejects": 0,
        "extras": 0, "event_months": 48}


def test_values_keep_their_types(fy2012_output: Path) -> None:
    tables = pipeline.load(fy2012_output)
    entries = tables["entries"].set_index(["table_no", "row_no"])
    # 北京市等 (table 2, row 4) has no start-year code: a gap, not NaN in a float column
    assert entries.loc[(2, 4), "start_fiscal_year"] is pd.NA
    assert entries.loc[(1, 1), "start_fiscal_year"] == 1960
    events = tables["events"].set_index(["table_no", "row_no", "item_no"])
    assert events.loc[(1, 1, 2), "date_start"] == dt.date(2012, 7, 1)
    assert events.loc[(2, 3, 1), "participant_count"] == 5
    assert events.loc[(1, 1, 2), "participant_count"] is pd.NA
    assert events.loc[(1, 1, 2), "note"] is pd.NA  # absent text is <NA>, not ""
    assert bool(events.loc[(1, 1, 1), "bureau_inherited"]) is False
    # golden periods in 2013: 1-6-7 (Feb), 1-10-3 (Jan), 2-1-3 (Jan), one month each
    assert tables["event_months"]["month"].dt.year.tolist().count(2013) == 3


def test_csv_and_partitioned_outputs_load_the_same(fy2012_output: Path, tmp_path: Path) -> None:
    from_parquet = pipeline.load(fy2012_output)
    only_csv = tmp_path / "csv"
    shutil.copytree(fy2012_output, only_csv)
    for path in only_csv.glob("*.parquet"):
        path.unlink()
    partitioned = tmp_path / "partitioned"
    assert main(["run", str(REPORT.parent), "--out", str(partitioned), "--quiet",
                 "--partition-by", "fiscal_year"]) == 0
    for other in (pipeline.load(only_csv), pipeline.load(partitioned)):
        for name, frame in from_parquet.items():
            pd.testing.assert_frame_equal(other[name], frame, check_dtype=True, obj=name)


def test_an_older_output_loads_with_a_warning(fy2012_output: Path, tmp_path: Path) -> None:
    folder = tmp_path / "old"
    shutil.copytree(fy2012_output, folder)
    for path in folder.glob("event_months.*"):
        path.unlink()
    with pytest.warns(UserWarning, match="no event_months table"):
        tables = pipeline.load(folder)
    assert len(tables["event_months"]) == 0
    assert str(tables["event_months"]["month"].dtype) == "date32[day][pyarrow]"


def test_not_an_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as missing:
        pipeline.load(tmp_path / "nowhere")
    assert str(missing.value) == f"{tmp_path / 'nowhere'}: no such folder"
    with pytest.raises(LoadError) as empty:
        pipeline.load(tmp_path)
    assert str(empty.value) == (f"{tmp_path}: not an output folder of `pipeline run` "
                                "(no events table)")


def test_dates_never_import_pandas() -> None:
    """A fresh interpreter: the date engine and the package import leave pandas alone."""
    code = ("import sys, pipeline; pipeline.find_dates('平成24年4月1日'); "
            "assert callable(pipeline.load); print('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # generous: a hang guard, not a timing
    assert done.stdout.strip() == "False"
