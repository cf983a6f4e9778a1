"""总览 page on the demo warehouse: figures checked against direct SQL, filters, attention list, charts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from queries.indicators import catalogue
from tests.dbutil import sql

AS_OF = dt.date(2025, 12, 31)
PREV = dt.date(2024, 12, 31)

# Direct SQL, written without the marts the page uses, so the page is checked against the data.
COUNTS = """
select
    count(*) as total,
    count(*) filter (where o.status = 'registered') as registered,
    count(*) filter (where o.status = 'filed') as filed,
    count(*) filter (where d.area_type = 'urban') as urban,
    count(*) filter (where d.area_type = 'rural') as rural
from organizations o
join divisions d on d.division_code = o.community_code
where o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
  and ($township is null or d.township_code = $township)
"""


def counts(db: Path, day: dt.date, township: str | None = None) -> dict[str, int]:
    row = sql(db, COUNTS, d=day, township=township)[0]
    return dict(zip(("total", "registered", "filed", "urban", "rural"), row, strict=True))


def change(cur: int, prev: int, unit: str = "家") -> str:
    diff = cur - prev
    return f"比上年 {'+' if diff >= 0 else '−'}{abs(diff):,}{unit}"


def metrics(at) -> dict[str, Any]:
    return {m.label: m for m in at.metric}


def spec(at, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


LABELS = {
    "total": "登记备案社区社会组织",
    "registered": "登记",
    "filed": "备案",
    "urban": "城市社区社会组织",
    "rural": "农村社区社会组织",
}


def test_headline_figures_as_the_speech_states_them(app, demo_db):
    at = app()
    shown = {m.label: m.value for m in at.metric}
    assert shown["登记备案社区社会组织"] == "2,216家"
    assert shown["登记"] == "156家"
    assert shown["备案"] == "2,060家"
    assert shown["城市社区社会组织"] == "1,030家"
    assert shown["农村社区社会组织"] == "1,186家"
    # 平均每个社区近23家, 平均每个行政村15家
    assert shown["平均每个社区"] == "22.9家"
    assert shown["平均每个行政村"] == "15.0家"
    cur, prev = counts(demo_db, AS_OF), counts(demo_db, PREV)
    m = metrics(at)
    for key, label in LABELS.items():
        assert m[label].delta == change(cur[key], prev[key]), label
    n_urban, n_rural = sql(
        demo_db,
        "select count(*) filter (where area_type = 'urban'), count(*) filter (where area_type = 'rural')"
        " from divisions where level = 'community'",
    )[0]
    assert 22.5 <= cur["urban"] / n_urban < 23.0
    assert round(cur["rural"] / n_rural) == 15
    prev_avg = prev["urban"] / n_urban
    assert m["平均每个社区"].delta == f"比上年 +{round(cur['urban'] / n_urban - prev_avg, 1):.1f}家"

    # The delta text starts with 比上年, so the page sets arrow and colour from the numbers.
    assert cur["registered"] < prev["registered"]  # the demo has more dissolved than new 登记
    assert m["登记"].proto.direction == MetricProto.MetricDirection.DOWN
    assert m["登记"].proto.color == MetricProto.MetricColor.RED
    assert m["备案"].proto.color == MetricProto.MetricColor.GREEN
    # More dissolutions than last year is bad news: up, but red.
    assert m["2025年注销"].proto.direction == MetricProto.MetricDirection.UP
    assert m["2025年注销"].proto.color == MetricProto.MetricColor.RED
    assert m["达标的社区和村"].proto.color == MetricProto.MetricColor.GRAY


def test_target_tiles_against_direct_sql(app, demo_db):
    at = app()
    m = metrics(at)
    meeting, total = sql(
        demo_db,
        "select count(*) filter (where meets_floor), count(*) from community_density($d)",
        d=AS_OF,
    )[0]
    assert m["达标的社区和村"].value == f"{meeting}/{total}" == "118/124"
    party, integrity = sql(
        demo_db,
        "select avg(party_in_charter::int), avg(integrity_in_charter::int) from organizations"
        " where established_on <= $d and (dissolved_on is null or dissolved_on > $d)",
        d=AS_OF,
    )[0]
    assert m["党建入章率"].value == f"{party * 100:.1f}%" == "100.0%"
    assert m["清廉入章率"].value == f"{integrity * 100:.1f}%" == "100.0%"

    # Annual reports for report year 2024, due by the as-of date: submitted by then / due.
    due, submitted = sql(
        demo_db,
        "select count(*), count(*) filter (where submitted_on <= $d) from annual_reports"
        " where report_year = 2024 and due_on <= $d",
        d=AS_OF,
    )[0]
    due_prev, submitted_prev = sql(
        demo_db,
        "select count(*), count(*) filter (where submitted_on <= $d) from annual_reports"
        " where report_year = 2023 and due_on <= $d",
        d=PREV,
    )[0]
    tile = m["2024年度年报报送率"]
    assert tile.value == f"{submitted / due * 100:.1f}%"
    diff = round((submitted / due - submitted_prev / due_prev) * 100, 1)
    assert tile.delta == f"比上年 {'+' if diff >= 0 else '−'}{abs(diff):.1f}个百分点"

    # Fund execution: 2025 disbursed by the as-of date on 2025 grants ÷ 2025 budget, all sources.
    budget, paid = sql(
        demo_db,
        """select (select sum(budget_yuan) from fund_budgets where year = 2025),
                  (select sum(p.amount_yuan) from disbursements p join grants g using (grant_id)
                   where g.year = 2025 and g.approved_on <= $d and p.paid_on <= $d)""",
        d=AS_OF,
    )[0]
    assert m["资金执行率"].value == f"{float(paid) / float(budget) * 100:.1f}%"
    captions = " ".join(c.value for c in at.caption)
    assert f"已拨付{float(paid) / 10_000:,.2f}万元" in captions
    assert f"2024年度年报应报{due}份，已报{submitted}份" in captions


def test_township_filter_narrows_the_tiles(app, demo_db):
    code, name = sql(
        demo_db,
        "select division_code, name from divisions where level = 'township' order by 1 limit 1",
    )[0]
    at = app()
    at.sidebar.selectbox(key="f_township").set_value(code).run()
    assert not at.exception
    cur, prev = counts(demo_db, AS_OF, code), counts(demo_db, PREV, code)
    assert cur["total"] < 2216
    m = metrics(at)
    for key, label in LABELS.items():
        assert m[label].value == f"{cur[key]:,}家", label
        assert m[label].delta == change(cur[key], prev[key]), label
    meeting, total = sql(
        demo_db,
        "select count(*) filter (where meets_floor), count(*) from community_density($d)"
        " where township_code = $t",
        d=AS_OF,
        t=code,
    )[0]
    assert m["达标的社区和村"].value == f"{meeting}/{total}"
    # Budgets are county-wide: a township shows its grants' disbursed ÷ approved instead.
    assert "资金拨付率" in m and "资金执行率" not in m
    assert name in at.caption[0].value
    # The league table still compares every township.
    assert at.dataframe[0].value.shape[0] == 12


def test_area_and_field_filters_narrow_the_total(app, demo_db):
    at = app()
    at.sidebar.radio(key="f_area").set_value("rural").run()
    assert metrics(at)["登记备案社区社会组织"].value == "1,186家"
    at.sidebar.multiselect(key="f_field").set_value(["charity"]).run()
    (n,) = sql(
        demo_db,
        "select count(*) from organizations o join divisions d on d.division_code = o.community_code"
        " where o.field = 'charity' and d.area_type = 'rural'"
        " and o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)",
        d=AS_OF,
    )[0]
    assert metrics(at)["登记备案社区社会组织"].value == f"{n:,}家"
    bars = spec(at, 0)["data"][0]
    assert bars["y"] == ["公益慈善"] and bars["x"] == [n]
    # The floor counts every field whatever the filter: said next to the figure (issue 20).
    assert "达标的社区和村（全部领域）" in metrics(at)


def test_year_picker_moves_the_as_of_date(app, demo_db):
    at = app()
    at.sidebar.selectbox(key="f_year").set_value(2024).run()
    cur, prev = counts(demo_db, PREV), counts(demo_db, dt.date(2023, 12, 31))
    m = metrics(at)
    assert m["登记备案社区社会组织"].value == f"{cur['total']:,}家"
    assert m["登记备案社区社会组织"].delta == change(cur["total"], prev["total"])
    assert "2023年度年报报送率" in m and "2024年新成立" in m


def test_empty_scope_says_why(app, demo_db):
    # A township, area and field with no organisation at all, found in the data, not assumed.
    township, area, field = sql(
        demo_db,
        """
        with a as (
            select o.field, d.township_code, d.area_type from organizations o
            join divisions d on d.division_code = o.community_code
            where o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
        )
        select c.township_code, c.area_type, f.code
        from (select distinct township_code, area_type from divisions where level = 'community') c
        cross join lookup_field f
        where not exists (select 1 from a where a.township_code = c.township_code
                          and a.area_type = c.area_type and a.field = f.code)
        order by 1, 2, 3 limit 1
        """,
        d=AS_OF,
    )[0]
    at = app()
    at.sidebar.selectbox(key="f_township").set_value(township).run()
    at.sidebar.radio(key="f_area").set_value(area).run()
    at.sidebar.multiselect(key="f_field").set_value([field]).run()
    assert not at.exception
    assert metrics(at)["登记备案社区社会组织"].value == "0家"
    infos = " ".join(i.value for i in at.info)
    assert "没有现有的社区社会组织" in infos
    assert "无法按服务领域统计" in infos


def test_attention_lists_link_to_the_pages(app, demo_db):
    at = app()
    links = at.get("page_link")
    below = sql(
        demo_db,
        "select community_code, community_name from community_density($d) where not meets_floor",
        d=AS_OF,
    )
    assert len(below) == 6
    community_links = [ln for ln in links if ln.proto.page == "community"]
    assert len(community_links) == len(below)
    for code, name in below:
        link = next(ln for ln in community_links if f"community={code}" in ln.proto.query_string)
        assert link.value.startswith(name)

    listed = sql(
        demo_db,
        "select org_id, list_type from credit_listings"
        " where year(listed_on) = 2025 and listed_on <= $d",
        d=AS_OF,
    )
    assert {t for _, t in listed} == {"abnormal"}
    org_links = [ln for ln in links if ln.proto.page == "organizations"]
    assert sorted(ln.proto.query_string.split("org=")[1] for ln in org_links) == sorted(
        o for o, _ in listed
    )

    # Townships whose 2024 report rate is under the county's or under 90 %: a button each.
    rates = sql(
        demo_db,
        """
        select d.township_code,
               count(*) filter (where r.submitted_on <= $d) / count(*) as rate,
               sum(count(*) filter (where r.submitted_on <= $d)) over () / sum(count(*)) over () as county
        from annual_reports r
        join organizations o using (org_id)
        join divisions d on d.division_code = o.community_code
        where r.report_year = 2024 and r.due_on <= $d
        group by 1
        """,
        d=AS_OF,
    )
    low = {t for t, rate, county in rates if rate < county or rate < 0.9}
    assert low
    buttons = {b.key.removeprefix("ov_town_") for b in at.button if b.key.startswith("ov_town_")}
    assert buttons == low


def test_a_low_township_button_narrows_the_page_to_it(app, demo_db):
    at = app()
    button = next(b for b in at.button if b.key.startswith("ov_town_"))
    code = button.key.removeprefix("ov_town_")
    button.click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="f_township").value == code
    total = counts(demo_db, AS_OF, code)["total"]
    assert metrics(at)["登记备案社区社会组织"].value == f"{total:,}家"


def test_league_table_and_charts(app, demo_db):
    at = app()
    table = at.dataframe[0].value
    orgs = catalogue()["count_active"].label  # the league heads it as the catalogue labels it
    assert list(table.columns)[:3] == ["乡镇（街道）", "社区数", orgs]
    assert table[orgs].sum() == 2216
    assert table["社区数"].sum() == 124
    assert table["未达标社区"].sum() == 6
    assert all(0 <= r <= 100 for r in table["年报报送率"])

    # Organisations by field, largest on top; new and dissolved per year.
    bars = spec(at, 0)
    rows = sql(
        demo_db,
        "select l.label, count(*) from organizations o join lookup_field l on l.code = o.field"
        " where o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)"
        " group by 1 order by 2",
        d=AS_OF,
    )
    assert bars["data"][0]["y"] == [r[0] for r in rows]  # Plotly's bottom-up order: largest last
    assert bars["data"][0]["x"] == [r[1] for r in rows]
    flows = spec(at, 1)
    assert [t["name"] for t in flows["data"]] == ["新成立", "注销"]
    assert flows["data"][0]["x"][-1] == "2025"
    new_2025, dissolved_2025 = sql(
        demo_db,
        "select count(*) filter (where year(established_on) = 2025),"
        " count(*) filter (where year(dissolved_on) = 2025) from organizations",
    )[0]
    assert flows["data"][0]["y"][-1] == new_2025
    assert flows["data"][1]["y"][-1] == dissolved_2025
    assert metrics(at)["2025年新成立"].value == f"{new_2025:,}家"


def test_chart_builders_on_tiny_frames():
    from dashboard.charts import overview as charts

    fig = charts.by_field(
        pl.DataFrame({"field_label": ["文体活动", "公益慈善", "其他"], "count_active": [5, 9, 1]})
    )
    assert list(fig.data[0].y) == ["其他", "文体活动", "公益慈善"]
    assert fig.layout.title.text == "各服务领域社区社会组织数"
    assert fig.layout.xaxis.title.text == catalogue()["count_active"].header  # 社会组织数（家）
    fig = charts.flows(
        pl.DataFrame({"year": [2024, 2025], "count_new": [3, 4], "count_dissolved": [0, 2]})
    )
    assert [t.name for t in fig.data] == ["新成立", "注销"]
    assert list(fig.data[1].y) == [0, 2]
    assert fig.layout.barmode == "group"


def test_headline_in_scope_for_the_whole_county_is_the_headline_mart(demo_db):
    for day in (AS_OF, PREV):
        diff = sql(
            demo_db,
            "(select * from headline_in_scope($d, null, null, null) except select * from headline($d))"
            " union all "
            "(select * from headline($d) except select * from headline_in_scope($d, null, null, null))",
            d=day,
        )
        assert diff == []


def test_programme_tiles_match_sql(app, demo_db):
    at = app()
    m = metrics(at)

    def projects(day: dt.date) -> tuple[int, int]:
        return sql(
            demo_db,
            """select count(*), coalesce(sum(beneficiaries), 0) from micro_projects
               where year(start_on) = year($d::date) and start_on <= $d
                 and not (status = 'cancelled' and (end_on is null or end_on <= $d))""",
            d=day,
        )[0]

    (n, people), (n_prev, people_prev) = projects(AS_OF), projects(PREV)
    assert m["2025年微项目"].value == f"{n}个"
    assert m["2025年微项目"].proto.delta == change(n, n_prev, "个")
    assert m["微项目受益群众"].value == f"{people:,}人次"
    assert m["微项目受益群众"].proto.delta == change(people, people_prev, "人次")
    residents = sql(
        demo_db,
        """select count(distinct (community_code, resident_id)) from points_ledger
           where earned_on > $d - interval 1 year and earned_on <= $d""",
        d=AS_OF,
    )[0][0]
    assert m["积分制参与居民"].value == f"{residents:,}人"
    rooms = dict(
        sql(
            demo_db,
            "select 'now', count(*) filter (where rated_on <= $d) from lounges union all "
            "select 'before', count(*) filter (where rated_on <= $p) from lounges",
            d=AS_OF,
            p=PREV,
        )
    )
    assert m["睦邻客厅"].value == f"{rooms['now']}个"
    assert m["睦邻客厅"].proto.delta == change(rooms["now"], rooms["before"], "个")
    assert any(ln.proto.page == "projects" for ln in at.get("page_link"))


def test_long_attention_lists_fold_the_rest_into_a_picker_that_opens_them(
    province_db: Path, users_file: Path, monkeypatch: Any
) -> None:
    """Past the first eight, a list's entries are one picker (a province's lists hold hundreds):
    every entry is there once, in the list's order, and picking one opens it as its link would."""
    from tests.conftest import open_as

    monkeypatch.setenv("ORGDASH_DB", str(province_db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    at = open_as("admin", "views/overview.py")
    below = sql(
        province_db,
        "select community_code, community_name from community_density($d) where not meets_floor",
        d=AS_OF,
    )
    assert len(below) > 8, "the two-county warehouse should have a long list"
    drawn = [ln for ln in at.get("page_link") if ln.proto.page == "community"]
    assert len(drawn) == 8
    picker = at.selectbox(key="ov_more_communities")
    assert picker.label == f"更多社区（另有{len(below) - 8}项）"
    shown = [ln.proto.query_string.split("community=")[1].split("&")[0] for ln in drawn]
    folded = list(picker.options)  # AppTest gives the labels the browser shows
    names = dict(below)
    assert len(folded) == len(below) - 8
    # Every community below the floor is drawn or folded, once.
    rest = [c for c in names if c not in shown]
    assert sorted(label.split("（")[0] for label in folded) == sorted(names[c] for c in rest)
    picker.select_index(0).run()  # opens that community's page, as its link would
    assert not at.exception
    heading = " ".join(t.value for t in [*at.title, *at.header, *at.subheader])
    assert folded[0].split("（")[0] in heading


def test_picking_a_folded_township_narrows_the_page_to_it(
    province_db: Path, users_file: Path, monkeypatch: Any
) -> None:
    from tests.conftest import open_as

    monkeypatch.setenv("ORGDASH_DB", str(province_db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    at = open_as("admin", "views/overview.py")
    drawn = [b for b in at.button if b.key.startswith("ov_town_")]
    assert len(drawn) == 8, "the two-county warehouse should have more than eight low townships"
    picker = at.selectbox(key="ov_more_townships")
    name = picker.options[0].split("：")[0]
    picker.select_index(0).run()
    assert not at.exception
    chosen = at.sidebar.selectbox(key="f_township")
    assert chosen.value is not None and name in chosen.format_func(chosen.value)
