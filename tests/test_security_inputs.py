"""Input discovery never leaves the folders the user named (issue 17, finding 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.inputs import discover
from pipeline.model import Issue
from tests.reports import fy2012_text

SECRET = "-----BEGIN OPENSSH PRIVATE KEY-----\tb3BlbnNzaC1rZXktdjEAAAAA\tnot for reports\n"


def _found(inputs: list[Path], skip: Path | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    warnings: list[Issue] = []
    names = [f.name for f in discover(inputs, skip=skip, warnings=warnings)]
    return names, [(w.code, w.source_file) for w in warnings]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    return folder


def test_a_link_to_a_private_file_outside_is_not_read(
        tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: links to a private key and /etc/passwd were read, their text landing in
    manifest.json and rejects.csv."""
    secret = tmp_path / "id_ed25519"
    secret.write_text(SECRET, encoding="utf-8")
    (folder / "key.txt").symlink_to(secret)
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out)]) == 0
    for written in out.rglob("*.*"):
        if written.is_file() and written.suffix in (".csv", ".json"):
            assert "OPENSSH" not in written.read_text(encoding="utf-8"), written
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [i["name"] for i in manifest["inputs"]] == ["fy2012.txt"]
    assert manifest["warnings"] == [{
        "source_file": "key.txt", "source_line": 0, "code": "input-symlink-outside",
        "message": "key.txt: a symbolic link to a place outside the input folders; not read "
                   "(name its target on the command line to read it)"}]
    assert "1 warning" in capsys.readouterr().err


def test_a_link_named_on_the_command_line_is_read_as_given(tmp_path: Path, folder: Path) -> None:
    outside = tmp_path / "elsewhere" / "fy2012.txt"
    outside.parent.mkdir()
    outside.write_text(fy2012_text(), encoding="utf-8")
    (tmp_path / "named.txt").symlink_to(outside)
    assert _found([tmp_path / "named.txt"]) == (["named.txt"], [])


def test_a_link_to_a_folder_outside_is_not_followed(tmp_path: Path, folder: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "system").symlink_to(tmp_path / "etc")
    assert _found([folder]) == (["fy2012.txt"], [("input-symlink-outside", "system")])


def test_a_linked_folder_inside_is_followed(folder: Path) -> None:
    """Regression: a symlinked sub-folder was skipped in silence."""
    (folder / ".store").mkdir()
    (folder / ".store" / "h22.txt").write_text(fy2012_text(), encoding="utf-8")
    (folder / "current").symlink_to(folder / ".store")
    assert _found([folder]) == (["current/h22.txt", "fy2012.txt"], [])


def test_a_link_into_another_named_folder_is_followed_and_read_once(tmp_path: Path,
                                                                     folder: Path) -> None:
    other = tmp_path / "2013"
    other.mkdir()
    (other / "fy2013.txt").write_text(fy2012_text(), encoding="utf-8")
    (folder / "also.txt").symlink_to(other / "fy2013.txt")
    assert _found([folder, other]) == (
        ["2013/fy2013.txt", "reports/fy2012.txt"],
        [("input-symlink-duplicate", "reports/also.txt")])
    assert _found([folder]) == (["fy2012.txt"], [("input-symlink-outside", "also.txt")])


def test_a_folder_loop_is_skipped_not_walked_for_ever(folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "sub" / "h22.txt").write_text(fy2012_text(), encoding="utf-8")
    (folder / "sub" / "up").symlink_to(folder)
    (folder / "sub" / "self").symlink_to(".")
    assert _found([folder]) == (["fy2012.txt", "sub/h22.txt"],
                                [("input-symlink-loop", "sub/self"),
                                 ("input-symlink-loop", "sub/up")])


def test_a_broken_link_is_a_warning(folder: Path) -> None:
    (folder / "gone.txt").symlink_to(folder / "missing.txt")
    (folder / "round.txt").symlink_to(folder / "round.txt")
    assert _found([folder]) == (["fy2012.txt"], [("input-symlink-broken", "gone.txt"),
                                                 ("input-symlink-broken", "round.txt")])


def test_a_link_into_the_output_folder_is_not_an_input(tmp_path: Path, folder: Path) -> None:
    out = folder / "out"
    out.mkdir()
    (out / "events.csv").write_text("x\n", encoding="utf-8")
    (folder / "linked.csv").symlink_to(out / "events.csv")
    assert _found([folder], skip=out) == (["fy2012.txt"], [])


def test_the_audit_page_names_a_link_it_did_not_follow(tmp_path: Path, folder: Path) -> None:
    secret = tmp_path / "id_ed25519"
    secret.write_text(SECRET, encoding="utf-8")
    (folder / "key.txt").symlink_to(secret)
    page = tmp_path / "audit.html"
    assert main(["audit", str(folder), "--out", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "OPENSSH" not in text
    assert ("key.txt: a symbolic link to a place outside the input folders; not read" in text)


def test_a_file_swapped_for_a_link_after_discovery_is_not_read_through_it(
        tmp_path: Path, folder: Path) -> None:
    """Between finding the files and reading them, someone who can write the input folder
    replaces a report with a link to a private file: the read refuses, naming the file."""
    from pipeline.per_report import extract_file

    secret = tmp_path / "id_ed25519"
    secret.write_text(SECRET, encoding="utf-8")
    (found,) = discover([folder])
    (folder / "fy2012.txt").unlink()
    (folder / "fy2012.txt").symlink_to(secret)
    result = extract_file(found)
    assert result.error is not None and result.error.code == "file-unreadable"
    assert result.error.message == ("fy2012.txt: became a symbolic link after the folder was "
                                    "read; not followed")
    assert "OPENSSH" not in repr(result)
