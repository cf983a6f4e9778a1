"""The phone view, short links and the 大屏 screen: AppTests on the demo warehouse, links.py alone.

Browser checks (widths, scrolling, screenshots) are in tests/test_browser_screens.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from access import links
from queries.indicators import catalogue
from tests.dbutil import sql

ORGS = catalogue()["count_active"].label  # every page labels the measure as the catalogue does

AS_OF = dt.date(2025, 12, 31)
PREV = dt.date(2024, 12, 31)
FUQIAN = "340129001001"  # 府前社区, 城关街道
CHENGGUAN = "340129001000"


@pytest.fixture
def links_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own links file (the app runs in this process, so it sees the variable)."""
    path = tmp_path / "links.json"
    monkeypatch.setenv("ORGDASH_LINKS", str(path))
    return path


# ---------------------------------------------------------------- access/links.py


def test_same_view_gives_the_same_code_and_another_view_another(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGDASH_LINKS", raising=False)
    db = tmp_path / "warehouse.duckdb"  # need not exist: the links file only sits beside it
    a = links.create("community", {"year": "2025", "community": FUQIAN}, db)
    # Parameter order, numbers given as numbers, and the device flag m do not make a new view.
    assert links.create("community", {"community": FUQIAN, "year": 2025, "m": "1"}, db) == a
    b = links.create("community", {"year": "2024", "community": FUQIAN}, db)
    c = links.create("map", {"year": "2025", "community": FUQIAN}, db)
    assert len({a, b, c}) == 3
    assert links.resolve(a, db) == ("community", {"community": FUQIAN, "year": "2025"})
    assert links.resolve(b, db) == ("community", {"community": FUQIAN, "year": "2024"})
    assert links.resolve(c, db) == ("map", {"community": FUQIAN, "year": "2025"})


def test_codes_are_long_random_and_stored_beside_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGDASH_LINKS", raising=False)
    db = tmp_path / "wh" / "warehouse.duckdb"
    codes = [links.create("overview", {"year": str(y)}, db) for y in range(2000, 2040)]
    assert all(re.fullmatch(r"[A-Za-z0-9]{10}", c) for c in codes)
    assert not set("0O1lI") & set("".join(codes))  # no look-alikes to misread
    assert len(set(codes)) == len(codes)
    # Not counted up or derived from the view: consecutive views share no common prefix pattern.
    assert len({c[:3] for c in codes}) > 30
    stored = json.loads((tmp_path / "wh" / "links.json").read_text(encoding="utf-8"))
    assert set(stored["links"]) == set(codes)
    assert [p.name for p in (tmp_path / "wh").iterdir() if p.name.startswith(".links-")] == []


@pytest.mark.parametrize("code", ["ABCDEFGHJK", "abc", "", "../../etc/passwd", "ABCDEFGHJK0"])
def test_unknown_or_malformed_code_resolves_to_nothing(tmp_path, code):
    db = tmp_path / "warehouse.duckdb"
    links.create("overview", {"year": "2025"}, db)
    assert links.resolve(code, db) is None


def test_a_links_file_broken_by_hand_is_reported_not_overwritten(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    (tmp_path / "links.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RuntimeError, match="短链接文件无法读取"):
        links.create("overview", {"year": "2025"}, db)
    assert (tmp_path / "links.json").read_text(encoding="utf-8") == "{not json"


# ---------------------------------------------------------------- short links in the app


def test_short_link_opens_the_page_with_its_filters_and_parameters(app, demo_db, links_file):
    code = links.create(
        "community", {"year": "2024", "township": CHENGGUAN, "community": FUQIAN}, demo_db
    )
    at = app(v=code)
    assert not at.warning
    assert at.title[0].value == "府前社区"
    assert dict(at.query_params) == {"year": "2024", "township": CHENGGUAN, "community": FUQIAN}
    assert at.sidebar.selectbox(key="f_year").value == 2024
    assert at.sidebar.selectbox(key="f_township").value == CHENGGUAN
    # The figures are 2024's: organisations of 府前社区 active on 31 December 2024.
    ((n,),) = sql(
        demo_db,
        "select count(*) from organizations where community_code = $c and established_on <= $d"
        " and (dissolved_on is null or dissolved_on > $d)",
        c=FUQIAN,
        d=PREV,
    )
    assert {m.label: m.value for m in at.metric}[ORGS] == f"{n}家"


def test_short_link_to_the_overview_with_an_area_filter(app, demo_db, links_file):
    code = links.create("overview", {"year": "2025", "area": "rural"}, demo_db)
    at = app(v=code)
    assert at.title[0].value.endswith("社区社会组织总览")
    assert at.sidebar.radio(key="f_area").value == "rural"
    ((rural,),) = sql(
        demo_db,
        "select count(*) from organizations o join divisions d on d.division_code = o.community_code"
        " where d.area_type = 'rural' and o.established_on <= $d"
        " and (o.dissolved_on is null or o.dissolved_on > $d)",
        d=AS_OF,
    )
    assert {m.label: m.value for m in at.metric}["登记备案社区社会组织"] == f"{rural:,}家"


def test_unknown_code_says_so_and_shows_the_overview(app, links_file):
    at = app(v="ZZZZZZZZZZ")
    assert "分享链接“ZZZZZZZZZZ”不存在或已失效" in at.warning[0].value
    assert at.title[0].value.endswith("社区社会组织总览")
    assert "v" not in at.query_params


def test_link_to_a_page_gone_or_not_in_the_navigation_shows_the_overview(
    app, demo_db, links_file, monkeypatch
):
    from dashboard import nav

    code = links.create("retired", {"year": "2025"}, demo_db)
    at = app(v=code)
    assert at.warning[0].value == "分享链接指向的页面已不存在，已为您打开总览。"
    assert at.title[0].value.endswith("社区社会组织总览")
    # A page the navigation does not offer (as when a role hides it): st.switch_page refuses it.
    hidden = nav.PageSpec("hidden", "隐藏", "views/hidden.py")
    monkeypatch.setattr(nav, "BY_KEY", {**nav.BY_KEY, "hidden": hidden})
    code = links.create("hidden", {"year": "2025"}, demo_db)
    at = app(v=code)
    assert at.warning[0].value == "您无权查看分享链接指向的页面，已为您打开总览。"
    assert at.title[0].value.endswith("社区社会组织总览")


def test_share_button_makes_a_link_to_this_view(app, demo_db, links_file):
    at = app("views/community.py", township=CHENGGUAN, community=FUQIAN)
    assert not at.sidebar.code  # nothing is made (or stored) until asked for
    assert not links_file.exists()
    at.sidebar.button(key="share_make").click().run()
    url = at.sidebar.code[0].value
    code = url.rsplit("?v=", 1)[1]
    assert links.resolve(code, demo_db) == (
        "community",
        {"year": "2025", "township": CHENGGUAN, "community": FUQIAN},
    )
    at.sidebar.button(key="share_make").click().run()
    assert at.sidebar.code[0].value == url  # the same view, the same link
    # Another community is another view: the old link is taken away, not left to mislead.
    at.selectbox(key="community_pick").select("340129001002").run()
    assert not at.sidebar.code
    at.sidebar.button(key="share_make").click().run()
    other = at.sidebar.code[0].value.rsplit("?v=", 1)[1]
    assert other != code
    assert links.resolve(other, demo_db)[1]["community"] == "340129001002"


# ---------------------------------------------------------------- phone view


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def test_phone_overview_league_shows_the_key_columns(app):
    desktop = app()
    phone = app(m="1")
    league = next(d for d in phone.dataframe if "乡镇（街道）" in d.value.columns)
    assert list(league.proto.column_order) == ["乡镇（街道）", ORGS, "未达标社区", "年报报送率"]
    # The data (and the download) still has every column; only the view is narrowed.
    assert "已拨付（万元）" in league.value.columns
    desktop_league = next(d for d in desktop.dataframe if "乡镇（街道）" in d.value.columns)
    assert list(desktop_league.proto.column_order) == []


def test_phone_map_scrolls_past_and_fits_the_county(app):
    desktop = _deck(app("views/map.py"))
    phone_at = app("views/map.py", m="1")
    phone = _deck(phone_at)
    # The desktop map keeps pydeck's default view and gestures (wheel zoom, drag to pan).
    assert desktop["views"] == [{"@@type": "MapView", "controller": True}]
    (view,) = phone["views"]
    assert view["controller"]["scrollZoom"] is False
    assert view["controller"]["dragPan"] is False  # one finger scrolls the page
    assert view["controller"]["touchZoom"] is True  # two fingers zoom
    # A 360 x 420 map needs a lower zoom than the desktop's, which fits the county in 460 x 620 (the
    # narrowest the desktop map is drawn, views/map.py): about log2(460 / 360) less.
    assert 0.2 < desktop["initialViewState"]["zoom"] - phone["initialViewState"]["zoom"] < 0.8
    table = next(d for d in phone_at.dataframe if "社区" in d.value.columns)
    assert list(table.proto.column_order) == ["乡镇（街道）", "社区", "社会组织数（家）"]


def test_phone_stays_a_phone_after_page_switches(app):
    at = app(m="1")
    # A click in the sidebar's page list drops ?m=1 from the URL (Streamlit 1.67, seen in Chromium).
    del at.query_params["m"]
    at.switch_page("views/map.py").run()
    assert "m" not in at.query_params
    assert _deck(at)["views"][0]["controller"]["dragPan"] is False
    at.query_params["m"] = "0"  # and ?m=0 turns the phone view off again
    at.run()
    assert _deck(at)["views"][0]["controller"] is True


def test_phone_community_compares_in_a_table_instead_of_five_panels(app, demo_db):
    at = app("views/community.py", community=FUQIAN, m="1")
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert not any("xaxis5" in c["layout"] for c in charts)
    comp = next(d.value for d in at.dataframe if "指标" in d.value.columns)
    assert list(comp.columns) == ["指标", "本社区", "乡镇平均", "全县平均"]
    ((n,),) = sql(
        demo_db,
        "select count(*) from organizations where community_code = $c and established_on <= $d"
        " and (dissolved_on is null or dissolved_on > $d)",
        c=FUQIAN,
        d=AS_OF,
    )
    assert comp.set_index("指标").loc["社会组织数", "本社区"] == f"{n}家"
    desktop = app("views/community.py", community=FUQIAN)
    assert any("xaxis5" in json.loads(c.proto.spec)["layout"] for c in desktop.get("plotly_chart"))


# ---------------------------------------------------------------- 大屏


ACTIVE = "o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)"


def test_screen_headline_figures_against_direct_sql(app, demo_db):
    at = app("views/screen.py")
    shown = {m.label: m for m in at.metric}
    total, registered, filed = sql(
        demo_db,
        f"select count(*), count(*) filter (where status = 'registered'),"
        f" count(*) filter (where status = 'filed') from organizations o where {ACTIVE}",
        d=AS_OF,
    )[0]
    (prev_total,) = sql(demo_db, f"select count(*) from organizations o where {ACTIVE}", d=PREV)[0]
    assert shown[ORGS].value == f"{total:,}家"
    assert shown[ORGS].delta == f"比上年 +{total - prev_total:,}家"
    assert shown["登记"].value == f"{registered:,}家"
    assert shown["备案"].value == f"{filed:,}家"
    meeting, communities = sql(
        demo_db,
        f"""with n as (
              select d.division_code, d.area_type, count(o.org_id) as n
              from divisions d left join organizations o
                on o.community_code = d.division_code and {ACTIVE}
              where d.level = 'community' group by all)
            select count(*) filter (where n >= case area_type when 'urban' then 10 else 5 end),
                   count(*) from n""",
        d=AS_OF,
    )[0]
    assert shown["达标社区"].value == f"{meeting}/{communities}"
    due, submitted = sql(
        demo_db,
        "select count(*), count(*) filter (where submitted_on <= $d) from annual_reports"
        " where report_year = 2024 and due_on <= $d",
        d=AS_OF,
    )[0]
    assert shown["2024年度年报报送率"].value == f"{submitted / due * 100:.1f}%"
    (new,) = sql(
        demo_db,
        "select count(*) from organizations where year(established_on) = 2025"
        " and established_on <= $d",
        d=AS_OF,
    )[0]
    assert shown["2025年新成立"].value == f"{new:,}家"


def test_screen_league_rows_against_direct_sql(app, demo_db):
    at = app("views/screen.py")
    table = at.table[0].value
    expected = sql(
        demo_db,
        f"""with towns as (select division_code, name from divisions where level = 'township'),
            comm as (
              select d.township_code, d.division_code, d.area_type, count(o.org_id) as n
              from divisions d left join organizations o
                on o.community_code = d.division_code and {ACTIVE}
              where d.level = 'community' group by all),
            rep as (
              select d.township_code, count(*) as due,
                     count(*) filter (where r.submitted_on <= $d) as done
              from annual_reports r join organizations o using (org_id)
              join divisions d on d.division_code = o.community_code
              where r.report_year = 2024 and r.due_on <= $d group by all)
            select t.name, count(c.division_code), coalesce(sum(c.n), 0),
                   count(*) filter (where c.n < case c.area_type when 'urban' then 10 else 5 end),
                   rep.done / rep.due
            from towns t left join comm c on c.township_code = t.division_code
            left join rep on rep.township_code = t.division_code
            group by t.division_code, t.name, rep.done, rep.due
            order by 3 desc, t.division_code
            limit 12""",
        d=AS_OF,
    )
    assert len(table) == len(expected) == 12
    for i, (name, n_comm, n_orgs, below, rate) in enumerate(expected):
        row = table.iloc[i]
        assert row["排名"] == str(i + 1)
        assert row["乡镇（街道）"] == name
        assert row["社区数"] == str(n_comm)
        assert row[ORGS] == f"{n_orgs:,}"
        assert row["未达标社区"] == str(below)
        assert row["年报报送率"] == f"{rate * 100:.1f}%"
        assert row["平均每社区"] == f"{n_orgs / n_comm:.1f}"


def test_screen_attention_counts_and_no_controls(app, demo_db):
    at = app("views/screen.py")
    boxes = "".join(h.proto.body for h in at.get("html"))
    ((below,),) = sql(
        demo_db,
        f"""select count(*) from (
              select d.area_type, count(o.org_id) as n from divisions d
              left join organizations o on o.community_code = d.division_code and {ACTIVE}
              where d.level = 'community' group by d.division_code, d.area_type)
            where n < case area_type when 'urban' then 10 else 5 end""",
        d=AS_OF,
    )
    ((listed,),) = sql(
        demo_db,
        "select count(*) from credit_listings where year(listed_on) = 2025 and listed_on <= $d",
        d=AS_OF,
    )
    assert f"未达到国家标准的社区<b>{below}</b>个" in boxes
    assert f"2025年新列入信用名录<b>{listed}</b>家" in boxes
    # Nothing to click on the screen itself (the sidebar, with the filters, is hidden by CSS).
    for kind in ("button", "selectbox", "radio", "multiselect", "toggle", "text_input"):
        assert not getattr(at.main, kind), kind
    assert _deck(at)["views"][0]["controller"] is False  # the map takes no gestures either
    styles = [h.proto.body for h in at.get("html") if h.proto.body.startswith("<style>")]
    assert any('[data-testid="stSidebar"]' in css and "display: none" in css for css in styles)


def test_screen_follows_the_filters_of_its_link(app, demo_db):
    at = app("views/screen.py", area="urban")
    ((urban,),) = sql(
        demo_db,
        "select count(*) from organizations o join divisions d on d.division_code = o.community_code"
        f" where d.area_type = 'urban' and {ACTIVE}",
        d=AS_OF,
    )
    assert {m.label: m.value for m in at.metric}[ORGS] == f"{urban:,}家"
    assert "城市社区" in at.caption[0].value
