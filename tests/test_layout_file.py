"""`pipeline run --layout FILE`: header words a user maps to roles, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import read_csv
from tests.reports import render_table

ROWS = [["訪問先", "交流の概要", "所管"],
        ["米国 セーラム市", "・市長の訪問（令和5年8月）", "国際交流課"]]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "r.txt").write_bytes(render_table(ROWS, "text"))
    return raw


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "layout.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_layout_maps_unknown_headers_to_roles(report: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    layout = write(tmp_path, '[columns]\n"訪問先" = "partner"\n"交流の概要" = "content"\n')
    out = tmp_path / "out"
    assert main(["run", str(report), "--out", str(out), "--layout", str(layout)]) == 0
    (event,) = read_csv(out / "events.csv")
    assert (event["partner_city"], event["description"], event["date_start"], event["bureau"]) == (
        "セーラム市", "市長の訪問", "2023-08-01", "国際交流課")
    # without the layout the same file has no table header: the run says so and why
    capsys.readouterr()
    assert main(["run", str(report), "--out", str(tmp_path / "plain"), "--strict"]) == 1
    assert read_csv(tmp_path / "plain" / "events.csv") == []
    assert ("pipeline run: warning: r.txt: no table header recognised; header-like rows seen: "
            "訪問先=? | 交流の概要=? | 所管=bureau;") in capsys.readouterr().err


def test_a_run_with_another_layout_does_not_reuse_the_cached_reading(
        report: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write(tmp_path, '[columns]\n"訪問先" = "partner"\n"交流の概要" = "content"\n')
    assert main(["run", str(report), "--out", str(out), "--layout", str(first), "--quiet"]) == 0
    second = tmp_path / "second.toml"
    second.write_text('[columns]\n"訪問先" = "partner"\n"交流の概要" = "content"\n'
                      '"所管" = "note"\n', encoding="utf-8")
    assert main(["run", str(report), "--out", str(out), "--layout", str(second), "--quiet"]) == 0
    (entry,) = read_csv(out / "entries.csv")
    assert (entry["bureau"], entry["note"]) == ("", "国際交流課")


@pytest.mark.parametrize(("text", "message"), [
    ('[columns]\n"訪問先" = "partners"\n',
     "layout.toml: [columns] '訪問先' = 'partners': unknown role; the roles are partner, "
     "country, government, partnership_date, content, date, category, bureau, participants, "
     "note"),
    ('[columns]\n"訪問先" = "partner"\n"交流の概略" = "content"\n',
     "layout.toml: no input has a header row with 交流の概略; check the spelling against the "
     "report (headers are compared without spaces and brackets)"),
    ('[columns\n"訪問先" = "partner"\n', "layout.toml: not a TOML file"),
    ('[roles]\n"訪問先" = "partner"\n', "layout.toml: unknown section(s) roles; a layout has "
     "[columns] (header = \"role\") and [patterns]"),
    ('[patterns]\n"(交流" = "partner"\n', "layout.toml: [patterns] '(交流' is not a regular "
     "expression"),
])
def test_a_bad_layout_is_a_usage_error_naming_the_entry(
        report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
        message: str) -> None:
    layout = write(tmp_path, text)
    assert main(["run", str(report), "--out", str(tmp_path / "out"), "--layout",
                 str(layout)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pipeline run: error: {message}")
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_missing_layout_file_is_a_usage_error(report: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(report), "--out", str(tmp_path / "out"), "--layout",
                 str(tmp_path / "none.toml")]) == 2
    assert "cannot read the layout file (No such file or directory)" in capsys.readouterr().err


def test_audit_and_diff_read_reports_with_the_layout(report: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    layout = write(tmp_path, '[columns]\n"訪問先" = "partner"\n"交流の概要" = "content"\n')
    page = tmp_path / "audit.html"
    assert main(["audit", str(report), "--out", str(page), "--layout", str(layout)]) == 0
    assert 'data-events="1"' in page.read_text(encoding="utf-8")
    new = tmp_path / "new"
    new.mkdir()
    (new / "r.txt").write_bytes((report / "r.txt").read_bytes().replace(
        "市長の訪問".encode(), "市長の来訪".encode()))
    capsys.readouterr()
    assert main(["diff", str(report), str(new), "--layout", str(layout),
                 "--format", "json"]) == 1
    assert "市長の来訪" in capsys.readouterr().out  # read, and matched as a changed event
    bad = write(tmp_path, '[columns]\n"訪問先" = "partners"\n')
    assert main(["audit", str(report), "--out", str(page), "--layout", str(bad)]) == 2
    assert main(["diff", str(report), str(new), "--layout", str(bad)]) == 2
