"""Text that must not become a date: no period and no warning, even with a fiscal year."""

from __future__ import annotations

import pytest

from pipeline.dates import find_dates, parse_start_code

NOT_DATES = [
    "2012東京国際ユース(U-14)サッカー大会参加",
    "(U-14)",
    "10km",
    "5名",
    "(交通局)",
    "十日町市",
    "十日町市との交流",
    "3212-2111",
    "東京消防庁総務部総務課 3212-2111",
    "(21-415)",
    "知事本局外務部外務課 (21-415)",
    "アメリカ合衆国ニューヨーク市 (S35)",
    "S35",
    "インドネシア ジャカルタ特別市(H1)",
    "第3回",
    "第3回大会",
    "2012ジャカルタ国際10kmロードレース",
    "平和",
    "日本",
    "月曜",
    "毎月第1月曜日に開催",
    "5日間",
    "3日間の日程で",
    "5年間",
    "滞在3日目に視察",
    "十日",
    "二十日に",
    "20日",
    "同年齢の選手",
    "1980年代の建築",
    "M7.3の地震",
    "最大2.5倍",
    "1234.56",
    "2012.5",
    "3か月",
    "3ヶ月間",
    "平成の時代",
    "令和時代",
    "2012",
    "2012-2111",
    "創立25年",
    "1日当たり",
    "H2O",
    "NH3.5",
    "24時間体制",
    "明日",
    "月日",
    "一日も早く",
    "統一",
    "大阪府",
    "昭和記念公園",
    "U-14",
    "2012-13シーズン",
    "2012～",
    "7～",
    "4～5名",
    # ・ separates list items only after a date
    "ニュー・サウス・ウェールズ州",
    "ニュー・サウス・ウェールズ州副首相の副知事表敬訪問",
    "東京・ソウル",
    "3・11",
    "3・11の教訓",
    # a bare kanji month must end where a date ends
    "五月雨",
    "五月雨式に提出",
    "十月桜",
    "十二月党",
    "五月人形",
    # an era-less year never starts after an ASCII letter
    "COVID19年",
    "X24年度",
]


@pytest.mark.parametrize("text", NOT_DATES)
@pytest.mark.parametrize("fiscal_year", [None, 2012])
def test_not_a_date(text: str, fiscal_year: int | None) -> None:
    found = find_dates(text, fiscal_year)
    assert found.periods == ()
    assert found.warnings == ()


def test_start_code_in_running_text_is_not_a_code() -> None:
    assert parse_start_code("ニューヨーク市 (S35)") is None
