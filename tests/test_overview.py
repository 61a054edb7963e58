"""`pipeline report`: the overview page of a whole dataset, checked in headless Chromium.

The dataset has three fiscal years (FY2012 as is, moved copies for FY2010 and FY2015); the
FY2010 copy carries hostile text: a partner whose name holds a <script> and a right-to-left
override, and an item whose text is a <script> written with entities. Every number on the
page is compared with counts the test makes itself from the CSV tables.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline.cli import main
from tests.conftest import DATA, ROOT, read_csv
from tests.reports import ARTIFACTS, chromium, fy2012_text, report_for_year

HOSTILE_CITY = "ローマ市<script>document.title='PWNED'</script>\u202eعربي"
HOSTILE_ITEM = "&lt;script&gt;document.documentElement.setAttribute('data-pwned','1')&lt;/script&gt;"


def hostile_2010() -> str:
    text = report_for_year(2010)
    for old, new in [("イタリア ローマ市 (H8)\t平成22年度実績なし",
                      f"イタリア {HOSTILE_CITY} (H8)\t・{HOSTILE_ITEM}の東京都訪問(平成22年5月)"),
                     ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(output folder, page, the DOM Chromium built from the page)."""
    tmp = tmp_path_factory.mktemp("overview")
    raw = tmp / "raw"
    raw.mkdir()
    (raw / "fy2012.txt").write_text(fy2012_text(), encoding="utf-8")
    (raw / "fy2010.txt").write_text(hostile_2010(), encoding="utf-8")
    (raw / "fy2015.txt").write_text(report_for_year(2015), encoding="utf-8")
    out = tmp / "out"
    assert main(["run", str(raw), "--out", str(out), "--quiet"]) == 0
    page = tmp / "overview.html"
    assert main(["report", str(out), "--out", str(page)]) == 0
    dom = chromium("--dump-dom", page.as_uri(), profile=tmp / "profile")
    return out, page, dom


def test_hostile_text_is_shown_not_run(dataset: tuple[Path, Path, str]) -> None:
    _, page, dom = dataset
    tree = lxml_html.fromstring(dom)
    assert tree.findtext(".//title") == "Exchanges overview"
    assert tree.get("data-pwned") is None
    assert tree.xpath("//script") == []  # the page has no script of its own either
    bdis = [b.text_content() for b in tree.xpath("//bdi")]
    assert "IT:" + HOSTILE_CITY in bdis  # the partner, isolated from the text around it
    assert any("document.documentElement.setAttribute" in b for b in bdis)
    source = page.read_text(encoding="utf-8")
    (csp,) = tree.xpath('//meta[@http-equiv="Content-Security-Policy"]')
    assert csp.get("content").startswith("default-src 'none';")
    assert "script-src" not in csp.get("content")
    source = source.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a fetch
    for reference in ("src=", "@import", "url(", "http:", "https:"):
        assert reference not in source, reference
    assert all(a.get("href").startswith("#") for a in tree.xpath("//a"))


def test_counts_per_year_equal_the_tables(dataset: tuple[Path, Path, str]) -> None:
    out, _, dom = dataset
    tree = lxml_html.fromstring(dom)
    events = read_csv(out / "events.csv")
    expected = {
        "events": Counter(e["fiscal_year"] for e in events),
        "entries": Counter(e["fiscal_year"] for e in read_csv(out / "entries.csv")),
        "partners": Counter(p["fiscal_year"] for p in read_csv(out / "partners.csv")),
        "people": Counter(),
    }
    for e in events:
        expected["people"][e["fiscal_year"]] += int(e["participant_count"] or 0)
    for key, counts in expected.items():
        shown = {c.get("data-year"): int(c.get(f"data-count-{key}"))
                 for c in tree.xpath(f"//*[@data-count-{key}]")}
        assert shown == {y: counts[y] for y in ("2010", "2012", "2015")}, key
    # FY2010 gained one event (the hostile item in the row that had none)
    assert expected["events"] == {"2010": 36, "2012": 35, "2015": 35}
    (summary,) = tree.xpath('//p[@id="summary"]')
    assert (summary.get("data-events"), summary.get("data-years")) == ("106", "3")


def test_grid_cells_link_to_their_events(dataset: tuple[Path, Path, str]) -> None:
    out, _, dom = dataset
    tree = lxml_html.fromstring(dom)
    events = read_csv(out / "events.csv")
    expected = Counter((e["partner_id"], e["fiscal_year"]) for e in events)
    cells = tree.xpath('//table[@id="grid"]//td')
    # 12 partners, and the hostile city of FY2010 is a 13th; each in every year
    assert len(cells) == 13 * 3
    for cell in cells:
        key = (cell.get("data-partner"), cell.get("data-year"))
        assert int(cell.get("data-count")) == expected[key], key
        links = cell.xpath(".//a")
        if expected[key]:
            (group,) = tree.xpath(f'//*[@id="{links[0].get("href")[1:]}"]')
            ids = sorted(li.get("data-event-id") for li in group.xpath(".//li"))
            assert ids == sorted(e["event_id"] for e in events
                                 if (e["partner_id"], e["fiscal_year"]) == key)
        else:
            assert links == []


def test_stacked_bars_equal_kinds_and_directions(dataset: tuple[Path, Path, str]) -> None:
    out, _, dom = dataset
    tree = lxml_html.fromstring(dom)
    events = read_csv(out / "events.csv")
    for name in ("kind", "direction"):
        expected = Counter((e["fiscal_year"], e[name]) for e in events)
        shown = {(r.get("data-year"), r.get(f"data-{name}")): int(r.get("data-count"))
                 for r in tree.xpath(f'//svg[@id="bars-{name}"]//rect')}
        assert shown == dict(expected), name
    # FY2012 as read by hand (the golden facets)
    golden = read_csv(DATA / "fy2012_event_facets.csv")
    for name in ("kind", "direction"):
        shown = {r.get(f"data-{name}"): int(r.get("data-count")) for r in
                 tree.xpath(f'//svg[@id="bars-{name}"]//rect[@data-year="2012"]')}
        assert shown == Counter(g[name] for g in golden), name


def test_actors_and_partners_equal_the_tables(dataset: tuple[Path, Path, str]) -> None:
    out, _, dom = dataset
    tree = lxml_html.fromstring(dom)
    events = read_csv(out / "events.csv")
    actors = Counter(a for e in events for a in e["actors"].split("; ") if a)
    shown = {c.get("data-actor"): int(c.get("data-count"))
             for c in tree.xpath('//table[@id="actors"]//td[@data-actor]')}
    assert shown == dict(actors.most_common(15)) or (
        len(shown) == 15 and all(actors[a] == n for a, n in shown.items()))
    assert shown["チーム"] == 30  # 10 team items a year in FY2012's rows, three years
    per_partner = Counter(e["partner_id"] for e in events)
    first_year: dict[str, str] = {}
    for e in read_csv(out / "entries.csv"):  # files are in year order; keep the first
        key = f'{e["partner_country_code"] or e["partner_country"]}:{e["partner_city"]}'
        first_year.setdefault(key, e["fiscal_year"])
    rows = tree.xpath('//table[@id="partners"]/tbody/tr')
    assert len(rows) == 13
    for row in rows:
        (events_cell,) = row.xpath(".//td[@data-events]")
        assert int(events_cell.get("data-events")) == per_partner[row.get("data-partner")]
        (first,) = row.xpath(".//td[@data-first-year]")
        assert first.get("data-first-year") == first_year[row.get("data-partner")]
    assert first_year["IT:ローマ市"] == "2012"  # its FY2010 row carries the hostile name


def test_screenshot_shows_the_page(dataset: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, page, _ = dataset
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "overview.png"
    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", "--window-size=1280,1500", page.as_uri(),
             profile=tmp_path / "profile")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (ROOT / "docs" / "overview.png").is_file()  # the README shows it


def test_report_of_a_folder_that_is_no_output_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "o.html")]) == 2
    assert capsys.readouterr().err == (f"pipeline report: error: {tmp_path}: not an output "
                                       "folder of `pipeline run` (no events table)\n")
    assert not (tmp_path / "o.html").exists()


def test_report_of_an_older_output_is_refused_not_drawn_as_other(
        dataset: tuple[Path, Path, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Regression (review): an output written before facets existed drew every event as
    `other` / `unknown`, exit 0, with only a Python warning on stderr. It is refused now,
    saying what to do, and no page is written."""
    import pyarrow.parquet as pq

    folder = tmp_path / "old"
    shutil.copytree(dataset[0], folder)
    table = pq.read_table(folder / "events.parquet")
    pq.write_table(table.drop_columns(["kind", "direction", "actors", "participant_count",
                                       "facet_evidence"]), folder / "events.parquet")
    page = tmp_path / "o.html"
    with pytest.warns(UserWarning, match="no column kind"):
        assert main(["report", str(folder), "--out", str(page)]) == 2
    events = len(table)
    assert capsys.readouterr().err == (
        f"pipeline report: error: {folder}: {events} of {events} events have no kind or "
        "partner_id (an output of an older pipeline?); run `pipeline run` on its reports "
        "again to add them\n")
    assert not page.exists()


def test_a_report_without_a_fiscal_year_has_its_own_column() -> None:
    """Events whose report had no fiscal year are counted under "no year", not dropped."""
    from pipeline.overview import tables_to_overview
    from pipeline.overview_render import render

    def event(event_id: str, year: int | None, kind: str) -> dict[str, object]:
        return {"event_id": event_id, "fiscal_year": year, "partner_id": "KR:ソウル特別市",
                "kind": kind, "direction": "inbound", "actors": "知事; 職員",
                "participant_count": 4, "description": "ソウル特別市職員の東京都訪問"}

    events = [event("a", 2012, "sports"), event("b", None, "sports"),
              event("c", None, "a-kind-from-a-hand-edited-table")]
    tree = lxml_html.fromstring(render(tables_to_overview(events, [], [], 0)))
    years = [th.text_content() for th in tree.xpath('//table[@id="grid"]/thead//th')]
    assert years == ["partner_id", "2012", "no year"]
    cells = {c.get("data-year"): c.get("data-count")
             for c in tree.xpath('//table[@id="grid"]//td')}
    assert cells == {"2012": "1", "none": "2"}
    kinds = {(r.get("data-year"), r.get("data-kind")): r.get("data-count")
             for r in tree.xpath('//svg[@id="bars-kind"]//rect')}
    assert kinds == {("2012", "sports"): "1", ("none", "sports"): "1",
                     ("none", "a-kind-from-a-hand-edited-table"): "1"}
    people = {c.get("data-year"): c.get("data-count-people")
              for c in tree.xpath("//*[@data-count-people]")}
    assert people == {"2012": "4", "none": "8"}


def test_following_a_grid_link_opens_its_events(dataset: tuple[Path, Path, str],
                                                tmp_path: Path) -> None:
    """The appendix groups are closed <details>; a link into one must open it."""
    _, page, dom = dataset
    tree = lxml_html.fromstring(dom)
    target = tree.xpath('//table[@id="grid"]//a')[0].get("href")[1:]
    assert tree.xpath(f'//*[@id="{target}"]/ancestor::details[@open]') == []
    followed = lxml_html.fromstring(chromium("--dump-dom", page.as_uri() + "#" + target,
                                             profile=tmp_path / "profile"))
    (opened,) = followed.xpath(f'//*[@id="{target}"]/ancestor::details')
    assert opened.get("open") is not None


def test_a_damaged_table_is_a_clear_error(dataset: tuple[Path, Path, str], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "damaged"
    shutil.copytree(dataset[0], folder)
    (folder / "events.parquet").write_bytes(b"PAR1 not really parquet")
    assert main(["report", str(folder), "--out", str(tmp_path / "o.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pipeline report: error: {folder}/events: cannot read: ")
    assert "Traceback" not in err and not (tmp_path / "o.html").exists()


def test_an_empty_dataset_renders() -> None:
    from pipeline.overview import tables_to_overview
    from pipeline.overview_render import render

    tree = lxml_html.fromstring(render(tables_to_overview([], [], [], 2)))
    (summary,) = tree.xpath('//p[@id="summary"]')
    assert summary.text_content() == "0 events in 0 fiscal years (no years); 2 rejected lines (rejects.csv)."
    assert tree.xpath('//table[@id="grid"]//td') == []


@pytest.mark.parametrize(("years", "said"), [
    ([2012], "1 fiscal year (2012)"),
    ([2012, 2015], "2 fiscal years (2012–2015)"),
    ([2012, None], "1 fiscal year (2012, and rows of no fiscal year)"),
    ([None], "0 fiscal years (rows of no fiscal year)"),
])
def test_the_summary_counts_fiscal_years_not_the_rows_without_one(
        years: list[int | None], said: str) -> None:
    """Regression (a newcomer's run): rows of no fiscal year were counted as a year and
    shown as the end of the range, "3 fiscal years (2012–no year)"; one year was "1 fiscal
    years (2012–2012)"."""
    from pipeline.overview import tables_to_overview
    from pipeline.overview_render import render
    from pipeline.schema import TABLES

    blank = dict.fromkeys(name for name, _, _ in TABLES["events"])
    events = [{**blank, "fiscal_year": year, "event_id": f"e{n}", "partner_id": "US:ニューヨーク市",
               "description": "訪問"} for n, year in enumerate(years)]
    page = render(tables_to_overview(events, [], [], 0))
    assert f"{len(years)} events in {said}; 0 rejected lines" in page
