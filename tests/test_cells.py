"""Content cell -> items: lists, bullets, prose, and the traps of the real report."""

from __future__ import annotations

import pytest

from pipeline.cells import CellError, cell_to_items

UL = '<ul style="list-style-type: none">'


@pytest.mark.parametrize(
    ("cell", "kind", "texts"),
    [
        # the FY2012 form: <ul> with " ・" bullets and no closing tag
        (f"{UL} ・a(平成24年6月) ・b(平成24年7月)  ", "list", ["a(平成24年6月)", "b(平成24年7月)"]),
        # ・ inside a name is not a bullet
        (f"{UL} ・ニュー・サウス・ウェールズ州訪問(平成24年7月)  ", "list",
         ["ニュー・サウス・ウェールズ州訪問(平成24年7月)"]),
        (f"{UL} ・ニューヨーク・ハリケーン被害 ・エジプト・アラブ共和国訪問</ul>", "list",
         ["ニューヨーク・ハリケーン被害", "エジプト・アラブ共和国訪問"]),
        # <li> items, closed or not
        ("<ul><li>a</li><li>b</li></ul>", "list", ["a", "b"]),
        ("<ul><li>a<li>b", "list", ["a", "b"]),
        ("<ul><li>・a</li><li>・b</li></ul>", "list", ["a", "b"]),
        # <br>-separated items and CSV cells with one bullet a line
        ("・a<br>・b<br/>・c", "list", ["a", "b", "c"]),
        ("・a\n・b\r\n・c", "list", ["a", "b", "c"]),
        # lines without bullets (issue 12): a title line and its description are one event;
        # a line with its own date ends one; lines after the last dated one belong to it
        ("a<br>b", "prose", ["a b"]),
        ("中学生派遣事業\n市内中学生10名がホームステイ（令和5年8月）", "prose",
         ["中学生派遣事業 市内中学生10名がホームステイ（令和5年8月）"]),
        ("訪問団の派遣（令和5年8月）<br>市長表敬（令和5年9月）", "list",
         ["訪問団の派遣（令和5年8月）", "市長表敬（令和5年9月）"]),
        ("事業A\n説明A（令和5年8月）\n事業B\n説明B（令和5年9月）", "list",
         ["事業A 説明A（令和5年8月）", "事業B 説明B（令和5年9月）"]),
        ("事業A（令和5年8月）\n青少年20名が参加、20周年記念", "prose",
         ["事業A（令和5年8月） 青少年20名が参加、20周年記念"]),
        ("2023/8/1 訪問\n2023/9/1 来訪", "list", ["2023/8/1 訪問", "2023/9/1 来訪"]),
        # other bullet marks at an item's start only
        ("●a ●b", "list", ["a", "b"]),
        ("○a ■b ◆c", "list", ["a", "b", "c"]),
        # numbered items, and a bullet straight after the previous item's dated bracket
        ("①来都（平成30年5月） ②交流（平成30年11月）", "list",
         ["来都（平成30年5月）", "交流（平成30年11月）"]),
        ("・来都（平成27年6月）・派遣（平成27年9月）", "list",
         ["来都（平成27年6月）", "派遣（平成27年9月）"]),
        ("東京(本庁)・大阪", "prose", ["東京(本庁)・大阪"]),
        # ）・ inside one item, and numbers that are not a list
        ("・東京都（本庁）・区市町村職員の研修受入れ（平成24年10月）", "list",
         ["東京都（本庁）・区市町村職員の研修受入れ（平成24年10月）"]),
        ("・都市間交流（東京都（本庁）・北京市政府）（平成24年5月）", "list",
         ["都市間交流（東京都（本庁）・北京市政府）（平成24年5月）"]),
        ("・第3回会議（テーマ：①防災 ②環境）（平成24年6月）", "list",
         ["第3回会議（テーマ：①防災 ②環境）（平成24年6月）"]),
        ("・議題：①環境 ②防災 ③観光（平成24年5月）", "list", ["議題：①環境 ②防災 ③観光（平成24年5月）"]),
        ("協力会議を開催し、 ①大気汚染対策 ②廃棄物処理について意見交換（平成24年11月）", "prose",
         ["協力会議を開催し、 ①大気汚染対策 ②廃棄物処理について意見交換（平成24年11月）"]),
        ("-a\n-b", "list", ["a", "b"]),
        ("(U-14)サッカー大会 -5名", "prose", ["(U-14)サッカー大会 -5名"]),
        # prose
        ("平成24年6月7日、市職員等5名に対し、意見交換を実施。", "prose",
         ["平成24年6月7日、市職員等5名に対し、意見交換を実施。"]),
        ("東京・ソウル間の交流", "prose", ["東京・ソウル間の交流"]),
        # entities decoded, &nbsp; is a space
        ("<ul><li>A&amp;B&nbsp;交流</li></ul>", "list", ["A&B 交流"]),
        # inline tags do not split
        ("<ul><li><b>太字</b>の交流</li></ul>", "list", ["太字の交流"]),
    ],
)
def test_cell_to_items(cell: str, kind: str, texts: list[str]) -> None:
    found = cell_to_items(cell)
    assert found.kind == kind
    assert [item.text for item in found.items] == texts


@pytest.mark.parametrize("cell", ["平成24年度実績なし", " 平成24年度実績なし ", "実績なし",
                                  "令和元年度実績なし", "該当なし", "特になし", "なし", "実績はありません",
                                  "新型コロナウイルス感染症の影響により実績なし"])
def test_no_activity_cell_is_a_note_not_an_event(cell: str) -> None:
    found = cell_to_items(cell)
    assert found.kind == "none" and found.items == () and found.note == cell.strip()


@pytest.mark.parametrize("cell", ["", "   ", "\t"])
def test_empty_cell_has_no_items(cell: str) -> None:
    assert cell_to_items(cell).items == ()


def test_source_text_is_the_item_as_written() -> None:
    cell = f"{UL} ・知事のロンドン出張(平成25年1月)  "
    (item,) = cell_to_items(cell).items
    assert item.source_text == "・知事のロンドン出張(平成25年1月)"
    assert item.source_text in cell


def test_note_attaches_to_the_item_it_follows() -> None:
    found = cell_to_items("・a(平成24年6月)\n※雨天中止\n・b")
    assert [i.text for i in found.items] == ["a(平成24年6月)", "b"]
    assert found.items[0].note == "※雨天中止"


@pytest.mark.parametrize("cell", ['<ul style="list-style-type: none', "・a<li class='x"])
def test_unclosed_tag_is_an_error(cell: str) -> None:
    with pytest.raises(CellError):
        cell_to_items(cell)


def test_deeply_nested_tags_stay_linear() -> None:
    cell = "<div>" * 20000 + "・a" + "</div>" * 20000
    assert [i.text for i in cell_to_items(cell).items] == ["a"]
