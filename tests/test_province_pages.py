"""A province's warehouse (two counties) with no township chosen: 资金, 监管 and 项目 break the
whole down by county (县（区）), not by township. Two counties' townships share names (城关街道 in
each), and on one chart they would share one bar; a hundred counties' townships are no chart.
Figures against SQL on the tables, not on the marts the pages read."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.dbutil import sql
from tests.test_page_funding import frame_with

AS_OF = dt.date(2025, 12, 31)


@pytest.fixture
def province(province_db, users_file, monkeypatch):
    """open(page, **query_params) -> AppTest of a page on the two-county warehouse."""
    from tests.conftest import open_as

    monkeypatch.setenv("ORGDASH_DB", str(province_db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    return lambda page, **params: open_as("admin", f"views/{page}.py", **params)


def counties(db: Path) -> dict[str, str]:
    return dict(sql(db, "select division_code, name from divisions where level = 'county'"))


def chart(at, title_part: str) -> dict:  # type: ignore[no-untyped-def]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [s for s in specs if title_part in s["layout"]["title"]["text"]]
    assert len(found) == 1, [s["layout"]["title"]["text"] for s in specs]
    return found[0]


def approved_per_county(db: Path) -> dict[str, float]:
    """Every grant of the year in its county, the county's own ones (no township) included; a
    township's county is its parent (as on the map), not its code's first six digits."""
    rows = sql(
        db,
        """
        select k.name, sum(g.approved_yuan)
        from grants g
        join divisions d on d.division_code = g.division_code
        left join divisions t on t.division_code = d.township_code
        join divisions k on k.division_code = coalesce(t.parent_code, d.division_code)
        where year(g.approved_on) = 2025 and g.approved_on <= $as_of
        group by k.name
        """,
        as_of=AS_OF,
    )
    return {name: float(v) for name, v in rows}


def reports_due_per_county(db: Path) -> dict[str, int]:
    return dict(
        sql(
            db,
            """
            select k.name, count(*)
            from annual_reports r
            join organizations o using (org_id)
            join divisions d on d.division_code = o.community_code
            join divisions t on t.division_code = d.township_code
            join divisions k on k.division_code = t.parent_code
            where year(r.due_on) = year($as_of) and r.due_on <= $as_of
            group by k.name
            """,
            as_of=AS_OF,
        )
    )


def check_funding(at, expected: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    places = frame_with(at, "人均批复（元/人）")
    shown = dict(zip(places["地区"], places["批复（万元）"], strict=True))
    assert shown == {k: pytest.approx(v / 10_000, abs=0.005) for k, v in expected.items()}
    spec = chart(at, "各县（区）批复与拨付")
    assert sorted(spec["data"][0]["y"]) == sorted(expected)


def check_governance(at, expected: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    table = frame_with(at, "应报").filter(pl.col("县（区）") != "合计")
    assert dict(zip(table["县（区）"], table["应报"], strict=True)) == expected
    spec = chart(at, "各县（区）年检结果")
    assert sorted(spec["data"][0]["y"]) == sorted(expected)


def test_the_funding_page_of_a_province_compares_counties(province, province_db):
    expected = approved_per_county(province_db)
    assert sorted(expected) == sorted(counties(province_db).values())
    at = province("funding")
    check_funding(at, expected)
    assert "按县（区）" in [h.value for h in at.subheader]


def test_the_governance_page_of_a_province_counts_reports_per_county(province, province_db):
    expected = reports_due_per_county(province_db)
    assert sorted(expected) == sorted(counties(province_db).values())
    check_governance(province("governance"), expected)


def test_a_township_counts_in_the_county_it_belongs_to_not_the_one_its_code_says(
    province_db, users_file, monkeypatch, tmp_path
):
    """A township whose parent is not the county its code begins with (a boundary moved, say:
    the load checks the parent exists and is a county, not its digits) counts in its parent,
    as the map draws it."""
    from tests.conftest import open_as

    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(province_db, db)
    con = duckdb.connect(str(db))
    try:
        (a, b) = [
            r[0]
            for r in con.execute(
                "select division_code from divisions where level = 'county' order by 1"
            ).fetchall()
        ]
        ((town,),) = con.execute(
            "select min(division_code) from divisions where level = 'township' and parent_code = ?",
            [a],
        ).fetchall()
        con.execute("update divisions set parent_code = ? where division_code = ?", [b, town])
    finally:
        con.close()
    before = reports_due_per_county(province_db)
    moved = reports_due_per_county(db)
    assert moved != before  # the township has reports to move
    monkeypatch.setenv("ORGDASH_DB", str(db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    check_governance(open_as("admin", "views/governance.py"), moved)
    check_funding(open_as("admin", "views/funding.py"), approved_per_county(db))


def test_the_projects_page_of_a_province_shows_linkage_per_county(province, province_db):
    names = counties(province_db)
    communities = dict(
        sql(
            province_db,
            """
            select k.name, count(*)
            from divisions d
            join divisions t on t.division_code = d.township_code
            join divisions k on k.division_code = t.parent_code
            where d.level = 'community'
            group by k.name
            """,
        )
    )
    at = province("projects")
    table = frame_with(at, "联动覆盖率（%）")
    assert dict(zip(table["县（区）"], table["社区（村）（个）"], strict=True)) == communities
    assert sorted(communities) == sorted(names.values())


def test_a_township_of_a_province_still_shows_its_communities(province, province_db):
    (town, n) = sql(
        province_db,
        """select township_code, count(*) from divisions where level = 'community'
           group by 1 order by 1 desc limit 1""",
    )[0]
    at = province("projects", township=town)
    table = frame_with(at, "联动覆盖率（%）")
    assert table.height == n
    assert "社区（村）" in table.columns


def test_only_long_tile_values_carry_their_length():
    """A value wider than every tile's room at full size gets a key naming its width in em, which
    mobile.CSS turns into a smaller font; short ones add no element."""
    from dashboard.widgets import fit_class

    assert fit_class("2,216家") is None
    assert fit_class("15,133家") is None
    assert fit_class("1.48亿元") is None
    assert fit_class("22.16万家") == "tile_ems5"
    assert fit_class("156.75万人次") == "tile_ems6"
    assert fit_class("1,234,567.89万元人次") == "tile_ems8"  # the last rule takes any longer


def test_two_tiles_that_read_the_same_long_value_both_draw():
    """Two tiles with one label and one long value (each gets a keyed container) do not collide
    in Streamlit's duplicate-key check."""
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import streamlit as st

        from dashboard import widgets

        a, b = st.columns(2)
        widgets.changed(a, "受益群众", "156.75万人次", None, None)
        widgets.changed(b, "受益群众", "156.75万人次", None, None)

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["156.75万人次", "156.75万人次"]


def test_the_overview_of_a_province_names_each_townships_county(province, province_db):
    """A province's league lists every township with its county (its parent), and pickers read
    Xx县·城关街道, not a 城关街道 with a code in brackets."""
    towns = dict(
        sql(
            province_db,
            """
            select t.division_code, k.name || '·' || t.name
            from divisions t join divisions k on k.division_code = t.parent_code
            where t.level = 'township'
            """,
        )
    )
    at = province("overview")
    league = frame_with(at, "年报报送率")
    assert league.columns[:2] == ["县（区）", "乡镇（街道）"]
    shown = sorted(
        f"{k}·{t}" for k, t in zip(league["县（区）"], league["乡镇（街道）"], strict=True)
    )
    assert shown == sorted(towns.values())
    picker = at.selectbox(key="f_township")
    assert sorted(o for o in picker.options if o != "全县") == sorted(towns.values())
