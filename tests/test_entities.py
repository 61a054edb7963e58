"""Partner labels and bureau cells, as the FY2012 report prints them and a few more."""

from __future__ import annotations

import pytest

from pipeline.entities import LabelError, bureau_to_parts, label_to_partner


@pytest.mark.parametrize(
    ("label", "country", "code", "city", "qualifier", "start_code", "start_year"),
    [
        ("アメリカ合衆国ニューヨーク市 (S35)", "アメリカ合衆国", "US", "ニューヨーク市", "", "S35", 1960),
        ("中華人民共和国 北京市(S53)", "中華人民共和国", "CN", "北京市", "", "S53", 1978),
        ("フランス共和国 パリ市(S57)", "フランス共和国", "FR", "パリ市", "", "S57", 1982),
        ("オーストラリア ニュー・サウス・ウェールズ州 (S59)", "オーストラリア", "AU",
         "ニュー・サウス・ウェールズ州", "", "S59", 1984),
        ("大韓民国 ソウル特別市(S63)", "大韓民国", "KR", "ソウル特別市", "", "S63", 1988),
        ("インドネシア ジャカルタ特別市(H1)", "インドネシア", "ID", "ジャカルタ特別市", "", "H1", 1989),
        ("エジプト・アラブ共和国 カイロ県 (H2)", "エジプト・アラブ共和国", "EG", "カイロ県", "", "H2",
         1990),
        ("イタリア ローマ市 (H8)", "イタリア", "IT", "ローマ市", "", "H8", 1996),
        ("英国 ロンドン市 (H18)", "英国", "GB", "ロンドン市", "", "H18", 2006),
        ("中華人民共和国北京市等", "中華人民共和国", "CN", "北京市", "等", None, None),
        ("大韓民国ソウル特別市 (S63)", "大韓民国", "KR", "ソウル特別市", "", "S63", 1988),
        ("米国 ニューヨーク市（Ｓ３５）", "米国", "US", "ニューヨーク市", "", "S35", 1960),
        ("韓国 ソウル特別市 (H元)", "韓国", "KR", "ソウル特別市", "", "H元", 1989),
        ("インド デリー準州 (R2)", "インド", "IN", "デリー準州", "", "R2", 2020),
        ("ヴァルハラ王国 ミズガルズ市 (H2)", "ヴァルハラ王国", None, "ミズガルズ市", "", "H2", 1990),
        # 等 after the start code; a long official form the name table lacks
        ("英国ロンドン市 (H18) 等", "英国", "GB", "ロンドン市", "等", "H18", 2006),
        ("ミャンマー連邦共和国 ヤンゴン地域 (H27)", "ミャンマー連邦共和国", "MM", "ヤンゴン地域", "",
         "H27", 2015),
        # a region ending in 国 is the city's, not the country's
        ("ロシア連邦サハ共和国 ヤクーツク市", "ロシア連邦", "RU", "サハ共和国 ヤクーツク市", "", None,
         None),
        ("ドイツバイエルン自由国 ミュンヘン市", "ドイツ", "DE", "バイエルン自由国 ミュンヘン市", "", None,
         None),
    ],
)
def test_label_to_partner(label: str, country: str, code: str | None, city: str, qualifier: str,
                          start_code: str | None, start_year: int | None) -> None:
    partner = label_to_partner(label)
    assert (partner.country, partner.country_code, partner.city, partner.qualifier,
            partner.start_code, partner.start_fiscal_year) == (
        country, code, city, qualifier, start_code, start_year)
    assert partner.label == label.strip()


@pytest.mark.parametrize("label", [
    "米国 セーラム市", "米国・セーラム市", "米国･セーラム市", "米国<br>セーラム市", "米国<BR>セーラム市",
    "米国<br/>セーラム市", "米国<br />セーラム市", "米国＜ｂｒ＞セーラム市", "米国\nセーラム市",
    "米国\r\nセーラム市", "米国 ・ セーラム市", "米国・\nセーラム市",
])
def test_a_dot_or_line_break_after_the_country_parts_it_from_the_city(label: str) -> None:
    """Regression: 米国・セーラム市 read as city ・セーラム市 and 米国<br>セーラム市 as
    <br>セーラム市, three partner ids for one partner."""
    partner = label_to_partner(label)
    assert (partner.country, partner.country_code, partner.city) == ("米国", "US", "セーラム市")
    assert partner.label == label.strip()


@pytest.mark.parametrize(("label", "country", "city"), [
    ("オーストラリア<br>ニュー・サウス・ウェールズ州", "オーストラリア", "ニュー・サウス・ウェールズ州"),
    ("オーストラリア・ニュー・サウス・ウェールズ州", "オーストラリア", "ニュー・サウス・ウェールズ州"),
    ("エジプト・アラブ共和国<br>カイロ県", "エジプト・アラブ共和国", "カイロ県"),
    ("ヴァルハラ王国<br>ミズガルズ市", "ヴァルハラ王国", "ミズガルズ市"),  # an unknown country
    ("米国 ワシントン州<br>シアトル市", "米国", "ワシントン州 シアトル市"),
])
def test_a_dot_inside_a_name_is_kept(label: str, country: str, city: str) -> None:
    partner = label_to_partner(label)
    assert (partner.country, partner.city) == (country, city)


@pytest.mark.parametrize("label", ["ミズガルズ市", "アメリカ合衆国", "???", "米国・", "米国<br>"])  # no city / no country
def test_unreadable_label_is_an_error(label: str) -> None:
    with pytest.raises(LabelError):
        label_to_partner(label)


@pytest.mark.parametrize(
    ("cell", "bureau", "contact"),
    [
        ("知事本局外務部外務課 (21-415)", "知事本局外務部外務課", "21-415"),
        ("環境局都市地球環境部国際環境協力課 (42-165)", "環境局都市地球環境部国際環境協力課", "42-165"),
        ("東京消防庁総務部総務課 3212-2111", "東京消防庁総務部総務課", "3212-2111"),
        ("産業労働局観光部（内線３２－５１１）", "産業労働局観光部", "32-511"),
        ("生活文化局", "生活文化局", ""),
        ("  知事本局  ", "知事本局", ""),
    ],
)
def test_bureau_to_parts(cell: str, bureau: str, contact: str) -> None:
    assert bureau_to_parts(cell) == (bureau, contact)


@pytest.mark.parametrize(("country", "label", "expected"), [
    ("アメリカ合衆国", "セーラム市", ("アメリカ合衆国", "US", "セーラム市", None)),
    ("米国", "米国 セーラム市", ("米国", "US", "セーラム市", None)),
    ("アメリカ合衆国", "米国セーラム市 (S35)", ("アメリカ合衆国", "US", "セーラム市", 1960)),
    ("中国", "米国 セーラム市", ("中国", "CN", "米国 セーラム市", None)),  # not the same country: kept
    ("ナウル島", "ヤレン", ("ナウル島", None, "ヤレン", None)),  # unknown: no code
    # the repeated country parted from the city by ・ or a line break, as in a label
    ("米国", "米国・セーラム市", ("米国", "US", "セーラム市", None)),
    ("米国", "米国<br>セーラム市", ("米国", "US", "セーラム市", None)),
])
def test_a_country_column_gives_the_country_and_the_partner_cell_the_city(
        country: str, label: str, expected: tuple[str, str | None, str, int | None]) -> None:
    from pipeline.entities import columns_to_partner

    partner = columns_to_partner(country, label)
    assert (partner.country, partner.country_code, partner.city,
            partner.start_fiscal_year) == expected
