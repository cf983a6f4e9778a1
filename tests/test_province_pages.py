"""A province's warehouse (two counties) with no township chosen: 资金, 监管 and 项目 break the
whole down by county (县（区）), not by township. Two counties' townships share names (城关街道 in
each), and on one chart they would share one bar; a hundred counties' townships are no chart.
Figures against SQL on the tables, not on the marts the pages read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

AS_OF = dt.date(2025, 12, 31)


def _q(db: Path, sql: str, **params: object) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture
def province(province_db, users_file, monkeypatch):
    """open(page, **query_params) -> AppTest of a page on the two-county warehouse."""
    from tests.conftest import open_as

    monkeypatch.setenv("ORGDASH_DB", str(province_db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    return lambda page, **params: open_as("admin", f"views/{page}.py", **params)


def counties(db: Path) -> dict[str, str]:
    return dict(_q(db, "select division_code, name from divisions where level = 'county'"))


def frame_with(at, column: str) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    raise AssertionError(f"no table with column {column}")


def chart(at, title_part: str) -> dict:  # type: ignore[no-untyped-def]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [s for s in specs if title_part in s["layout"]["title"]["text"]]
    assert len(found) == 1, [s["layout"]["title"]["text"] for s in specs]
    return found[0]


def test_the_funding_page_of_a_province_compares_counties(province, province_db):
    names = counties(province_db)
    assert len(names) == 2
    # Every grant of the year in its county, the county's own ones (no township) included.
    expected = dict(
        _q(
            province_db,
            """
            select k.name, sum(g.approved_yuan)
            from grants g
            join divisions d on d.division_code = g.division_code
            join divisions k on k.division_code = left(d.division_code, 6) || '000000'
            where year(g.approved_on) = 2025 and g.approved_on <= $as_of
            group by k.name
            """,
            as_of=AS_OF,
        )
    )
    at = province("funding")
    places = frame_with(at, "人均批复（元/人）")
    assert sorted(places["地区"].to_list()) == sorted(names.values())
    shown = dict(zip(places["地区"], places["批复（万元）"], strict=True))
    assert shown == {k: pytest.approx(float(v) / 10_000, abs=0.005) for k, v in expected.items()}
    spec = chart(at, "各县（区）批复与拨付")
    assert sorted(spec["data"][0]["y"]) == sorted(names.values())
    assert "按县（区）" in [h.value for h in at.subheader]


def test_the_governance_page_of_a_province_counts_reports_per_county(province, province_db):
    names = counties(province_db)
    expected = dict(
        _q(
            province_db,
            """
            select k.name, count(*)
            from annual_reports r
            join organizations o using (org_id)
            join divisions d on d.division_code = o.community_code
            join divisions k on k.division_code = left(d.township_code, 6) || '000000'
            where year(r.due_on) = year($as_of) and r.due_on <= $as_of
            group by k.name
            """,
            as_of=AS_OF,
        )
    )
    assert len(expected) == 2
    at = province("governance")
    table = frame_with(at, "应报").filter(pl.col("县（区）") != "合计")
    assert dict(zip(table["县（区）"], table["应报"], strict=True)) == expected
    spec = chart(at, "各县（区）年检结果")
    assert sorted(spec["data"][0]["y"]) == sorted(names.values())


def test_the_projects_page_of_a_province_shows_linkage_per_county(province, province_db):
    names = counties(province_db)
    communities = dict(
        _q(
            province_db,
            """
            select k.name, count(*)
            from divisions d
            join divisions k on k.division_code = left(d.township_code, 6) || '000000'
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
    (town, n) = _q(
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
