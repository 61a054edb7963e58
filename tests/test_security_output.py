"""What is shown to people cannot be hijacked by what a report or a file name holds, and
usage problems of the output folder are exit 2 with a message (issue 17, finding 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.outputs import excel_value
from pipeline.safe_text import BIDI_CONTROLS, source_hash, terminal
from tests.reports import fy2012_text

RLO = "\u202e"
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


@pytest.mark.parametrize(("text", "shown"), [
    ("plain 平成24年", "plain 平成24年"),
    ("a\x1b]0;pwned\x07b", "a\\x1b]0;pwned\\x07b"),
    ("x.txt\npipeline run: 1 file", "x.txt\\x0apipeline run: 1 file"),
    ("tab\there", "tab\\x09here"),
    ("c1\x9bcsi", "c1\\x9bcsi"),
    (f"report{RLO}txt.exe", "report\\u202etxt.exe"),
    ("\u2066iso\u2069", "\\u2066iso\\u2069"),
])
def test_terminal_escapes_control_characters(text: str, shown: str) -> None:
    assert terminal(text) == shown


@given(st.text())
def test_terminal_output_never_holds_a_control_character(text: str) -> None:
    shown = terminal(text)
    assert not UNSAFE.search(shown)
    if not UNSAFE.search(text):
        assert shown == text


def test_a_file_name_with_an_escape_sequence_and_a_newline_is_shown_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: an ESC title sequence and a newline in a file name reached the terminal
    raw, the newline forging a summary line."""
    folder = tmp_path / "reports"
    folder.mkdir()
    name = "x\x1b]0;pwned\x07\npipeline run: 0 files.pdf"
    (folder / name).write_bytes(b"%PDF-1.4 not a report")
    assert main(["run", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("pipeline run: error: x\\x1b]0;pwned\\x07\\x0apipeline run: 0 "
                               "files.pdf: ")
    assert lines[1].startswith("pipeline run: 1 file, 0 events")


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+81", "'+81"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("＝SUM(A1)", "'＝SUM(A1)"), ("＋81", "'＋81"), ("－1", "'－1"), ("＠SUM(A1)", "'＠SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("平成24年=1", "平成24年=1"), ("a-b", "a-b"), (" =1", " =1"), ("", ""), (None, ""),
])
def test_excel_quotes_every_cell_a_spreadsheet_would_run(value: str | None,
                                                          written: str) -> None:
    assert excel_value(value) == written


def _report_with_rlo() -> str:
    text = fy2012_text()
    line = "・知事本局職員のニューヨーク市主催サミット参加"
    assert line in text
    return text.replace(line, f"・知事本局職員の{RLO}ニューヨーク市主催サミット参加", 1)


def _csp_and_style(page: str) -> tuple[str, str]:
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert csp is not None and style is not None
    return csp.group(1), style.group(1)


def test_the_audit_page_shows_bidi_overrides_and_admits_only_its_own_style(
        tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "fy2012.txt").write_text(_report_with_rlo(), encoding="utf-8")
    page_path = tmp_path / "audit.html"
    assert main(["audit", str(folder), "--out", str(page_path)]) == 0
    page = page_path.read_text(encoding="utf-8")
    assert RLO not in page
    assert "知事本局職員の[U+202E]ニューヨーク市主催サミット参加" in page
    csp, style = _csp_and_style(page)
    assert csp.startswith("default-src 'none'; ")
    assert f"style-src {source_hash(style)};" in csp and "unsafe-inline" not in csp
    assert "unicode-bidi:isolate" in style


def test_the_diff_page_shows_bidi_overrides_and_has_a_strict_policy(tmp_path: Path) -> None:
    """Regression: the diff page had no Content-Security-Policy and showed overrides raw."""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    (new / "fy2012.txt").write_text(_report_with_rlo(), encoding="utf-8")
    page_path = tmp_path / "diff.html"
    assert main(["diff", str(old), str(new), "--format", "html", "--out", str(page_path)]) == 1
    page = page_path.read_text(encoding="utf-8")
    assert RLO not in page
    assert "[U+202E]" in page
    csp, style = _csp_and_style(page)
    assert csp == ("default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; "
                   f"style-src {source_hash(style)}; script-src 'none'")
    assert "unicode-bidi:isolate" in style


def test_the_diff_text_on_standard_output_is_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    (new / "fy2012.txt").write_text(_report_with_rlo(), encoding="utf-8")
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert RLO not in out and "知事本局職員の\\u202eニューヨーク市主催サミット参加" in out


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    return folder


def test_out_equal_to_the_input_folder_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: it gave empty tables and exit 0."""
    folder = _folder(tmp_path)
    assert main(["run", str(folder), "--out", str(folder)]) == 2
    assert capsys.readouterr().err == (f"pipeline run: error: {folder}: is the input folder "
                                       f"{folder}; give another output folder (--out)\n")
    assert sorted(p.name for p in folder.iterdir()) == ["fy2012.txt"]


@pytest.mark.parametrize("kind", ["dangling", "loop"])
def test_an_out_link_that_leads_nowhere_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """Regression: exit 3 (an internal FileExistsError) instead of a clear error."""
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    if kind == "dangling":
        out.symlink_to(tmp_path / "missing")
    else:
        out.symlink_to(tmp_path / "other")
        (tmp_path / "other").symlink_to(out)
    assert main(["run", str(folder), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"pipeline run: error: {out}: a symbolic link that leads nowhere (its target is "
        "missing, or it loops); give an existing folder or a new name\n")


def test_a_manifest_without_name_is_a_usage_error_in_audit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: exit 3 (KeyError 'name')."""
    out = tmp_path / "out"
    assert main(["run", str(_folder(tmp_path)), "--out", str(out), "--quiet"]) == 0
    manifest = out / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('"name": "fy2012.txt",', "", 1), encoding="utf-8")
    assert main(["audit", str(out), "--out", str(tmp_path / "a.html")]) == 2
    assert capsys.readouterr().err == (
        f"pipeline audit: error: {manifest}: inputs[0] has no name of the right kind; it is "
        "not a manifest of pipeline run (run it again)\n")


def test_a_cell_quoted_in_a_warning_is_shown_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    text = fy2012_text().replace("アメリカ合衆国ニューヨーク市 (S35)", f"ザ{RLO}ンド国 ニューヨーク市 (S35)", 1)
    (folder / "r.txt").write_text(text, encoding="utf-8")
    assert main(["run", str(folder), "--out", str(tmp_path / "out"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert RLO not in err
    assert ("pipeline run: warning: r.txt:8: ザ\\u202eンド国 is not a country name the table "
            "knows; partner_country_code is empty [country-unknown]\n") in err
