"""The audit page, checked in headless Chromium: report text is escaped, counts add up.

Chromium is required, not optional: CI installs it (`apt-get install -y chromium`). The
report copy carries two `<script>` elements in its cells, one rejected row and one invalid
date, so the page has to show text that looks like code, a reject and a warning.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from pipeline.audit_render import audit_html
from pipeline.cli import main
from tests.conftest import REPORT
from tests.reports import ARTIFACTS, CHROMIUM, chromium

PWN_TITLE = '<script>document.title="PWNED"</script>'
PWN_ATTRIBUTE = "<script>document.documentElement.setAttribute('data-pwned','yes')</script>"


def hostile_report(folder: Path) -> Path:
    text = REPORT.read_text(encoding="utf-8")
    for old, new in [
        ("・ビジットベルリン代表一行の", f"・ビジットベルリン代表一行の{PWN_TITLE}"),  # a list cell, line 17
        ("中国日本有効協会の", f"中国日本有効協会の{PWN_ATTRIBUTE}"),  # a prose cell, line 24
        ("オーストラリア ニュー・サウス・ウェールズ州 (S59)", "？？？？ (S59)"),  # reject, line 11
        ("ソウル特別市女性家族政策室長の東京都訪問(平成24年9月)",
         "ソウル特別市女性家族政策室長の東京都訪問(平成24年2月30日)"),  # warning, line 12
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / REPORT.name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The audit page of the hostile copy, and the DOM Chromium built from it."""
    tmp = tmp_path_factory.mktemp("audit")
    path = tmp / "audit.html"
    assert main(["audit", str(hostile_report(tmp / "raw")), "--out", str(path)]) == 0
    dom = chromium("--dump-dom", path.as_uri(), profile=tmp / "profile")
    return path, dom


def test_report_text_is_shown_not_run(page: tuple[Path, str]) -> None:
    _, dom = page
    tree = lxml_html.fromstring(dom)
    assert tree.get("data-pwned") is None
    assert tree.findtext(".//title") == "Extraction audit"
    assert len(tree.xpath("//script")) == 1  # the page's own check, nothing from the report
    cells = " ".join(c.text_content() for c in tree.xpath('//td[@class="cell"]'))
    assert PWN_TITLE in cells and PWN_ATTRIBUTE in cells
    events = " ".join(e.text_content() for e in tree.xpath('//li[@class="event"]'))
    assert 'document.title="PWNED"' in events  # the description keeps the words, not the tag


def test_counts_add_up_in_the_browser(page: tuple[Path, str]) -> None:
    _, dom = page
    tree = lxml_html.fromstring(dom)

    def count(name: str) -> int:
        (cell,) = tree.xpath(f"//*[@data-count-{name}]")
        return int(cell.get(f"data-count-{name}"))

    # 15 table rows, the NSW row (4 items) rejected: 14 entries, 31 events.
    assert count("rows") == len(tree.xpath('//tr[contains(@class, "row")]')) == 15
    assert len(tree.xpath('//tr[@class="row unread"]')) == 1
    assert count("events") == len(tree.xpath('//li[@class="event"]')) == 31
    # Warnings: 2月30日 (line 12), and since issue 11 the <script> read as inline text in
    # the cells of lines 17 and 24 (cell-split).
    assert (count("rejects"), count("warnings")) == (1, 3)
    assert sorted((tr.get("data-code"), tr.get("data-line")) for tr in tree.xpath(
        '//tr[@class="issue warning"]')) == [("cell-split", "17"), ("cell-split", "24"),
                                               ("date-invalid", "12")]
    assert count("lines") == 24
    assert tree.xpath('//p[@class="ok"]')[0].text_content() == "All counts add up."
    (check,) = tree.xpath('//*[@id="browser-check"]')  # written by the page's script
    assert (check.get("data-ok"), check.get("data-rows"), check.get("data-events")) == (
        "yes", "15", "31")


def test_rejects_and_warnings_sit_at_their_line(page: tuple[Path, str]) -> None:
    tree = lxml_html.fromstring(page[1])
    lines = [(tr.get("class"), tr.get("data-line")) for tr in tree.xpath("//tbody/tr")]
    assert lines[lines.index(("row unread", "11")) + 1] == ("issue reject", "11")
    assert lines[lines.index(("row", "12")) + 1] == ("issue warning", "12")
    (reject,) = tree.xpath('//tr[@class="issue reject"]')
    assert reject.get("data-code") == "partner-label" and "？？？？ (S59)" in reject.text_content()


def test_dates_are_marked_in_the_source_with_their_period(page: tuple[Path, str]) -> None:
    tree = lxml_html.fromstring(page[1])
    (row,) = tree.xpath('//tr[@data-line="11"]/following::tr[@data-line="12"][1]')
    marks = [(m.text_content(), m.get("data-iso")) for m in row.xpath('.//mark[@class="date"]')]
    assert marks == [("平成24年4～5月", "2012-04-01/2012-05-31"),
                     ("平成24年5月", "2012-05-01/2012-05-31"),
                     ("平成24年8～9月", "2012-08-01/2012-09-30")]  # 2月30日 is no date
    prose = tree.xpath('//tr[@data-line="22"]//mark[@class="date"]')
    assert [(m.text_content(), m.get("data-iso")) for m in prose] == [
        ("平成24年7月22日から29日まで", "2012-07-22/2012-07-29")]


def test_timeline_has_one_row_per_partner_and_no_network(page: tuple[Path, str]) -> None:
    path, dom = page
    source = path.read_text(encoding="utf-8")
    for reference in ("src=", "href=", "@import", "url("):
        assert reference not in source
    tree = lxml_html.fromstring(dom)
    (svg,) = tree.xpath("//svg")
    assert svg.get("data-fiscal-year") == "2012"
    dots = [int(c.get("data-count")) for c in svg.xpath(".//circle")]
    assert dots and all(n > 0 for n in dots)


def _screenshot(page: Path, shot: Path, profile: Path, size: str = "1280,2000") -> Any:
    """The page as Chromium paints it, as a greyscale image."""
    from PIL import Image  # Pillow comes with reportlab, a test dependency

    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", f"--window-size={size}", page.as_uri(), profile=profile)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(shot).convert("L")


def test_screenshot(page: tuple[Path, str], tmp_path: Path) -> None:
    """The picture shows the counts: the same page with only the count figures made
    transparent differs from it in the counts table, and there only."""
    from PIL import ImageChops

    path, _ = page
    ARTIFACTS.mkdir(exist_ok=True)
    shot = _screenshot(path, ARTIFACTS / "audit.png", tmp_path / "profile")
    html = path.read_text(encoding="utf-8")
    # The copy drops the page's CSP (it would refuse the added style) and hides the figures
    # without moving anything: every pixel that differs is a pixel of a count.
    hidden = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    hidden = hidden.replace("</head>", "<style>#counts td.n{color:transparent}</style></head>")
    copy = tmp_path / "hidden.html"
    copy.write_text(hidden, encoding="utf-8")
    without = _screenshot(copy, tmp_path / "hidden.png", tmp_path / "profile")
    difference = ImageChops.difference(shot, without).point(lambda v: 255 if v > 64 else 0)
    box = difference.getbbox()
    assert box is not None, "the counts are not painted"
    painted = difference.histogram()[255]
    assert painted > 150, painted  # seven bold figures; a single dot or line would be a few pixels
    left, top, right, bottom = box
    assert top < bottom < 600 and right - left < 640  # the counts table, top left


def test_the_pages_font_draws_japanese_glyphs(tmp_path: Path) -> None:
    """Two different words in the page's font stack paint differently: with no Japanese
    font each character would be the same empty box, and the two pictures equal."""
    from PIL import ImageChops

    shots = []
    for number, word in enumerate(("交流実績", "姉妹都市")):
        page = tmp_path / f"{number}.html"
        page.write_text(
            '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>body{font-family:'
            'system-ui,"Noto Sans CJK JP","Noto Sans JP",sans-serif;font-size:40px;margin:10px}'
            f"</style></head><body>{word}</body></html>", encoding="utf-8")
        shots.append(_screenshot(page, tmp_path / f"{number}.png", tmp_path / "profile",
                                 "800,600"))
    for shot in shots:
        low, high = shot.getextrema()
        assert high - low > 128, "nothing painted"
    assert ImageChops.difference(*shots).getbbox() is not None, "the same boxes for both words"


def test_output_folder_gives_the_same_counts(fy2012_output: Path) -> None:
    from_folder = lxml_html.fromstring(audit_html(fy2012_output))
    from_report = lxml_html.fromstring(audit_html(REPORT))
    for tree in (from_folder, from_report):
        assert tree.xpath("//*[@data-count-events]")[0].get("data-count-events") == "35"
        assert len(tree.xpath('//li[@class="event"]')) == 35
        assert len(tree.xpath('//tr[@class="row"]')) == 15
        assert len(tree.xpath('//mark[@class="date"]')) == 36  # every period found in its text


def test_missing_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert main(["audit", str(missing), "--out", str(tmp_path / "a.html")]) == 2
    assert capsys.readouterr().err == f"pipeline audit: error: {missing}: no such file or folder\n"
    assert not (tmp_path / "a.html").exists()


def test_chromium_is_installed() -> None:
    """Said plainly, so a CI without the browser fails here with the fix in the message."""
    assert shutil.which(str(CHROMIUM)), (f"{CHROMIUM} is missing; apt-get update && "
                                         "apt-get install -y chromium")


# ---- regressions: the same counts from a report and from its output folder ---------------

def counts(page: str) -> dict[str, object]:
    tree = lxml_html.fromstring(page)
    found: dict[str, object] = {
        name: int(tree.xpath(f"//*[@data-count-{name}]")[0].get(f"data-count-{name}"))
        for name in ("rows", "events", "rejects", "warnings")}
    found["unread"] = len(tree.xpath('//tr[@class="row unread"]'))
    found["reject lines"] = sorted(r.get("data-line")
                                   for r in tree.xpath('//tr[@class="issue reject"]'))
    found["check"] = tree.xpath('//p[@class="ok" or @class="problems"]')[0].text_content()
    return found


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hostile copy (one partner-label reject; warnings: one date-invalid, two cell-split
    for the <script> in two cells) and its `pipeline run`."""
    tmp = tmp_path_factory.mktemp("hostile-run")
    raw = hostile_report(tmp / "raw")
    assert main(["run", str(raw), "--out", str(tmp / "out"), "--quiet"]) == 0
    return raw, tmp / "out"


def test_report_and_its_output_folder_give_the_same_counts(
        hostile_output: tuple[Path, Path]) -> None:
    """Regression: from the output folder a rejected row was no row, so the page said
    rows 14, "0 rejected", rejects 1 and still "All counts add up"."""
    raw, out = hostile_output
    expected = {"rows": 15, "events": 31, "rejects": 1, "warnings": 3, "unread": 1,
                "reject lines": ["11"], "check": "All counts add up."}
    assert counts(audit_html(raw)) == expected
    assert counts(audit_html(out)) == expected


def test_rejects_shown_must_equal_the_rejects_counted(hostile_output: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    folder = tmp_path / "out"
    shutil.copytree(hostile_output[1], folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"][0]["counts"]["rejects"] = 2
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert counts(audit_html(folder))["check"] == (
        "Does not add up: rejects: 1 shown, 2 counted by the extraction")


def test_manifest_is_optional_and_its_absence_is_said(
        hostile_output: tuple[Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: audit required manifest.json in an output folder (diff does not)."""
    folder = tmp_path / "out"
    shutil.copytree(hostile_output[1], folder)
    (folder / "manifest.json").unlink()
    path = tmp_path / "audit.html"
    assert main(["audit", str(folder), "--out", str(path)]) == 0
    page = path.read_text(encoding="utf-8")
    assert {k: v for k, v in counts(page).items() if k != "warnings"} == {
        "rows": 15, "events": 31, "rejects": 1, "unread": 1, "reject lines": ["11"],
        "check": "All counts add up."}
    (note,) = lxml_html.fromstring(page).xpath('//p[@class="note"]')
    assert note.text_content().startswith("manifest.json is missing:")


def test_rows_layout_rejects_count_the_same_from_the_report_and_the_folder(
        tmp_path: Path) -> None:
    """Regression: a row rejected by layout (a cell too many, no label) was shown in red but
    not counted as a row, while the page said every count added up."""
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    lines[8] += "\t余分なセル"  # row-cells
    lines[9] = "\t" + lines[9].split("\t", 1)[1]  # row-label
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / REPORT.name).write_text("\n".join(lines), encoding="utf-8")
    assert main(["run", str(raw), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    from_report, from_folder = counts(audit_html(raw)), counts(audit_html(tmp_path / "out"))
    assert from_report["unread"] == from_folder["unread"] == 2
    assert from_report["rows"] == from_folder["rows"] == 15
    assert from_report["check"] == from_folder["check"] == "All counts add up."


def test_rows_of_another_shape_show_their_role_columns_and_extras(tmp_path: Path) -> None:
    """Issue 12: government, the partnership date (with its ISO reading), category,
    inherited roles and extras columns are on the page, from the report and the folder."""
    from tests.conftest import DATA

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(DATA / "shapes" / "ward_register.csv", raw / "ward_register.csv")
    assert main(["run", str(raw), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    for page in (audit_html(raw), audit_html(tmp_path / "out")):
        assert ("<li><b>government</b> 東京都練馬区</li><li><b>partnership_date_text</b> "
                "1995/11/3 (H7) = 1995-11-03</li><li><b>category</b> 姉妹都市</li>"
                "<li><b>inherited</b> government; country</li>") in page
        assert "<li><b>きっかけ</b> 区内高校の短期留学</li>" in page


def test_a_japanese_font_is_there_for_the_screenshot() -> None:
    """The screenshot shows boxes, not report text, on a machine without a Japanese font
    (a fresh CI machine had none): `.ci/run` installs fonts-noto-cjk, and this says so
    rather than leaving a screenshot of boxes. It passes here because the font is there;
    on a machine without one it fails, which is its point."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        pytest.fail("fc-list (fontconfig) is missing, so no font is known to Chromium either")
    families = subprocess.run([fc_list, ":lang=ja", "family"], capture_output=True, text=True,
                              timeout=60, check=True).stdout  # generous hang guard
    assert families.strip(), ("no font covers Japanese: the audit screenshot would show boxes. "
                              "Install one: apt-get install -y fonts-noto-cjk")
