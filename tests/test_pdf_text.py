"""PDF characters -> text, and a page's blocks -> rows across page breaks: pure functions
fed with hand-made characters and blocks (no PDF file), one case a line."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.sources.pdfchars import (
    Char,
    chars_to_lines,
    join_spaced,
    line_to_text,
    lines_to_cell,
    map_characters,
)
from pipeline.sources.pdflayout import Block, RuledTable, ruled_to_blocks, text_to_blocks
from pipeline.sources.pdfrows import Reading as _Reading
from pipeline.sources.pdfrows import add_blocks as _add_blocks


def spaced(text: str, x: float = 0.0, top: float = 0.0, advance: float = 10.0,
           width: float = 10.0) -> list[Char]:
    """One character every `advance` points, each `width` wide and 10 high."""
    return [Char(c, x + i * advance, x + i * advance + width, top, top + 10)
            for i, c in enumerate(text)]


@pytest.mark.parametrize(("found", "expected"), [
    ("⽉", "月"),  # Kangxi radical (U+2F49), Chromium + Noto Sans CJK
    ("⻑", "長"),  # CJK radicals supplement (U+2ED1)
    ("⺠", "民"),
    ("‧", "・"),  # hyphenation point for the middle dot
    ("〜", "～"),  # wave dash for the full-width tilde of the text reports
    ("月", "月"),
    ("~", "~"),
    ("\ue000", "\ue000"),  # private use: kept, warned by the reader
])
def test_font_artefacts_mapped(found: str, expected: str) -> None:
    counts: Counter[str] = Counter()
    [char] = map_characters([Char(found, 0, 10, 0, 10)], counts)
    assert char.text == expected
    assert counts == (Counter({f"{found} → {expected}": 1}) if found != expected else Counter())


@pytest.mark.parametrize(("text", "expected"), [
    ("平 成 2 8 年 9 月 8 日", "平成28年9月8日"),
    ("提 携 都 市 名 (事業開始年度)", "提携都市名 (事業開始年度)"),
    ("内 容", "内容"),
    ("( 事 業 )", "(事業)"),
    ("中華人民共和国 北京市(S53)", "中華人民共和国 北京市(S53)"),  # words, not spaced letters
    ("東京消防庁総務部総務課 3212-2111", "東京消防庁総務部総務課 3212-2111"),
    ("・ A", "・ A"),  # one letter is no run
    ("", ""),
])
def test_join_spaced(text: str, expected: str) -> None:
    assert join_spaced(text) == expected


def test_spaced_characters_become_one_word() -> None:
    """Letter-spaced by the layout (gaps of 8 points after 10-point characters)."""
    [line] = chars_to_lines(spaced("平成28年9月8日", advance=18))
    assert line_to_text(line) == "平成28年9月8日"


def test_characters_apart_without_a_space_character_get_one() -> None:
    chars = spaced("東京都", x=0) + spaced("3212", x=60)
    [line] = chars_to_lines(chars)
    assert line_to_text(line) == "東京都 3212"


def test_lines_grouped_by_their_middle_band() -> None:
    """A bracket a little lower than the ideographs is on their line."""
    chars = [*spaced("会談", top=100), Char("(", 20, 25, 101, 112), *spaced("次", top=120)]
    assert [line_to_text(line) for line in chars_to_lines(chars)] == ["会談(", "次"]


@pytest.mark.parametrize(("lines", "expected"), [
    (["・知事本局職員のニューヨーク市主催サミット参", "加(平成24年6月)", "・環境局長の訪問"],
     "・知事本局職員のニューヨーク市主催サミット参加(平成24年6月)\n・環境局長の訪問"),
    (["アメリカ合衆国ニューヨー", "ク市 (S35)"], "アメリカ合衆国ニューヨーク市 (S35)"),
    (["Sister city", "exchange"], "Sister city exchange"),  # a space between Latin words
    (["・交流(平成24年4月)", "※所管局の内線"], "・交流(平成24年4月)\n※所管局の内線"),
    (["①第一", "②第二"], "①第一\n②第二"),
])
def test_lines_to_cell(lines: list[str], expected: str) -> None:
    assert lines_to_cell(lines) == expected


def test_ruled_merged_cell_is_inherited() -> None:
    """A bureau cell spanning two rows: the second row gets its text, marked inherited."""
    label1, label2 = spaced("パリ市", x=5, top=5), spaced("北京市", x=5, top=35)
    content1, content2 = spaced("・会談", x=105, top=5), spaced("・訪問", x=105, top=35)
    bureau = spaced("知事本局", x=205, top=20)
    table = RuledTable((0, 0, 300, 60), (
        ((0, 0, 100, 30), (100, 0, 200, 30), (200, 0, 300, 60)),
        ((0, 30, 100, 60), (100, 30, 200, 60), None),
    ))
    blocks = ruled_to_blocks([*label1, *label2, *content1, *content2, *bureau], table)
    assert [(b.cells, b.inherited) for b in blocks] == [
        (("パリ市", "・会談", "知事本局"), frozenset()),
        (("北京市", "・訪問", "知事本局"), frozenset({2})),
    ]


def _words_table() -> list[Char]:
    """A header and two rows with no ruling lines: columns at x 0, 150 and 300; the first
    row's content wraps onto a second line (gap 4), rows stand 14 apart."""
    chars = [*spaced("提携都市名", x=0, top=0), *spaced("内容・実績", x=150, top=0),
             *spaced("所管局", x=300, top=0)]
    chars += [*spaced("英国 ロンドン市", x=0, top=24), *spaced("・出張(平成25年", x=150, top=24),
              *spaced("1月)", x=150, top=38), *spaced("外務課", x=300, top=24)]
    chars += [*spaced("イタリア ローマ市", x=0, top=62), *spaced("平成24年度実績なし", x=150, top=62)]
    return [c for c in chars if c.text != " "]


def test_table_by_word_positions() -> None:
    blocks, columns = text_to_blocks(_words_table(), None)
    assert [b.cells for b in blocks] == [
        ("提携都市名", "内容・実績", "所管局"),
        ("英国 ロンドン市", "・出張(平成25年1月)", "外務課"),
        ("イタリア ローマ市", "平成24年度実績なし", ""),
    ]
    assert columns is not None and len(columns.edges) == 2


def test_table_by_word_positions_goes_on_at_the_next_page_top() -> None:
    """No header repeated: the lines at the top continue the table of the page before."""
    _, columns = text_to_blocks(_words_table(), None)
    chars = [*spaced("ドイツ ベルリン市", x=0, top=0), *spaced("・訪問(平成24年6月)", x=150, top=0)]
    blocks, _ = text_to_blocks([c for c in chars if c.text != " "], columns)
    assert [b.cells for b in blocks] == [("ドイツ ベルリン市", "・訪問(平成24年6月)", "")]


def test_a_note_ends_a_table_by_word_positions() -> None:
    chars = _words_table() + spaced("※所管局欄の括弧内は内線番号", x=0, top=90)
    blocks, columns = text_to_blocks(chars, None)
    assert blocks[-1] == Block(90, ("※所管局欄の括弧内は内線番号",), False)
    assert columns is None  # the page ends in text, not in the table


HEADER = ("提携都市名", "内容・実績", "所管局")


def _pages(*pages: list[Block]) -> _Reading:
    reading = _Reading("r.pdf")
    for number, blocks in enumerate(pages, start=1):
        _add_blocks(blocks, number, reading)
    return reading


def test_repeated_header_skipped_and_cut_row_joined() -> None:
    reading = _pages(
        [Block(0, ("交流",), False), Block(10, HEADER, True),
         Block(20, ("英国 ロンドン市", "・出張(平成25", "外務課"), True)],
        [Block(0, HEADER, True), Block(10, ("", "年1月)\n・会談", ""), True),
         Block(20, ("イタリア ローマ市", "実績なし", ""), True)],
    )
    assert [(r.line, r.cells, r.raw.split(" ")[0]) for r in reading.rows] == [
        (1001, ("交流",), "[p.1]"),
        (1002, HEADER, "[p.1]"),
        (1003, ("英国 ロンドン市", "・出張(平成25年1月)\n・会談", "外務課"), "[p.1-2]"),
        (2003, ("イタリア ローマ市", "実績なし", ""), "[p.2]"),
    ]


def test_header_after_text_starts_a_new_table() -> None:
    """The same header below a note or heading on the next page is a second table."""
    reading = _pages(
        [Block(10, HEADER, True), Block(20, ("英国 ロンドン市", "・出張", "外務課"), True)],
        [Block(0, ("政策提携都市",), False), Block(10, HEADER, True),
         Block(20, ("", "・続き", ""), True)],
    )
    assert [r.line for r in reading.rows] == [1001, 1002, 2001, 2002, 2003]
    assert reading.rows[-1].cells == ("", "・続き", "")  # not joined: layout rejects it


def test_page_numbers_skipped_and_counted() -> None:
    """Only as a page's first or last line: a number alone elsewhere is read."""
    reading = _pages([Block(10, HEADER, True), Block(800, ("- 1 -",), False)],
                     [Block(10, ("2",), False), Block(20, ("24",), False),
                      Block(800, ("2/3",), False)])
    assert [(r.line, r.cells) for r in reading.rows] == [(1001, HEADER), (2002, ("24",))]
    assert reading.page_numbers == 3


def test_running_head_and_foot_skipped_and_the_cut_row_still_joined() -> None:
    """The title and the publisher repeated on every page are no rows, and the row the
    page break cut is still joined across them. Page 1's foot is known for one when page
    2 repeats it, and removed then; page 1's title stays (it is the title). Page 2 has a
    row of its own before its foot, so the row indices move when page 1's foot goes."""
    reading = _pages(
        [Block(0, ("交流実績",), False), Block(10, HEADER, True),
         Block(20, ("英国 ロンドン市", "・出張(平成25", "外務課"), True),
         Block(800, ("東京都生活文化局",), False)],
        [Block(0, ("交流実績",), False), Block(10, ("", "年1月)", ""), True),
         Block(20, ("イタリア ローマ市", "実績なし", ""), True),
         Block(800, ("東京都生活文化局",), False)],
        [Block(10, ("", "(続き)", ""), True)],
    )
    assert [(r.line, r.cells) for r in reading.rows] == [
        (1001, ("交流実績",)), (1002, HEADER),
        (1003, ("英国 ロンドン市", "・出張(平成25年1月)", "外務課")),
        (2003, ("イタリア ローマ市", "実績なし(続き)", "")),
    ]
    assert reading.running_lines == 3  # page 2's head and foot, and page 1's foot


def test_unmappable_character_in_a_cut_row_warned() -> None:
    reading = _pages([Block(10, HEADER, True),
                      Block(20, ("英国 ロンドン市", "・出張", "外務課"), True)],
                     [Block(10, ("", "(cid:12)", ""), True)])
    assert reading.rows[-1].cells[1] == "・出張(cid:12)"
    [issue] = reading.issues
    assert issue.message == ("r.pdf:1002: page 2 has character(s) no rule maps to text: "
                             "(cid:12); kept as they are")


def test_unmappable_character_kept_and_warned() -> None:
    reading = _pages([Block(10, HEADER, True),
                      Block(20, ("英国 ロンドン市", "・出張\ue000", "外務課"), True)])
    assert reading.rows[-1].cells[1] == "・出張\ue000"
    [issue] = reading.issues
    assert (issue.code, issue.severity, issue.source_line) == ("pdf-unmapped-chars", "warning",
                                                              1002)
    assert issue.message.startswith("r.pdf:1002: page 1 has character(s) no rule maps")



def test_rows_without_space_between_come_apart_where_the_label_resumes() -> None:
    """Rows set as tightly as a cell's lines (gaps of 4 everywhere below the header): the
    label column has text, then a line without, then text again: a new row."""
    chars = [*spaced("提携都市名", x=0, top=0), *spaced("内容・実績", x=150, top=0),
             *spaced("所管局", x=300, top=0)]
    chars += [*spaced("英国", x=0, top=24), *spaced("・出張", x=150, top=24),
              *spaced("外務課", x=300, top=24), *spaced("・会談", x=150, top=38)]
    chars += [*spaced("イタリア", x=0, top=52), *spaced("実績なし", x=150, top=52)]
    blocks, _ = text_to_blocks(chars, None)
    assert [b.cells for b in blocks] == [
        ("提携都市名", "内容・実績", "所管局"),
        ("英国", "・出張\n・会談", "外務課"),
        ("イタリア", "実績なし", ""),
    ]


def test_header_alone_at_the_foot_of_a_page() -> None:
    """A header with no line below it: no rows, and no error (the rows of no lines)."""
    chars = [*spaced("提携都市名", x=0, top=0), *spaced("内容・実績", x=150, top=0),
             *spaced("所管局", x=300, top=0)]
    blocks, columns = text_to_blocks(chars, None)
    assert [b.cells for b in blocks] == [("提携都市名", "内容・実績", "所管局")]
    assert columns is not None


def test_header_set_in_the_middle_of_its_row_is_read_across_its_lines() -> None:
    """A two-line partner header beside one-line headers set in the middle of the row:
    three overlapping lines (提携都市名 / 内容 所管局 / (事業開始年度)) are one header."""
    chars = [*spaced("提携都市名", x=0, top=0), *spaced("内容・実績", x=150, top=6),
             *spaced("所管局", x=300, top=6), *spaced("(事業開始年度)", x=0, top=12)]
    chars += [*spaced("英国 ロンドン市", x=0, top=36), *spaced("・出張", x=150, top=36),
              *spaced("外務課", x=300, top=36)]
    blocks, _ = text_to_blocks([c for c in chars if c.text != " "], None)
    assert [b.cells for b in blocks] == [
        ("提携都市名(事業開始年度)", "内容・実績", "所管局"),
        ("英国 ロンドン市", "・出張", "外務課"),
    ]


def test_ruled_row_split_only_where_the_first_column_starts_again() -> None:
    """Ruled between columns only: rows no line separates come apart where the first
    column has new text after a wide gap; a wide gap in the content column alone (two
    paragraphs of one cell) does not split the row."""
    box_row = ((0, 0, 100, 200), (100, 0, 200, 200))
    chars = [*spaced("パリ市", x=5, top=5), *spaced("・会談", x=105, top=5),
             *spaced("・訪問", x=105, top=19),  # line gap 4: the table's line spacing
             *spaced("・視察", x=105, top=60),  # a paragraph of the same cell
             *spaced("北京市", x=5, top=100), *spaced("・交流", x=105, top=100)]
    blocks = ruled_to_blocks(chars, RuledTable((0, 0, 200, 200), (box_row,)))
    assert [b.cells for b in blocks] == [("パリ市", "・会談\n・訪問\n・視察"),
                                         ("北京市", "・交流")]
