"""PDF reports: the FY2012 report printed to PDF by headless Chromium in three layouts,
each read back to the 35 golden events; scanned, encrypted and damaged PDFs refused
with their own message, never a traceback.

The PDFs are made here (tests/pdfs.py), once per session. Chromium and the Debian fonts
fonts-noto-cjk and fonts-vlgothic are required, not optional: `.ci/run` installs them.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from pipeline.cli import main
from pipeline.extract import extract_bytes
from pipeline.model import Issue
from tests.conftest import DATA, REPORT, read_csv
from tests.pdfs import NOTO, NOTO_SERIF, VL, print_pdf, report_html

GOLDEN_EVENTS = read_csv(DATA / "fy2012_events.csv")
GOLDEN_PERIODS = read_csv(DATA / "fy2012_periods.csv")
NOTE = "※所管局欄の括弧内は内線番号"
# layout name -> (table layout, CSS font family, header letter-spaced)
LAYOUTS = {
    "ruled-noto-sans": ("ruled", NOTO, False),
    "plain-vl-gothic": ("plain", VL, True),
    "merged-noto-serif": ("merged", NOTO_SERIF, False),
    "middle-noto-sans": ("middle", NOTO, False),
    "columns-vl-gothic": ("columns", VL, False),
}
PDF_NAME = REPORT.with_suffix(".pdf").name


@pytest.fixture(scope="session")
def pdf_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each layout printed once per session, alone in a folder of its own."""
    made: dict[str, Path] = {}
    for key, (layout, font, spaced) in LAYOUTS.items():
        folder = tmp_path_factory.mktemp(key)
        printed = print_pdf(report_html(layout, font, spaced_header=spaced, note=NOTE),
                            folder / "work")
        (folder / "in").mkdir()
        made[key] = (folder / "in" / PDF_NAME)
        made[key].write_bytes(printed.read_bytes())
    return made


@pytest.fixture(scope="session")
def pdf_outputs(pdf_reports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
                ) -> dict[str, Path]:
    outputs: dict[str, Path] = {}
    for key, path in pdf_reports.items():
        out = tmp_path_factory.mktemp(f"{key}-out")
        assert main(["run", str(path.parent), "--out", str(out), "--quiet"]) == 0
        outputs[key] = out
    return outputs


def _manifest(out: Path) -> dict[str, object]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [entry] = manifest["inputs"]
    assert isinstance(entry, dict)
    return entry


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_gives_the_golden_events(pdf_outputs: dict[str, Path], layout: str) -> None:
    events = read_csv(pdf_outputs[layout] / "events.csv")
    assert len(events) == len(GOLDEN_EVENTS) == 35
    ours = {(e["table_no"], e["row_no"], e["item_no"]): e for e in events}
    for golden in GOLDEN_EVENTS:
        event = ours[(golden["table_no"], golden["row_no"], golden["item_no"])]
        for column, expected in golden.items():
            assert event[column] == expected, (golden["table_no"], golden["row_no"],
                                               golden["item_no"], column)
    assert read_csv(pdf_outputs[layout] / "rejects.csv") == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdf_periods_and_structure(pdf_outputs: dict[str, Path], layout: str) -> None:
    out = pdf_outputs[layout]
    events = {e["event_id"]: e for e in read_csv(out / "events.csv")}
    periods = {(events[p["event_id"]]["table_no"], events[p["event_id"]]["row_no"],
                events[p["event_id"]]["item_no"], p["period_no"]):
               (p["date_start"], p["date_end"], p["date_precision"])
               for p in read_csv(out / "periods.csv")}
    assert periods == {(g["table_no"], g["row_no"], g["item_no"], g["period_no"]):
                       (g["date_start"], g["date_end"], g["date_precision"])
                       for g in GOLDEN_PERIODS}
    entry = _manifest(out)
    assert entry["format"] == "pdf"
    assert entry["title"] == "姉妹・友好都市及び政策提携都市との交流"
    assert entry["period"] == "平成24年度実績"
    assert entry["notes"] == [{"source_line": entry["notes"][0]["source_line"],  # type: ignore[index]
                               "text": NOTE}]
    assert entry["counts"]["warnings"] == 0  # type: ignore[index]
    pdf = entry["pdf"]
    assert isinstance(pdf, dict) and pdf["pages"] >= 2
    # The table runs over at least two pages, and rows of both are read.
    pages = {int(e["source_line"]) // 1000 for e in events.values()}
    assert len(pages) >= 2


def test_rows_set_without_space_and_rules_are_refused_not_misread(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No ruling lines and no space between rows: the header cannot be told from the rows
    below it, so the report is refused with that said, rather than read wrong."""
    printed = print_pdf(report_html("tight", NOTO), tmp_path / "work")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "report.pdf").write_bytes(printed.read_bytes())
    assert main(["run", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 1
    assert ("report.pdf: the PDF has a header naming 提携都市 and 内容, but no ruling lines "
            "nor space between its rows tell them apart; export the table to .xlsx or CSV"
            ) in capsys.readouterr().err


def test_noto_font_artefacts_mapped_back(pdf_outputs: dict[str, Path]) -> None:
    """Chromium with Noto Sans CJK writes ⽉ for 月 and ⻑ for 長: mapped back and counted."""
    mapped = _manifest(pdf_outputs["ruled-noto-sans"])["pdf"]["characters_mapped"]  # type: ignore[index]
    assert mapped["⽉ → 月"] > 0 and mapped["⻑ → 長"] > 0
    descriptions = "".join(e["description"] for e in read_csv(
        pdf_outputs["ruled-noto-sans"] / "events.csv"))
    assert "⽉" not in descriptions and "⻑" not in descriptions
    assert "環境局長のニューヨーク市訪問" in descriptions


def test_merged_bureau_cells_count_as_inherited(pdf_outputs: dict[str, Path]) -> None:
    entries = read_csv(pdf_outputs["merged-noto-serif"] / "entries.csv")
    golden = {(g["table_no"], g["row_no"]): g for g in read_csv(DATA / "fy2012_entries.csv")}
    for entry in entries:
        expected = golden[(entry["table_no"], entry["row_no"])]
        assert (entry["bureau"], entry["bureau_inherited"]) == (
            expected["bureau"], expected["bureau_inherited"])


def test_pdf_source_lines_are_page_and_row(pdf_outputs: dict[str, Path]) -> None:
    """Page 1 holds the title, the period line, the header, then the first row: 1004."""
    entries = read_csv(pdf_outputs["ruled-noto-sans"] / "entries.csv")
    first = next(e for e in entries if e["table_no"] == "1" and e["row_no"] == "1")
    assert first["source_line"] == "1004"


@pytest.mark.parametrize("source", ["report", "output folder"])
def test_audit_shows_page_and_row(pdf_reports: dict[str, Path], pdf_outputs: dict[str, Path],
                                  tmp_path: Path, source: str) -> None:
    page = tmp_path / "audit.html"
    given = (pdf_reports["ruled-noto-sans"].parent if source == "report"
             else pdf_outputs["ruled-noto-sans"])
    assert main(["audit", str(given), "--out", str(page)]) == 0
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    first = tree.xpath('//tr[@data-line="1004"]/td[@class="line"]')[0]
    assert first.text_content() == "p.\u00a01 row\u00a04"
    headers = [th.text_content() for th in tree.xpath('//table[@class="rows"]//th')]
    assert headers[0] == "page, row"


def test_diff_text_report_against_its_pdf(pdf_reports: dict[str, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The same report as text and as PDF: every event is the same, only moved. Entries
    differ in partner_label alone, where a space stood at the cell's line break (the PDF
    has no character there): `… (S59)` in the text is `…(S59)` in the PDF."""
    old = tmp_path / "old"
    old.mkdir()
    (old / REPORT.name).write_bytes(REPORT.read_bytes())
    code = main(["diff", str(old), str(pdf_reports["ruled-noto-sans"].parent),
                 "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert (result["added"], result["removed"], result["changed"]) == ([], [], [])
    assert len(result["moved"]) == 35
    changed = result["entries"]["changed"]
    assert changed, "the wrapped labels differ in a space"
    for entry in changed:
        assert list(entry["fields"]) == ["partner_label"]
        old_label, new_label = entry["fields"]["partner_label"]
        assert old_label.replace(" ", "") == new_label.replace(" ", "")
    assert code == 1  # entries differ, so the diff says so


# --- refusals -------------------------------------------------------------------------

def _reportlab_pdf(draw: str = "text", encrypt: object = None, second: str = "",
                   rotated: str = "",
                   header: tuple[str, str, str] = ("提携都市名", "内容・実績", "所管局")) -> bytes:
    """A one-page PDF written by reportlab: a small ruled report table in its built-in
    Japanese CID font, or (draw="image") only a picture of text, as a scanner makes."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=encrypt)  # type: ignore[arg-type]
    if draw == "image":
        from PIL import Image, ImageDraw
        from reportlab.lib.utils import ImageReader

        picture = Image.new("L", (400, 100), 255)
        ImageDraw.Draw(picture).rectangle((10, 10, 300, 40), fill=0)
        pdf.drawImage(ImageReader(picture), 50, 600, 400, 100)
    else:
        pdf.setFont("HeiseiKakuGo-W5", 10)
        pdf.drawString(50, 800, "姉妹都市との交流")
        pdf.drawString(50, 780, "平成24年度実績")
        rows = [header,
                ("フランス共和国 パリ市(S57)", "・パリ市副市長と副知事の会談(平成24年10月)", "知事本局")]
        for number, row in enumerate(rows):
            top = 760 - 30 * number
            for column, (x, text) in enumerate(zip((50, 200, 450), row, strict=True)):
                pdf.drawString(x + 4, top - 18, text)
                pdf.rect(x, top - 30, (150, 250, 100)[column], 30)
    if rotated:  # a line set at 90 degrees, as a vertical margin note is
        pdf.saveState()
        pdf.translate(30, 400)
        pdf.rotate(90)
        pdf.drawString(0, 0, rotated)
        pdf.restoreState()
    pdf.showPage()
    if second == "image":  # a second page that is only a picture
        from PIL import Image
        from reportlab.lib.utils import ImageReader

        pdf.drawImage(ImageReader(Image.new("L", (40, 40), 0)), 50, 600, 40, 40)
        pdf.showPage()
    elif second == "blank":
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def small_pdf() -> bytes:
    return _reportlab_pdf()


def test_reportlab_cid_font_table_is_read(small_pdf: bytes) -> None:
    extraction = extract_bytes(small_pdf, "small.pdf")
    assert not isinstance(extraction, Issue)
    [event] = extraction.events
    assert (event.partner_city, event.description, event.date_text, event.bureau) == (
        "パリ市", "パリ市副市長と副知事の会談", "平成24年10月", "知事本局")


def test_layout_file_names_the_pdf_header_words(tmp_path: Path) -> None:
    """Header words the built-in vocabulary does not know, named by --layout."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "r.pdf").write_bytes(
        _reportlab_pdf(header=("パートナー", "やったこと", "係")))
    assert main(["run", str(tmp_path / "in"), "--out", str(tmp_path / "plain"),
                 "--quiet"]) == 1  # unknown words: no table
    layout = tmp_path / "layout.toml"
    layout.write_text('[columns]\n"パートナー" = "partner"\n"やったこと" = "content"\n'
                      '"係" = "bureau"\n', encoding="utf-8")
    assert main(["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--quiet",
                 "--layout", str(layout)]) == 0
    [event] = read_csv(tmp_path / "out" / "events.csv")
    assert (event["partner_city"], event["description"], event["bureau"]) == (
        "パリ市", "パリ市副市長と副知事の会談", "知事本局")


def test_rotated_text_is_warned_not_read() -> None:
    extraction = extract_bytes(_reportlab_pdf(rotated="東京都"), "r.pdf")
    assert not isinstance(extraction, Issue)
    assert len(extraction.events) == 1
    [issue] = [i for i in extraction.issues if i.code == "pdf-vertical-text"]
    assert issue.message == ("r.pdf: page 1: 3 character(s) set vertically or rotated are "
                             "not read")


@pytest.mark.parametrize(("budget", "value", "message"), [
    ("MAX_PAGES", 0, "r.pdf: the PDF has 1 pages, more than 0: split it, or export the "
                     "report's table"),
    ("MAX_BYTES", 100, "r.pdf: the PDF has {size} bytes, more than 100: no report is that "
                       "large; split it or export its table"),
])
def test_pdf_past_its_budget_is_refused(small_pdf: bytes, monkeypatch: pytest.MonkeyPatch,
                                        budget: str, value: int, message: str) -> None:
    import pipeline.sources.pdf as pdf_reader

    monkeypatch.setattr(pdf_reader, budget, value)
    result = extract_bytes(small_pdf, "r.pdf")
    assert isinstance(result, Issue)
    assert result.message == message.format(size=len(small_pdf))


def test_scanned_pdf_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "report.pdf").write_bytes(_reportlab_pdf(draw="image"))
    assert main(["run", str(tmp_path / "report.pdf"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert ("report.pdf: scanned PDF, no text layer: run OCR first (e.g. ocrmypdf) or ask the "
            "publisher for the text") in err
    assert "Traceback" not in err


def test_scanned_page_among_text_pages_is_warned() -> None:
    extraction = extract_bytes(_reportlab_pdf(second="image"), "r.pdf")
    assert not isinstance(extraction, Issue)
    assert len(extraction.events) == 1
    [issue] = [i for i in extraction.issues if i.code == "pdf-page-scanned"]
    assert (issue.source_line, issue.message) == (2000, "r.pdf: page 2 is an image with no "
                                                  "text layer; it is not read (run OCR on it, "
                                                  "e.g. ocrmypdf)")


def test_page_without_text_is_warned() -> None:
    """Regression: a page whose content stream came back empty (damage pdfminer does not
    log) was passed over in silence, losing its rows."""
    extraction = extract_bytes(_reportlab_pdf(second="blank"), "r.pdf")
    assert not isinstance(extraction, Issue)
    [issue] = [i for i in extraction.issues if i.code == "pdf-page-no-text"]
    assert (issue.source_line, issue.message) == (2000, "r.pdf: page 2 holds no text: a blank "
                                                  "page, or one whose contents could not be "
                                                  "read; nothing on it is read")


def test_encrypted_pdf_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    (tmp_path / "report.pdf").write_bytes(
        _reportlab_pdf(encrypt=StandardEncryption("secret", ownerPassword="owner")))
    assert main(["run", str(tmp_path / "report.pdf"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert ("report.pdf: encrypted PDF, which cannot be opened without its password: ask the "
            "publisher for an unprotected copy") in err
    assert "Traceback" not in err


def test_pdf_with_owner_password_only_opens_but_glyphs_without_text_are_refused() -> None:
    """Encrypted with an empty user password (printing or copying restricted) opens; here
    pdfminer cannot read the encrypted name of reportlab's CID encoding, so every
    character comes back as (cid:N): refused with that said, not read as garbage. The 73
    characters: the 8 + 8 of the two lines above the table, 5 + 5 + 3 in the header,
    16 + 24 + 4 in the row (the space between country and city counted)."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    result = extract_bytes(_reportlab_pdf(encrypt=StandardEncryption("", "owner")), "r.pdf")
    assert isinstance(result, Issue)
    assert result.code == "pdf-no-text"
    assert result.message.startswith("r.pdf: 73 of the PDF's 73 characters come with no "
                                     "text, only glyph numbers ((cid:N))")


@pytest.mark.parametrize(("damage", "code", "message"), [
    ("random", "pdf-damaged", "r.pdf: damaged PDF that cannot be opened ("),
    ("truncated", "pdf-truncated", "r.pdf: truncated PDF: the file is cut short (no %%EOF at "
                                   "its end) and cannot be opened ("),
])
def test_damaged_pdf_is_refused(small_pdf: bytes, damage: str, code: str, message: str) -> None:
    data = (b"%PDF-1.7\n" + random.Random(7).randbytes(4000) + b"\n%%EOF\n"
            if damage == "random" else small_pdf[: len(small_pdf) // 2])
    result = extract_bytes(data, "r.pdf")
    assert isinstance(result, Issue)
    assert (result.code, result.severity) == (code, "error")
    assert result.message.startswith(message)


def test_broken_page_tree_is_refused_not_raised(small_pdf: bytes) -> None:
    """Regression: pdfplumber's close() walks the page tree again and raised over the
    ReadError (found by mutating a Chromium PDF)."""
    broken = small_pdf.replace(b"/Kids [ 4 0 R ]", b"/Kids [ 4 0 R /x]")
    assert broken != small_pdf
    result = extract_bytes(broken, "r.pdf")
    assert isinstance(result, Issue) and result.code == "pdf-damaged"


def test_damage_message_is_short_and_reproducible(small_pdf: bytes) -> None:
    """pdfminer names its parser with a memory address; the message must not (outputs are
    byte-identical run to run), nor quote kilobytes of a damaged dictionary."""
    i = small_pdf.index(b"4 0 obj\n<<")
    broken = small_pdf[: i + 10] + b" /a /b /c " + small_pdf[i + 10 :]
    result = extract_bytes(broken, "r.pdf")
    assert isinstance(result, Issue) and result.code == "pdf-damaged"
    assert " at 0x" not in result.message
    assert len(result.message) < 400


def test_pdf_cut_after_its_pages_is_read_with_a_warning(small_pdf: bytes) -> None:
    """Cut just before %%EOF: pdfminer still finds every object, but the cut is said."""
    extraction = extract_bytes(small_pdf[: small_pdf.rindex(b"%%EOF")], "r.pdf")
    assert not isinstance(extraction, Issue)
    assert "file-truncated" in [issue.code for issue in extraction.issues]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_pdf_never_raises(small_pdf: bytes, data: st.DataObject) -> None:
    """Bytes flipped, cut or inserted anywhere: a result or an error Issue, never a raise;
    and the one event lost only with an issue that says so."""
    mutated = bytearray(small_pdf)
    for _ in range(data.draw(st.integers(1, 8))):
        where = data.draw(st.integers(0, len(mutated) - 1))
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if kind == "flip":
            mutated[where] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del mutated[where : where + data.draw(st.integers(1, 200))]
        else:
            mutated[where:where] = data.draw(st.binary(min_size=1, max_size=50))
    result = extract_bytes(bytes(mutated), "m.pdf")
    if isinstance(result, Issue):
        assert result.severity == "error" and result.message.startswith("m.pdf: ")
    elif not result.events:
        assert result.issues


def test_a_page_stream_cut_anywhere_loses_its_event_only_with_an_issue(small_pdf: bytes) -> None:
    """37 bytes cut from the page's content stream at every place (Hypothesis found a
    cut that kept the header row and lost the row below it, with no word: table-empty)."""
    start = small_pdf.index(b"stream\n", small_pdf.index(b"8 0 obj")) + len(b"stream\n")
    end = small_pdf.index(b"endstream", start)
    said_empty = 0
    for offset in range(end - start):
        cut = small_pdf[: start + offset] + small_pdf[start + offset + 37 :]
        result = extract_bytes(cut, "m.pdf")
        if isinstance(result, Issue):
            assert result.severity == "error" and result.message.startswith("m.pdf: ")
            continue
        assert result.events or result.issues, offset
        said_empty += "table-empty" in [issue.code for issue in result.issues]
    assert said_empty  # some cut keeps the header and loses the row: the case in question


def test_a_header_row_with_nothing_under_it_is_said() -> None:
    text = "姉妹都市との交流\n平成24年度実績\n提携都市名\t内容・実績\t所管局\n"
    result = extract_bytes(text.encode("utf-8"), "header_only.txt")
    assert not isinstance(result, Issue) and not result.events
    [issue] = result.issues
    assert (issue.code, issue.severity, issue.source_line) == ("table-empty", "warning", 3)
    # a table whose only row is rejected says so already: no second word for it
    rejected = extract_bytes((text + "\tパリ市との交流\t知事本局\n").encode("utf-8"), "r.txt")
    assert not isinstance(rejected, Issue)
    assert [i.code for i in rejected.issues if i.code == "table-empty"] == []
    assert [i.severity for i in rejected.issues] == ["reject"]
