"""Country names as reports print them -> ISO 3166-1 alpha-2 codes.

Source: pycountry's ISO 3166-1 data with its Japanese translations (name, official
name, common name), plus ALIASES: the short and customary forms Japanese government
reports use that the translations lack (オーストラリア, 米国, 韓国, 英国 …).
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata

ALIASES: dict[str, str] = {
    "アメリカ": "US", "アメリカ合衆国": "US", "米国": "US", "合衆国": "US",
    "英国": "GB", "イギリス": "GB", "連合王国": "GB", "グレートブリテン": "GB",
    "オーストラリア": "AU", "豪州": "AU",
    "韓国": "KR", "大韓民国": "KR",
    "中国": "CN", "中華人民共和国": "CN",
    "ロシア": "RU", "ロシア連邦": "RU",
    "ドイツ": "DE", "フランス": "FR", "イタリア": "IT", "スペイン": "ES", "オランダ": "NL",
    "ブラジル": "BR", "エジプト": "EG", "インドネシア": "ID", "カナダ": "CA", "メキシコ": "MX",
    "ニュージーランド": "NZ", "ベトナム": "VN", "タイ": "TH", "マレーシア": "MY",
    "フィリピン": "PH", "シンガポール": "SG", "インド": "IN", "トルコ": "TR", "台湾": "TW",
    "北朝鮮": "KP", "チェコ": "CZ", "スイス": "CH", "オーストリア": "AT", "ベルギー": "BE",
}


# Only a state form continues a country's name: 連邦共和国, 民主共和国, 王国 — not a region
# that happens to end in 国 (ロシア連邦サハ共和国 is ロシア連邦 + サハ共和国).
_STATE_FORM = re.compile(r"(?:民主|人民|社会主義|連邦|・)*(?:共和国|王国|連邦|合衆国|国|連合)")


@functools.cache
def country_table() -> dict[str, str]:
    """Every known Japanese country name (NFKC) -> alpha-2 code."""
    import pycountry  # imported here: only runs that read partner labels pay for it

    table: dict[str, str] = {}
    try:
        translation: gettext.NullTranslations = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    except OSError:
        translation = gettext.NullTranslations()
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            english = getattr(country, attribute, None)
            if not english:
                continue
            japanese = translation.gettext(english)
            # "大韓民国 (韓国)" -> both forms
            for form in re.split(r"\s*[(（]\s*|\s*[)）]\s*", japanese):
                form = unicodedata.normalize("NFKC", form).strip()
                if form and not form.isascii():
                    table.setdefault(form, country.alpha_2)
    for name, code in ALIASES.items():
        table[unicodedata.normalize("NFKC", name)] = code
    return table


@functools.cache
def _names_by_first_char() -> dict[str, tuple[str, ...]]:
    """Names grouped by first character, longest first, so a lookup scans a handful."""
    groups: dict[str, list[str]] = {}
    for name in country_table():
        groups.setdefault(name[0], []).append(name)
    return {char: tuple(sorted(names, key=len, reverse=True)) for char, names in groups.items()}


def split_country(label: str) -> tuple[str, str | None, str] | None:
    """('アメリカ合衆国ニューヨーク市') -> ('アメリカ合衆国', 'US', 'ニューヨーク市').

    The longest known country name at the start of the label wins; None if none is known.
    The country is returned as printed in the label.
    """
    normal = unicodedata.normalize("NFKC", label)
    if not normal:
        return None
    for name in _names_by_first_char().get(normal[0], ()):
        if normal.startswith(name):
            end = len(name)
            # A longer official form the table lacks ("ミャンマー" + "連邦共和国 ヤンゴン地域"):
            # the country runs to the space when the word before it ends like a state's name.
            word, space, _ = normal[end:].partition(" ")
            if space and _STATE_FORM.fullmatch(word):
                end += len(word)
            printed = label[:end] if len(label) == len(normal) else normal[:end]
            return printed, country_table()[name], normal[end:].strip()
    return None
