"""大屏: the meeting-room screen (1920 x 1080): headline figures, the map, the township league and what
needs attention, dark, without sidebar or controls, redrawn by itself when a new build arrives."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk
import streamlit as st

from dashboard import bigscreen, data, decks, figures, filters, mobile, style, targets, widgets
from dashboard import formats as fmt
from dashboard.charts import overview as charts
from dashboard.safe import md
from queries.indicators import catalogue
from reports import wording as w

f = filters.current()
P = f.params()
info = data.warehouse()
shown_build = data.build()
phone = mobile.is_phone()  # a phone reads the screen as a page (bigscreen.PHONE_CSS)
st.html(bigscreen.css(phone))


@st.fragment(run_every=bigscreen.POLL_SECONDS)
def _watch() -> None:
    """Every POLL_SECONDS: rerun the whole page when a load has swapped in a new warehouse build.

    A fragment's rerun does not run app.py, so the build pinned for this page stays the same;
    data.newer_build() looks at the live pointer on disk instead.
    """
    if data.newer_build():
        st.rerun(scope="app")


@st.cache_resource(max_entries=8, show_spinner=False)
def _deck(build: str, query: dict[str, object], size: tuple[int, int]) -> pdk.Deck:
    """The map per build, filters and size: building a deck's JSON from every polygon is dear at
    province scale (docs/PERFORMANCE.md), and every screen in the building shows the same one."""
    communities = data.run("map/communities", **query)
    return bigscreen.deck(communities, data.run("map/townships", **query), "count_active", size)


with st.container(key=bigscreen.KEY):
    # ------------------------------------------------------------ title
    title, stamp = st.columns([3, 2], vertical_alignment="bottom")
    title.title(f"{md(info['county_name'])}社区社会组织数据大屏", anchor=False)
    scope = (
        f.describe() if f.township else f.describe().replace(f"{f.year}年", f"{f.year}年 · 全县")
    )
    with stamp.container(key="screen_stamp"):
        st.caption(
            f"{md(scope)} · {w.as_of(f.as_of)}  \n{bigscreen.data_stamp(info)} · "
            f"{dt.datetime.now():%H:%M}更新，有新数据时自动刷新"
        )

    # ------------------------------------------------------------ headline figures
    cur, prev = data.by_period(data.run("overview/headline", **P))
    rep_cur, rep_prev = data.by_period(data.run("overview/report_rate", **P))
    money_cur, money_prev = data.by_period(data.run("overview/fund_execution", **P))
    flows = {r["year"]: r for r in data.run("overview/flows", **P).iter_rows(named=True)}
    cols = st.columns(7)
    for col, label, key in (
        (cols[0], catalogue()["count_active"].label, "count_active"),
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
        fmt.pp(rep_cur["submission_rate"]),
        fmt.pp(rep_prev["submission_rate"]),
        unit="个百分点",
        digits=1,
    )
    has_prev_money = bool(money_prev["count_grants"]) or money_prev["budget_yuan"] is not None
    widgets.tile(
        cols[5],
        "资金执行率" if money_cur["basis"] == "budget" else "资金拨付率",
        fmt.rate(money_cur["execution_rate"]),
        fmt.pp(money_cur["execution_rate"]),
        fmt.pp(money_prev["execution_rate"]) if has_prev_money else None,
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
    # The year's targets of the county (or the township shown): under the map, which gives up
    # the height they take (issue 17: the meeting reviews progress against them).
    progress = data.run("overview/targets", **P)
    aims = targets.place_rows(progress, f.township)
    size = bigscreen.MAP_SIZE_WITH_TARGETS if aims else bigscreen.MAP_SIZE
    size = bigscreen.PHONE_MAP_SIZE if phone else size
    with map_col:
        communities = data.run("map/communities", **P)
        if communities.is_empty():
            st.info("当前范围内没有可显示的社区边界。")
        else:
            ind = decks.INDICATORS["count_active"]
            st.pydeck_chart(
                _deck(shown_build, P, size),
                height=size[1],
                key="screen_map",
                alt=f"{scope}各社区{ind.label}分级着色地图",
            )
            values = communities[ind.column].to_list()
            classes = decks.legend(values, decks.class_breaks(values), ind)
            st.html(bigscreen.legend_html(f"各社区{ind.label}", classes))
        if aims:
            place = filters.township_names().get(f.township or "", "全县")
            st.html(
                bigscreen.targets_box(
                    f"{place}{f.year}年度目标",
                    targets.screen_items(aims),
                    sum(1 for r in aims if r["met"]),
                )
            )

    with league_col:
        st.subheader("各乡镇（街道）社区社会组织排名", anchor=False)
        towns = data.run("overview/townships", **P)
        table, left_out = bigscreen.league(towns, goals=targets.league(progress, towns))
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
        # 资格核查 (信用评价结果作为政府购买服务、评先评优的重要依据): a line under the credit lists,
        # which have the room for it that a fourth panel would not.
        checked = data.run("overview/eligibility", **P).row(0, named=True)
        credit_footer = ""
        if checked["count_grants"] or checked["count_awards"]:
            detail = "、".join(
                part
                for part in (
                    f"资金安排{checked['count_flagged_grants']}项"
                    f"（{fmt.yuan(checked['flagged_amount_yuan'])}）"
                    if checked["count_flagged_grants"]
                    else "",
                    f"表彰奖励{checked['count_flagged_awards']}项"
                    if checked["count_flagged_awards"]
                    else "",
                )
                if part
            )
            credit_footer = bigscreen.footer_line(
                f"{f.year}年资格核查存疑", checked["count_flagged"], "项", detail
            )
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
                footer=credit_footer,
            ),
        ]
        # The build marker rides in this element rather than one of its own, which would take a
        # row's gap from a screen that has none to spare.
        st.html("".join(boxes) + bigscreen.build_marker(info["etl_run_id"]))

_watch()
