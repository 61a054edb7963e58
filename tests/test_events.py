"""Rows -> entries, events and periods: ids, bureau inheritance, accounting."""

from __future__ import annotations

import pytest

from pipeline.dates import DateResult
from pipeline.extract import extract_bytes
from pipeline.model import Extraction
from tests.conftest import REPORT

LINES = REPORT.read_text(encoding="utf-8").split("\n")


def extract_lines(lines: list[str]) -> Extraction:
    found = extract_bytes("\n".join(lines).encode("utf-8"), REPORT.name)
    assert isinstance(found, Extraction)
    return found


def test_one_partner_printed_two_ways_keeps_event_ids_unique() -> None:
    """Regression: 米国 and アメリカ合衆国 shared an occurrence counter by printed name but
    not an id, so two events got one id and the periods went to the wrong one."""
    lines = [*LINES]
    lines.insert(8, "米国 ニューヨーク市\t<ul style=\"list-style-type: none\"> "
                    "・環境局長のニューヨーク市訪問(平成24年9月) \t")
    found = extract_lines(lines)
    ids = [e.event_id for e in found.events]
    assert len(ids) == len(set(ids)) == 36
    september = next(e for e in found.events if e.date_start and e.date_start.month == 9
                     and e.partner_city == "ニューヨーク市")
    (period,) = [p for p in found.periods if p.event_id == september.event_id]
    assert period.date_text == "平成24年9月"


def _new_york_prose_line() -> int:
    return LINES.index(next(line for line in LINES
                            if line.startswith("アメリカ合衆国ニューヨーク市 (S35)\t平成24年7月")))


def test_a_row_rejected_for_its_label_opens_the_bureau_for_the_blank_rows_below() -> None:
    """Regression: rows below a rejected row took the bureau from before it, silently."""
    lines = [*LINES]
    new_york = _new_york_prose_line()
    lines[new_york] = "\t" + lines[new_york].split("\t", 1)[1]  # no label: its cells align
    seoul = new_york + 1
    label, content, _ = lines[seoul].split("\t")
    lines[seoul] = f"{label}\t{content}\t"  # blank: the bureau of the rejected row above
    found = extract_lines(lines)
    assert [i.code for i in found.issues if i.severity == "reject"] == ["row-label"]
    event = next(e for e in found.events if e.source_line == seoul + 1)
    assert (event.bureau, event.bureau_inherited) == ("環境局都市地球環境部国際環境協力課", True)
    assert [i.source_line for i in found.issues if i.code == "bureau-after-reject"] == [seoul + 1]


def test_a_row_rejected_for_its_cells_leaves_the_bureau_in_doubt_on_every_row_below() -> None:
    """A row with a cell too many cannot say which cell is its bureau: the rows below keep
    inheriting, and each of them is flagged."""
    lines = [*LINES]
    new_york = _new_york_prose_line()
    lines[new_york] += "\t余分なセル"
    for below in (new_york + 1, new_york + 2):
        label, content, _ = lines[below].split("\t")
        lines[below] = f"{label}\t{content}\t"
    found = extract_lines(lines)
    assert [i.code for i in found.issues if i.severity == "reject"] == ["row-cells"]
    flagged = [i.source_line for i in found.issues if i.code == "bureau-after-reject"]
    assert flagged == [new_york + 2, new_york + 3]


def test_a_damaged_header_line_still_starts_its_table() -> None:
    lines = [*LINES]
    header = next(i for i, line in enumerate(LINES) if line.startswith("提携都市名"))
    data = "\n".join(lines).encode("utf-8").split(b"\n")
    data[header] += b"\xff"
    found = extract_bytes(b"\n".join(data), REPORT.name)
    assert isinstance(found, Extraction)
    assert [(i.code, i.source_line) for i in found.issues if i.severity == "reject"] == [
        ("line-encoding", header + 1)]
    assert len(found.events) == 35


def test_rows_rejected_for_their_label_are_counted_as_rejected_lines() -> None:
    """Regression: a row layout accepted but events rejected was still counted as a row."""
    lines = [*LINES]
    lines.insert(8, "ナルニア国ケアパラベル\t・訪問(平成24年5月)\t")
    found = extract_lines(lines)
    assert found.layout is not None
    kinds = found.layout.line_kinds
    assert (kinds["row"], kinds["rejected"]) == (15, 1)
    assert sum(kinds.values()) == found.document.line_count


def test_a_huge_item_is_not_scanned_for_dates_and_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A 6 MB cell of date expressions took 41 s and 1 GB: it is flagged and skipped, so
    the date engine never sees a text longer than events.MAX_DATE_SCAN."""
    from pipeline import events

    scanned: list[int] = []

    def find_dates(text: str, fiscal_year: int | None = None) -> DateResult:
        scanned.append(len(text))
        return real_find_dates(text, fiscal_year)

    real_find_dates = events.find_dates
    monkeypatch.setattr(events, "find_dates", find_dates)
    events._group_dates.cache_clear()
    lines = [*LINES]
    lines.insert(8, "米国 ボストン市\t" + "平成24年" * 1_000_000 + "\t")
    found = extract_lines(lines)
    assert scanned and max(scanned) <= events.MAX_DATE_SCAN
    (event,) = [e for e in found.events if e.partner_city == "ボストン市"]
    assert event.period_count == 0 and event.date_start is None
    assert any(i.code == "item-too-long" for i in found.issues)


def test_a_garbled_bureau_cell_is_never_inherited() -> None:
    """Regression: a stray byte in the bureau cell of a rejected row spread the garbled
    bureau (with U+FFFD) to every row below it."""
    garbled = "外務".encode() + b"\xff" + "課 (21-415)".encode()
    data = REPORT.read_bytes().replace("外務課 (21-415)".encode(), garbled, 1)
    found = extract_bytes(data, REPORT.name)
    assert isinstance(found, Extraction)
    assert not any("\ufffd" in e.bureau for e in found.events)
    table_one = [e for e in found.events if e.table_no == 1]
    assert table_one and all(e.bureau == "" for e in table_one)
    assert {i.source_line for i in found.issues if i.code == "bureau-missing"} == {
        e.source_line for e in table_one} | {18}


def test_an_unknown_country_is_kept_and_flagged() -> None:
    lines = [*LINES]
    lines.insert(8, "中華民国 台北市\t<ul style=\"list-style-type: none\"> ・訪問(平成24年9月) \t")
    found = extract_lines(lines)
    event = next(e for e in found.events if e.partner_city == "台北市")
    assert (event.partner_country, event.partner_country_code) == ("中華民国", None)
    assert [i.source_line for i in found.issues if i.code == "country-unknown"] == [9]


def test_a_second_dated_item_run_into_the_first_is_flagged() -> None:
    """From an acceptance run: a date before the trailing group is not the event's date,
    and it must not vanish without a word."""
    from pipeline.events import item_to_dates
    from pipeline.model import Item

    text = "ニューヨーク市長の来都（平成２７年６月）東京都職員の派遣（平成二十七年九月）"
    _, periods, date_text, warnings = item_to_dates(Item(text, text), 2015)
    assert [p.start.month for p in periods] == [9] and date_text == "平成二十七年九月"
    assert [code for code, _ in warnings] == ["date-in-description"]
    assert "平成２７年６月" in warnings[0][1]


def test_a_trailing_date_with_weekday_brackets_leaves_the_description() -> None:
    """From an acceptance run: nested brackets kept the date in the description, so a
    corrected day changed the event id."""
    from pipeline.events import item_to_dates
    from pipeline.model import Item

    text = "北京市選抜チーム参加(令和元年7月20日(土)~21日(日))"
    description, periods, date_text, _ = item_to_dates(Item(text, text), 2019)
    assert description == "北京市選抜チーム参加"
    assert (periods[0].start.day, periods[-1].end.day) == (20, 21)
    assert date_text == "令和元年7月20日(土)~21日(日)"


@pytest.mark.parametrize(
    ("text", "description", "month"),
    [("訪問（平成24年6月）（知事本局）", "訪問(知事本局)", 6),
     ("選手派遣（平成24年8月）（選手20名派遣）", "選手派遣(選手20名派遣)", 8)],
)
def test_a_label_group_after_the_date_group(text: str, description: str, month: int) -> None:
    """The date group is the last one that holds a date; label groups after it stay in the
    description, and the date leaves it (so a corrected date keeps the event id)."""
    from pipeline.events import item_to_dates
    from pipeline.model import Item

    found_description, periods, _, _ = item_to_dates(Item(text, text), 2012)
    assert found_description == description
    assert [p.start.month for p in periods] == [month]


@pytest.mark.parametrize("text", [
    "2020年東京オリンピック・パラリンピック競技大会PR（令和元年8月）",
    "平成23年度に締結した協定に基づく職員派遣（平成24年8月）",
    "東日本大震災（平成23年3月）の支援に対する謝意表明（平成24年5月）",
])
def test_background_dates_in_a_description_are_not_flagged(text: str) -> None:
    from pipeline.events import item_to_dates
    from pipeline.model import Item

    *_, warnings = item_to_dates(Item(text, text), 2012 if "平成" in text else 2019)
    assert [code for code, _ in warnings] == []


@pytest.mark.parametrize(("text", "description", "start", "end", "inferred"), [
    # dotted forms the date rules read only inside brackets (issue 18): the era left out
    # takes the report's (FY2013: 平成), and the group leaves the description like any date
    ("視察団受入(26.3)", "視察団受入", "2014-03-01", "2014-03-31", True),
    ("視察団受入（H25.）", "視察団受入", "2013-01-01", "2013-12-31", False),
    ("視察団受入(26.3)(知事本局)", "視察団受入(知事本局)", "2014-03-01", "2014-03-31", True),
])
def test_a_date_group_read_only_with_its_brackets_leaves_the_description(
        text: str, description: str, start: str, end: str, inferred: bool) -> None:
    """Regression: (26.3) and (H25.) were read as the item's date but stayed in its
    description, since the group was read without its brackets and so held no date."""
    from pipeline.events import item_to_dates
    from pipeline.model import Item

    found_description, periods, _, warnings = item_to_dates(Item(text, text), 2013)
    assert found_description == description
    assert [(p.start.isoformat(), p.end.isoformat(), p.inferred) for p in periods] == [
        (start, end, inferred)]
    assert warnings == []


@pytest.mark.parametrize(("item", "message"), [
    ("知事の訪問(平成24年2月～4月)", "item 1: 平成24年2月～4月 lies partly outside fiscal year "
     "2012: 2012-02-01..2012-03-31"),
    ("知事の訪問(平成25年3月～5月)", "item 1: 平成25年3月～5月 lies partly outside fiscal year "
     "2012: 2013-04-01..2013-05-31"),
    ("市長の来訪(平成24年)", "item 1: 平成24年 lies partly outside fiscal year 2012: "
     "2012-01-01..2012-03-31"),
    ("知事の訪問(平成24年1月)", "item 1: 平成24年1月 lies outside fiscal year 2012"),
    ("知事の訪問(平成24年12月28日～1月4日)", None),  # inside: no warning
])
def test_a_period_not_wholly_inside_the_fiscal_year_is_warned(item: str,
                                                              message: str | None) -> None:
    """Regression: a period straddling the fiscal year's start gave months outside it
    (2012-02, 2012-03 in FY2012) without a word."""
    lines = [*LINES]
    lines.insert(8, f"米国 ニューヨーク市 (S35)\t<ul><li>・{item}</li></ul>\t政策企画局")
    found = extract_lines(lines)
    outside = [i.message for i in found.issues if i.code == "date-outside-fiscal-year"]
    assert outside == ([] if message is None else [f"{REPORT.name}:9: {message}"])
