"""Partition files carried over (carry.py, issue 15): with --partition-by, a fiscal year
served from the cache has its Parquet files copied from the previous output, only when
they are still the bytes that year wrote, and the outputs stay a full run's bytes."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pipeline import carry, outputs, segments
from pipeline.cache import ReportCache
from pipeline.commit import OutputError
from pipeline.files import HashingFile, file_digest
from pipeline.runner import RunOptions, run
from pipeline.schema import TABLES
from tests.reports import output_files, report_for_year

YEARS = (2009, 2010, 2011, 2012)
PARTITIONED = ("entries", "events", "partners")
OPTIONS = RunOptions(jobs=1, partition_by="fiscal_year")


def _folder(folder: Path) -> None:
    folder.mkdir(parents=True)
    for year in YEARS:
        (folder / f"{year}a.txt").write_text(report_for_year(year), encoding="utf-8")


def _add_one(folder: Path, year: int) -> None:
    (folder / f"{year}b.txt").write_text(report_for_year(year) + "※資料 b\n", encoding="utf-8")


def _encoded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """(table, partition value) of each partition file the run encodes."""
    opened: list[tuple[str, Any]] = []
    original = outputs.TableSink._open_partition

    def recording(sink: outputs.TableSink, value: Any) -> None:
        opened.append((sink.name, value))
        original(sink, value)

    monkeypatch.setattr(outputs.TableSink, "_open_partition", recording)
    return opened


def _full_run(folder: Path, out: Path) -> dict[str, bytes]:
    run([folder], out, RunOptions(jobs=1, force=True, partition_by="fiscal_year"))
    return output_files(out)


def test_a_run_encodes_only_the_touched_years_partitions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, grown = tmp_path / "in", tmp_path / "grown"
    _folder(folder)
    first = _encoded(monkeypatch)
    run([folder], grown, OPTIONS)
    assert sorted(first) == sorted((table, year) for table in PARTITIONED for year in YEARS)
    _add_one(folder, 2011)
    again = _encoded(monkeypatch)
    assert run([folder], grown, OPTIONS).reused == len(YEARS)
    assert sorted(again) == [(table, 2011) for table in PARTITIONED]
    # the carried files are the bytes a run that encodes every one writes
    assert output_files(grown) == _full_run(folder, tmp_path / "full")
    # and carried files are recorded again: a third run carries them too
    _add_one(folder, 2012)
    third = _encoded(monkeypatch)
    run([folder], grown, OPTIONS)
    assert sorted(third) == [(table, 2012) for table in PARTITIONED]
    assert output_files(grown) == _full_run(folder, tmp_path / "full2")


def _edit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other bytes
    path.write_bytes(bytes(data))


def _forge(out: Path, path: Path) -> None:
    """Another year's file planted in its place, and its record made to name it, without
    this user's key: the record's HMAC no longer matches."""
    planted = (out / "events" / "fiscal_year=2009" / "part-0.parquet").read_bytes()
    path.write_bytes(planted)
    with sqlite3.connect(out / ".cache" / "reports.sqlite3") as db:
        rows = db.execute("select fingerprint, record from outputs where name = 'events'")
        for fingerprint, text in rows.fetchall():
            record = json.loads(text)
            if record["value"] == 2010:
                record.update(sha256=hashlib.sha256(planted).hexdigest(), bytes=len(planted))
                db.execute("update outputs set record = ? where fingerprint = ? and "
                           "name = 'events'", (json.dumps(record, sort_keys=True),
                                               fingerprint))


@pytest.mark.parametrize("change", ["edited", "removed", "forged", "a FIFO", "a link",
                                    "another pyarrow"])
def test_a_partition_file_not_as_recorded_is_encoded_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    folder, grown = tmp_path / "in", tmp_path / "grown"
    _folder(folder)
    run([folder], grown, OPTIONS)
    target = grown / "events" / "fiscal_year=2010" / "part-0.parquet"
    if change == "edited":
        _edit(target)
    elif change == "removed":
        target.unlink()
    elif change == "forged":
        _forge(grown, target)
    elif change == "a FIFO":  # read, it would wait for a writer: the run would hang
        target.unlink()
        os.mkfifo(target)
    elif change == "a link":  # to the very bytes recorded: still not read through it
        target.rename(tmp_path / "elsewhere.parquet")
        target.symlink_to(tmp_path / "elsewhere.parquet")
    else:
        monkeypatch.setattr(carry, "writer_version", lambda: "pipeline+pyarrow.0.0")
    _add_one(folder, 2012)
    encoded = _encoded(monkeypatch)
    run([folder], grown, OPTIONS)
    expected = {(table, 2012) for table in PARTITIONED} | {("events", 2010)}
    if change == "another pyarrow":
        expected = {(table, year) for table in PARTITIONED for year in YEARS}
    assert set(encoded) == expected
    assert output_files(grown) == _full_run(folder, tmp_path / "full")


def test_a_partition_holding_rows_of_two_segments_is_not_recorded(tmp_path: Path) -> None:
    """Whether a file can be carried is known only for one segment's own partition."""
    store = ReportCache(tmp_path, key=b"k" * 32)
    sink = outputs.TableSink(tmp_path, "events", TABLES["events"], partition_by="fiscal_year")
    carrier = carry.Carrier(store, tmp_path, [sink])
    names = [name for name, _, _ in TABLES["events"]]
    row = tuple(2010 if name == "fiscal_year" else None for name in names)
    for fingerprint in ("first", "second"):
        sink.from_segment(fingerprint, cached=False)
        sink.write([row])
        sink._flush()
    sink.from_segment("third", cached=False)
    sink.write([tuple(2011 if name == "fiscal_year" else None for name in names)])
    sink.close()
    carrier.record(sink.commit())
    assert store.get_output("first", "events") is None
    assert store.get_output("second", "events") is None
    recorded = store.get_output("third", "events")
    assert recorded is not None and recorded["value"] == 2011
    store.close()


def test_a_carried_year_whose_later_part_is_built_again_stops_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file was carried when the year's first part came from the cache; a later part
    found damaged is built again, and its rows may not be the carried file's: the run
    stops before any output is replaced, and the next run is whole."""
    monkeypatch.setattr(segments, "PART_REPORTS", 1)  # a part a report
    folder, grown = tmp_path / "in", tmp_path / "grown"
    _folder(folder)
    _add_one(folder, 2010)  # 2010 in two parts
    run([folder], grown, OPTIONS)
    before = output_files(grown)
    with sqlite3.connect(grown / ".cache" / "reports.sqlite3") as db:
        assert db.execute("update segments set mac = 'damaged' where part = 1").rowcount == 1
    _add_one(folder, 2012)
    with pytest.raises(OutputError, match=r"2010.*run again"):
        run([folder], grown, OPTIONS)
    assert output_files(grown) == before
    run([folder], grown, OPTIONS)
    assert output_files(grown) == _full_run(folder, tmp_path / "full")


def test_an_earlier_file_is_read_only_beneath_the_folder(tmp_path: Path) -> None:
    (tmp_path / "out" / "events" / "fiscal_year=2010").mkdir(parents=True)
    (tmp_path / "out" / "events" / "fiscal_year=2010" / "part-0.parquet").write_bytes(b"ok")
    relative = "events/fiscal_year=2010/part-0.parquet"
    handle = carry._open_beneath(tmp_path / "out", relative)
    assert os.read(handle, 10) == b"ok"
    os.close(handle)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "events").rename(tmp_path / "elsewhere" / "events")
    (tmp_path / "out" / "events").symlink_to(tmp_path / "elsewhere" / "events")
    with pytest.raises(OSError):  # a linked folder on the way
        carry._open_beneath(tmp_path / "out", relative)
    (tmp_path / "out" / "events").unlink()
    (tmp_path / "out" / "events").mkdir()
    (tmp_path / "out" / "events" / "fiscal_year=2010").symlink_to(
        tmp_path / "elsewhere" / "events" / "fiscal_year=2010")
    with pytest.raises(OSError):
        carry._open_beneath(tmp_path / "out", relative)


def test_the_csvs_digest_is_taken_as_written(tmp_path: Path) -> None:
    names = [name for name, _, _ in TABLES["entries"]]
    rows = [tuple(f"行{n}" if kind == "string" else None for _, kind, _ in TABLES["entries"])
            for n in range(3 * outputs.BATCH_ROWS + 5)]
    sink = outputs.TableSink(tmp_path, "entries", TABLES["entries"])
    sink.write(rows)
    sink.close()
    described = sink.commit()["entries.csv"]
    assert {k: described[k] for k in ("sha256", "bytes")} == file_digest(
        tmp_path / "entries.csv")
    assert described["bytes"] > 3 * outputs.BATCH_ROWS and len(names) > 1
    stream = HashingFile(tmp_path / "x.bin")
    for chunk in (b"a" * 5000, memoryview(b"bc"), bytearray(b"d")):
        stream.write(chunk)
    stream.close()
    assert stream.digest() == file_digest(tmp_path / "x.bin")
