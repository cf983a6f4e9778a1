"""三社联动 and party-organisation coverage on the pages (issue 18): the 项目 page's section, the 社区
page's lines and its 各项指标 rows, the map's two catalogue indicators, each against direct SQL on
the base tables (tests/linkage_sql.py); and what the pages say when the sources are missing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from dashboard import decks
from queries.indicators import catalogue
from tests import linkage_sql as x
from tests.dbutil import sql

PROJECTS = "views/projects.py"
AS_OF = dt.date(2025, 12, 31)
CHENGGUAN = "340129001000"  # 城关街道
HETANG = "340129001007"  # 荷塘社区 (城关街道): a 社工室, two social workers, a 联合党支部


def metrics(at) -> dict:  # type: ignore[no-untyped-def]
    return {m.label: m for m in at.metric}


def table(at, column: str) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    raise AssertionError(f"no table with column {column}")


def chart(at, title_part: str) -> dict:  # type: ignore[no-untyped-def]
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        if title_part in ((spec["layout"].get("title") or {}).get("text") or ""):
            return spec
    raise AssertionError(f"no chart titled …{title_part}…")


def deck_values(at) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    (one,) = at.get("deck_gl_json_chart")
    layers = {layer["id"]: layer for layer in json.loads(one.proto.json)["layers"]}
    feats = layers[decks.COMMUNITY_LAYER]["data"]["features"]
    return {f["properties"]["code"]: f["properties"]["value"] for f in feats}


def covered_rates(db: Path) -> dict[str, float | None]:
    """Per community: active organisations a party organisation in being covers ÷ active ones."""
    rows = sql(
        db,
        """
        with c as (
            select c.org_id from party_org_coverage c join party_organizations p using (party_org_id)
            where p.founded_on <= $d and (p.dissolved_on is null or p.dissolved_on > $d)
              and coalesce(c.covered_from, p.founded_on) <= $d
              and (c.covered_until is null or c.covered_until > $d)
        )
        select d.division_code,
               count(o.org_id) filter (where o.org_id in (select org_id from c where org_id is not null))
                   / nullif(count(o.org_id), 0)
        from divisions d
        left join organizations o on o.community_code = d.division_code
            and o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
        where d.level = 'community'
        group by d.division_code
        """,
        d=AS_OF,
    )
    return dict(rows)


# ---------------------------------------------------------------- 项目


@pytest.fixture(scope="module")
def projects_page(demo_db: Path, users_file: Path):
    from tests.conftest import page_once

    with page_once(demo_db, users_file, PROJECTS) as at:
        yield at


def test_linkage_tiles_match_sql(projects_page, demo_db):
    m = metrics(projects_page)
    e = x.linkage(demo_db, AS_OF)
    assert 0 < e["linked"] < e["communities"] and e["joint"] > 0
    tile = m["实现三社联动的社区（村）"]
    assert tile.value == f"{e['linked']}个"
    assert tile.delta == f"占{e['linked'] / e['communities'] * 100:.1f}%（共{e['communities']}个）"
    workers = m["在岗社会工作者"]
    assert workers.value == f"{e['workers']}名"
    assert workers.delta == (
        f"持证{e['qualified']}名 · 配备到{e['communities_with_workers']}个社区（村）"
    )
    assert m["社会工作者支持的组织"].value == f"{e['supported']}家"
    assert m["2025年联合实施微项目"].value == f"{e['joint']}个"
    said = " ".join(md.value for md in projects_page.markdown)
    assert f"建成乡镇社工站{e['township_stations']}个、村（社区）社工室{e['rooms']}个" in said


def test_linkage_per_township_and_qualifications_match_sql(projects_page, demo_db):
    towns = table(projects_page, "实现三社联动（个）")
    assert towns.height == 12
    e = x.linkage(demo_db, AS_OF, CHENGGUAN)
    row = towns.filter(pl.col("乡镇（街道）") == "城关街道").row(0, named=True)
    assert row["社区（村）（个）"] == e["communities"]
    assert row["实现三社联动（个）"] == e["linked"]
    assert row["社会工作者（名）"] == e["workers"]
    assert row["其中持证（名）"] == e["qualified"]
    assert row["支持的组织（家）"] == e["supported"]
    assert row["联合实施微项目（个）"] == e["joint"]
    county = x.linkage(demo_db, AS_OF)
    assert towns["实现三社联动（个）"].sum() == county["linked"]
    assert towns["联合实施微项目（个）"].sum() == county["joint"]
    quals = dict(
        sql(
            demo_db,
            """select qualification, count(*) from social_workers
               where joined_on <= $d and (left_on is null or left_on > $d) group by 1""",
            d=AS_OF,
        )
    )
    spec = chart(projects_page, "在岗社会工作者的职业资格")
    bars = dict(zip(spec["data"][0]["x"], spec["data"][0]["y"], strict=True))
    assert bars == {
        "助理社会工作师": quals.get("assistant", 0),
        "社会工作师": quals.get("intermediate", 0),
        "高级社会工作师": quals.get("senior", 0),
        "无": quals.get("none", 0),
    }
    linked = chart(projects_page, "三社联动覆盖的社区（村）")
    assert sum(linked["data"][0]["x"]) == county["linked"]
    joint = table(projects_page, "支持的社会工作者（名）")
    assert joint.height == county["joint"]


def test_linkage_follows_the_township_filter(app, demo_db):
    at = app(PROJECTS, township=CHENGGUAN)
    e = x.linkage(demo_db, AS_OF, CHENGGUAN)
    m = metrics(at)
    assert m["实现三社联动的社区（村）"].value == f"{e['linked']}个"
    assert m["在岗社会工作者"].value == f"{e['workers']}名"
    assert m["社会工作者支持的组织"].value == f"{e['supported']}家"
    per_community = table(at, "实现三社联动（个）")
    assert "社区（村）" in per_community.columns
    assert per_community.height == e["communities"]


# ---------------------------------------------------------------- 社区 and the map


def test_community_page_has_its_linkage_and_party_lines(app, demo_db):
    at = app("views/community.py", community=HETANG)
    ((rooms, posted, qualified),) = sql(
        demo_db,
        """select (select count(*) from social_work_stations where level = 'community'
                   and community_code = $c and opened_on <= $d),
                  count(*), count(*) filter (where w.qualification <> 'none')
           from social_workers w left join social_work_stations s using (station_id)
           where coalesce(w.community_code, case when s.level = 'community' then s.community_code end) = $c
             and w.joined_on <= $d and (w.left_on is null or w.left_on > $d)""",
        c=HETANG,
        d=AS_OF,
    )
    assert rooms == 1 and posted == 2
    line = next(md.value for md in at.markdown if md.value.startswith("**三社联动**"))
    assert "已实现三社联动" in line
    assert f"配备社会工作者{posted}名（持证{qualified}名）" in line
    rate = covered_rates(demo_db)[HETANG]
    assert rate is not None
    assert f"覆盖率{rate * 100:.1f}%" in line
    ((joint,),) = sql(
        demo_db,
        """select count(*) from party_organizations where division_code = $c
           and kind = 'joint_branch' and founded_on <= $d""",
        c=HETANG,
        d=AS_OF,
    )
    assert f"（其中联合党支部{joint}个）" in line
    # The catalogue's two new rows in 各项指标, rates with one decimal as everywhere (100.0%).
    rows = {r["指标"]: r["本社区"] for r in table(at, "口径").iter_rows(named=True)}
    assert rows["三社联动覆盖"] == "100.0%"
    assert rows["党组织覆盖率"] == f"{rate * 100:.1f}%"


def test_catalogue_entries_colour_the_map(app, demo_db):
    cat = catalogue()
    assert {"linked_rate", "party_covered_rate"} <= {i.key for i in cat.on_map()}
    at = app("views/map.py")
    at.selectbox(key="map_indicator").set_value("linked_rate").run()
    assert not at.exception
    linked = x.community_linked(demo_db, AS_OF)
    assert deck_values(at) == {c: (1.0 if v else 0.0) for c, v in linked.items()}
    at.selectbox(key="map_indicator").set_value("party_covered_rate").run()
    values = deck_values(at)
    expected = covered_rates(demo_db)
    assert len(values) == len(expected)
    for code, value in values.items():  # the deck keeps four decimals
        assert value == (
            None if expected[code] is None else pytest.approx(expected[code], abs=1e-4)
        )
    assert "党组织覆盖率（%）" in at.dataframe[0].value.columns


# ---------------------------------------------------------------- sources not imported


@pytest.fixture(scope="module")
def without_linkage(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nolinkage") / "warehouse.duckdb"
    return x.without(demo_db, out, x.LINKAGE_TABLES)


def test_missing_sources_say_so(without_linkage, users_file):
    from tests.conftest import page_once

    with page_once(without_linkage, users_file, PROJECTS) as at:
        pass
    infos = " ".join(i.value for i in at.info)
    assert "三社联动暂无数据（未导入「社工站」「社会工作者」台账）" in infos
    assert "实现三社联动的社区（村）" not in metrics(at)  # not a row of zeros
    with page_once(without_linkage, users_file, "views/community.py") as at:
        pass
    line = next(md.value for md in at.markdown if md.value.startswith("**三社联动**"))
    assert "**三社联动**：暂无数据（未导入「社工站」「社会工作者」台账）" in line
    assert "**党组织覆盖**：暂无数据（未导入「党组织」「党组织覆盖」台账）" in line
    rows = {r["指标"]: r["本社区"] for r in table(at, "口径").iter_rows(named=True)}
    assert rows["三社联动覆盖"] == "—" and rows["党组织覆盖率"] == "—"
    with page_once(without_linkage, users_file, "views/map.py") as at:
        at.selectbox(key="map_indicator").set_value("linked_rate").run()
    assert all(v is None for v in deck_values(at).values())  # no data, not 0 %
