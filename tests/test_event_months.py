"""event_months: one row per event and calendar month its periods touch; it agrees with the
periods (a property) and with the audit page's timeline."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html

from pipeline.audit_render import audit_html
from pipeline.months import event_months
from tests.conftest import DATA, REPORT, read_csv

KEY = ("table_no", "row_no", "item_no")


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


periods_strategy = st.lists(
    st.tuples(st.dates(dt.date(1989, 1, 1), dt.date(2040, 12, 31)), st.integers(0, 800)),
    max_size=4)


@given(st.lists(periods_strategy, max_size=5))
def test_months_are_exactly_those_the_periods_touch(events_periods: list[list[tuple[
        dt.date, int]]]) -> None:
    events = [{"event_id": f"e{n}", "fiscal_year": 2012, "partner_id": "KR:ソウル特別市",
               "kind": "sports", "direction": "inbound"} for n in range(len(events_periods))]
    periods = [{"event_id": f"e{n}", "date_start": start,
                "date_end": start + dt.timedelta(days=length)}
               for n, spans in enumerate(events_periods) for start, length in spans]
    rows = event_months(events, periods)
    for n, spans in enumerate(events_periods):
        # the oracle: every day of every period, reduced to its month
        expected = sorted({day.replace(day=1) for start, length in spans
                           for day in days(start, start + dt.timedelta(days=length))})
        assert [r.month for r in rows if r.event_id == f"e{n}"] == expected
    assert [r.event_id for r in rows] == sorted((r.event_id for r in rows),
                                                key=lambda i: int(i[1:]))  # events order
    assert all((r.partner_id, r.kind, r.direction, r.fiscal_year) ==
               ("KR:ソウル特別市", "sports", "inbound", 2012) for r in rows)


def test_fy2012_agrees_with_the_golden_periods(fy2012_output: Path) -> None:
    """48 rows: 36 periods, 12 of them two months long (read from the golden periods)."""
    events = {r["event_id"]: r for r in read_csv(fy2012_output / "events.csv")}
    rows = read_csv(fy2012_output / "event_months.csv")
    assert len(rows) == 48
    ours: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        event = events[row["event_id"]]
        ours.setdefault(tuple(event[k] for k in KEY), []).append(row["month"])
        assert (row["fiscal_year"], row["partner_id"], row["kind"], row["direction"]) == (
            event["fiscal_year"], event["partner_id"], event["kind"], event["direction"])
    golden: dict[tuple[str, ...], set[str]] = {}
    for period in read_csv(DATA / "fy2012_periods.csv"):
        start, end = (dt.date.fromisoformat(period[k]) for k in ("date_start", "date_end"))
        golden.setdefault(tuple(period[k] for k in KEY), set()).update(
            d.replace(day=1).isoformat() for d in days(start, end))
    assert ours == {key: sorted(months) for key, months in golden.items()}
    assert ours[("1", "4", "3")] == ["2012-07-01", "2012-08-01", "2012-11-01", "2012-12-01"]


def test_manifest_counts_event_months(fy2012_output: Path) -> None:
    manifest = json.loads((fy2012_output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["counts"]["event_months"] == 48
    assert manifest["outputs"]["event_months.csv"]["rows"] == 48
    package = json.loads((fy2012_output / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == "event_months"]
    assert resource["schema"]["foreignKeys"] == [
        {"fields": ["event_id"], "reference": {"resource": "events", "fields": ["event_id"]}}]
    assert [(f["name"], f["type"]) for f in resource["schema"]["fields"]] == [
        ("event_id", "string"), ("month", "date"), ("fiscal_year", "integer"),
        ("partner_id", "string"), ("kind", "string"), ("direction", "string")]


def timeline_dots(page: str) -> Counter[tuple[str, str]]:
    tree = lxml_html.fromstring(page)
    return Counter({(c.get("data-partner"), c.get("data-month")): int(c.get("data-count"))
                    for c in tree.xpath("//svg//circle")})


def test_the_audit_timeline_agrees_with_event_months(fy2012_output: Path) -> None:
    events = {r["event_id"]: r for r in read_csv(fy2012_output / "events.csv")}
    table: Counter[tuple[str, str]] = Counter()
    for row in read_csv(fy2012_output / "event_months.csv"):
        event = events[row["event_id"]]
        table[(f'{event["partner_country"]} {event["partner_city"]}', row["month"][:7])] += 1
    assert sum(table.values()) == 48
    assert timeline_dots(audit_html(fy2012_output)) == table  # from the output folder
    assert timeline_dots(audit_html(REPORT)) == table  # and from the report itself


def test_the_audit_shows_each_events_facets_and_evidence(fy2012_output: Path) -> None:
    tree = lxml_html.fromstring(audit_html(fy2012_output))
    events = {r["event_id"]: r for r in read_csv(fy2012_output / "events.csv")}
    shown = {li.get("data-event-id"): li.xpath('.//div[@class="facets"]')
             for li in tree.xpath('//li[@class="event"]')}
    assert len(shown) == 35
    for event_id, (facets,) in shown.items():
        event = events[event_id]
        assert facets.text_content().startswith(f'{event["kind"]} · {event["direction"]} — ')
        assert facets.get("title") == event["facet_evidence"]
