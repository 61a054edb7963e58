"""The cache in the output folder holds data, never code, and serves only what this user's
pipeline wrote (issue 17, finding 1). Every hostile row here is built by the test."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pipeline import cache
from pipeline.cache import code_version
from tests.conftest import REPORT
from tests.reports import output_files, record_extractions, run_quiet

DB = Path(".cache") / "reports.sqlite3"
NAME = REPORT.name


class _Plant:
    """Unpickling this touches `marker`: proof that a pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def _first_run(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / NAME).write_bytes(REPORT.read_bytes())
    out = tmp_path / "out"
    assert run_quiet(str(folder), "--out", str(out)) == 0
    return folder, out, output_files(out)


def _tables(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k != "manifest.json"}


def _forget_segments(out: Path) -> None:
    """Drop the stored fiscal-year segments (segments.py), so that the next run reads the
    reports' own cached results: the rows these tests plant."""
    with sqlite3.connect(out / DB) as db:
        db.execute("delete from segments")


def _manifest(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return loaded


def test_a_planted_pickle_in_the_current_cache_is_never_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out, first = _first_run(tmp_path)
    marker = tmp_path / "pickle-ran"
    with sqlite3.connect(out / DB) as db:
        db.execute("update reports set payload = ?", (pickle.dumps(_Plant(marker)),))
    _forget_segments(out)
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert not marker.exists()
    assert _tables(output_files(out)) == _tables(first)
    assert extracted == [NAME]
    assert [w["code"] for w in _manifest(out)["warnings"]] == ["cache-entry-rejected"]


@pytest.mark.parametrize("planted", ["pickle", "forged"])
def test_a_planted_segment_is_never_run_nor_served(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planted: str) -> None:
    """The stored fiscal-year tables (segments.py) are data under the same HMAC: a pickle
    planted there is never loaded, a well-formed segment made without this user's key is
    not served; the segment is built again from the reports, with a warning."""
    folder, out, first = _first_run(tmp_path)
    marker = tmp_path / "pickle-ran"
    with sqlite3.connect(out / DB) as db:
        (payload,) = db.execute("select payload from segments").fetchone()
        forged = payload.replace("知事本局".encode(), b"FORGED__")
        assert forged != payload or planted == "pickle"
        db.execute("update segments set payload = ?", (
            pickle.dumps(_Plant(marker)) if planted == "pickle" else forged,))
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert not marker.exists()
    assert extracted == []  # the reports' own cached results were good
    assert _tables(output_files(out)) == _tables(first)
    assert b"FORGED" not in (out / "events.csv").read_bytes()
    warnings = _manifest(out)["warnings"]
    assert [w["code"] for w in warnings] == ["cache-entry-rejected"]
    assert "fiscal year 2012" in warnings[0]["message"]


def test_a_cache_of_pickles_keyed_as_the_old_pipeline_keyed_them_is_never_run(
        tmp_path: Path) -> None:
    """Regression: the old cache unpickled any row whose key matched; the key is
    computable offline (code version, name, sha256 of the input)."""
    import hashlib

    folder, out, first = _first_run(tmp_path)
    marker = tmp_path / "pickle-ran"
    key = cache.cache_key(code_version(), NAME, hashlib.sha256(REPORT.read_bytes()).hexdigest())
    (out / DB).unlink()
    with sqlite3.connect(out / DB) as db:  # the old schema, as an attacker would plant it
        db.execute("create table reports (key text primary key, fiscal_year integer, "
                   "payload blob not null)")
        db.execute("insert into reports values (?, 2012, ?)",
                   (key, pickle.dumps(_Plant(marker))))
    assert run_quiet(str(folder), "--out", str(out)) == 0
    assert not marker.exists()
    assert _tables(output_files(out)) == _tables(first)


def test_a_well_formed_forged_row_is_not_served(tmp_path: Path) -> None:
    """A row whose JSON is valid but was not written with this user's key: its forged
    description must not reach events.csv."""
    folder, out, first = _first_run(tmp_path)
    with sqlite3.connect(out / DB) as db:
        (payload,) = db.execute("select payload from reports").fetchone()
        document = json.loads(payload)
        descriptions = document["tables"]["events"][13]  # events.description
        assert descriptions[0] == "知事本局職員のニューヨーク市主催サミット参加"  # line 8, first item
        descriptions[0] = "FORGED"
        db.execute("update reports set payload = ?",
                   (json.dumps(document, ensure_ascii=False).encode(),))
    _forget_segments(out)
    assert run_quiet(str(folder), "--out", str(out)) == 0
    assert b"FORGED" not in (out / "events.csv").read_bytes()
    assert _tables(output_files(out)) == _tables(first)
    assert [w["code"] for w in _manifest(out)["warnings"]] == ["cache-entry-rejected"]


def test_a_forged_fiscal_year_is_not_used_to_order_the_outputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out, first = _first_run(tmp_path)
    with sqlite3.connect(out / DB) as db:
        db.execute("update reports set fiscal_year = 1999")
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert _tables(output_files(out)) == _tables(first)
    assert extracted == [NAME]
    manifest = _manifest(out)
    assert [w["code"] for w in manifest["warnings"]] == ["cache-entry-rejected"]


def test_an_untouched_cache_is_reused_without_warnings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out, first = _first_run(tmp_path)
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert extracted == []
    manifest = _manifest(out)
    assert manifest["warnings"] == []
    assert _tables(output_files(out)) == _tables(first)


def test_the_secret_key_is_made_private_outside_the_output_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    key = cache.secret_key()
    path = tmp_path / "home-cache" / "pipeline" / "cache-key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert cache.secret_key() == key and len(key) == 32


def test_a_key_file_others_can_write_is_not_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key readable or writable by others could be used to forge entries: the run then
    keeps a key of its own and reuses nothing."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    key = cache.secret_key()
    path = tmp_path / "home-cache" / "pipeline" / "cache-key"
    os.chmod(path, 0o666)
    assert cache.secret_key() != key
    folder, out, _ = _first_run(tmp_path)
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert extracted == [NAME]


def test_a_key_file_that_is_a_symlink_is_not_followed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    (tmp_path / "home-cache" / "pipeline").mkdir(parents=True)
    planted = tmp_path / "planted"
    planted.write_text("ab" * 32)
    (tmp_path / "home-cache" / "pipeline" / "cache-key").symlink_to(planted)
    assert cache.secret_key() != bytes.fromhex("ab" * 32)


@pytest.mark.parametrize("text", ["plain", "𠮷野家 ・ニュー\u3000", "\ud800 lone surrogate", ""])
def test_a_report_survives_the_json_round_trip(text: str) -> None:
    from pipeline.model import Issue

    issue = Issue("date-missing", f"x.txt:3: {text}", "warning", "x.txt", 3, text)
    result = cache.ReportResult("x.txt", 2012, {"name": "x.txt", "title": text},
                                warnings=[issue], error=None)
    stored = cache.load(cache.dump(result))
    assert (stored.name, stored.fiscal_year, stored.manifest) == (
        "x.txt", 2012, {"name": "x.txt", "title": text})
    assert stored.warnings == [issue] and stored.error is None


def test_an_entry_made_with_another_users_key_is_not_served(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The output folder is shared: a cache row someone else's pipeline made (with their
    key) is extracted again, said in a warning, never served."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "alice"))
    folder, out, first = _first_run(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "bob"))
    extracted = record_extractions(monkeypatch)
    assert run_quiet(str(folder), "--out", str(out), "--jobs", "1") == 0
    assert extracted == [NAME]
    manifest = _manifest(out)
    assert [w["code"] for w in manifest["warnings"]] == ["cache-entry-rejected"]
    assert _tables(output_files(out)) == _tables(first)


def test_a_segments_table_of_another_shape_is_replaced(tmp_path: Path) -> None:
    """A planted (or older) segments table whose columns are not ours is dropped and made
    again, never read and never a crash."""
    import hashlib

    folder, out, _ = _first_run(tmp_path)
    with sqlite3.connect(out / DB) as db:
        db.execute("drop table segments")  # the shape before years were stored in parts
        db.execute("create table segments (fingerprint text primary key, mac text not null, "
                   "payload blob not null)")
    (folder / NAME).write_bytes(REPORT.read_bytes() + "※改訂\n".encode())
    assert run_quiet(str(folder), "--out", str(out)) == 0
    with sqlite3.connect(out / DB) as db:
        columns = [row[1] for row in db.execute("pragma table_info(segments)")]
    assert columns == ["fingerprint", "part", "last", "mac", "payload"]
    changed = hashlib.sha256((folder / NAME).read_bytes()).hexdigest()
    assert [i["sha256"] for i in _manifest(out)["inputs"]] == [changed]  # read, and listed


def test_a_worker_never_deletes_a_cache_it_cannot_read(tmp_path: Path) -> None:
    """A worker process reads the cache the run has open: what it cannot read (locked,
    damaged) is an error, never a reason to delete the file under the run."""
    path = tmp_path / DB
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all" * 100)
    store = cache.ReportCache(tmp_path, key=b"k" * 32, worker=True)
    with pytest.raises(sqlite3.DatabaseError):
        store.get("a key")
    assert path.read_bytes() == b"not a database at all" * 100


def test_a_file_unreadable_while_extracted_is_read_when_it_can_be(tmp_path: Path) -> None:
    """Its error is not kept under its bytes' key: the next run reads it, as a full run
    would (a regression: the error was reused while the file read fine)."""
    from pipeline.runner import RunOptions, run

    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / NAME).write_bytes(REPORT.read_bytes())

    def hiding(function: Any, items: list[Any]) -> list[Any]:
        hidden = folder / "hidden"
        (folder / NAME).rename(hidden)
        try:
            return [function(item) for item in items]
        finally:
            hidden.rename(folder / NAME)

    first = run([folder], tmp_path / "out", RunOptions(jobs=1), mapper=hiding)
    assert [issue.code for issue in first.unreadable] == ["file-unreadable"]
    again = run([folder], tmp_path / "out", RunOptions(jobs=1))
    full = run([folder], tmp_path / "full", RunOptions(jobs=1, force=True))
    assert again.unreadable == [] and again.events == full.events > 0
