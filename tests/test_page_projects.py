"""项目 page on the demo warehouse: micro-projects, points, trainings, awards and 睦邻客厅 against
direct SQL on the base tables (not the marts the page uses), the filters, the map and missing data."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from dashboard import decks
from tests.dbutil import sql

PAGE = "views/projects.py"
AS_OF = dt.date(2025, 12, 31)
PREV = dt.date(2024, 12, 31)
CHENGGUAN = "340129001000"  # 城关街道

# Projects begun in a year and not stopped by the date (a stop on a later date did not count yet).
PROJECTS = """
select count(*), coalesce(sum(p.budget_yuan), 0), coalesce(sum(p.beneficiaries), 0)
from micro_projects p
join divisions d on d.division_code = p.community_code
where year(p.start_on) = year($d::date) and p.start_on <= $d
  and not (p.status = 'cancelled' and (p.end_on is null or p.end_on <= $d))
  and ($t is null or d.township_code = $t)
  and ($f is null or p.field = $f)
"""


def projects(db: Path, day: dt.date, township: str | None = None, field: str | None = None):
    return sql(db, PROJECTS, d=day, t=township, f=field)[0]


def projects_per(db: Path, area: str) -> dict[str, int]:
    """2025's micro-projects (stopped ones aside) per community (area="division_code") or per
    township ("township_code"), every community counted, from the tables."""
    rows = sql(
        db,
        f"""select c.{area}, count(p.project_id) from divisions c
            left join micro_projects p on p.community_code = c.division_code
              and year(p.start_on) = 2025 and p.status <> 'cancelled'
            where c.level = 'community' group by 1""",
    )
    return dict(rows)


def metrics(at) -> dict[str, Any]:  # type: ignore[no-untyped-def]
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


def deck(at) -> dict:  # type: ignore[no-untyped-def]
    (one,) = at.get("deck_gl_json_chart")
    return json.loads(one.proto.json)


def layers(d: dict) -> dict[str, dict]:
    return {layer["id"]: layer for layer in d["layers"]}


@pytest.fixture(scope="module")
def county_page(demo_db: Path, users_file: Path):
    """The page with the default filters (2025, whole county): opened once for several checks."""
    from tests.conftest import page_once

    with page_once(demo_db, users_file, PAGE) as at:
        yield at


def test_micro_project_tiles_match_sql(county_page, demo_db):
    n, budget, people = projects(demo_db, AS_OF)
    n_prev, _, people_prev = projects(demo_db, PREV)
    m = metrics(county_page)
    assert m["2025年微项目"].value == f"{n}个"
    assert (
        m["2025年微项目"].proto.delta == f"比上年 {'+' if n >= n_prev else '−'}{abs(n - n_prev)}个"
    )
    assert m["微项目预算"].value == f"{float(budget) / 10_000:,.2f}万元"
    assert m["受益群众"].value == f"{people:,}人次"
    diff = people - people_prev
    assert m["受益群众"].proto.delta == f"比上年 {'+' if diff >= 0 else '−'}{abs(diff):,}人次"
    (satisfaction,) = sql(
        demo_db,
        """select avg(satisfaction_rate) from micro_projects
           where year(start_on) = 2025 and status = 'completed' and end_on <= $d""",
        d=AS_OF,
    )[0]
    assert m["群众满意度"].value == f"{satisfaction * 100:.1f}%"
    # The paragraph under the heading says the same in the report's words (sentences.micro_projects).
    text = " ".join(md.value for md in county_page.markdown)
    assert f"2025年，全县社区社会组织围绕居民需求实施微项目{n}个" in text
    assert f"受益群众{people:,}人次" in text


def test_the_status_breakdown_adds_up_to_the_total(county_page):
    """「微项目84个…已结项64、实施中15、立项5、已终止1」 summed to 85 (issue 20): the parts named as
    making up the total add up to it; stopped projects are said to be outside it."""
    import re

    text = next(m.value for m in county_page.markdown if "实施微项目" in m.value)
    total = int(re.search(r"实施微项目(\d+)个", text).group(1))  # type: ignore[union-attr]
    parts = [
        int(re.search(rf"{w}(\d+)个", text).group(1))  # type: ignore[union-attr]
        for w in ("已结项", "实施中", "已立项待实施")
    ]
    assert sum(parts) == total, text
    stopped = re.search(r"另有(\d+)个已终止，不计入", text)
    assert stopped is None or int(stopped.group(1)) > 0
    assert not re.search(r"，已终止\d+个", text)
    # The list below names every project, stopped ones too, and says how many of those it holds.
    label = next(e.label for e in county_page.expander if "微项目清单" in e.label)
    stopped = re.search(r"另有(\d+)个已终止", text)
    n_stopped = int(stopped.group(1)) if stopped else 0
    assert label.endswith(
        f"（{total + n_stopped}个，含已终止{n_stopped}个）" if n_stopped else f"（{total}个）"
    )


def test_points_trainings_awards_and_lounges_match_sql(county_page, demo_db):
    m = metrics(county_page)
    pilots, residents = sql(
        demo_db,
        """select (select count(distinct community_code) from points_ledger where earned_on <= $d),
                  count(distinct (community_code, resident_id))
           from points_ledger where earned_on > $d - interval 1 year and earned_on <= $d""",
        d=AS_OF,
    )[0]
    assert m["积分制试点社区"].value == f"{pilots}个"
    assert m["积分制试点社区"].proto.delta == f"近12个月参与居民{residents:,}人"
    classes, trained = sql(
        demo_db, "select count(*), sum(participants) from trainings where year(held_on) = 2025"
    )[0]
    assert m["2025年培训"].value == f"{classes}期"
    assert m["2025年培训"].proto.delta == f"参训{trained:,}人次"
    awards, higher = sql(
        demo_db,
        "select count(*), count(*) filter (where level <> 'county') from awards where year = 2025",
    )[0]
    assert m["2025年获得表彰"].value == f"{awards}项"
    assert m["2025年获得表彰"].proto.delta == f"其中市级以上{higher}项"
    rooms, best = sql(
        demo_db,
        "select count(*), count(*) filter (where stars >= 4) from lounges where rated_on <= $d",
        d=AS_OF,
    )[0]
    assert m["睦邻客厅"].value == f"{rooms}个"
    assert m["睦邻客厅"].proto.delta == f"四星级以上{best}个"


def test_tables_follow_the_data(county_page, demo_db):
    by_comm = table(county_page, "微项目（个）")
    expected = dict(
        sql(
            demo_db,
            """select d.name, count(*) from micro_projects p
               join divisions d on d.division_code = p.community_code
               where year(p.start_on) = 2025 and p.status <> 'cancelled' group by d.name""",
        )
    )
    assert dict(zip(by_comm["社区（村）"], by_comm["微项目（个）"], strict=True)) == expected
    pilots = table(county_page, "近12个月参与居民（人）")
    per_1000 = dict(
        sql(
            demo_db,
            """select d.name, count(distinct l.resident_id) * 1000.0 / d.population
               from points_ledger l join divisions d on d.division_code = l.community_code
               where l.earned_on > $d - interval 1 year and l.earned_on <= $d group by d.name, d.population""",
            d=AS_OF,
        )
    )
    shown = dict(zip(pilots["社区（村）"], pilots["每千名常住人口参与（人）"], strict=True))
    assert shown == {k: pytest.approx(round(v, 1)) for k, v in per_1000.items()}
    trainings = table(county_page, "参训人数")
    assert (
        len(trainings)
        == sql(demo_db, "select count(*) from trainings where year(held_on) = 2025")[0][0]
    )
    assert set(trainings["层级"]) <= {"县级", "乡镇级", "社区级"}
    lounges = table(county_page, "评定日期")
    assert len(lounges) == sql(demo_db, "select count(*) from lounges")[0][0]
    assert lounges["星级"][0] == "五星级"  # best first
    assert set(lounges["星级"]) <= {"一星级", "二星级", "三星级", "四星级", "五星级"}
    # Every table can be taken away, as CSV and Excel (三社联动's two: tests/test_page_linkage.py).
    buttons = [b.proto.label for b in county_page.get("download_button")]
    assert buttons.count("下载 CSV") == buttons.count("下载 Excel") == 8


def test_charts_show_the_fields_stars_and_years(county_page, demo_db):
    fields = dict(
        sql(
            demo_db,
            """select l.label, count(*) from micro_projects p join lookup_field l on l.code = p.field
               where year(p.start_on) = 2025 and p.status <> 'cancelled' group by l.label""",
        )
    )
    bars = chart(county_page, "各服务领域微项目")["data"][0]
    assert dict(zip(bars["y"], bars["x"], strict=True)) == fields
    stars = dict(sql(demo_db, "select stars, count(*) from lounges group by stars"))
    bars = chart(county_page, "睦邻客厅星级分布")["data"][0]
    assert dict(zip(bars["x"], bars["y"], strict=True)) == {
        decks.star_label(s): stars.get(s, 0) for s in (5, 4, 3, 2, 1)
    }
    trained = dict(
        sql(demo_db, "select year(held_on), sum(participants) from trainings group by 1")
    )
    spec = chart(county_page, "历年培训期数与参训人次")
    per_year: dict[str, int] = {}
    for trace in spec["data"]:
        if trace["type"] == "bar":
            for x, y in zip(trace["x"], trace["y"], strict=True):
                per_year[x] = per_year.get(x, 0) + y
    assert per_year == {f"{y}年": n for y, n in trained.items()}
    names = {t["name"] for t in spec["data"] if t["type"] == "bar"}
    assert names == {"县级", "乡镇级", "社区级"}  # Chinese legend, not codes


def test_map_draws_projects_per_community_and_lounge_stars(county_page, demo_db):
    d = deck(county_page)
    found = layers(d)
    assert {decks.COMMUNITY_LAYER, decks.TOWNSHIP_LAYER, decks.LOUNGE_LAYER} <= set(found)
    per_comm = projects_per(demo_db, "division_code")
    props = {
        f["properties"]["code"]: f["properties"]
        for f in found[decks.COMMUNITY_LAYER]["data"]["features"]
    }
    assert {c: round(p["value"]) for c, p in props.items()} == per_comm
    assert next(iter(props.values()))["l1"].startswith("微项目数：")
    stars = found[decks.LOUNGE_LAYER]["data"]
    rows = sql(
        demo_db,
        """select l.name, l.stars, coalesce(l.lon, d.lon), l.lon is null from lounges l
           join divisions d on d.division_code = l.community_code""",
    )
    assert len(stars) == len(rows)
    at = {s["title"]: s for s in stars}
    for name, n, lon, unplaced in rows:
        assert at[name]["icon"] == f"s{n}"
        assert at[name]["position"][0] == pytest.approx(lon, abs=1e-5)
        # Without its own coordinates a lounge sits on its community's point, and says so.
        assert ("未填经纬度" in at[name]["l3"]) == unplaced
    assert any(unplaced for *_, unplaced in rows)


def test_map_indicator_points_participation(county_page, demo_db):
    county_page.selectbox(key="pj_map_indicator").set_value("points_residents_per_1000").run()
    assert not county_page.exception
    props = {
        f["properties"]["code"]: f["properties"]["value"]
        for f in layers(deck(county_page))[decks.COMMUNITY_LAYER]["data"]["features"]
    }
    expected = dict(
        sql(
            demo_db,
            """select l.community_code, count(distinct l.resident_id) filter (
                   where l.earned_on > $d - interval 1 year) * 1000.0 / d.population
               from points_ledger l join divisions d on d.division_code = l.community_code
               where l.earned_on <= $d group by l.community_code, d.population""",
            d=AS_OF,
        )
    )
    assert {c: v for c, v in props.items() if v is not None} == pytest.approx(
        {c: round(v, 4) for c, v in expected.items()}, abs=1e-4
    )
    # Communities outside the pilot are "no data", not zero.
    assert sum(v is None for v in props.values()) == len(props) - len(expected) > 0
    county_page.selectbox(key="pj_map_indicator").set_value("count_micro_projects").run()


def test_township_filter_narrows_every_section(app, demo_db):
    at = app(PAGE)
    at.sidebar.selectbox(key="f_township").set_value(CHENGGUAN).run()
    assert not at.exception
    n, _, people = projects(demo_db, AS_OF, CHENGGUAN)
    n_county, *_ = projects(demo_db, AS_OF)
    m = metrics(at)
    assert m["2025年微项目"].value == f"{n}个" and n < n_county
    assert m["受益群众"].value == f"{people:,}人次"
    classes = sql(
        demo_db,
        """select count(*) from trainings t join divisions d on d.division_code = t.division_code
           where year(t.held_on) = 2025 and t.level <> 'county' and d.township_code = $t""",
        t=CHENGGUAN,
    )[0][0]
    assert m["2025年培训"].value == f"{classes}期"  # county classes are not a township's
    rooms = sql(
        demo_db,
        """select count(*) from lounges l join divisions d on d.division_code = l.community_code
           where d.township_code = $t""",
        t=CHENGGUAN,
    )[0][0]
    assert m["睦邻客厅"].value == f"{rooms}个"
    shown = table(at, "微项目（个）")
    assert set(shown["乡镇（街道）"]) == {"城关街道"}
    text = " ".join(md.value for md in at.markdown)
    assert f"2025年，城关街道社区社会组织围绕居民需求实施微项目{n}个" in text
    # The map draws the township only.
    feats = layers(deck(at))[decks.COMMUNITY_LAYER]["data"]["features"]
    assert {f["properties"]["code"][:9] for f in feats} == {CHENGGUAN[:9]}


def test_field_filter_applies_to_projects_not_lounges(app, demo_db):
    at = app(PAGE)
    at.sidebar.multiselect(key="f_field").set_value(["charity"]).run()
    assert not at.exception
    n, *_ = projects(demo_db, AS_OF, field="charity")
    m = metrics(at)
    assert m["2025年微项目"].value == f"{n}个"
    rooms = sql(demo_db, "select count(*) from lounges")[0][0]
    assert m["睦邻客厅"].value == f"{rooms}个"  # lounges have no field of service
    awards = sql(
        demo_db,
        """select count(*) from awards a join organizations o using (org_id)
           where a.year = 2025 and o.field = 'charity'""",
    )[0][0]
    assert m["2025年获得表彰"].value == f"{awards}项"


def test_an_earlier_year_shows_projects_running_then(app, demo_db):
    at = app(PAGE, year="2024")
    assert not at.exception
    n, *_ = projects(demo_db, PREV)
    assert metrics(at)["2024年微项目"].value == f"{n}个"
    status = table(at, "状态")
    running = sql(
        demo_db,
        """select count(*) from micro_projects where year(start_on) = 2024
           and status in ('completed', 'ongoing', 'cancelled') and (end_on is null or end_on > $d)
           and status <> 'planned'""",
        d=PREV,
    )[0][0]
    # A project finished in 2025 was still 实施中 at the end of 2024.
    assert (status["状态"] == "实施中").sum() == running > 0


@pytest.fixture(scope="module")
def without_programmes(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse of a county that tracks none of the programmes yet."""
    db = tmp_path_factory.mktemp("noprog") / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    try:
        for t in ("micro_projects", "points_ledger", "trainings", "awards", "lounges"):
            con.execute(f"delete from {t}")
    finally:
        con.close()
    return db


def test_missing_sources_say_so(without_programmes, users_file):
    from tests.conftest import page_once

    with page_once(without_programmes, users_file, PAGE) as at:
        pass
    m = metrics(at)
    assert m["2025年微项目"].value == "—" and m["睦邻客厅"].value == "—"
    infos = " ".join(i.value for i in at.info)
    for label in ("微项目", "积分台账", "培训", "表彰奖励", "睦邻客厅"):
        assert f"没有「{label}」数据" in infos
    # The map still draws, every community as no data rather than zero.
    props = layers(deck(at))[decks.COMMUNITY_LAYER]["data"]["features"]
    assert all(f["properties"]["value"] is None for f in props)


def test_a_provinces_map_draws_townships_and_a_township_its_communities(
    province_db: Path, users_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several counties and no township chosen: townships coloured by their communities' micro-
    projects (as on the 地图 page), not every community; choosing a township draws its
    communities and 睦邻客厅 again."""
    from tests.conftest import open_as

    monkeypatch.setenv("ORGDASH_DB", str(province_db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    at = open_as("admin", PAGE)
    assert not at.exception
    found = layers(deck(at))
    assert set(found) == {decks.TOWNSHIP_AREA_LAYER, decks.COUNTY_LAYER, decks.COUNTY_LABEL_LAYER}
    per_town = projects_per(province_db, "township_code")
    props = {
        f["properties"]["code"]: f["properties"]
        for f in found[decks.TOWNSHIP_AREA_LAYER]["data"]["features"]
    }
    assert len(props) == 24  # twelve townships in each of the two counties
    assert {c: round(p["value"]) for c, p in props.items()} == {c: per_town[c] for c in props}
    assert not [t for t in at.toggle if t.label == "显示睦邻客厅"]  # stars come with a township
    assert "乡镇（街道）的数值由其下各社区合计后计算" in "".join(c.value for c in at.caption)

    town = next(iter(props))
    at = open_as("admin", PAGE, township=town)
    found = layers(deck(at))
    assert decks.COMMUNITY_LAYER in found and decks.TOWNSHIP_AREA_LAYER not in found
