"""大屏: the meeting-room screen (1920 x 1080): headline figures, the map, the township league and what
needs attention, dark, without sidebar or controls, redrawn by itself when a new build arrives."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk
import streamlit as st

from dashboard import bigscreen, data, figures, filters, maps, style, widgets
from dashboard import formats as fmt
from dashboard.charts import overview as charts
from dashboard.safe import md

f = filters.current()
P = f.params()
info = data.warehouse()
shown_build = data.build()
st.html(bigscreen.CSS)


@st.fragment(run_every=bigscreen.POLL_SECONDS)
def _watch() -> None:
    """Every POLL_SECONDS: rerun the whole page when a load has swapped in a new warehouse build.

    A fragment's rerun does not run app.py, so the build pinned for this page stays the same;
    data.newer_build() looks at the live pointer on disk instead.
    """
    if data.newer_build():
        st.rerun(scope="app")


@st.cache_resource(max_entries=8, show_spinner=False)
def _deck(build: str, query: dict[str, object]) -> pdk.Deck:
    """The map per build and filters: building a deck's JSON from every polygon is dear at province
    scale (docs/PERFORMANCE.md), and every screen in the building shows the same one."""
    communities = data.run("map/communities", **query)
    return bigscreen.deck(communities, data.run("map/townships", **query), "count_active")


def _by_period(frame: pl.DataFrame) -> tuple[dict, dict]:
    rows = {r["period"]: r for r in frame.iter_rows(named=True)}
    return rows["current"], rows["previous"]


def _pp(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


with st.container(key=bigscreen.KEY):
    # ------------------------------------------------------------ title
    title, stamp = st.columns([3, 2], vertical_alignment="bottom")
    title.title(f"{md(info['county_name'])}社区社会组织数据大屏", anchor=False)
    scope = (
        f.describe() if f.township else f.describe().replace(f"{f.year}年", f"{f.year}年 · 全县")
    )
    with stamp.container(key="screen_stamp"):
        st.caption(
            f"{md(scope)} · 截至{fmt.cn_date(f.as_of)}  \n{bigscreen.data_stamp(info)} · "
            f"{dt.datetime.now():%H:%M}更新，有新数据时自动刷新"
        )

    # ------------------------------------------------------------ headline figures
    cur, prev = _by_period(data.run("overview/headline", **P))
    rep_cur, rep_prev = _by_period(data.run("overview/report_rate", **P))
    money_cur, money_prev = _by_period(data.run("overview/fund_execution", **P))
    flows = {r["year"]: r for r in data.run("overview/flows", **P).iter_rows(named=True)}
    cols = st.columns(7)
    for col, label, key in (
        (cols[0], "社区社会组织", "count_active"),
        (cols[1], "登记", "count_registered"),
        (cols[2], "备案", "count_filed"),
    ):
        widgets.tile(col, label, fmt.count(cur[key]), cur[key], prev[key])
    widgets.tile(
        cols[3],
        "达标社区",
        f"{cur['count_communities_meeting_floor']}/{cur['count_communities']}",
        cur["count_communities_meeting_floor"],
        prev["count_communities_meeting_floor"],
        unit="个",
    )
    widgets.tile(
        cols[4],
        f"{rep_cur['report_year']}年度年报报送率",
        fmt.rate(rep_cur["submission_rate"]),
        _pp(rep_cur["submission_rate"]),
        _pp(rep_prev["submission_rate"]),
        unit="个百分点",
        digits=1,
    )
    has_prev_money = bool(money_prev["count_grants"]) or money_prev["budget_yuan"] is not None
    widgets.tile(
        cols[5],
        "资金执行率" if money_cur["basis"] == "budget" else "资金拨付率",
        fmt.rate(money_cur["execution_rate"]),
        _pp(money_cur["execution_rate"]),
        _pp(money_prev["execution_rate"]) if has_prev_money else None,
        unit="个百分点",
        digits=1,
    )
    this, last = flows.get(f.year), flows.get(f.year - 1)
    widgets.tile(
        cols[6],
        f"{f.year}年新成立",
        fmt.count(this["count_new"] if this else None),
        this["count_new"] if this else None,
        last["count_new"] if last else None,
    )

    # ------------------------------------------------------------ map, league, attention
    map_col, league_col, attention_col = st.columns([5.2, 5.6, 4.2], gap="medium")
    with map_col:
        communities = data.run("map/communities", **P)
        if communities.is_empty():
            st.info("当前范围内没有可显示的社区边界。")
        else:
            ind = maps.INDICATORS["count_active"]
            st.pydeck_chart(
                _deck(shown_build, P),
                height=bigscreen.MAP_SIZE[1],
                key="screen_map",
                alt=f"{scope}各社区{ind.label}分级着色地图",
            )
            values = communities[ind.column].to_list()
            classes = maps.legend(values, maps.class_breaks(values), ind)
            st.html(bigscreen.legend_html(f"各社区{ind.label}", classes))

    with league_col:
        st.subheader("各乡镇（街道）社区社会组织排名", anchor=False)
        table, left_out = bigscreen.league(data.run("overview/townships", **P))
        st.table(table, hide_index=True)
        if left_out:
            st.caption(f"另有{left_out}个乡镇（街道）未列出，详见总览页。")
        fields = data.run("overview/by_field", **P)
        if not fields.is_empty():

            def by_field() -> go.Figure:
                names = style.labels("field")
                label = pl.col("field").replace_strict(names, default=pl.col("field"))
                frame = fields.with_columns(label.alias("field_label")).head(6)
                fig = bigscreen.dark(charts.by_field(frame), height=236)
                return fig.update_layout(title={"text": "主要服务领域组织数"})

            figures.show(
                "screen_fields",
                by_field,
                theme=None,
                config={"displayModeBar": False, "staticPlot": True},
            )

    with attention_col:
        st.subheader("需要关注", anchor=False)
        area_names = {"urban": "社区", "rural": "行政村"}
        below = data.run("overview/attention_communities", **P).to_dicts()
        low = data.run("overview/attention_townships", **P).to_dicts()
        listed = data.run("overview/attention_listed", **P).to_dicts()
        lists = style.labels("list_type")
        boxes = [
            bigscreen.attention_box(
                "未达到国家标准的社区",
                "个",
                [
                    (
                        f"{r['community_name']}（{r['township_name']}）",
                        f"{r['count_active']}家 / {area_names.get(r['area_type'], '')}标准{r['floor']}家",
                    )
                    for r in below
                ],
            ),
            bigscreen.attention_box(
                "年报报送率偏低的乡镇",
                "个",
                [
                    (
                        r["township_name"],
                        f"{fmt.rate(r['report_submission_rate'])}"
                        f"（{r['count_reports_submitted']}/{r['count_reports_due']}份）",
                    )
                    for r in low
                ],
            ),
            bigscreen.attention_box(
                f"{f.year}年新列入信用名录",
                "家",
                [
                    (
                        r["org_name"],
                        f"{lists.get(r['list_type'], r['list_type'])} "
                        f"{r['listed_on'].month}月{r['listed_on'].day}日",
                    )
                    for r in listed
                ],
            ),
        ]
        # The build marker rides in this element rather than one of its own, which would take a
        # row's gap from a screen that has none to spare.
        st.html("".join(boxes) + bigscreen.build_marker(info["etl_run_id"]))

_watch()
