"""Many reports -> one reproducible, analysis-ready dataset (issue: re-ingest)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.inputs import discover
from tests.conftest import read_csv
from tests.reports import (
    build_folder,
    fy2012_text,
    output_files,
    record_extractions,
    report_for_year,
    run_quiet,
)

TABLES = ("events", "periods", "entries", "partners", "rejects")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build_folder(tmp_path_factory.mktemp("reports"))
    out = tmp_path_factory.mktemp("dataset")
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    return out


def test_one_dataset_covers_every_report_sorted_by_year(dataset: Path) -> None:
    events = read_csv(dataset / "events.csv")
    assert len(events) == 4 * 35
    years = [int(e["fiscal_year"]) for e in events]
    assert years == sorted(years) and set(years) == {2010, 2012, 2015, 2016}
    keys = [(int(e["fiscal_year"]), e["source_file"], int(e["table_no"]), int(e["row_no"]),
             int(e["item_no"])) for e in events]
    assert keys == sorted(keys)
    assert {e["source_file"] for e in events} == {"fy2012.txt", "older/h22.txt", "sjis.txt",
                                                  "2016.csv"}
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    formats = {i["name"]: (i["format"], i["encoding"], i["fiscal_year"]) for i in manifest["inputs"]}
    assert formats == {"fy2012.txt": ("text", "utf-8", 2012),
                       "older/h22.txt": ("text", "utf-8", 2010),
                       "sjis.txt": ("text", "cp932", 2015),
                       "2016.csv": ("csv", "utf-8-sig", 2016)}


def test_each_year_reads_like_the_original(dataset: Path) -> None:
    events = read_csv(dataset / "events.csv")
    by_year: dict[str, list[tuple[str, str]]] = {}
    for e in events:
        # prose cells carry their year in the sentence; the rest must match exactly
        description = re.sub(r"平成\d+年", "平成N年", e["description"])
        by_year.setdefault(e["fiscal_year"], []).append((description, e["date_start"][5:]))
    assert by_year["2010"] == by_year["2012"] == by_year["2015"] == by_year["2016"]


def test_outputs_are_byte_identical_across_location_order_and_jobs(
        dataset: Path, tmp_path: Path) -> None:
    other = build_folder(tmp_path / "somewhere" / "else", order=("d", "c", "b", "a"))
    out = tmp_path / "out"
    assert run_quiet(str(other), "--out", str(out), "--jobs", "2") == 0
    assert output_files(out) == output_files(dataset)


def test_unchanged_rerun_reuses_every_report_and_gives_the_same_tables(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = build_folder(tmp_path / "reports")
    out = tmp_path / "out"
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert sorted(extracted) == ["2016.csv", "fy2012.txt", "older/h22.txt", "sjis.txt"]
    first = output_files(out)
    extracted.clear()
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert extracted == []
    assert output_files(out) == first  # manifest.json too: it does not say what was reused
    # one report changes: only it is extracted again
    (folder / "fy2012.txt").write_text(report_for_year(2013), encoding="utf-8")
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert extracted == ["fy2012.txt"]
    extracted.clear()
    assert run_quiet(str(folder), "--out", str(out), "--force", "--jobs", "1") == 0
    assert sorted(extracted) == ["2016.csv", "fy2012.txt", "older/h22.txt", "sjis.txt"]


def test_an_interrupted_write_leaves_the_previous_outputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import outputs

    folder = build_folder(tmp_path / "reports")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out)) == 0
    before = output_files(out)
    (folder / "fy2012.txt").write_text(report_for_year(2013), encoding="utf-8")

    def crash(self: outputs.TableSink) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while tables were written

    monkeypatch.setattr(outputs.TableSink, "close", crash)
    assert run_quiet(str(folder), "--out", str(out)) == 130
    assert output_files(out) == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_frictionless_validates_the_data_package(dataset: Path) -> None:
    frictionless = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(frictionless), "validate", "datapackage.json"], cwd=dataset,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    package = json.loads((dataset / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    assert events["schema"]["primaryKey"] == ["event_id"]
    periods = next(r for r in package["resources"] if r["name"] == "periods")
    assert periods["schema"]["foreignKeys"][0]["reference"] == {"resource": "events",
                                                                "fields": ["event_id"]}


def test_a_broken_dataset_fails_validation(dataset: Path, tmp_path: Path) -> None:
    """The validation test above can fail: a period pointing at no event is caught."""
    broken = tmp_path / "broken"
    shutil.copytree(dataset, broken)
    periods = (broken / "periods.csv").read_text(encoding="utf-8")
    (broken / "periods.csv").write_text(periods.replace(periods.splitlines()[1][:16], "0" * 16, 1),
                                        encoding="utf-8")
    frictionless = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(frictionless), "validate", "datapackage.json"], cwd=broken,
                          capture_output=True, text=True)
    assert done.returncode != 0


def test_parquet_has_real_types_and_the_csv_column_order(dataset: Path) -> None:
    import pyarrow.parquet as pq

    for table in TABLES:
        parquet = pq.read_table(dataset / f"{table}.parquet")
        with (dataset / f"{table}.csv").open(encoding="utf-8", newline="") as stream:
            header = next(csv.reader(stream))
        assert parquet.column_names == header, table
    types = {f.name: str(f.type) for f in pq.read_schema(dataset / "periods.parquet")}
    assert types == {"event_id": "string", "period_no": "int64", "date_start": "date32[day]",
                     "date_end": "date32[day]", "date_precision": "string", "date_text": "string",
                     "inferred": "bool", "open_start": "bool", "open_end": "bool"}


def test_pandas_and_duckdb_load_the_dataset(dataset: Path) -> None:
    import duckdb
    import pandas as pd

    events = pd.read_parquet(dataset / "events.parquet")
    assert len(events) == 140 and str(events["period_count"].dtype) == "int64"
    rows = duckdb.sql(f"select count(*) from '{dataset / 'events.parquet'}' e join "
                      f"'{dataset / 'periods.parquet'}' p using (event_id)").fetchall()
    assert rows == [(4 * 36,)]


def test_partners_table_counts_events_per_partner_and_year(dataset: Path) -> None:
    partners = {(p["fiscal_year"], p["partner_id"]): p for p in read_csv(dataset / "partners.csv")}
    assert len(partners) == 4 * 12
    new_york = partners[("2012", "US:ニューヨーク市")]
    assert (new_york["entry_count"], new_york["event_count"], new_york["start_fiscal_year"]) == (
        "2", "4", "1960")
    assert new_york["bureaus"] == "環境局都市地球環境部国際環境協力課; 知事本局外務部外務課"


def test_partition_by_fiscal_year_writes_a_hive_dataset(tmp_path: Path) -> None:
    import pyarrow.dataset as ds

    folder = build_folder(tmp_path / "reports")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out), "--partition-by", "fiscal_year") == 0
    assert sorted(p.name for p in (out / "events").iterdir()) == [
        "fiscal_year=2010", "fiscal_year=2012", "fiscal_year=2015", "fiscal_year=2016"]
    table = ds.dataset(out / "events", partitioning="hive").to_table()
    assert table.num_rows == 140
    assert not (out / "events.parquet").exists()


def test_excel_copy_has_bom_crlf_and_quoted_formulas(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    text = fy2012_text().replace("・知事のロンドン出張", "・=HYPERLINK(\"x\")知事のロンドン出張")
    (folder / "fy2012.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out), "--excel") == 0
    payload = (out / "excel" / "events.csv").read_bytes()
    assert payload.startswith(b"\xef\xbb\xbf") and b"\r\n" in payload
    assert "'=HYPERLINK" in payload.decode("utf-8-sig")
    assert "'=HYPERLINK" not in (out / "events.csv").read_text(encoding="utf-8")


def test_a_report_without_a_fiscal_year_is_named(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "report.txt").write_text(fy2012_text().replace("\n平成24年度実績\n", "\n\n"),
                                       encoding="utf-8")
    assert main(["run", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert ("pipeline run: warning: report.txt: no fiscal year found (no period line, no year "
            "in the file name)\n") in capsys.readouterr().err


def test_a_damaged_cache_is_rebuilt_not_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = build_folder(tmp_path / "reports")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out)) == 0
    first = output_files(out)
    (out / ".cache" / "reports.sqlite3").write_bytes(b"not a database at all" * 100)
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert len(extracted) == 4
    assert output_files(out) == first


def test_an_unreadable_cache_entry_is_extracted_again(tmp_path: Path) -> None:
    import sqlite3

    folder = build_folder(tmp_path / "reports")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out)) == 0
    first = output_files(out)
    with sqlite3.connect(out / ".cache" / "reports.sqlite3") as db:
        db.execute("update reports set payload = x'00'")
    assert run_quiet(str(folder), "--out", str(out)) == 0
    assert {k: v for k, v in output_files(out).items() if k != "manifest.json"} == {
        k: v for k, v in first.items() if k != "manifest.json"}


def test_the_same_report_twice_keeps_event_id_a_key(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    # Different bytes (blank lines after the table), the same events: identical files are
    # read once since issue 11, so the copies must differ to be read three times.
    for blank_lines, name in enumerate(("a.txt", "b.txt", "c.txt")):
        (folder / name).write_text(fy2012_text() + "\n" * blank_lines, encoding="utf-8")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out)) == 0
    events = read_csv(out / "events.csv")
    periods = read_csv(out / "periods.csv")
    assert len({e["event_id"] for e in events}) == len(events) == 3 * 35
    by_id = {e["event_id"]: e for e in events}
    assert {p["event_id"] for p in periods} == set(by_id)
    for period in periods:  # each period still points at its own file's event
        assert by_id[period["event_id"]]["date_start"] <= period["date_start"]
    # the first file's ids are the ones it gets alone
    assert run_quiet(str(folder / "a.txt"), "--out", str(tmp_path / "single")) == 0
    alone = sorted(e["event_id"] for e in read_csv(tmp_path / "single" / "events.csv"))
    assert sorted(e["event_id"] for e in events if e["source_file"] == "a.txt") == alone


def test_an_output_folder_inside_the_input_folder_is_not_read_as_reports(tmp_path: Path) -> None:
    """Regression: outputs under the input folder were read back as reports on re-runs."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    for _ in range(3):
        assert run_quiet(str(folder), "--out", str(folder / "out")) == 0
    manifest = json.loads((folder / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [i["name"] for i in manifest["inputs"]] == ["fy2012.txt"]


def test_an_input_folder_inside_the_output_folder_is_not_read(tmp_path: Path) -> None:
    """Nothing under the output folder is an input, even a folder of reports put there."""
    out = tmp_path / "out"
    folder = out / "reports"
    folder.mkdir(parents=True)
    (folder / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    assert discover([folder], skip=out) == []
    assert discover([folder], skip=tmp_path / "elsewhere") != []


def test_an_output_folder_reached_through_a_link_is_not_read_as_reports(
        tmp_path: Path) -> None:
    """Files are resolved one by one only when the output folder may be inside the input
    folder: here it is not, but a link inside leads into it."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    out = tmp_path / "out"
    (folder / "linked.csv").symlink_to(out / "events.csv")  # there from the second run on
    for _ in range(2):
        assert run_quiet(str(folder), "--out", str(out)) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [i["name"] for i in manifest["inputs"]] == ["fy2012.txt"]


def test_a_changed_extractor_does_not_reuse_old_results(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the cache was keyed on the version string only, so a run after a code
    change reused what the old code had extracted."""
    from pipeline import runner

    folder = build_folder(tmp_path / "reports")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out)) == 0
    monkeypatch.setattr(runner, "code_version", lambda: "0.1.0+changed")
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert len(extracted) == 4


def test_code_version_hashes_the_package_source() -> None:
    from pipeline import __version__
    from pipeline.cache import code_version

    version, _, digest = code_version().partition("+")
    assert version == __version__ and len(digest) == 12
    assert code_version() == code_version()


def test_interrupts_wait_until_the_outputs_are_in_place() -> None:
    import os
    import signal

    from pipeline.commit import interrupts_deferred

    done = []
    with pytest.raises(KeyboardInterrupt), interrupts_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        done.append("renamed")  # still runs: the interrupt waits for the block's end
    assert done == ["renamed"]


def test_csv_and_parquet_hold_the_same_values(dataset: Path) -> None:
    """Empty text is written as null in both, so a CSV reader and a Parquet reader agree."""
    import pyarrow.parquet as pq

    from pipeline.schema import TABLES as COLUMNS

    for table, columns in COLUMNS.items():
        kinds = {name: kind for name, kind, _ in columns}
        parquet = pq.read_table(dataset / f"{table}.parquet").to_pylist()
        as_text = [{k: "" if v is None else (str(v).lower() if kinds[k] == "boolean" else str(v))
                    for k, v in row.items()} for row in parquet]
        assert read_csv(dataset / f"{table}.csv") == as_text, table
        for row in parquet:
            assert "" not in row.values(), table


def test_several_folders_with_the_same_file_names(tmp_path: Path) -> None:
    """`pipeline run 2012/ 2013/` with report.txt in each: names keep their folder."""
    for year in ("2012", "2013"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "report.txt").write_text(report_for_year(int(year)), encoding="utf-8")
    out = tmp_path / "out"
    assert run_quiet(str(tmp_path / "2012"), str(tmp_path / "2013"), "--out", str(out)) == 0
    events = read_csv(out / "events.csv")
    assert {e["source_file"] for e in events} == {"2012/report.txt", "2013/report.txt"}


def test_an_excel_copy_from_an_earlier_run_is_removed(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "reports")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out), "--excel") == 0
    assert (out / "excel" / "events.csv").exists()
    assert run_quiet(str(folder), "--out", str(out)) == 0
    assert not (out / "excel").exists()


def test_partitioned_dataset_reads_back_with_a_typed_hive_schema(tmp_path: Path) -> None:
    """What the README shows: an int64 fiscal_year partition, a report without a year
    in the null partition."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    folder = build_folder(tmp_path / "reports")
    (folder / "undated.txt").write_text(fy2012_text().replace("\n平成24年度実績\n", "\n\n"),
                                        encoding="utf-8")
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out), "--partition-by", "fiscal_year") == 0
    partitioning = ds.partitioning(pa.schema([("fiscal_year", pa.int64())]), flavor="hive")
    table = ds.dataset(out / "events", partitioning=partitioning).to_table()
    assert table.num_rows == 5 * 35
    years = table.column("fiscal_year").to_pylist()
    assert years.count(None) == 35 and set(years) == {None, 2010, 2012, 2015, 2016}
