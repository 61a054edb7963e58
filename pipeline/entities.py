"""Entities stage: a partner label and a bureau cell -> their parts."""

from __future__ import annotations

import functools
import re
import unicodedata

from pipeline.countries import split_country
from pipeline.dates import parse_start_code
from pipeline.model import Partner

# "(S35)", "（H1）", "(平成元年度)" at the end of a label: the year the partnership began.
_START_CODE = re.compile(
    r"[\s\u3000]*[(（]\s*(?P<code>[A-Za-zＡ-Ｚａ-ｚ]\s*[0-9０-９元]{1,2}"
    r"|(?:明治|大正|昭和|平成|令和)\s*[0-9０-９元]{1,2}\s*年?度?)\s*[)）][\s\u3000]*$"
)
_QUALIFIER = re.compile(r"(?P<q>等|ほか|など|他)$")
_CONTACT = re.compile(
    r"[\s\u3000]*(?:[(（]\s*(?:内線|電話|TEL|tel|Tel)?[:：]?\s*(?P<paren>[0-9０-９][0-9０-９\-－‐ー]*)\s*[)）]"
    r"|(?:内線|電話|TEL)?[:：]?\s*(?P<bare>[0-9０-９]+[\-－‐ー][0-9０-９\-－‐ー]+))[\s\u3000]*$"
)


# Between the country and the city, these part them like a space: a line break (as an
# HTML <br> in any spelling, or a real one) anywhere, and a middle dot ・ (･) right after a
# known country's name (米国・セーラム市). A ・ inside a name (ニュー・サウス・ウェールズ州,
# エジプト・アラブ共和国) is kept.
_LINE_BREAK = re.compile(r"[<＜]\s*[bｂ][rｒ]\s*[/／]?\s*[>＞]|\r\n|[\r\n\u2028\u2029\x85]",
                         re.IGNORECASE)
_CITY_LEAD = re.compile(r"^[\s\u3000・･]+")


class LabelError(ValueError):
    """A partner label no rule can read; the row goes to rejects."""


@functools.lru_cache(maxsize=4096)
def label_to_partner(label: str) -> Partner:
    """Partner labels recur in every report; Partner is immutable, so each is read once."""
    return _label_to_partner(label)


def _label_to_partner(label: str) -> Partner:
    text, qualifier, start_code, start_year = _label_parts(_LINE_BREAK.sub(" ", label))
    split = split_country(text)
    if split is not None:
        country, code, city = split
        city = _CITY_LEAD.sub("", city)
    elif len(parts := text.split(maxsplit=1)) == 2:
        (country, city), code = parts, None  # an unknown country before a space
    else:
        raise LabelError(f"no known country at the start of the partner label {label.strip()!r}")
    if not city:
        raise LabelError(f"the partner label {label.strip()!r} names no city")
    return Partner(label=label.strip(), country=country, country_code=code, city=city,
                   qualifier=qualifier, start_code=start_code, start_fiscal_year=start_year)


def _label_parts(label: str) -> tuple[str, str, str | None, int | None]:
    """(the label without them, qualifier 等, start code S35, its fiscal year)."""
    text = label.strip()
    qualifier = ""
    found = _QUALIFIER.search(text)  # 等 may stand after the start code too: "… (H18) 等"
    if found and len(text) > len(found.group("q")) + 1:
        qualifier = found.group("q")
        text = text[: found.start()].strip()
    start_code: str | None = None
    start_year: int | None = None
    match = _START_CODE.search(text)
    if match:
        start_code = unicodedata.normalize("NFKC", match.group("code")).replace(" ", "")
        start_year = parse_start_code(start_code)
        if start_year is None:
            raise LabelError(f"the start-year code ({start_code}) is not a known era year")
        text = text[: match.start()].strip()
    found = _QUALIFIER.search(text)
    if found and not qualifier and len(text) > len(found.group("q")) + 1:
        qualifier = found.group("q")
        text = text[: found.start()].strip()
    return text, qualifier, start_code, start_year


@functools.lru_cache(maxsize=4096)
def columns_to_partner(country: str, label: str) -> Partner:
    """A partner from a table with its own country column: the country as printed in that
    column (its code when the whole cell is a known name), the partner cell as the city."""
    text, qualifier, start_code, start_year = _label_parts(_LINE_BREAK.sub(" ", label))
    if not text:
        raise LabelError(f"the partner cell {label.strip()!r} names no city")
    printed = country.strip()
    split = split_country(printed)
    code = split[1] if split is not None and not split[2] else None
    # The partner cell may repeat the country (国名 米国 | 提携先 米国 セーラム市): the
    # city is what follows it, when it names the same country.
    repeated = split_country(text)
    if repeated is not None and repeated[2] and (repeated[0] == printed or (
            code is not None and repeated[1] == code)):
        text = _CITY_LEAD.sub("", repeated[2])
    return Partner(label=label.strip(), country=printed, country_code=code, city=text,
                   qualifier=qualifier, start_code=start_code, start_fiscal_year=start_year)


def bureau_to_parts(cell: str) -> tuple[str, str]:
    """'知事本局外務部外務課 (21-415)' -> ('知事本局外務部外務課', '21-415')."""
    text = cell.strip()
    match = _CONTACT.search(text)
    if not match:
        return " ".join(text.split()), ""
    contact = unicodedata.normalize("NFKC", match.group("paren") or match.group("bare"))
    return " ".join(text[: match.start()].split()), contact.replace("ー", "-")
