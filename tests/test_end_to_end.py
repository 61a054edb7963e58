"""The real FY2012 report through `pipeline run`, compared with the hand-read golden files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import DATA, REPORT, read_csv

GOLDEN_EVENTS = read_csv(DATA / "fy2012_events.csv")
GOLDEN_ENTRIES = read_csv(DATA / "fy2012_entries.csv")
GOLDEN_PERIODS = read_csv(DATA / "fy2012_periods.csv")
EVENT_KEY = ("table_no", "row_no", "item_no")
ENTRY_KEY = ("table_no", "row_no")


def keyed(rows: list[dict[str, str]], key: tuple[str, ...]) -> dict[tuple[str, ...], dict[str, str]]:
    return {tuple(row[k] for k in key): row for row in rows}


def test_golden_counts(fy2012_output: Path) -> None:
    assert len(read_csv(fy2012_output / "events.csv")) == len(GOLDEN_EVENTS) == 35
    assert len(read_csv(fy2012_output / "entries.csv")) == len(GOLDEN_ENTRIES) == 15
    assert len(read_csv(fy2012_output / "periods.csv")) == len(GOLDEN_PERIODS) == 36
    assert read_csv(fy2012_output / "rejects.csv") == []


@pytest.mark.parametrize("golden", GOLDEN_EVENTS, ids=lambda g: "-".join(g[k] for k in EVENT_KEY))
def test_event_matches_golden(fy2012_output: Path, golden: dict[str, str]) -> None:
    ours = keyed(read_csv(fy2012_output / "events.csv"), EVENT_KEY)[
        tuple(golden[k] for k in EVENT_KEY)]
    for column, expected in golden.items():
        if column == "date_text":
            continue
        assert ours[column] == expected, column
    # date_text: the expression as found in the source, which the golden reading names.
    assert ours["date_text"] in ours["source_text"]
    assert golden["date_text"] in ours["source_text"]
    assert ours["date_text"] == golden["date_text"]
    assert ours["fiscal_year"] == "2012"
    assert ours["source_file"] == REPORT.name


@pytest.mark.parametrize("golden", GOLDEN_ENTRIES, ids=lambda g: "-".join(g[k] for k in ENTRY_KEY))
def test_entry_matches_golden(fy2012_output: Path, golden: dict[str, str]) -> None:
    ours = keyed(read_csv(fy2012_output / "entries.csv"), ENTRY_KEY)[
        tuple(golden[k] for k in ENTRY_KEY)]
    for column, expected in golden.items():
        assert ours[column] == expected, column


def test_periods_match_golden(fy2012_output: Path) -> None:
    events = {row["event_id"]: row for row in read_csv(fy2012_output / "events.csv")}
    ours = {
        (events[p["event_id"]]["table_no"], events[p["event_id"]]["row_no"],
         events[p["event_id"]]["item_no"], p["period_no"]): p
        for p in read_csv(fy2012_output / "periods.csv")
    }
    golden = keyed(GOLDEN_PERIODS, (*EVENT_KEY, "period_no"))
    assert ours.keys() == golden.keys()
    for key, expected in golden.items():
        for column in ("date_start", "date_end", "date_precision"):
            assert ours[key][column] == expected[column], (key, column)


def test_invariants(fy2012_output: Path) -> None:
    events = read_csv(fy2012_output / "events.csv")
    entries = read_csv(fy2012_output / "entries.csv")
    periods = read_csv(fy2012_output / "periods.csv")
    manifest = json.loads((fy2012_output / "manifest.json").read_text(encoding="utf-8"))
    # events per entry add up
    assert sum(int(e["event_count"]) for e in entries) == len(events)
    # periods per event add up, and each event spans its periods
    for event in events:
        own = [p for p in periods if p["event_id"] == event["event_id"]]
        assert len(own) == int(event["period_count"])
        assert event["date_start"] == min(p["date_start"] for p in own)
        assert event["date_end"] == max(p["date_end"] for p in own)
    assert len({e["event_id"] for e in events}) == len(events)
    # every period inside fiscal year 2012, or flagged in the manifest
    flagged = {w["source_line"] for w in manifest["warnings"]
               if w["code"] == "date-outside-fiscal-year"}
    line_of = {e["event_id"]: int(e["source_line"]) for e in events}
    for period in periods:
        inside = (dt.date(2012, 4, 1) <= dt.date.fromisoformat(period["date_start"])
                  and dt.date.fromisoformat(period["date_end"]) <= dt.date(2013, 3, 31))
        assert inside or line_of[period["event_id"]] in flagged
    # every physical line is accounted for
    (report,) = manifest["inputs"]
    lines = report["lines"]
    assert lines["total"] == len(REPORT.read_bytes().splitlines()) == 24
    assert sum(v for k, v in lines.items() if k != "total") == lines["total"]
    assert lines["header"] == 2 and lines["row"] == 15 and lines["title"] == 1
    assert lines["period"] == 1
    assert report["fiscal_year"] == 2012
    assert report["encoding"] == "utf-8" and report["format"] == "text"


def test_source_text_is_verbatim(fy2012_output: Path) -> None:
    source = REPORT.read_text(encoding="utf-8").splitlines()
    for event in read_csv(fy2012_output / "events.csv"):
        assert event["source_text"] in source[int(event["source_line"]) - 1]


def test_manifest_names_outputs_with_their_hashes(fy2012_output: Path) -> None:
    import hashlib

    manifest = json.loads((fy2012_output / "manifest.json").read_text(encoding="utf-8"))
    for name, described in manifest["outputs"].items():
        payload = (fy2012_output / name).read_bytes()
        assert hashlib.sha256(payload).hexdigest() == described["sha256"]
    text = (fy2012_output / "manifest.json").read_text(encoding="utf-8")
    assert str(fy2012_output) not in text and str(REPORT.parent) not in text


def test_parquet_is_typed_like_the_csv(fy2012_output: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(fy2012_output / "events.parquet")
    header = list(read_csv(fy2012_output / "events.csv")[0])
    assert table.column_names == header
    assert str(table.schema.field("date_start").type) == "date32[day]"
    assert str(table.schema.field("bureau_inherited").type) == "bool"
    assert str(table.schema.field("period_count").type) == "int64"
    assert table.num_rows == 35


def test_two_runs_are_byte_identical(fy2012_output: Path, tmp_path: Path) -> None:
    from pipeline.cli import main

    copy = tmp_path / "elsewhere" / "reports"
    copy.mkdir(parents=True)
    (copy / REPORT.name).write_bytes(REPORT.read_bytes())
    assert main(["run", str(copy), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    for path in sorted(p for p in fy2012_output.iterdir() if p.is_file()):
        assert (tmp_path / "out" / path.name).read_bytes() == path.read_bytes(), path.name
