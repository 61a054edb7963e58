"""Damaged copies of the FY2012 report: the damage is reported, everything else survives.

Each case damages one thing in a copy of `raw/` and says which line (in the damaged
file) must land in rejects. Every other row must give exactly the events of the clean
run, with no exception, in a few seconds.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.model import EventRecord, Extraction, Issue
from tests.conftest import REPORT
from tests.reports import hang_guard

CLEAN_BYTES = REPORT.read_bytes()
CLEAN_LINES = CLEAN_BYTES.decode("utf-8").split("\n")  # the file has no final line break
NAME = "fy2012_sister_city_exchanges.txt"
NOTE = "※所管局欄の括弧内は内線番号"


def line_of(label: str) -> int:
    """1-based line of the row whose partner label starts with `label`."""
    return next(n for n, line in enumerate(CLEAN_LINES, 1) if line.startswith(label))


PARIS, BEIJING, NSW, SEOUL = (line_of("フランス共和国"), line_of("中華人民共和国 北京市"),
                              line_of("オーストラリア"), line_of("大韓民国 ソウル"))
JAKARTA, SAO_PAULO, CAIRO = line_of("インドネシア"), line_of("ブラジル"), line_of("エジプト")
LAST = len(CLEAN_LINES)


def event_key(event: EventRecord) -> tuple[object, ...]:
    # No line or row number: a rejected or inserted row shifts those of the rows below.
    return (event.partner_country, event.partner_city, event.bureau, event.bureau_inherited,
            event.description, event.date_start, event.date_end, event.date_precision)


def extract(data: bytes, name: str = NAME) -> Extraction | Issue:
    from pipeline.extract import extract_bytes

    with hang_guard(doing="extracting"):  # pathological input must not hang the suite
        return extract_bytes(data, name)


@pytest.fixture(scope="module")
def clean() -> Extraction:
    result = extract(CLEAN_BYTES)
    assert isinstance(result, Extraction) and len(result.events) == 35
    return result


def replaced(number: int, line: str) -> bytes:
    lines = list(CLEAN_LINES)
    lines[number - 1] = line
    return "\n".join(lines).encode("utf-8")


def inserted(after: int, line: str) -> bytes:
    lines = list(CLEAN_LINES)
    lines.insert(after, line)
    return "\n".join(lines).encode("utf-8")


def cut_inside_last_label() -> bytes:
    # Cut one byte into the second character of the last row's label (3-byte UTF-8).
    start = CLEAN_BYTES.rindex("中華人民共和国北京市等".encode())
    return CLEAN_BYTES[: start + 4]


def cells(number: int) -> list[str]:
    return CLEAN_LINES[number - 1].split("\t")


def with_cells(number: int, edit: Callable[[list[str]], list[str]]) -> bytes:
    return replaced(number, "\t".join(edit(cells(number))))


@dataclass(frozen=True)
class Damage:
    id: str
    data: Callable[[], bytes]
    lost_lines: tuple[int, ...]  # clean lines whose events may be gone
    rejected_lines: tuple[int, ...]  # lines of the damaged file that must be in rejects
    reject_code: str | None = None
    warning: str | None = None


DAMAGES = [
    Damage("extra-cell", lambda: with_cells(BEIJING, lambda c: [*c, "余分なセル"]),
           (BEIJING,), (BEIJING,), "row-cells"),
    Damage("missing-content-cell", lambda: with_cells(PARIS, lambda c: [c[0], c[2]]),
           (PARIS,), (PARIS,), "row-cells"),
    Damage("unreadable-partner-label", lambda: with_cells(NSW, lambda c: ["？？？？ (S59)", *c[1:]]),
           (NSW,), (NSW,), "partner-label"),
    Damage("unclosed-tag", lambda: with_cells(
        SEOUL, lambda c: [c[0], c[1].replace('none">', 'none"', 1), *c[2:]]),
        (SEOUL,), (SEOUL,), "cell-html"),
    Damage("truncated-mid-character", cut_inside_last_label, (LAST,), (LAST,), "row-cells",
           "file-truncated"),
    Damage("nul-and-control-chars", lambda: with_cells(
        JAKARTA, lambda c: [c[0] + "\x00", "\x07" + c[1].replace("・", "\x00・\x1b", 2), c[2]]),
        (), (), None, "control-chars"),
    Damage("5mb-single-line", lambda: inserted(SAO_PAULO, "交流実績" * (5_000_000 // 12)),
           (), (SAO_PAULO + 1,), "row-cells"),
    Damage("20000-deep-tags-in-a-cell", lambda: with_cells(
        CAIRO, lambda c: [c[0], "<span>" * 20_000 + c[1] + "</span>" * 20_000, c[2]]),
        (CAIRO,), ()),
]


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.id for d in DAMAGES])
def test_damage_costs_only_the_damaged_row(damage: Damage, clean: Extraction) -> None:
    result = extract(damage.data())
    assert isinstance(result, Extraction), result
    expected = Counter(event_key(e) for e in clean.events if e.source_line not in damage.lost_lines)
    found = Counter(event_key(e) for e in result.events)
    assert expected - found == Counter()  # every undamaged row's events are still there
    assert len(found - expected) <= 10  # the damaged row may still give its own events
    rejects = [i for i in result.issues if i.severity == "reject"]
    assert sorted(i.source_line for i in rejects) == sorted(damage.rejected_lines)
    if damage.reject_code:
        assert {i.code for i in rejects} == {damage.reject_code}
        assert all(i.raw for i in rejects)  # the rejected row as it was in the source
    if damage.warning:
        assert damage.warning in {i.code for i in result.issues if i.severity == "warning"}
    if not damage.lost_lines:
        assert found == Counter(event_key(e) for e in clean.events)


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.id for d in DAMAGES])
def test_damaged_lines_all_accounted_for(damage: Damage) -> None:
    result = extract(damage.data())
    assert isinstance(result, Extraction) and result.layout is not None
    assert result.document.line_based
    assert sum(result.layout.line_kinds.values()) == result.document.line_count


UNREADABLE = [
    ("empty", b"", "the file is empty"),
    ("blank", b" \r\n\t\n", "the file is empty"),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
     "the file is an image (PNG), not a text report"),
    # Files of another kind say what they are and what to do.
    ("broken-xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4,
     "the file is not a readable Excel 97-2003 workbook (.xls): it is damaged or cut short, "
     "or another Office 97-2003 file (.doc, .ppt) ["),
    # A PDF with its version (%PDF-1.4) goes to the PDF reader (tests/test_pdf.py); one
    # without is no PDF any reader opens.
    ("pdf-without-version", b"%PDF" + bytes(range(256)) * 4,
     "the file is a PDF whose header is damaged (no %PDF-<version>): download it again"),
    ("binary", bytes(range(32)) * 40, "the file is binary, not a text report"),
    # No control bytes (so not "binary"), but no line decodes in any candidate:
    # 0xFF is no lead byte in UTF-8 or EUC-JP, and 0x81 0x20 is no CP932 character.
    ("no-encoding", (b"\xff\x81 " + bytes(range(0xA0, 0x100)) + b"\n") * 30,
     "no encoding decodes it"),
    # One good line among many undecodable ones is no report either.
    ("mostly-undecodable", CLEAN_LINES[3].encode() + b"\n" + b"\xff\x81 \xfe\n" * 20,
     "no encoding decodes it"),
]


@pytest.mark.parametrize(("data", "reason"), [(d, r) for _, d, r in UNREADABLE],
                         ids=[i for i, _, _ in UNREADABLE])
def test_unreadable_file_is_an_error_issue(data: bytes, reason: str) -> None:
    result = extract(data)
    assert isinstance(result, Issue)
    assert (result.code, result.severity, result.source_file) == ("file-unreadable", "error", NAME)
    assert reason in result.message and result.message.startswith(f"{NAME}: ")


def _at_line(number: int, piece: bytes, end: bool = False, encoding: str = "utf-8") -> bytes:
    """The report in `encoding` with `piece` at the start (or end) of line `number`."""
    lines = [line.replace("\uff5e", "\u301c").encode(encoding) if encoding == "euc_jp"
             else line.encode(encoding) for line in CLEAN_LINES]
    lines[number - 1] = lines[number - 1] + piece if end else piece + lines[number - 1]
    return b"\n".join(lines)


STRAY_BYTES = [
    pytest.param(_at_line(PARIS, b"\xff"), "utf-8", id="utf-8-line-start"),
    # A lead byte without its trail byte (0x81 before a space).
    pytest.param(_at_line(PARIS, b"\x81 ", encoding="cp932"), "cp932", id="cp932-lone-lead-byte"),
    pytest.param(_at_line(LAST, b"\x81", end=True, encoding="cp932") + b"\n", "cp932",
                 id="cp932-lead-byte-at-end-of-a-line"),
    pytest.param(_at_line(PARIS, b"\xff", encoding="euc_jp"), "euc_jp", id="euc-jp-line-start"),
    pytest.param(CLEAN_BYTES.replace(b"\n", b"\r\n")[:300] + b"\xff\xff"
                 + CLEAN_BYTES.replace(b"\n", b"\r\n")[300:], "utf-8", id="crlf-mid-line"),
]


@pytest.mark.parametrize(("data", "encoding"), STRAY_BYTES)
def test_stray_byte_costs_only_its_line(data: bytes, encoding: str, clean: Extraction) -> None:
    from pipeline.sources import read_document

    document = read_document(data, NAME)
    assert document.encoding == encoding
    (bad,) = [row for row in document.rows if row.problem is not None]
    assert "\ufffd" in bad.raw and f"line {bad.line} " in bad.problem
    assert {row.line for row in document.rows} == set(range(1, document.line_count + 1))
    assert "file-encoding" in {i.code for i in document.issues if i.severity == "warning"}
    result = extract(data)
    assert isinstance(result, Extraction) and result.layout is not None
    expected = Counter(event_key(e) for e in clean.events if e.source_line != bad.line)
    assert expected - Counter(event_key(e) for e in result.events) == Counter()
    assert sum(result.layout.line_kinds.values()) == result.document.line_count


def test_stray_bytes_in_an_html_page_cost_only_their_row() -> None:
    from pipeline.sources import read_document
    from tests.reports import html_page

    lines = html_page().encode().split(b"\n")
    title = next(n for n, line in enumerate(lines, 1) if line.startswith(b"<title>"))
    cairo = next(n for n, line in enumerate(lines, 1) if "カイロ県".encode() in line)
    for number in (title, cairo):
        lines[number - 1] = lines[number - 1].replace(b">", b">\xff", 1)
    document = read_document(b"\n".join(lines), "fy2012.html")
    damaged = [(row.line, row.problem) for row in document.rows if row.problem]
    assert [line for line, _ in damaged] == [title, cairo - 1]  # the <tr> holding the cell
    assert all(f"line {n} " in str(problem) for n, (_, problem) in zip((title, cairo), damaged,
                                                                     strict=True))
    assert document.line_count == len(document.rows)
    assert sum(1 for row in document.rows if "エジプト" in row.cells[0]) == 1


def test_stray_byte_line_is_rejected_as_line_encoding(clean: Extraction) -> None:
    result = extract(_at_line(PARIS, b"\xff"))
    assert isinstance(result, Extraction)
    rejects = [i for i in result.issues if i.severity == "reject"]
    assert [(i.code, i.source_line) for i in rejects] == [("line-encoding", PARIS)]
    assert "\ufffd" in rejects[0].raw
    expected = Counter(event_key(e) for e in clean.events if e.source_line != PARIS)
    assert Counter(event_key(e) for e in result.events) == expected


def _stray_in_visit(data: bytes, *numbers: int) -> bytes:
    """`data` with 0xFF inside the first 訪問 of each of lines `numbers` (訪\xff問)."""
    lines = data.split(b"\n")
    visit = "訪問".encode()
    for number in numbers:
        lines[number - 1] = lines[number - 1].replace(visit, visit[:3] + b"\xff" + visit[3:], 1)
        assert b"\xff" in lines[number - 1]
    return b"\n".join(lines)


def _short_report() -> bytes:
    """A 7-line report: title, period and header lines, then four rows."""
    header = line_of("提携都市名")
    kept = [n for n, line in enumerate(CLEAN_LINES, 1) if line.strip()][:2]
    rows = [header, line_of("アメリカ合衆国"), BEIJING, PARIS, NSW]
    return "\n".join(CLEAN_LINES[n - 1] for n in [*kept, *rows]).encode()


SHORT_PARIS = 6  # PARIS's line in _short_report()


@pytest.mark.parametrize(("data", "bad_lines"), [
    pytest.param(_stray_in_visit(CLEAN_BYTES, PARIS, JAKARTA), (PARIS, JAKARTA),
                 id="two-of-19-lines"),
    pytest.param(_stray_in_visit(CLEAN_BYTES, BEIJING, PARIS, JAKARTA), (BEIJING, PARIS, JAKARTA),
                 id="three-of-19-lines"),
    pytest.param(_stray_in_visit(_short_report(), SHORT_PARIS), (SHORT_PARIS,),
                 id="one-of-7-lines"),
])
def test_a_few_stray_bytes_cost_only_their_lines(data: bytes, bad_lines: tuple[int, ...],
                                                 clean: Extraction) -> None:
    result = extract(data)
    assert isinstance(result, Extraction), result
    assert result.document.encoding == "utf-8"
    rejects = [i for i in result.issues if i.severity == "reject"]
    assert [(i.code, i.source_line) for i in rejects] == [("line-encoding", n) for n in bad_lines]
    assert all("\ufffd" in i.raw for i in rejects)
    # Every other row gives exactly its clean events.
    text = data.decode("utf-8", errors="replace").split("\n")
    kept = {text[n - 1] for n in range(1, len(text) + 1) if n not in bad_lines}
    expected = Counter(event_key(e) for e in clean.events if CLEAN_LINES[e.source_line - 1] in kept)
    assert expected and Counter(event_key(e) for e in result.events) == expected


@pytest.mark.parametrize(("bad", "filled", "damaged"), [
    (1, 1, True),  # nothing left to read
    (1, 2, False),
    (2, 3, True),  # most lines bad: not a text file with stray bytes
    (1, 7, False),
    (2, 19, False),
    (3, 19, False),
    (4, 19, True),
    (10, 100, False),
    (11, 100, True),
])
def test_too_damaged_table(bad: int, filled: int, damaged: bool) -> None:
    from pipeline.sources.decode import too_damaged

    assert too_damaged(bad, filled) is damaged


def test_deep_tags_in_an_html_page_cost_no_other_row() -> None:
    from tests.reports import html_page

    page = html_page(one_table=False)
    start = page.index("<td><ul><li>カイロ県") + len("<td>")
    end = page.index("</td>", start)
    deep = page[:start] + "<div>" * 20_000 + page[start:end] + "</div>" * 20_000 + page[end:]
    result = extract(deep.encode(), "fy2012.html")
    assert isinstance(result, Extraction)
    assert len(result.events) == 35 and len(result.entries) == 15
    assert "html-depth" in {i.code for i in result.issues}


def test_note_after_a_table_is_a_note_not_a_reject(tmp_path: Path) -> None:
    from pipeline.cli import main

    lines = list(CLEAN_LINES)
    lines.insert(line_of("イタリア"), NOTE)
    lines.append(NOTE)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / NAME).write_bytes("\n".join(lines).encode())
    assert main(["run", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["inputs"]
    assert entry["notes"] == [{"source_line": line_of("イタリア") + 1, "text": NOTE},
                              {"source_line": len(lines), "text": NOTE}]
    assert entry["lines"]["note"] == 2 and entry["lines"]["rejected"] == 0
    assert entry["counts"]["events"] == 35
    kinds = {k: v for k, v in entry["lines"].items() if k != "total"}
    assert sorted(kinds) == sorted(("blank", "title", "period", "header", "row", "note",
                                    "rejected"))
    assert sum(kinds.values()) == entry["lines"]["total"] == len(lines)


def test_folder_with_one_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    from pipeline.cli import main

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / NAME).write_bytes(CLEAN_BYTES)
    (folder / "scan.png").write_bytes(UNREADABLE[2][1])
    assert main(["run", str(folder), "--out", str(out)]) == 1
    stderr = capsys.readouterr().err
    assert "pipeline run: error: scan.png: the file is an image (PNG), not a text report" in stderr
    assert NAME not in stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    by_name = {entry["name"]: entry for entry in manifest["inputs"]}
    assert by_name["scan.png"]["error"]["code"] == "file-unreadable"
    assert "error" not in by_name[NAME] and by_name[NAME]["counts"]["events"] == 35
    events = (out / "events.csv").read_text(encoding="utf-8").splitlines()
    assert len(events) == 1 + 35


@pytest.mark.parametrize(("data", "exit_code"), [
    (CLEAN_BYTES, 0),
    (DAMAGES[0].data(), 1),  # a reject
    (DAMAGES[5].data(), 1),  # only a warning
], ids=["clean", "reject", "warning"])
def test_strict_fails_on_any_reject_or_warning(data: bytes, exit_code: int, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / NAME).write_bytes(data)
    assert main(["run", str(folder), "--out", str(tmp_path / "out"), "--strict"]) == exit_code
    assert main(["run", str(folder), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()


# ---------------------------------------------------------------------------------------
# Hypothesis: nothing a file can hold makes extraction raise.


def _check(data: bytes) -> None:
    from pipeline.extract import extract_bytes

    result = extract_bytes(data, NAME)
    if isinstance(result, Issue):
        assert result.severity == "error"
        return
    assert result.layout is not None
    # Every line (or, for HTML and workbooks, every row) is counted exactly once.
    assert sum(result.layout.line_kinds.values()) == result.document.line_count


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(data: bytes) -> None:
    _check(data)


PIECES = ("\t", "<", ">", "・", "\n", "\r\n", "\r", "(", ")", "平成", "年", "月", "～", "<ul>",
          "</li>", "&amp;", "\x00", "\ufeff", "提携都市名\t内容", "※")
Mutation = tuple[str, int, int, str]
mutations = st.lists(st.tuples(st.sampled_from(("delete", "insert", "duplicate")),
                               st.integers(0, len(CLEAN_BYTES)), st.integers(1, 40),
                               st.sampled_from(PIECES)), min_size=1, max_size=8)


def mutate(text: str, steps: list[Mutation]) -> str:
    for kind, at, size, piece in steps:
        at %= len(text) + 1
        if kind == "delete":
            text = text[:at] + text[at + size :]
        elif kind == "insert":
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + text[at : at + size] * 2 + text[at + size :]
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations, st.sampled_from(("utf-8", "cp932")))
def test_mutated_report_never_raises(steps: list[Mutation], encoding: str) -> None:
    text = mutate("\n".join(CLEAN_LINES), steps)
    _check(text.encode(encoding, errors="replace"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations)
def test_mutated_html_page_never_raises(steps: list[Mutation]) -> None:
    from tests.reports import html_page

    _check(mutate(html_page(), steps).encode("utf-8"))


@pytest.fixture(scope="module", params=["xlsx", "xls"])
def workbook(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[bytes, int]:
    """A workbook of the report, and how many leading bytes damage leaves alone: an .xls
    keeps its 8-byte magic so that its reader, not the text one, meets the damage."""
    from tests.reports import xls_variant, xlsx_variant

    build = xlsx_variant if request.param == "xlsx" else xls_variant
    return build(tmp_path_factory.mktemp(request.param))[1], 0 if request.param == "xlsx" else 8


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=6),
       st.integers(0, 1 << 20))
def test_damaged_workbook_never_raises(workbook: tuple[bytes, int], flips: list[tuple[int, int]],
                                       cut: int) -> None:
    original, kept = workbook
    data = bytearray(original[: max(kept + 4, len(original) - cut % len(original))])
    for at, value in flips:
        data[kept + at % (len(data) - kept)] = value
    _check(bytes(data))
