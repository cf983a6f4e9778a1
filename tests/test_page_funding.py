"""资金 page on the demo warehouse: figures against direct SQL on the base tables, filters, charts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from dashboard import formats as fmt
from dashboard.charts import funding as charts
from tests.dbutil import sql

PAGE = "views/funding.py"


def money(db: Path, year: int, cutoff: dt.date, where: str = "true", **params: object) -> dict:
    """Budget, approved, disbursed straight from the base tables (grants with their place)."""
    budget = sql(db, "select sum(budget_yuan) from fund_budgets where year = $y", y=year)[0][0]
    scope = f"""
        from grants g
        join divisions d on d.division_code = g.division_code
        left join organizations o on o.org_id = g.org_id
        where g.year = $y and g.approved_on <= $c and ({where})
    """
    approved, count = sql(
        db, f"select sum(g.approved_yuan), count(*) {scope}", y=year, c=cutoff, **params
    )[0]
    paid = sql(
        db,
        f"""select sum(p.amount_yuan) from disbursements p
            where p.paid_on <= $c and p.grant_id in (select g.grant_id {scope})""",
        y=year,
        c=cutoff,
        **params,
    )[0][0]
    return {"budget": budget, "approved": approved, "paid": paid, "count": count}


def metrics(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.label: m.value for m in at.metric}


def frame_with(at, column: str) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    raise AssertionError(f"no table with column {column}")


def chart(at, title_part: str) -> dict:  # type: ignore[no-untyped-def]
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        title = (spec["layout"].get("title") or {}).get("text") or ""
        if title_part in title:
            return spec
    raise AssertionError(f"no chart titled …{title_part}…")


@pytest.fixture(scope="module")
def county_page(demo_db: Path, users_file: Path):
    """The page with the default filters (2025, whole county): opened once for several checks."""
    from tests.conftest import page_once

    with page_once(demo_db, users_file, PAGE) as at:
        yield at


def test_tiles_2025_match_sql_with_change_on_2024(county_page, demo_db):
    cur = money(demo_db, 2025, dt.date(2025, 12, 31))
    prev = money(demo_db, 2024, dt.date(2024, 12, 31))
    shown = metrics(county_page)
    assert shown["年度预算（全县）"] == fmt.yuan(cur["budget"])
    assert shown["批复金额"] == fmt.yuan(cur["approved"])
    assert shown["已拨付"] == fmt.yuan(cur["paid"])
    rate, prev_rate = float(cur["paid"] / cur["budget"]), float(prev["paid"] / prev["budget"])
    assert shown["预算执行率"] == fmt.rate(rate)
    tile = next(m for m in county_page.metric if m.label == "预算执行率")
    # The demo's current year is still being paid out: execution well below last year's, written
    # as every page writes a change (a real minus, 比上年 first) with a red arrow down.
    assert rate < prev_rate
    assert tile.proto.delta == f"比上年 −{(prev_rate - rate) * 100:.1f}个百分点"
    assert tile.proto.direction == tile.proto.MetricDirection.DOWN
    assert tile.proto.color == tile.proto.MetricColor.RED
    approved = next(m for m in county_page.metric if m.label == "批复金额").proto.delta
    diff = float(cur["approved"] - prev["approved"])
    sign = "+" if diff >= 0 else "−"
    assert approved == f"比上年 {sign}{fmt.yuan(abs(diff))}"


def test_county_special_fund_at_least_two_million_every_year(county_page, demo_db):
    budgets = dict(
        sql(
            demo_db,
            "select year, budget_yuan from fund_budgets where fund_source = 'county_special_fund'",
        )
    )
    assert sorted(budgets) == [2021, 2022, 2023, 2024, 2025]
    assert all(b >= 2_000_000 for b in budgets.values())
    table = frame_with(county_page, "预算（万元）").filter(pl.col("资金来源") == "县级专项资金")
    shown = dict(zip(table["年度"], table["预算（万元）"], strict=True))
    assert shown == {y: pytest.approx(float(b) / 10_000) for y, b in budgets.items()}


@pytest.mark.parametrize("year", [2024, 2025])
def test_year_table_execution_rate_at_each_year_end(county_page, demo_db, year):
    expected = money(demo_db, year, dt.date(year, 12, 31))
    table = frame_with(county_page, "预算执行率").filter(
        (pl.col("年度") == year) & (pl.col("资金来源") == "合计")
    )
    row = table.row(0, named=True)
    assert row["预算（万元）"] == pytest.approx(float(expected["budget"]) / 10_000)
    assert row["批复（万元）"] == pytest.approx(float(expected["approved"]) / 10_000)
    assert row["拨付（万元）"] == pytest.approx(float(expected["paid"]) / 10_000)
    rate = float(expected["paid"] / expected["budget"]) * 100
    assert row["预算执行率"] == pytest.approx(rate, abs=0.05)


def test_top_grant_is_the_largest_approved(county_page, demo_db):
    gid, approved, org = sql(
        demo_db,
        """select g.grant_id, g.approved_yuan, o.name from grants g
           left join organizations o using (org_id)
           where g.year = 2025 order by g.approved_yuan desc, g.grant_id limit 1""",
    )[0]
    paid = sql(
        demo_db,
        "select coalesce(sum(amount_yuan), 0) from disbursements where grant_id = $g",
        g=gid,
    )[0][0]
    top = frame_with(county_page, "项目名称").filter(pl.col("项目编号").str.starts_with("ZJ2025"))
    assert top.height == 20
    first = top.row(0, named=True)
    assert first["项目编号"] == gid
    assert first["受助组织"] == (org or "—")
    assert first["批复（万元）"] == pytest.approx(float(approved) / 10_000)
    assert first["拨付率"] == pytest.approx(round(float(paid / approved) * 100, 1))


def test_monthly_curve_ends_at_the_years_disbursed_total(county_page, demo_db):
    spec = chart(county_page, "月度累计拨付")
    traces = {t["name"]: t for t in spec["data"]}
    assert set(traces) == {"2025年累计拨付", "2024年累计拨付", "2025年预算（全县）"}
    assert traces["2025年累计拨付"]["x"][-1] == "12月"
    paid_2025 = money(demo_db, 2025, dt.date(2025, 12, 31))["paid"]
    paid_2024 = money(demo_db, 2024, dt.date(2024, 12, 31))["paid"]
    assert traces["2025年累计拨付"]["y"][-1] == pytest.approx(float(paid_2025) / 10_000)
    assert traces["2024年累计拨付"]["y"][-1] == pytest.approx(float(paid_2024) / 10_000)
    budget = money(demo_db, 2025, dt.date(2025, 12, 31))["budget"]
    assert traces["2025年预算（全县）"]["y"][0] == pytest.approx(float(budget) / 10_000)
    cumulative = traces["2025年累计拨付"]["y"]
    assert cumulative == sorted(cumulative)


def test_chart_specs_are_chinese(county_page):
    spec = chart(county_page, "分年度预算、批复与拨付（全县）")
    assert [t["name"] for t in spec["data"]] == ["预算", "批复", "拨付", "预算执行率"]
    assert spec["data"][0]["x"] == [f"{y}年" for y in range(2021, 2026)]
    spec = chart(county_page, "分资金来源")
    assert spec["data"][0]["x"] == ["县级专项资金", "上级补助", "福彩公益金", "慈善捐赠"]
    spec = chart(county_page, "分用途")
    assert spec["data"][0]["y"] == ["项目资助", "人员培训", "场地租赁", "表彰奖励", "平台运营"]
    spec = chart(county_page, "受助组织的服务领域")
    assert spec["data"][0]["y"][-1] == "无组织（培训/平台等）"
    spec = chart(county_page, "各乡镇（街道）批复与拨付")
    assert spec["data"][0]["y"][-1] == "县本级（不分乡镇）"
    assert len(spec["data"][0]["y"]) == 13
    spec = chart(county_page, "人均批复资金")
    assert spec["data"][0]["name"] == "人均批复资金"
    assert "县本级（不分乡镇）" not in spec["data"][0]["x"]


def test_lag_list_matches_sql_for_a_lag_setting(county_page, demo_db):
    at = county_page
    at.number_input(key="funding_lag_days").set_value(180).run()
    at.radio(key="funding_lag_threshold").set_value(0.5).run()
    expected = [
        r[0]
        for r in sql(
            demo_db,
            """with paid as (select grant_id, sum(amount_yuan) as paid from disbursements
                             where paid_on <= date '2025-12-31' group by grant_id)
               select g.grant_id from grants g left join paid p using (grant_id)
               where date '2025-12-31' - g.approved_on > 180
                 and coalesce(p.paid, 0) / g.approved_yuan < 0.5
               order by date '2025-12-31' - g.approved_on desc, g.grant_id""",
        )
    ]
    assert expected, "the demo has grants waiting for money"
    lag = frame_with(at, "批复后天数")
    assert lag["项目编号"].to_list() == expected
    assert all(r < 50 for r in lag["拨付率"].to_list())
    assert all(d > 180 for d in lag["批复后天数"].to_list())
    # Back to the default so later tests in this module see the page as it opens.
    at.number_input(key="funding_lag_days").set_value(90).run()
    at.radio(key="funding_lag_threshold").set_value(1.0).run()
    assert frame_with(at, "批复后天数").height > len(expected)


def test_township_filter_narrows_approved_and_keeps_the_budget_county_wide(app, demo_db):
    code, name = sql(
        demo_db,
        "select division_code, name from divisions where level = 'township' order by 1 limit 1 offset 8",
    )[0]
    at = app(PAGE)
    at.sidebar.selectbox(key="f_township").set_value(code).run()
    assert not at.exception
    expected = money(demo_db, 2025, dt.date(2025, 12, 31), "d.township_code = $t", t=code)
    county = money(demo_db, 2025, dt.date(2025, 12, 31))
    shown = metrics(at)
    assert shown["批复金额（筛选范围）"] == fmt.yuan(expected["approved"])
    assert shown["已拨付（筛选范围）"] == fmt.yuan(expected["paid"])
    assert shown["预算执行率（全县）"] == fmt.rate(float(county["paid"] / county["budget"]))
    assert "年度预算（全县）" not in shown  # no township spending set against the county budget
    assert any("预算按全县编制" in i.value for i in at.info)
    # One township: its communities plus a row for the township's own spending, adding up.
    place = frame_with(at, "常住人口")
    assert place["地区"].to_list()[-1] == f"{name}本级"
    assert place["批复（万元）"].sum() == pytest.approx(float(expected["approved"]) / 10_000)
    spec = chart(at, "月度累计拨付")
    assert "2025年批复总额（筛选范围）" in [t["name"] for t in spec["data"]]
    assert not any("预算" in t["name"] for t in spec["data"])


def test_area_and_year_filters(app, demo_db):
    at = app(PAGE)
    at.sidebar.selectbox(key="f_year").set_value(2024).run()
    county = money(demo_db, 2024, dt.date(2024, 12, 31))
    assert metrics(at)["批复金额"] == fmt.yuan(county["approved"])
    assert metrics(at)["预算执行率"] == fmt.rate(float(county["paid"] / county["budget"]))
    at.sidebar.radio(key="f_area").set_value("rural").run()
    rural = money(demo_db, 2024, dt.date(2024, 12, 31), "d.area_type = 'rural'")
    assert metrics(at)["批复金额（筛选范围）"] == fmt.yuan(rural["approved"])
    assert rural["approved"] < county["approved"]


def test_field_filter_leaves_out_grants_without_an_organisation(app, demo_db):
    at = app(PAGE, field="charity")
    expected = money(demo_db, 2025, dt.date(2025, 12, 31), "o.field = 'charity'")
    assert metrics(at)["批复金额（筛选范围）"] == fmt.yuan(expected["approved"])
    fields = frame_with(at, "受助组织数")["服务领域"].to_list()
    assert fields == ["公益慈善"]


def test_empty_state_for_a_township_and_field_without_grants(app, demo_db):
    town, field = sql(
        demo_db,
        """select t.division_code, f.code from divisions t, lookup_field f
           where t.level = 'township' and not exists (
               select 1 from grants g join divisions d on d.division_code = g.division_code
               join organizations o on o.org_id = g.org_id
               where g.year = 2025 and d.township_code = t.division_code and o.field = f.code)
           order by 1, 2 limit 1""",
    )[0]
    at = app(PAGE, township=town, field=field)
    assert not at.exception
    assert metrics(at)["批复金额（筛选范围）"] == "0元"
    assert any("没有2025年批复的资助项目" in i.value for i in at.info)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not any("分用途" in t or "月度" in t for t in titles)


# ---- chart builders on tiny frames -----------------------------------------------------------


def _years(**extra: list) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "label": ["2024年", "2025年"],
            "budget_yuan": [300_000, 400_000],
            "approved_yuan": [250_000, 350_000],
            "disbursed_yuan": [200_000, 100_000],
            "execution_rate": [2 / 3, 0.25],
            "paid_rate": [0.8, 100 / 350],
            **extra,
        }
    )


def test_by_year_drops_the_budget_when_filtered():
    county = charts.by_year(_years(), county_wide=True)
    assert [t.name for t in county.data] == ["预算", "批复", "拨付", "预算执行率"]
    assert list(county.data[0].y) == [30.0, 40.0]  # 万元
    assert county.data[3].text[1] == "25.0%"
    scoped = charts.by_year(_years(), county_wide=False)
    assert [t.name for t in scoped.data] == ["批复", "拨付", "拨付率"]
    assert "筛选范围" in scoped.layout.title.text


def test_monthly_stops_after_the_as_of_month_and_draws_the_reference():
    frame = pl.DataFrame(
        {
            "period": ["current"] * 3 + ["previous"] * 3,
            "year": [2025] * 3 + [2024] * 3,
            "month": [1, 2, 3] * 2,
            "cumulative_paid_yuan": [10_000, 30_000, None, 5_000, 20_000, 60_000],
        }
    )
    fig = charts.monthly(frame, 100_000, "2025年预算（全县）", "月度累计拨付")
    names = [t.name for t in fig.data]
    assert names == ["2024年累计拨付", "2025年累计拨付", "2025年预算（全县）"]
    assert list(fig.data[1].y) == [1.0, 3.0, None]
    assert list(fig.data[2].y) == [10.0] * 12
    assert len(charts.monthly(frame, None, "", "t").data) == 2


def test_per_resident_sorts_and_marks_the_average():
    frame = pl.DataFrame(
        {"label": ["甲镇", "乙镇", "丙乡"], "approved_per_resident_yuan": [2.0, 9.5, None]}
    )
    fig = charts.per_resident(frame, "人均", 5.0)
    assert list(fig.data[0].x) == ["乙镇", "甲镇", "丙乡"]
    assert fig.layout.annotations[0].text == "平均 5.00元/人"
