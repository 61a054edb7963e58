"""Facets: the FY2012 golden labels value by value, and the rules on invented items.

Every expected value below was written by hand from the item and the labelling rules of the
golden files' README (shared/golden/README.md) and pipeline/facets.toml, never produced by
the code.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.facets import (
    DIRECTIONS,
    KINDS,
    Facets,
    item_to_facets,
    text_to_count,
    title_to_government,
)
from tests.conftest import DATA, read_csv

GOLDEN = read_csv(DATA / "fy2012_event_facets.csv")
KEY = ("table_no", "row_no", "item_no")


@pytest.fixture(scope="module")
def events(fy2012_output: Path) -> dict[tuple[str, ...], dict[str, str]]:
    with (fy2012_output / "events.csv").open(encoding="utf-8", newline="") as stream:
        return {tuple(row[k] for k in KEY): row for row in csv.DictReader(stream)}


def test_golden_has_35_events(events: dict[tuple[str, ...], dict[str, str]]) -> None:
    assert len(GOLDEN) == len(events) == 35


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: "-".join(g[k] for k in KEY))
def test_event_facets_match_golden(events: dict[tuple[str, ...], dict[str, str]],
                                   golden: dict[str, str]) -> None:
    ours = events[tuple(golden[k] for k in KEY)]
    assert ours["description"] == golden["description"]
    for column in ("kind", "direction", "actors", "participant_count"):
        assert ours[column] == golden[column], column
    assert ours["facet_evidence"]  # every FY2012 event has at least its kind's word
    if ours["kind"] != "other":
        word = ours["facet_evidence"].split("; ")[0].removeprefix("kind: ")
        assert word in ours["description"]


def test_partner_id_joins_partners(fy2012_output: Path,
                                   events: dict[tuple[str, ...], dict[str, str]]) -> None:
    partners = {row["partner_id"] for row in read_csv(fy2012_output / "partners.csv")}
    assert {e["partner_id"] for e in events.values()} <= partners
    assert events[("1", "1", "1")]["partner_id"] == "US:ニューヨーク市"
    assert events[("1", "4", "2")]["partner_id"] == "AU:ニュー・サウス・ウェールズ州"


def test_evidence_names_the_words(events: dict[tuple[str, ...], dict[str, str]]) -> None:
    assert events[("1", "2", "3")]["facet_evidence"] == "kind: 視察; direction: 東京都訪問"
    assert events[("2", "3", "1")]["facet_evidence"] == "kind: 意見交換; count: 5名"
    assert events[("1", "3", "1")]["facet_evidence"] == "kind: 会談"  # direction unknown


# ---- invented items, as a reporter would write them -----------------------------------------
# (description, partner city, kind, direction, actors, head count); the government is 東京都.
CASES: list[tuple[str, str, str, str, str | None, int | None]] = [
    # official visits and courtesy calls, both ways
    ("ソウル特別市長の知事表敬訪問", "ソウル特別市", "official_visit", "inbound", "市長; 知事", None),
    ("知事のソウル特別市訪問", "ソウル特別市", "official_visit", "outbound", "知事", None),
    ("副知事と北京市長との会談", "北京市", "official_visit", "unknown", "副知事; 市長", None),
    ("ロンドン市長の来都", "ロンドン市", "official_visit", "inbound", "市長", None),
    ("副知事のモスクワ市長表敬", "モスクワ市", "official_visit", "outbound", "副知事; 市長", None),
    ("ニューヨーク市副市長による知事への表敬", "ニューヨーク市", "official_visit", "inbound", "副市長; 知事", None),
    ("サンパウロ州知事の東京都訪問", "サンパウロ州", "official_visit", "inbound", "知事", None),
    ("サンパウロ州知事表敬訪問", "サンパウロ州", "official_visit", "outbound", "知事", None),
    ("カイロ県知事との会談", "カイロ県", "official_visit", "unknown", "知事", None),
    ("副知事のソウル特別市出張及びソウル特別市長との会談", "ソウル特別市", "official_visit", "outbound", "副知事; 市長", None),
    ("ニューヨーク市訪問団の来都", "ニューヨーク市", "official_visit", "inbound", None, None),
    ("モスクワ市議会議員団の都議会訪問", "モスクワ市", "official_visit", "inbound", "議員", None),
    # the hard ones: an inbound visit to a bureau
    ("ソウル特別市上水道本部職員の水道局訪問", "ソウル特別市", "official_visit", "inbound", "職員", None),
    ("ベルリン市経済局長の産業労働局訪問", "ベルリン市", "economic", "inbound", "局長", None),
    ("ソウル特別市交通局視察団一行の都庁訪問", "ソウル特別市", "study_visit", "inbound", "視察団", None),
    # training, received and sent abroad
    ("東京都職員の北京市派遣研修", "北京市", "training", "outbound", "職員", None),
    ("北京市職員研修生3名の受入", "北京市", "training", "inbound", "職員; 研修生", 3),
    ("海外研修生(10名)のロンドン市訪問", "ロンドン市", "training", "outbound", "研修生", 10),
    ("ソウル特別市からの研修生2名の受入", "ソウル特別市", "training", "inbound", "研修生", 2),
    ("東京都職員(研修生)のパリ市派遣", "パリ市", "training", "outbound", "職員; 研修生", None),
    ("北京市職員の東京都水道局での研修", "北京市", "training", "inbound", "職員", None),
    ("ジャカルタ特別市防災局職員への研修実施", "ジャカルタ特別市", "training", "unknown", "職員", None),
    # donations and disaster relief: sent without travel
    ("ジャカルタ特別市への図書の寄贈", "ジャカルタ特別市", "other", "remote", None, None),
    ("四川大地震の被災地への義援金の送付", "北京市", "disaster_relief", "remote", None, None),
    ("ニューヨーク市へのハリケーン見舞状の送付", "ニューヨーク市", "disaster_relief", "remote", None, None),
    ("北京市での地震被害に対する見舞金の贈呈", "北京市", "disaster_relief", "remote", None, None),
    ("ニュー・サウス・ウェールズ州の森林火災被災地への職員派遣", "ニュー・サウス・ウェールズ州", "disaster_relief", "outbound", "職員", None),
    ("東日本大震災の復興支援に対するソウル特別市の義援金受入", "ソウル特別市", "disaster_relief", "inbound", None, None),
    ("ジャカルタ特別市の洪水被害への見舞状送付", "ジャカルタ特別市", "disaster_relief", "remote", None, None),
    # joint and two-way exchanges
    ("ソウル特別市との職員相互派遣", "ソウル特別市", "other", "both", "職員", None),
    ("北京市との青少年相互交流", "北京市", "youth_education", "both", None, None),
    ("ソウル特別市長の来日及び知事のソウル特別市訪問", "ソウル特別市", "official_visit", "both", "市長; 知事", None),
    ("東京都・北京市共同主催の環境フォーラムを東京で開催", "北京市", "conference", "inbound", None, None),
    ("東京都とソウル特別市の共同開催による環境シンポジウム", "ソウル特別市", "conference", "unknown", None, None),
    # sports
    ("ジャカルタ特別市選抜チームの東京都知事杯サッカー大会出場", "ジャカルタ特別市", "sports", "inbound", "チーム", None),
    ("東京都選抜チーム20名のソウル特別市派遣(ユース野球交流)", "ソウル特別市", "sports", "outbound", "チーム", 20),
    ("北京市陸上競技選手団15名の来都", "北京市", "sports", "inbound", "選手", 15),
    ("ソウル特別市での東京都選手団の親善卓球大会参加", "ソウル特別市", "sports", "outbound", "選手", None),
    ("2012ロンドン国際マラソンへの都職員派遣", "ロンドン市", "sports", "outbound", "職員", None),
    ("U-14サッカー大会への北京市チーム参加", "北京市", "sports", "inbound", "チーム", None),
    ("10kmロードレースへの都職員派遣", "ジャカルタ特別市", "sports", "outbound", "職員", None),
    ("3人制バスケットボール大会へのソウル特別市チーム参加", "ソウル特別市", "sports", "inbound", "チーム", None),
    ("選手団20名(選手15名、役員5名)のソウル特別市派遣", "ソウル特別市", "sports", "outbound", "選手", 20),
    ("選手10名、役員3名のジャカルタ特別市派遣", "ジャカルタ特別市", "sports", "outbound", "選手", 13),
    # culture
    ("パリ市での東京伝統芸能公演", "パリ市", "culture", "outbound", None, None),
    ("ベルリン市立美術館所蔵品の東京都美術館での展覧会", "ベルリン市", "culture", "inbound", None, None),
    ("モスクワ市文化フォーラムへの知事メッセージの送付", "モスクワ市", "culture", "remote", "知事", None),
    ("ニュー・サウス・ウェールズ州の日本祭への都職員派遣", "ニュー・サウス・ウェールズ州", "culture", "outbound", "職員", None),
    ("ソウル特別市伝統舞踊団の来都公演", "ソウル特別市", "culture", "inbound", None, None),
    ("ジャカルタ特別市ジュニア合唱団の来日", "ジャカルタ特別市", "culture", "inbound", None, None),
    ("ロンドン市主催の文化交流事業への東京都職員の参加", "ロンドン市", "culture", "outbound", "職員", None),
    # youth and education
    ("北京市の高校生10名の東京都訪問", "北京市", "youth_education", "inbound", None, 10),
    ("東京都の中学生のロンドン市派遣", "ロンドン市", "youth_education", "outbound", "学生", None),
    ("ソウル特別市の大学生との意見交換会", "ソウル特別市", "youth_education", "unknown", "学生", None),
    ("都立高校生徒のニューヨーク市への派遣", "ニューヨーク市", "youth_education", "outbound", "生徒", None),
    ("総勢１２０名の青少年交流団のソウル特別市派遣", "ソウル特別市", "youth_education", "outbound", None, 120),
    # conferences
    ("世界市長サミットへの知事の出席", "ニューヨーク市", "conference", "unknown", "知事", None),
    ("北京市主催の国際会議への局長出席", "北京市", "conference", "outbound", "局長", None),
    ("東京都主催アジア大都市ネットワーク総会へのジャカルタ特別市副知事の参加", "ジャカルタ特別市", "conference", "inbound", "副知事", None),
    ("ソウル特別市でのワークショップへの職員派遣", "ソウル特別市", "conference", "outbound", "職員", None),
    ("オンライン会議による環境セミナーの開催", "ベルリン市", "conference", "remote", None, None),
    ("ベルリン市との都市間連携フォーラムの東京開催", "ベルリン市", "conference", "unknown", None, None),
    ("知事のニューヨーク市での投資セミナー出席", "ニューヨーク市", "conference", "outbound", "知事", None),
    ("ソウル特別市にて開催された国際会議への副知事出席", "ソウル特別市", "conference", "outbound", "副知事", None),
    ("東京都において開催されたアジア大都市会議へのジャカルタ特別市長の参加", "ジャカルタ特別市", "conference", "inbound", "市長", None),
    ("2012人材育成フォーラム", "ソウル特別市", "conference", "unknown", None, None),
    ("第3回日中韓3都市会議", "北京市", "conference", "unknown", None, None),
    # study visits
    ("パリ市の廃棄物処理施設視察", "パリ市", "study_visit", "unknown", None, None),
    ("環境局職員のロンドン市調査出張", "ロンドン市", "study_visit", "outbound", "職員", None),
    ("北京市政府関係者との意見交換", "北京市", "study_visit", "unknown", None, None),
    ("北京市職員3名の名古屋市視察", "北京市", "study_visit", "unknown", "職員", 3),
    # economic
    ("ソウル特別市観光公社代表団の東京都訪問", "ソウル特別市", "economic", "inbound", "代表団", None),
    ("東京商工会議所とベルリン市経済界との交流", "ベルリン市", "economic", "unknown", None, None),
    ("北京市での東京都物産展の開催", "北京市", "economic", "outbound", None, None),
    ("ジャカルタ特別市貿易投資促進ミッションの来日", "ジャカルタ特別市", "economic", "inbound", None, None),
    # other, letters and head counts
    ("姉妹都市提携30周年記念式典", "北京市", "other", "unknown", None, None),
    ("ベルリン市との友好交流協定の締結", "ベルリン市", "other", "unknown", None, None),
    ("北京市からの書簡の受領", "北京市", "other", "remote", None, None),
    ("ロンドン市長からの親書", "ロンドン市", "other", "remote", "市長", None),
    ("知事とソウル特別市長のオンライン会談", "ソウル特別市", "official_visit", "remote", "知事; 市長", None),
    ("北京市代表団(団長以下8名)の東京都訪問", "北京市", "official_visit", "inbound", "代表団", 8),
    ("職員五名の北京市派遣", "北京市", "other", "outbound", "職員", 5),
    ("姉妹提携55周年記念事業への知事出席", "パリ市", "other", "unknown", "知事", None),
    ("約30人の市民訪問団の来日", "ソウル特別市", "official_visit", "inbound", None, 30),
    ("北京市からの訪問団の受入", "北京市", "official_visit", "inbound", None, None),
    ("市民音楽祭へのセーラム市ジャズバンドの招へい", "セーラム市", "culture", "inbound", None, None),
    ("ソウル特別市芸術団を招へい", "ソウル特別市", "culture", "inbound", None, None),
    ("ソウル特別市の招へいにより職員を派遣", "ソウル特別市", "other", "outbound", "職員", None),
    ("東京都の招へいによる北京市の学生の受入", "北京市", "youth_education", "inbound", "学生", None),
    ("東京都の招へいによる北京市代表団の視察", "北京市", "study_visit", "inbound", "代表団", None),
    # a bare role that is not our head's says nothing of whose it is: 来訪 decides
    ("ウェナッチー市長一行の来訪(市長表敬・市内視察)", "ウェナッチー市", "study_visit", "inbound", "市長", None),
    ("ソウル特別市からの派遣職員", "ソウル特別市", "other", "inbound", "職員", None),
    ("東京都からの派遣職員", "ソウル特別市", "other", "outbound", "職員", None),
]


@pytest.mark.parametrize(("text", "partner", "kind", "direction", "actors", "count"), CASES,
                         ids=[c[0] for c in CASES])
def test_invented_items(text: str, partner: str, kind: str, direction: str,
                        actors: str | None, count: int | None) -> None:
    found = item_to_facets(text, "東京都", (partner,))
    assert (found.kind, found.direction, found.actors, found.participant_count) == (
        kind, direction, actors, count)


def test_there_are_at_least_80_cases_covering_every_kind_and_direction() -> None:
    assert len(CASES) >= 80
    assert {c[2] for c in CASES} == set(KINDS)
    assert {c[3] for c in CASES} == set(DIRECTIONS)


# Another reporting government: direction is seen from it, its head is "ours".
OTHER_GOVERNMENTS = [
    ("ソウル特別市職員の大阪府訪問", "大阪府", "ソウル特別市", "inbound", "職員"),
    # Seoul's people visiting Tokyo, in Osaka's report: neither ours going nor theirs coming.
    ("ソウル特別市職員の東京都訪問", "大阪府", "ソウル特別市", "unknown", "職員"),
    ("バンクーバー市長の横浜市訪問", "横浜市", "バンクーバー市", "inbound", "市長"),
    ("市長のバンクーバー市訪問", "横浜市", "バンクーバー市", "outbound", "市長"),
    ("バンクーバー市長の市長表敬訪問", "横浜市", "バンクーバー市", "inbound", "市長"),
    ("バンクーバー市代表団の来市", "横浜市", "バンクーバー市", "inbound", "代表団"),
]


@pytest.mark.parametrize(("text", "government", "partner", "direction", "actors"),
                         OTHER_GOVERNMENTS, ids=[c[0] + "@" + c[1] for c in OTHER_GOVERNMENTS])
def test_direction_is_seen_from_the_reporting_government(
        text: str, government: str, partner: str, direction: str, actors: str) -> None:
    found = item_to_facets(text, government, (partner,))
    assert (found.direction, found.actors) == (direction, actors)


@pytest.mark.parametrize(("title", "government"), [
    ("東京都の姉妹友好都市との交流", "東京都"),
    ("姉妹・友好都市及び政策提携都市との交流", None),  # the FY2012 title: names none
    ("横浜市国際交流実績（平成24年度）", "横浜市"),
    ("京都市の国際交流", "京都市"),
    ("大阪府・大阪市の友好交流", "大阪府"),  # the first named
    (None, None),
])
def test_title_to_government(title: str | None, government: str | None) -> None:
    assert title_to_government(title) == government


# ---- head counts: what is one and what is not -----------------------------------------------

@pytest.mark.parametrize(("text", "count"), [
    ("職員5名", 5), ("職員５名", 5), ("市民10人", 10), ("学生１，２００名", 1200),
    ("選手三名", 3), ("団員二十名", 20), ("計12名(職員10名、通訳2名)", 12),
    ("職員2名、学生8名", 10), ("選手10名、役員3名、計13名", 13),
    ("U-14サッカー大会", None), ("10kmロードレース", None), ("55周年記念", None),
    ("2012名古屋大会", None), ("2012人材育成", None), ("3人制バスケット", None),
    ("第5回会議", None), ("A10名義", None), ("平成24年7月", None), ("数名の職員", None),
    ("一人ひとりの交流", None), ("約1万人が来場", 10000), ("三万人", 30000),
    ("2.5万人", None), ("1人当たり500円", None), ("知事一人で訪問", 1),
])
def test_head_counts(text: str, count: int | None) -> None:
    assert text_to_count(text)[0] == count


def test_a_long_item_is_not_read_and_says_so() -> None:
    found = item_to_facets("知事の訪問" * 2_000, "東京都", ())
    assert found == Facets("other", "unknown", None, None,
                           "not read: the item has 10000 characters, more than 5000")


@given(st.text(max_size=300))
def test_any_text_gives_known_labels(text: str) -> None:
    found = item_to_facets(text, "東京都", ("ソウル特別市",))
    assert found.kind in KINDS and found.direction in DIRECTIONS
    assert found.participant_count is None or found.participant_count >= 0
    if found.kind != "other":  # a kind always names its word
        assert found.evidence and found.evidence.startswith("kind: ")


@given(st.lists(st.sampled_from(["知事", "副知事", "市長", "職員", "選手", "の", "と", "訪問",
                                 "研修生", "局長", "チーム", "、"]), max_size=12))
def test_actors_are_listed_once_in_text_order(parts: list[str]) -> None:
    text = "".join(parts)
    actors = (item_to_facets(text, "東京都", ()).actors or "").split("; ")
    actors = [a for a in actors if a]
    assert len(actors) == len(set(actors))
    positions = [text.find(a) for a in actors]
    assert all(p >= 0 for p in positions)


# ---- the rules are data -------------------------------------------------------------------

def test_a_word_added_to_the_vocabulary_changes_the_label(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.resources

    from pipeline import facets

    text = importlib.resources.files("pipeline").joinpath("facets.toml").read_text("utf-8")
    item = "ソウル特別市茶会の開催"
    assert facets.item_to_facets.__wrapped__(item, "東京都", ()).kind == "other"
    edited = text.replace('"アート",', '"アート", "茶会",', 1)
    assert edited != text
    monkeypatch.setattr(facets, "vocabulary", lambda: facets.toml_to_vocabulary(edited))
    found = facets.item_to_facets.__wrapped__(item, "東京都", ())
    assert (found.kind, found.evidence) == ("culture", "kind: 茶会")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace('name = "sports"', 'name = "sport"', 1),
     "facets.toml: the kinds must be, in order: disaster_relief, sports"),
    (lambda t: t.replace("[actors]", "[actor]", 1), "facets.toml: missing or malformed entry"),
    (lambda t: t + "\n[[kinds]\n", "facets.toml: "),
])
def test_a_broken_vocabulary_is_named(edit: object, message: str) -> None:
    import importlib.resources

    from pipeline.facets import toml_to_vocabulary

    text = importlib.resources.files("pipeline").joinpath("facets.toml").read_text("utf-8")
    with pytest.raises(ValueError) as error:
        toml_to_vocabulary(edit(text))  # type: ignore[operator]
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(("text", "participants", "count", "evidence"), [
    ("中学生派遣", "中学生10名、引率教員2名", 12,
     "kind: 学生; direction: 派遣; participant_count: participants 中学生10名、引率教員2名"),
    ("職員3名の派遣", "職員5名", 3, "direction: 派遣; count: 3名"),  # the item's wins
    ("職員の派遣", "職員", None, "direction: 派遣"),
    ("職員の派遣", "", None, "direction: 派遣"),
])
def test_the_participants_cell_counts_when_the_item_does_not(
        text: str, participants: str, count: int | None, evidence: str) -> None:
    found = item_to_facets(text, "東京都", ("セーラム市",), participants)
    assert (found.participant_count, found.evidence) == (count, evidence)


@pytest.mark.parametrize(("text", "direction"), [
    ("ボーズマン市長の練馬区訪問", "inbound"), ("ボーズマン市長の東京都訪問", "inbound"),
    ("ボーズマン市長の東京訪問", "inbound"), ("区長のボーズマン市訪問", "outbound"),
])
def test_each_part_of_a_joined_government_is_ours(text: str, direction: str) -> None:
    """Regression: 東京都練馬区 (東京都 + 練馬区) did not see 練馬区 as ours."""
    assert item_to_facets(text, "東京都練馬区", ("ボーズマン市",)).direction == direction
