"""社区 page on the demo warehouse: one community beside its township, the county and its peers."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import duckdb
import pytest

from queries.indicators import catalogue

AS_OF = "2025-12-31"
# The tiles are labelled as the indicator catalogue labels the measures (one label per measure).
ORGS = catalogue()["count_active"].label
PER_1000 = catalogue()["per_1000_residents"].label
FUQIAN = "340129001001"  # 府前社区, 城关街道, urban
CHENGGUAN = "340129001000"


def _q(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def _table(at, column: str):
    """The first dataframe on the page that has this column."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column}")


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_community_from_the_link(app, demo_db):
    at = app("views/community.py", community=FUQIAN)
    assert at.title[0].value == "府前社区"
    assert at.selectbox(key="community_pick").value == FUQIAN
    ((count, per_1000),) = _q(
        demo_db,
        f"select count_active, per_1000_residents from community_density(date '{AS_OF}') "
        "where community_code = $c",
        {"c": FUQIAN},
    )
    m = _metrics(at)
    assert m[ORGS] == f"{count}家"
    assert m[PER_1000] == f"{per_1000:.2f}家"
    orgs = _table(at, "组织编号")
    assert len(orgs) == count
    assert orgs["组织名称"].str.contains("府前").all()


def test_peer_comparison(app, demo_db):
    at = app("views/community.py", community=FUQIAN)
    rows = _q(
        demo_db,
        f"select township_code, area_type, count_active, floor_ratio "
        f"from community_density(date '{AS_OF}')",
    )
    urban = [r[2] for r in rows if r[1] == "urban"]
    town = [r[2] for r in rows if r[0] == CHENGGUAN]
    table = _table(at, "比较对象").set_index("比较对象")
    col = "社会组织数（家）"
    assert float(table.loc[f"全县城市社区平均（{len(urban)}个）", col]) == pytest.approx(
        statistics.mean(urban), abs=0.05
    )
    assert float(table.loc["全县城市社区中位数", col]) == pytest.approx(statistics.median(urban))
    assert float(table.loc[f"城关街道平均（{len(town)}个）", col]) == pytest.approx(
        statistics.mean(town), abs=0.05
    )
    assert float(table.loc["全县平均（124个）", col]) == pytest.approx(
        statistics.mean(r[2] for r in rows), abs=0.05
    )
    assert table.index[0] == "本社区（府前社区）"
    # The community's own count is a whole number and reads as one (20, not 20.0).
    shown = table.loc["本社区（府前社区）", col]
    assert "." not in shown and int(shown) == int(
        _q(
            demo_db,
            f"select count_active from community_density(date '{AS_OF}') "
            f"where community_code = '{FUQIAN}'",
        )[0][0]
    )
    # Every rate keeps one decimal, a whole one too (75.0 and 100.0 beside 87.5), and the other
    # figures their catalogue digits (1.64, 2.0): the house style, though the cells are text.
    for header in ("年报报送率（%）", "3A及以上等级占比（%）"):
        cells = [c for c in table[header].to_list() if c != "—"]
        assert cells and all(re.fullmatch(r"\d+\.\d", c) for c in cells), cells
    assert all(re.fullmatch(r"\d+\.\d", c) for c in table["达到国家标准的倍数（倍）"])
    # The comparison chart: one panel per indicator, the community's bar first and in red.
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    comp = next(s for s in specs if len(s["data"]) == 5)
    assert comp["data"][0]["y"][0] == "本社区（府前社区）"
    assert comp["data"][0]["marker"]["color"][0] == "#c0392b"


def test_rural_community_compares_with_villages(app, demo_db):
    code = "340129201201"
    ((name, n_rural),) = _q(
        demo_db,
        "select (select name from divisions where division_code = $c), "
        "(select count(*) from divisions where area_type = 'rural')",
        {"c": code},
    )
    at = app("views/community.py", community=code)
    assert at.title[0].value == name
    table = _table(at, "比较对象")
    assert f"全县农村社区平均（{n_rural}个）" in table["比较对象"].to_list()


def test_first_community_of_the_filtered_township_by_default(app, demo_db):
    ((first,),) = _q(
        demo_db,
        "select min(division_code) from divisions where level = 'community' and township_code = $t",
        {"t": "340129105000"},
    )
    at = app("views/community.py", township="340129105000")
    assert at.selectbox(key="community_pick").value == first
    assert at.query_params["community"] == first  # written back: the view is shareable


def test_picking_another_community_updates_the_link(app, demo_db):
    at = app("views/community.py", community=FUQIAN)
    at.selectbox(key="community_pick").set_value("340129001002").run()
    assert not at.exception
    assert at.title[0].value == "建设社区"
    assert at.query_params["community"] == "340129001002"


def test_field_filter_and_empty_state(app, demo_db):
    # 东城社区 has no 公益慈善 organisation, but it has others.
    dongcheng = "340129003001"
    ((charity, total),) = _q(
        demo_db,
        f"select count(*) filter (where field = 'charity'), count(*) "
        f"from active_organizations(date '{AS_OF}') where community_code = $c",
        {"c": dongcheng},
    )
    assert charity == 0 and total > 0
    at = app("views/community.py", community=dongcheng)
    assert _metrics(at)[ORGS] == f"{total}家"
    at.sidebar.multiselect(key="f_field").set_value(["charity"]).run()
    assert not at.exception
    assert _metrics(at)[ORGS] == "0家"
    assert any("没有“公益慈善”领域的社区社会组织" in i.value for i in at.info)
    with pytest.raises(AssertionError):
        _table(at, "组织编号")


def test_fields_mix_chart(app, demo_db):
    at = app("views/community.py", community=FUQIAN)
    rows = _q(
        demo_db,
        f"select l.label, count(*) from active_organizations(date '{AS_OF}') a "
        "join lookup_field l on l.code = a.field where a.community_code = $c group by 1",
        {"c": FUQIAN},
    )
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    mix = next(s for s in specs if s["layout"].get("title", {}).get("text") == "服务领域构成")
    labels = set(mix["data"][0]["y"])
    assert labels == {r[0] for r in rows}
    totals = dict(zip(mix["data"][2]["y"], mix["data"][2]["x"], strict=True))
    assert totals == dict(rows)


def test_a_link_naming_nothing(app, demo_db):
    at = app("views/community.py", community="999999999999")
    assert "不存在" in at.warning[0].value
    ((first,),) = _q(demo_db, "select min(division_code) from divisions where level = 'community'")
    assert at.selectbox(key="community_pick").value == first


def test_annual_reports_and_funding_of_the_community(app, demo_db):
    at = app("views/community.py", community=FUQIAN)
    ((due, submitted),) = _q(
        demo_db,
        "select count(*), count(*) filter (where r.submitted_on <= date '2025-12-31') "
        "from annual_reports r join organizations o using (org_id) "
        "where o.community_code = $c and r.report_year = 2024",
        {"c": FUQIAN},
    )
    assert _metrics(at)["2024年度年报报送率"] == f"{submitted / due * 100:.1f}%"
    assert len(_table(at, "报送情况")) == due
    ((n_grants,),) = _q(
        demo_db,
        "select count(*) from grants g left join organizations o using (org_id) "
        "where coalesce(o.community_code, g.division_code) = $c",
        {"c": FUQIAN},
    )
    assert len(_table(at, "项目名称")) == n_grants


@pytest.fixture(scope="module")
def province_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two counties (248 communities): more than the page lists in one picker."""
    from demo.synthetic import generate
    from etl.pipeline import load_dir

    raw = tmp_path_factory.mktemp("province") / "raw"
    generate(raw, scale=2)
    db = raw.parent / "warehouse.duckdb"
    load_dir(raw, db)
    return db


def test_at_province_scale_the_township_is_picked_first(app, province_db, monkeypatch):
    monkeypatch.setenv("ORGDASH_DB", str(province_db))
    con = duckdb.connect(str(province_db), read_only=True)
    towns = con.sql(
        "select division_code from divisions where level = 'township' order by 1"
    ).fetchall()
    other = con.sql(
        "select division_code, township_code from divisions where level = 'community' "
        "and township_code = $t order by 1 limit 1",
        params={"t": towns[-1][0]},
    ).fetchall()[0]
    con.close()

    at = app("views/community.py")
    town = at.selectbox(key="community_township")
    assert len(town.options) == len(towns)
    pick = at.selectbox(key="community_pick")
    assert 0 < len(pick.options) < 40  # one township's communities, not all 248

    at = app("views/community.py", community=other[0])  # a link into another county's township
    assert at.selectbox(key="community_township").value == other[1]
    assert at.selectbox(key="community_pick").value == other[0]


def test_the_picked_community_stays_put_across_reruns(app, province_db, monkeypatch):
    # Regression: Streamlit keeps a selectbox choice by its label, and two counties' communities
    # that read the same (城关街道 · 东门社区) made the pick jump to the other county on a rerun.
    monkeypatch.setenv("ORGDASH_DB", str(province_db))
    con = duckdb.connect(str(province_db), read_only=True)
    twins = con.sql(
        """select min(c.division_code) from divisions c join divisions t on t.division_code = c.township_code
           where c.level = 'community' group by t.name, c.name having count(*) > 1 order by 1"""
    ).fetchall()
    con.close()
    assert twins, "the two demo counties share community names, as real counties do"
    code = twins[0][0]
    at = app("views/community.py", community=code)
    assert at.selectbox(key="community_pick").value == code
    at.run()
    assert at.selectbox(key="community_pick").value == code
    assert at.query_params["community"] == code


def test_community_programmes_match_sql(app, demo_db):
    at = app("views/community.py", community=FUQIAN)
    m = _metrics(at)
    ((n, people),) = _q(
        demo_db,
        """select count(*), coalesce(sum(beneficiaries), 0) from micro_projects
           where community_code = $c and year(start_on) = 2025 and status <> 'cancelled'""",
        {"c": FUQIAN},
    )
    assert m["2025年微项目"] == f"{n}个"
    delta = next(x for x in at.metric if x.label == "2025年微项目").proto.delta
    assert delta.startswith(f"受益{people:,}人次")
    ((residents, population),) = _q(
        demo_db,
        """select count(distinct resident_id), any_value(d.population) from points_ledger l
           join divisions d on d.division_code = l.community_code
           where l.community_code = $c and l.earned_on > date '2024-12-31'""",
        {"c": FUQIAN},
    )
    assert residents > 0  # 府前社区 is in the demo's points pilot
    assert m["积分制参与（每千人）"] == f"{residents * 1000 / population:.1f}人"
    rooms = _q(demo_db, "select count(*) from lounges where community_code = $c", {"c": FUQIAN})
    assert m["睦邻客厅"] == f"{rooms[0][0]}个"
    listed = _table(at, "实施组织")
    total = _q(
        demo_db, "select count(*) from micro_projects where community_code = $c", {"c": FUQIAN}
    )[0][0]
    assert len(listed) == total and listed["名称"].str.endswith("微项目").all()


def test_a_community_outside_the_points_pilot_says_so(app, demo_db):
    ((code,),) = _q(
        demo_db,
        """select division_code from divisions where level = 'community'
           and division_code not in (select community_code from points_ledger)
           order by division_code limit 1""",
    )
    at = app("views/community.py", community=code)
    metric = next(x for x in at.metric if x.label == "积分制参与（每千人）")
    assert metric.value == "—" and metric.proto.delta == "本社区尚未试点积分制"
