"""Every figure that states a total agrees with its parts, as the pages show them (issue 20).

A leader adds up what a page puts side by side: 登记 + 备案, 城市 + 农村, the fields' bars, the
township league, the status tiles of the annual reports. Each test reads the page's own tiles,
charts and tables (not the SQL behind them), so a page that filters one part differently from its
total fails here.
"""

from __future__ import annotations

import json
import re

import pytest

from queries.indicators import catalogue
from tests.dbutil import sql

ORGS = catalogue()["count_active"].label  # every page labels the measure as the catalogue does


def number(text: str) -> float:
    """The first figure of a tile or heading: '2,216家' → 2216, '302.98万元' → 3029800."""
    m = re.search(r"[−-]?[\d,]+(\.\d+)?", text)
    assert m, text
    value = float(m.group().replace(",", "").replace("−", "-"))
    return value * 10_000 if "万元" in text[m.end() : m.end() + 2] else value


def tiles(at) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {m.label: number(m.value) for m in at.metric}


def chart(at, title: str) -> dict:  # type: ignore[no-untyped-def]
    """The spec of the chart whose title contains `title`."""
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        text = (spec["layout"].get("title") or {}).get("text") or ""
        if title in text:
            return spec
    raise AssertionError(f"no chart titled …{title}…")


def trace_total(spec: dict, name: str | None = None, axis: str = "x") -> float:
    traces = [t for t in spec["data"] if name is None or t.get("name") == name]
    assert traces, [t.get("name") for t in spec["data"]]
    return sum(v for t in traces for v in t[axis] if v is not None)


@pytest.fixture(params=[{}, {"township": "340129105000"}, {"field": "mutual_aid"}])
def scope(request):  # type: ignore[no-untyped-def]
    """The whole county, one township (和集镇), one field: the parts must add up under each."""
    return request.param


def test_overview_total_is_its_forms_its_areas_its_fields_and_its_townships(app, demo_db, scope):
    at = app("views/overview.py", **scope)
    t = tiles(at)
    total = t["登记备案社区社会组织"]
    assert total > 0
    assert t["登记"] + t["备案"] == total
    assert t["城市社区社会组织"] + t["农村社区社会组织"] == total
    assert trace_total(chart(at, "各服务领域社区社会组织数")) == total
    league = at.dataframe[0].value  # every township, the chosen one among them
    if "township" in scope:
        name = sql(
            demo_db, "select name from divisions where division_code = $c", c=scope["township"]
        )[0][0]
        row = league[league["乡镇（街道）"] == name]
        assert row[ORGS].tolist() == [total]
    else:
        assert league[ORGS].sum() == total


def test_overview_floor_tile_says_it_counts_every_field_under_a_field_filter(app, demo_db):
    """The national floor counts a community's organisations of every field: under a field filter
    the tile says so next to the figure instead of setting 3.5 per village beside 118/124."""
    at = app("views/overview.py", field="resident_services")
    floor = next(m for m in at.metric if m.label.startswith("达标的社区和村"))
    assert "全部领域" in floor.label
    met, all_ = sql(
        demo_db,
        "select count(*) filter (where meets_floor), count(*)"
        " from community_density((select as_of_date from warehouse_info))",
    )[0]
    assert floor.value == f"{met}/{all_}"


def test_governance_report_statuses_add_up_to_what_was_due(app, scope):
    at = app("views/governance.py", **scope)
    t = tiles(at)
    assert t["按时报送"] + t["逾期报送"] + t["逾期未报"] == t["应报"]
    assert t["按时报送"] + t["逾期报送"] == t["已报送"]
    results = sum(v for k, v in t.items() if k.startswith("结果："))
    assert results == t["应报"]
    checks = t[next(k for k in t if k.endswith("年抽查"))]
    assert t["合规"] + t["整改"] + t["违规"] == checks


def test_governance_credit_ratings_shares_add_up_to_a_whole(app):
    at = app("views/governance.py")
    shares = [
        float(m.proto.delta.removeprefix("占 ").rstrip("%"))
        for m in at.metric
        if re.match(r"[ABCD]（", m.label)
    ]
    assert len(shares) == 4
    assert sum(shares) == pytest.approx(100, abs=0.2)  # each share rounded to one decimal


def test_community_total_is_its_forms_and_its_fields(app, demo_db):
    code = sql(
        demo_db,
        "select community_code from community_density((select as_of_date from warehouse_info))"
        " order by count_active desc limit 1",
    )[0][0]
    at = app("views/community.py", community=code)
    t = tiles(at)
    total = t[ORGS]
    parts = next(m for m in at.metric if m.label == ORGS).proto.delta  # 登记4 · 备案16
    registered, filed = (int(x) for x in re.findall(r"\d+", parts))
    assert registered + filed == total
    heading = next(s.value for s in at.subheader if s.value.startswith("社区社会组织（"))
    assert number(heading) == total
    mix = chart(at, "服务领域构成")
    assert trace_total(mix, "登记") == registered
    assert trace_total(mix, "备案") == filed


def test_funding_sources_add_up_to_the_approved_total(app, scope):
    at = app("views/funding.py", **scope)
    t = tiles(at)
    approved = t.get("批复金额", t.get("批复金额（筛选范围）"))
    assert approved is not None, list(t)
    # The bars are in 万元 rounded to two decimals, the tile too: at most ½ 分 of 万元 per bar apart.
    by_source = chart(at, "分资金来源")
    bars = len(by_source["data"][0]["y"])
    assert trace_total(by_source, "批复", axis="y") * 10_000 == pytest.approx(
        approved, abs=50 * bars
    )
    by_purpose = chart(at, "分用途批复与拨付")
    bars = len(by_purpose["data"][0]["x"])
    assert trace_total(by_purpose, "批复") * 10_000 == pytest.approx(approved, abs=50 * bars)
