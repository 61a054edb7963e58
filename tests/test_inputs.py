"""Inputs a run cannot use are named, never counted as reports with nothing in them (issue 11).

Each test runs the command line in process, as a user would, and checks the exact words
on stderr, the exit code and what the output folder then holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from tests.conftest import REPORT, read_csv

KNOWN = ("Known header words: 提携都市名, 提携都市, 提携先 (partner); 内容, 実績, 内容・実績 "
         "(content); 所管局, 所管, 所管課 (bureau) … (pipeline run --layout FILE maps others)")
PROSE = "令和5年度 国際交流活動報告\n\n1. 概要\n本年度は、姉妹都市との交流を進めた。\n"


def _folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def _manifest(out: Path) -> Any:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# ---- a file with no report table ------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "seen"), [
    ("fy2013_report.txt", PROSE,
     "no header row; the first lines look like prose (line 1: 令和5年度 国際交流活動報告, "
     "line 3: 1. 概要, line 4: 本年度は、姉妹都市との交流を進めた。). " + KNOWN),
    # Header-like rows whose words the vocabulary does not know: what each cell was read as,
    # the roles missed, and how to map them (issue 12 words this part).
    ("fy2013.csv", "訪問先,交流の概要\r\n米国 ニューヨーク市,・訪問(令和5年6月)\r\n",
     "no table header recognised; header-like rows seen: 訪問先=? | 交流の概要=?; "
     "米国 ニューヨーク市=? | ・訪問(令和5年6月)=?. Missing: partner or content. Map the "
     'headers to roles in a layout file ([columns] "訪問先" = "partner", one line a header) '
     "and run pipeline run --layout FILE"),
])
def test_a_file_without_a_report_table_is_an_error(tmp_path: Path, name: str, content: str,
                                                   seen: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: a text or CSV file with no header row the pipeline knows was read as a
    report with nothing in it (0 events, its lines notes or rejects), exit 0."""
    folder = _folder(tmp_path, {name: content, REPORT.name: REPORT.read_bytes()})
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--jobs", "1"]) == 1
    message = f"{name}: no report table: {seen}"
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"pipeline run: error: {message}"
    # the rest is still extracted and written, and the file is listed where errors are
    assert len(read_csv(out / "events.csv")) == 35
    assert [(r["source_file"], r["source_line"], r["reason"]) for r in read_csv(
        out / "rejects.csv")] == [(name, "0", f"no-table: {message}")]
    entry = next(i for i in _manifest(out)["inputs"] if i["name"] == name)
    assert entry["error"] == {"code": "no-table", "message": message}


# ---- an empty input folder -------------------------------------------------------------------

def test_an_empty_folder_is_an_error_and_the_output_stays(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    """Regression: an empty folder wrote empty tables over the last output, exit 0."""
    out = tmp_path / "out"
    assert main(["run", str(REPORT.parent), "--out", str(out), "--quiet"]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    empty = tmp_path / "empty"
    (empty / ".hidden").mkdir(parents=True)  # hidden files are never read: still no report
    (empty / ".hidden" / "notes.txt").write_text("x", encoding="utf-8")
    assert main(["run", str(empty), "--out", str(out)]) == 1
    assert capsys.readouterr().err == f"pipeline run: error: no reports found in {empty}\n"
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_an_empty_folder_beside_a_full_one_is_named(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "2013"
    empty.mkdir()
    out = tmp_path / "out"
    assert main(["run", str(REPORT.parent), str(empty), "--out", str(out)]) == 1
    assert capsys.readouterr().err == f"pipeline run: error: no reports found in {empty}\n"
    assert not out.exists()


# ---- the same report twice -------------------------------------------------------------------

def test_identical_inputs_are_read_once(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: two files with the same bytes doubled every count, without a word."""
    data = REPORT.read_bytes()
    folder = _folder(tmp_path, {"a.txt": data, "b.txt": data})
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--jobs", "1"]) == 0
    assert capsys.readouterr().err == (
        f"pipeline run: 2 files, 35 events, 0 rejects, 1 warning (manifest.json; pipeline "
        f"audit shows them at their lines) -> {out}\n")
    assert len(read_csv(out / "events.csv")) == 35
    assert len(read_csv(out / "partners.csv")) == 12
    manifest = _manifest(out)
    names = [(i["name"], i.get("duplicate_of")) for i in manifest["inputs"]]
    assert names == [("a.txt", None), ("b.txt", "a.txt")]
    sha = manifest["inputs"][1]["sha256"]
    assert manifest["warnings"] == [{
        "source_file": "b.txt", "source_line": 0, "code": "input-duplicate",
        "message": f"b.txt: the same bytes as a.txt (sha256 {sha[:12]}…); read once, as a.txt"}]


def test_a_reissue_beside_the_original_is_a_warning(tmp_path: Path) -> None:
    """Two different files of one fiscal year with the same partner's events: a re-issue
    (here one item reworded) beside the original. Both are counted, and the run says so."""
    text = REPORT.read_text(encoding="utf-8")
    reissue = text.replace("知事のロンドン出張(", "知事のロンドン出張及び会談(")
    assert reissue != text
    folder = _folder(tmp_path, {"fy2012.txt": text, "fy2012_revised.txt": reissue})
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    assert _manifest(out)["warnings"] == [{
        "source_file": "fy2012_revised.txt", "source_line": 0, "code": "report-overlap",
        "message": "fy2012_revised.txt: 34 of its 35 events are also in fy2012.txt (fiscal "
                   "year 2012, same partner and description); both are counted: is one a "
                   "re-issue of the other?"}]


def test_reports_of_different_years_do_not_overlap(tmp_path: Path) -> None:
    from tests.reports import report_for_year

    folder = _folder(tmp_path, {"fy2012.txt": REPORT.read_bytes(),
                                "fy2013.txt": report_for_year(2013)})
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    assert _manifest(out)["warnings"] == []


# ---- an output folder given as input -------------------------------------------------------------

def test_an_output_folder_as_input_is_refused(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: an output folder was read as 12 reports (binary errors, 129 rejects)."""
    o1 = tmp_path / "o1"
    assert main(["run", str(REPORT.parent), "--out", str(o1), "--quiet"]) == 0
    before = {p.relative_to(o1): p.read_bytes() for p in o1.rglob("*") if p.is_file()}
    assert main(["run", str(o1), "--out", str(tmp_path / "o2")]) == 2
    assert capsys.readouterr().err == (f"pipeline run: error: {o1}: this is an output folder "
                                       "of pipeline run; pass the report files or folders\n")
    assert not (tmp_path / "o2").exists()
    assert {p.relative_to(o1): p.read_bytes() for p in o1.rglob("*") if p.is_file()} == before
    # diff and audit read output folders by design: still so
    assert main(["diff", str(o1), str(o1)]) == 0
    assert main(["audit", str(o1), "--out", str(tmp_path / "a.html")]) == 0


def test_a_folder_with_some_other_manifest_is_read(tmp_path: Path) -> None:
    """Only the pipeline's own manifest marks an output folder, not any manifest.json."""
    folder = _folder(tmp_path, {REPORT.name: REPORT.read_bytes(),
                                "manifest.json": '{"name": "my-reports"}'})
    out = tmp_path / "out"
    # read as an input folder, not refused; its manifest.json is no report and is skipped
    assert main(["run", str(folder), "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    assert len(read_csv(out / "events.csv")) == 35
    assert [w["code"] for w in _manifest(out)["warnings"]] == ["input-not-a-report"]


# ---- where to look, and what there is -----------------------------------------------------------

def test_the_summary_says_where_rejects_and_warnings_are(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("英国 ロンドン市"))
    lines[row] = lines[row].replace("(平成25年1月)", "(平成25年2月30日)")  # warning date-invalid
    lines.insert(row + 1, "\t\t・partnerのない行\t")  # reject row-label
    folder = _folder(tmp_path, {"fy2012.txt": "\n".join(lines) + "\n"})
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--jobs", "1"]) == 0
    assert capsys.readouterr().err == (
        "pipeline run: 1 file, 35 events, 1 reject (rejects.csv), 1 warning (manifest.json; "
        f"pipeline audit shows them at their lines) -> {out}\n")


def test_pipeline_alone_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: `pipeline` alone said only that a COMMAND is required."""
    assert main([]) == 2
    err = capsys.readouterr().err
    listed = [line.split()[0] for line in err.splitlines() if line.startswith("    ")]
    assert listed == ["run", "dates", "diff", "audit", "report"]


@pytest.mark.parametrize("source", ["reports", "output"])
def test_the_audit_page_reads_a_duplicate_once(tmp_path: Path, source: str) -> None:
    """Regression: from the reports, the page counted 70 events for one report saved twice;
    from the output folder it said the events were 'not counted by the extraction'."""
    from pipeline.audit import gather

    data = REPORT.read_bytes()
    folder = _folder(tmp_path, {"a.txt": data, "b.txt": data})
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    audit = gather(folder if source == "reports" else out)
    assert [(f.name, f.counted_events) for f in audit.files] == [("a.txt", 35), ("b.txt", 0)]
    issues = [(i.source_file, i.code) for f in audit.files for i in f.issues]
    assert issues == [("b.txt", "input-duplicate")]


def test_the_issues_example_headers_are_read_as_a_table(tmp_path: Path) -> None:
    """Issue 11's own example of a table the pipeline did not know (相手先 / 概要 / 担当) is
    read since the vocabulary of column roles (issue 12) knows its three words."""
    folder = _folder(tmp_path, {"fy2013.csv": "相手先,概要,担当\r\n"
                                              "米国 ニューヨーク市,・訪問(令和5年6月),知事本局\r\n"})
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--quiet"]) == 0
    assert [(e["partner_city"], e["description"], e["date_start"], e["bureau"])
            for e in read_csv(out / "events.csv")] == [
        ("ニューヨーク市", "訪問", "2023-06-01", "知事本局")]


def test_a_notes_file_beside_the_reports_is_skipped_and_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression (a newcomer's run): a README.md in an input folder, quoting a header row
    with commas, was read as a CSV report: 77 junk entries, exit 0. A folder's .md (and
    other never-report files) is skipped with a warning; named on the command line, read."""
    notes = "# 提携一覧の読み方\n\nheader `都道府県名,自治体名,国名,提携先,提携年月日` and 8 rows\n"
    folder = _folder(tmp_path, {"README.md": notes, REPORT.name: REPORT.read_bytes()})
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out)]) == 0
    assert capsys.readouterr().err.endswith(
        "1 file, 35 events, 0 rejects, 1 warning (manifest.json; pipeline audit shows them "
        f"at their lines) -> {out}\n")
    assert len(read_csv(out / "entries.csv")) == 15
    assert [(w["source_file"], w["code"], w["message"]) for w in _manifest(out)["warnings"]] == [
        ("README.md", "input-not-a-report", "README.md: a .md file is no report format; not "
         "read (name it on the command line to read it)")]
    # a folder holding nothing else has no report to read
    (tmp_path / "only").mkdir()
    only = _folder(tmp_path / "only", {"README.md": notes})
    assert main(["run", str(only), "--out", str(tmp_path / "o2")]) == 1
    assert capsys.readouterr().err == f"pipeline run: error: no reports found in {only}\n"
