"""A run removes only what the previous run wrote (the files its manifest.json lists), and
refuses, rather than replaces, a file of the user's where an output goes (review r3, r11).
Expected file lists are written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import commit
from pipeline.cli import main
from tests.reports import fy2012_text

EXCEL = ["entries.csv", "event_months.csv", "events.csv", "extras.csv", "partners.csv",
         "periods.csv", "rejects.csv"]


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    return folder


def _names(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_first_run_keeps_the_users_files_in_output_folders(reports: Path,
                                                              tmp_path: Path) -> None:
    """Regression: the first run set aside the user's own excel/ and partners/ folders."""
    out = tmp_path / "out"
    (out / "partners").mkdir(parents=True)
    (out / "excel").mkdir()
    (out / "partners" / "contacts.xlsx").write_text("precious\n", encoding="utf-8")
    (out / "excel" / "budget.xlsx").write_text("precious\n", encoding="utf-8")
    assert main(["run", str(reports), "--out", str(out), "--quiet", "--excel",
                 "--partition-by", "fiscal_year"]) == 0
    assert _names(out / "excel") == sorted(["budget.xlsx", *EXCEL])
    assert _names(out / "partners") == ["contacts.xlsx", "fiscal_year=2012/part-0.parquet"]
    # the next run makes neither: it removes its own files and keeps the user's
    assert main(["run", str(reports), "--out", str(out), "--quiet"]) == 0
    assert _names(out / "excel") == ["budget.xlsx"]
    assert _names(out / "partners") == ["contacts.xlsx"]
    assert (out / "partners" / "contacts.xlsx").read_text(encoding="utf-8") == "precious\n"
    assert (out / "excel" / "budget.xlsx").read_text(encoding="utf-8") == "precious\n"
    assert not (out / "events").exists()  # the run's own folder, left empty, goes


def test_a_users_file_beside_the_excel_copies_survives_a_rerun(reports: Path,
                                                               tmp_path: Path) -> None:
    """Regression: a second --excel run deleted excel/my_pivot.xlsx, and a partitioned
    re-run the notes the user kept in a partition folder."""
    out = tmp_path / "out"
    assert main(["run", str(reports), "--out", str(out), "--quiet", "--excel",
                 "--partition-by", "fiscal_year"]) == 0
    (out / "excel" / "my_pivot.xlsx").write_text("mine\n", encoding="utf-8")
    (out / "events" / "fiscal_year=2012" / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert main(["run", str(reports), "--out", str(out), "--quiet", "--excel",
                 "--partition-by", "fiscal_year", "--force"]) == 0
    assert _names(out / "excel") == sorted(["my_pivot.xlsx", *EXCEL])
    assert _names(out / "events") == ["fiscal_year=2012/notes.txt",
                                      "fiscal_year=2012/part-0.parquet"]
    assert main(["run", str(reports), "--out", str(out), "--quiet"]) == 0
    assert _names(out / "excel") == ["my_pivot.xlsx"]
    assert _names(out / "events") == ["fiscal_year=2012/notes.txt"]
    assert (out / "excel" / "my_pivot.xlsx").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("name", ["events.csv", "excel/events.csv", "datapackage.json",
                                  "events/fiscal_year=2012/part-0.parquet", "events"])
def test_a_users_file_where_an_output_goes_is_refused_not_replaced(
        reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    out = tmp_path / "out"
    (out / name).parent.mkdir(parents=True, exist_ok=True)
    (out / name).write_text("mine\n", encoding="utf-8")
    code = main(["run", str(reports), "--out", str(out), "--excel", "--partition-by",
                 "fiscal_year"])
    assert code == 2
    if name == "events":  # a file where the run's folder events/ goes
        expected = (f"pipeline run: error: {out / 'events'}: not written by pipeline run, and "
                    "the folder events/ of this run's outputs goes there; move it out of the "
                    "output folder or give another --out\n")
    else:
        expected = (f"pipeline run: error: {out / name}: not written by pipeline run (the "
                    "folder's manifest.json does not list it), and this run writes an output "
                    "there; move it out of the output folder or give another --out\n")
    assert capsys.readouterr().err == expected
    assert (out / name).read_text(encoding="utf-8") == "mine\n"
    assert not (out / "manifest.json").exists()  # nothing was committed
    assert not [p for p in out.iterdir() if p.name.startswith(commit.STAGING_PREFIX)]


def test_a_manifest_not_written_by_a_run_is_refused(reports: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"mine": true}\n', encoding="utf-8")
    assert main(["run", str(reports), "--out", str(out)]) == 2
    assert f"error: {out / 'manifest.json'}: not written by pipeline run" in (
        capsys.readouterr().err)
    assert (out / "manifest.json").read_text(encoding="utf-8") == '{"mine": true}\n'


def test_a_forged_manifest_never_removes_a_file_outside_the_outputs(
        reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(reports), "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in ("../keep.txt", "/etc/hostname", "notes.txt", "excel", "events/../keep.txt"):
        manifest["outputs"][name] = {}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "keep.txt").write_text("keep\n", encoding="utf-8")
    (out / "notes.txt").write_text("keep\n", encoding="utf-8")
    (out / "excel").mkdir()
    (out / "excel" / "mine.xlsx").write_text("keep\n", encoding="utf-8")
    assert main(["run", str(reports), "--out", str(out), "--quiet"]) == 0
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "keep\n"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep\n"
    assert (out / "excel" / "mine.xlsx").read_text(encoding="utf-8") == "keep\n"


def test_a_link_inside_a_partition_folder_is_refused(reports: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", str(reports), "--out", str(out), "--quiet",
                 "--partition-by", "fiscal_year"]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "part-0.parquet").write_text("precious\n", encoding="utf-8")
    partition = out / "events" / "fiscal_year=2012"
    for path in partition.iterdir():
        path.unlink()
    partition.rmdir()
    partition.symlink_to(elsewhere)
    assert main(["run", str(reports), "--out", str(out), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith(
        f"pipeline run: error: {partition} is a symbolic link; pipeline run never writes "
        "through one")
    assert (elsewhere / "part-0.parquet").read_text(encoding="utf-8") == "precious\n"
