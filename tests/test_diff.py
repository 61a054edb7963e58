"""`pipeline diff`: the real FY2012 report against edited copies of it.

Each edit is one thing a reviewer meets in practice; the test pins the kind it must be
reported as (added, removed, changed, moved), its cause and the line it points at. The
expected event ids come from the base run's events.csv, never from the diff itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline.cli import main
from pipeline.diff import DiffResult, diff_outputs
from pipeline.diff_match import pair_similar
from pipeline.diff_render import CSV_COLUMNS
from tests.conftest import REPORT, read_csv

NY_SUMMIT = "知事本局職員のニューヨーク市主催サミット参加"  # line 8, item 1, 平成24年6月
NY_VISIT = "環境局長のニューヨーク市訪問"  # line 8, item 2
NY_HURRICANE = "ニューヨーク・ハリケーン被害に対する見舞金贈呈"  # line 8, item 3
PARIS_TALK = "パリ市副市長と副知事の会談"  # line 10
FILE = REPORT.name


def edited(tmp_path: Path, *replacements: tuple[str, str], swap: tuple[int, int] | None = None
           ) -> Path:
    """A folder holding a copy of the report (same file name) with the edits applied."""
    text = REPORT.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    if swap:
        lines = text.split("\n")
        a, b = swap[0] - 1, swap[1] - 1
        lines[a], lines[b] = lines[b], lines[a]
        text = "\n".join(lines)
    folder = tmp_path / "edited"
    folder.mkdir()
    (folder / FILE).write_text(text, encoding="utf-8")
    return folder


def base_event(output: Path, description: str) -> dict[str, str]:
    (row,) = [r for r in read_csv(output / "events.csv") if r["description"] == description]
    return row


def kinds(result: DiffResult) -> tuple[int, int, int]:
    return len(result.added), len(result.removed), len(result.changed)


def test_corrected_date_is_a_change_of_the_same_event(fy2012_output: Path,
                                                      tmp_path: Path) -> None:
    new = edited(tmp_path, (f"{NY_SUMMIT}(平成24年6月)", f"{NY_SUMMIT}(平成24年7月)"))
    result = diff_outputs(fy2012_output, new)
    assert kinds(result) == (0, 0, 1)
    (change,) = result.changed
    assert change.event_id == change.old_event_id == base_event(fy2012_output,
                                                                NY_SUMMIT)["event_id"]
    assert change.fields == {
        "source_text": (f"・{NY_SUMMIT}(平成24年6月)", f"・{NY_SUMMIT}(平成24年7月)"),
        "date_text": ("平成24年6月", "平成24年7月"),
        "date_start": (dt.date(2012, 6, 1), dt.date(2012, 7, 1)),
        "date_end": (dt.date(2012, 6, 30), dt.date(2012, 7, 31)),
    }
    assert change.cause == "source"
    assert (change.old_source.file, change.old_source.line) == (FILE, 8)
    assert (change.new_source.file, change.new_source.line) == (FILE, 8)
    assert change.new_source.text == f"・{NY_SUMMIT}(平成24年7月)"
    assert [p.event_id for p in result.periods] == [change.event_id]
    assert result.moved == [] and result.differs


def test_removed_item_is_removed_and_its_siblings_move(fy2012_output: Path,
                                                       tmp_path: Path) -> None:
    new = edited(tmp_path, (f" ・{NY_VISIT}(平成24年7月)", ""))
    result = diff_outputs(fy2012_output, new)
    assert kinds(result) == (0, 1, 0)  # the siblings' cell hash changed, but they did not
    (removed,) = result.removed
    assert removed["event_id"] == base_event(fy2012_output, NY_VISIT)["event_id"]
    assert (removed["source_file"], removed["source_line"]) == (FILE, 8)
    assert [(m.event_id, m.old.item_no, m.new.item_no) for m in result.moved] == [
        (base_event(fy2012_output, NY_HURRICANE)["event_id"], 3, 2)]
    (entry,) = result.entries.changed
    assert entry.fields == {"event_count": (3, 2)}
    assert entry.new_source.line == 8


def test_added_item_is_added(fy2012_output: Path, tmp_path: Path) -> None:
    new = edited(tmp_path, ("(平成24年10月) ・産業労働局", "(平成24年10月) ・ベルリン市長の来訪(平成24年11月) ・産業労働局"))
    result = diff_outputs(fy2012_output, new)
    assert kinds(result) == (1, 0, 0)
    (added,) = result.added
    assert (added["description"], added["source_line"], added["item_no"]) == (
        "ベルリン市長の来訪", 17, 3)
    assert added["date_start"] == dt.date(2012, 11, 1)
    assert result.entries.changed[0].fields == {"event_count": (3, 4)}


def test_slightly_reworded_item_is_one_change_not_removed_and_added(
        fy2012_output: Path, tmp_path: Path) -> None:
    new = edited(tmp_path, (PARIS_TALK, "パリ市副市長と副知事との会談"))
    result = diff_outputs(fy2012_output, new)
    assert kinds(result) == (0, 0, 1)
    (change,) = result.changed
    old_id = base_event(fy2012_output, PARIS_TALK)["event_id"]
    assert change.old_event_id == old_id != change.event_id
    assert set(change.fields) == {"event_id", "description", "source_text"}
    assert change.fields["description"] == (PARIS_TALK, "パリ市副市長と副知事との会談")
    assert change.cause == "source" and change.old_source.line == change.new_source.line == 10
    assert change.similarity is not None and change.similarity >= 0.8


def test_rewritten_item_is_removed_and_added(fy2012_output: Path, tmp_path: Path) -> None:
    new = edited(tmp_path, (PARIS_TALK, "パリ市長による東京都庁舎の見学"))
    assert kinds(diff_outputs(fy2012_output, new)) == (1, 1, 0)


def test_reordered_rows_are_moved_not_changed(fy2012_output: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # Lines 9 (北京市) and 10 (パリ市) both inherit the bureau of line 8, so swapping them
    # changes positions only.
    new = edited(tmp_path, swap=(9, 10))
    result = diff_outputs(fy2012_output, new)
    assert kinds(result) == (0, 0, 0) and result.periods == [] and not result.differs
    assert sorted((m.old.line, m.new.line) for m in result.moved) == [(9, 10)] * 3 + [(10, 9)] * 2
    assert result.entries.moved == 2 and result.entries.changed == []
    # Moves are shown, but they are not a difference: exit 0.
    assert main(["diff", str(fy2012_output), str(new)]) == 0
    out = capsys.readouterr().out
    assert "moved (position only; not a difference)" in out
    assert out.endswith("0 added, 0 removed, 0 changed, 5 moved; periods differ for 0 events; "
                        "entries: 0 added, 0 removed, 0 changed, 2 moved\n")


def extractor_edit(output: Path, tmp_path: Path, description: str, column: str,
                   value: str) -> Path:
    """A copy of an output folder, CSV only, with one cell of events.csv changed: what a
    different extractor would give for the same source cell."""
    folder = tmp_path / "extracted-differently"
    shutil.copytree(output, folder)
    for parquet in folder.glob("*.parquet"):
        parquet.unlink()
    rows = read_csv(folder / "events.csv")
    (row,) = [r for r in rows if r["description"] == description]
    row[column] = value
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_same_cell_read_differently_is_caused_by_the_extractor(fy2012_output: Path,
                                                               tmp_path: Path) -> None:
    new = extractor_edit(fy2012_output, tmp_path, NY_VISIT, "date_start", "2012-07-02")
    result = diff_outputs(fy2012_output, new)
    assert kinds(result) == (0, 0, 1)
    (change,) = result.changed
    assert change.fields == {"date_start": (dt.date(2012, 7, 1), dt.date(2012, 7, 2))}
    assert change.cause == "extractor"
    assert change.old_source == change.new_source
    assert (change.new_source.line, change.new_source.text) == (8, f"・{NY_VISIT}(平成24年7月)")


def test_csv_and_parquet_of_one_run_are_the_same(fy2012_output: Path, tmp_path: Path) -> None:
    csv_only = tmp_path / "csv"
    shutil.copytree(fy2012_output, csv_only)
    for parquet in csv_only.glob("*.parquet"):
        parquet.unlink()
    result = diff_outputs(fy2012_output, csv_only)
    assert not result.differs and result.moved == []


def test_raw_report_against_its_own_output_is_the_same(fy2012_output: Path) -> None:
    result = diff_outputs(REPORT, fy2012_output)
    assert not result.differs and result.moved == []


# ---- similar descriptions ----------------------------------------------------------------

def event(event_id: str, description: str, city: str = "パリ市", year: int = 2012
          ) -> dict[str, object]:
    return {"event_id": event_id, "description": description, "fiscal_year": year,
            "partner_country": "フランス共和国", "partner_country_code": "FR",
            "partner_city": city}


@pytest.mark.parametrize(("old", "new", "paired"), [
    (event("a", PARIS_TALK), event("b", "パリ市副市長と副知事との会談"), True),
    (event("a", "副知事のベルリン市長表敬訪問"), event("b", "副知事のベルリン市長表敬訪問"), True),
    (event("a", PARIS_TALK), event("b", "パリ市長による東京都庁舎の見学"), False),
    (event("a", PARIS_TALK), event("b", PARIS_TALK, city="リヨン市"), False),  # other partner
    (event("a", PARIS_TALK), event("b", PARIS_TALK, year=2013), False),  # other year
    (event("a", "ABCDEFGHIJ"), event("b", "ABCDEFGHXY"), True),  # ratio exactly 0.8
    (event("a", "ABCDEFGHIJ"), event("b", "ABCDEFGXYZ"), False),  # 0.7
    (event("a", "ABCD"), event("b", "ABCDEFGHIJ"), False),  # lengths alone rule it out
])
def test_pair_similar(old: dict[str, object], new: dict[str, object], paired: bool) -> None:
    pairs = pair_similar([old], [new])
    assert [(o["event_id"], n["event_id"]) for o, n, _ in pairs] == ([("a", "b")] if paired
                                                                     else [])


def test_pair_similar_takes_the_best_match_once() -> None:
    removed = [event("a", "副知事のベルリン市長表敬訪問")]
    added = [event("x", "副知事のベルリン市長表敬訪問等"), event("y", "副知事のベルリン市長表敬訪問")]
    assert [(o["event_id"], n["event_id"]) for o, n, _ in pair_similar(removed, added)] == [
        ("a", "y")]


# ---- the command line --------------------------------------------------------------------

def test_diff_of_an_output_with_itself_prints_nothing(
        fy2012_output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(fy2012_output), str(fy2012_output)]) == 0
    assert capsys.readouterr() == ("", "")


def test_difference_exits_1_and_prints_it_grouped_by_partner(
        fy2012_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = edited(tmp_path, (f"{NY_SUMMIT}(平成24年6月)", f"{NY_SUMMIT}(平成24年7月)"))
    summit = base_event(fy2012_output, NY_SUMMIT)["event_id"]
    assert main(["diff", str(fy2012_output), str(new)]) == 1
    assert capsys.readouterr().out == (
        f"--- {fy2012_output}\n+++ {new}\n"
        "2012 アメリカ合衆国 ニューヨーク市 [US]\n"
        f"  ~ {summit} {NY_SUMMIT}  [cause: source]\n"
        "      date_text    平成24年6月 -> 平成24年7月\n"
        "      date_start   2012-06-01 -> 2012-07-01\n"
        "      date_end     2012-06-30 -> 2012-07-31\n"
        "      periods      2012-06-01..2012-06-30 month 平成24年6月 -> "
        "2012-07-01..2012-07-31 month 平成24年7月\n"
        f"      old {FILE}:8  ・{NY_SUMMIT}(平成24年6月)\n"
        f"      new {FILE}:8  ・{NY_SUMMIT}(平成24年7月)\n"
        "0 added, 0 removed, 1 changed, 0 moved; periods differ for 1 event; "
        "entries: 0 added, 0 removed, 0 changed, 0 moved\n")


def test_ignored_columns_are_not_compared(fy2012_output: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    new = edited(tmp_path, (f"{NY_SUMMIT}(平成24年6月)", f"{NY_SUMMIT}(平成24年7月)"))
    argv = ["diff", str(fy2012_output), str(new), "--ignore", "date_start,date_end",
            "--ignore", "date_text", "--ignore", "source_text"]
    assert main(argv) == 0  # periods share the column names, so they are ignored there too
    assert capsys.readouterr().out == ""
    assert main(argv[:-2]) == 1


def test_unknown_ignored_column_is_an_error(fy2012_output: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(fy2012_output), str(fy2012_output), "--ignore", "colour"]) == 2
    assert capsys.readouterr() == ("", "pipeline diff: error: --ignore colour: no such column\n")


def test_missing_folder_exits_2_with_one_line(fy2012_output: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert main(["diff", str(fy2012_output), str(missing)]) == 2
    assert capsys.readouterr() == ("", f"pipeline diff: error: {missing}: no such file or "
                                       "folder\n")


def test_empty_folder_exits_2(fy2012_output: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(tmp_path), str(fy2012_output)]) == 2
    assert capsys.readouterr().err == (f"pipeline diff: error: {tmp_path}: no reports and no "
                                       "events.parquet or events.csv\n")


@pytest.fixture
def corrected(fy2012_output: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    new = edited(tmp_path, (f"{NY_SUMMIT}(平成24年6月)", f"{NY_SUMMIT}(平成24年7月)"))
    return fy2012_output, new, base_event(fy2012_output, NY_SUMMIT)["event_id"]


def test_json_format(corrected: tuple[Path, Path, str],
                     capsys: pytest.CaptureFixture[str]) -> None:
    old, new, summit = corrected
    assert main(["diff", str(old), str(new), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"added", "removed", "changed", "moved", "entries", "periods",
                         "not_compared", "not_paired"}
    assert data["not_compared"] == data["not_paired"] == []
    assert data["added"] == data["removed"] == data["moved"] == []
    assert data["entries"] == {"added": [], "removed": [], "changed": []}
    (change,) = data["changed"]
    assert set(change) == {"event_id", "fields", "cause", "old_source", "new_source"}
    assert change["event_id"] == summit and change["cause"] == "source"
    assert change["fields"]["date_start"] == ["2012-06-01", "2012-07-01"]
    assert change["old_source"] == {"file": FILE, "line": 8, "table_no": 1, "row_no": 1,
                                    "item_no": 1, "source_text": f"・{NY_SUMMIT}(平成24年6月)"}
    (period,) = data["periods"]
    assert [p["date_end"] for p in period["old"] + period["new"]] == ["2012-06-30",
                                                                      "2012-07-31"]


def test_csv_format_has_one_row_per_changed_field(corrected: tuple[Path, Path, str],
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    old, new, summit = corrected
    out = tmp_path / "diff.csv"
    assert main(["diff", str(old), str(new), "--format", "csv", "--out", str(out)]) == 1
    assert capsys.readouterr().out == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    fields = {r["field"]: r for r in rows}
    assert set(fields) == {"source_text", "date_text", "date_start", "date_end", "periods"}
    assert {k: fields["date_start"][k] for k in CSV_COLUMNS} == {
        "kind": "event", "key": summit, "field": "date_start", "old": "2012-06-01", "new": "2012-07-01",
        "cause": "source", "old_file": FILE, "old_line": "8", "new_file": FILE,
        "new_line": "8"}


def test_html_format_marks_changed_characters_and_escapes_text(
        fy2012_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = extractor_edit(fy2012_output, tmp_path, NY_VISIT, "description",
                         f"<script>alert(1)</script>{NY_VISIT}")
    assert main(["diff", str(fy2012_output), str(new), "--format", "html"]) == 1
    page = capsys.readouterr().out
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    tree = lxml_html.fromstring(page)
    assert tree.xpath("//script") == []
    (ins,) = tree.xpath('//tr[@data-field="description"]//ins')
    assert ins.text_content() == "<script>alert(1)</script>"
    assert tree.xpath('//tr[@data-field="description"]//del') == []


def test_html_format_of_a_corrected_date(corrected: tuple[Path, Path, str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    old, new, _ = corrected
    assert main(["diff", str(old), str(new), "--format", "html"]) == 1
    tree = lxml_html.fromstring(capsys.readouterr().out)
    (row,) = tree.xpath('//tr[@data-field="date_text"]')
    assert [d.text_content() for d in row.xpath(".//del")] == ["6"]
    assert [i.text_content() for i in row.xpath(".//ins")] == ["7"]


def test_rows_swapped_that_change_an_inherited_bureau_are_a_source_change(tmp_path: Path) -> None:
    """Regression: swapping the row that carries the bureau with one that inherits it
    changed the inherited bureau, and diff blamed the extractor; the source changed."""
    from pipeline.diff import diff_outputs

    lines = REPORT.read_text(encoding="utf-8").split("\n")
    lines[7], lines[8] = lines[8], lines[7]  # New York (with the bureau) and Beijing (blank)
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / REPORT.name).write_bytes(REPORT.read_bytes())
    (tmp_path / "new" / REPORT.name).write_text("\n".join(lines), encoding="utf-8")
    diff = diff_outputs(tmp_path / "old", tmp_path / "new")
    assert diff.changed, "the bureau of the moved rows did change"
    assert {change.cause for change in diff.changed} == {"source"}


# ---- regressions -------------------------------------------------------------------------

def without_column(output: Path, tmp_path: Path, table: str, column: str,
                   edit: tuple[str, str, str] | None = None) -> Path:
    """A CSV-only copy of an output folder whose `table` lacks `column`, as an older run
    would write it; `edit` (description, column, value) also changes one event."""
    folder = tmp_path / f"without-{column}"
    shutil.copytree(output, folder)
    for parquet in folder.glob("*.parquet"):
        parquet.unlink()
    rows = read_csv(folder / f"{table}.csv")
    for row in rows:
        del row[column]
        if edit and row.get("description") == edit[0]:
            row[edit[1]] = edit[2]
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_renamed_copy_of_a_report_differs_only_in_position(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: source_file was compared as a value, so `diff fy2012_v1.txt fy2012_v2.txt`
    showed every event and entry changed (cause extractor) and exited 1. The file name is a
    position now. Moves are listed in the text form as they are for reordered rows (a move
    is shown, never a difference), so the output is the move list and the exit code 0."""
    renamed = tmp_path / "fy2012_v2.txt"
    shutil.copyfile(REPORT, renamed)
    result = diff_outputs(REPORT, renamed)
    assert kinds(result) == (0, 0, 0) and result.periods == [] and not result.differs
    assert result.entries.changed == [] and result.entries.moved == 15
    assert {(m.old.file, m.new.file) for m in result.moved} == {(FILE, "fy2012_v2.txt")}
    assert len(result.moved) == 35
    assert main(["diff", str(REPORT), str(renamed)]) == 0
    out = capsys.readouterr().out
    assert "~" not in out and "moved (position only; not a difference)" in out
    assert out.endswith("0 added, 0 removed, 0 changed, 35 moved; periods differ for 0 events; "
                        "entries: 0 added, 0 removed, 0 changed, 15 moved\n")


def test_column_absent_from_an_older_run_is_not_compared(
        fy2012_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: a column missing on one side was filled with nulls and compared, so all
    35 events showed date_inferred changed. It is left out and named once instead."""
    old = without_column(fy2012_output, tmp_path, "events", "date_inferred")
    result = diff_outputs(old, fy2012_output)
    assert kinds(result) == (0, 0, 0) and not result.differs
    assert result.not_compared == (("events", "date_inferred", "OLD"),)
    assert main(["diff", str(old), str(fy2012_output)]) == 0
    assert capsys.readouterr().out == (
        f"--- {old}\n+++ {fy2012_output}\n"
        "not compared: events.date_inferred (absent in OLD)\n"
        "0 added, 0 removed, 0 changed, 0 moved; periods differ for 0 events; "
        "entries: 0 added, 0 removed, 0 changed, 0 moved\n")
    assert main(["diff", str(old), str(fy2012_output), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["not_compared"] == [
        {"table": "events", "column": "date_inferred", "absent_in": "OLD"}]


def test_without_the_cell_hash_the_cause_is_unknown(fy2012_output: Path,
                                                    tmp_path: Path) -> None:
    """Regression: a missing source_sha256 read as "" on one side, so every change was
    blamed on the source, a guess. Without the hash on either side the cause is unknown."""
    new = without_column(fy2012_output, tmp_path, "events", "source_sha256",
                         edit=(NY_VISIT, "date_start", "2012-07-02"))
    for old_side, new_side in ((fy2012_output, new), (new, fy2012_output)):
        result = diff_outputs(old_side, new_side)
        assert kinds(result) == (0, 0, 1)
        assert result.changed[0].cause == "unknown"
        assert set(result.changed[0].fields) == {"date_start"}
        assert [c for _, c, _ in result.not_compared] == ["source_sha256"]


def test_csv_format_lists_entry_changes(fy2012_output: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: an entries-only difference gave a header-only CSV with exit code 1."""
    folder = tmp_path / "entry-edited"
    shutil.copytree(fy2012_output, folder)
    for parquet in folder.glob("*.parquet"):
        parquet.unlink()
    rows = read_csv(folder / "entries.csv")
    assert rows[0]["start_code"] == "S35", rows[0]  # New York, line 8
    rows[0]["start_code"] = "S36"
    with (folder / "entries.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert main(["diff", str(fy2012_output), str(folder), "--format", "csv"]) == 1
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert {k: row[k] for k in ("kind", "field", "old", "new", "old_line", "new_line")} == {
        "kind": "entry", "field": "start_code", "old": "S35", "new": "S36", "old_line": "8",
        "new_line": "8"}
    assert "ニューヨーク市" in row["key"]


def test_a_file_that_is_not_a_report_is_an_error(fy2012_output: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: a file giving no table was diffed as an empty extraction (35 added,
    exit 1). It is an error now: exit 2 and one line."""
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\nthis is not a report\n", encoding="utf-8")
    assert main(["diff", str(junk), str(fy2012_output)]) == 2
    # Since issue 11 a file with no report table is an error for every format, saying why.
    assert capsys.readouterr() == ("", "pipeline diff: error: junk.txt: no report table: no "
                                   "header row; the first lines look like prose (line 1: hello "
                                   "world, line 2: this is not a report). Known header words: "
                                   "提携都市名, 提携都市, 提携先 (partner); 内容, 実績, 内容・実績 "
                                   "(content); 所管局, 所管, 所管課 (bureau) … (pipeline run "
                                   "--layout FILE maps others)\n")


def test_a_changed_extras_cell_is_a_change_of_its_entry(tmp_path: Path) -> None:
    """Issue 12: the register's extras cells are compared with their entry."""
    from pipeline.diff import diff_outputs
    from tests.conftest import DATA

    text = (DATA / "shapes" / "ward_register.csv").read_text(encoding="utf-8-sig")
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "r.csv").write_text(text, encoding="utf-8")
    (new / "r.csv").write_text(text.replace("区内高校の短期留学", "区内高校の長期留学"),
                               encoding="utf-8")
    result = diff_outputs(old, new)
    (change,) = result.entries.changed
    assert change.fields == {"extras": ("きっかけ=区内高校の短期留学", "きっかけ=区内高校の長期留学")}
    assert (change.old_source.line, change.new_source.line) == (5, 5)
    assert not result.entries.added and not result.entries.removed
