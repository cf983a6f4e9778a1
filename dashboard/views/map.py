"""地图: communities coloured by a chosen indicator, township outlines, platforms; a click opens the community.

A warehouse of several counties (a province) with no township chosen draws townships instead,
coloured by their communities' totals, under county outlines; a click on one opens its communities.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pydeck as pdk
import streamlit as st

from dashboard import data, decks, downloads, filters, mobile, nav, tables
from dashboard.safe import md


def _open_community(code: str) -> None:
    nav.go("community", community=code)


def _open_township(code: str) -> None:
    nav.go("map", township=code)


f = filters.current()
params = f.params()
county_count = data.run("map/counties").height
# A province: one map of ten thousand communities is slow to draw and unreadable, so townships.
province = bool(params["by_county"])

st.title("社区社会组织分布地图")
if province:
    st.caption(
        f"{md(f.describe())} · 共{county_count}个县（区），按乡镇（街道）汇总着色 · "
        "点击地图上的乡镇（街道）或在左侧选择乡镇（街道），可查看其下各社区"
    )
else:
    st.caption(f"{md(f.describe())} · 点击社区可查看详情")
schematic = bool(data.run("map/boundaries_note")["boundaries_synthetic"][0])
if schematic:
    st.markdown(f":orange-badge[{decks.SCHEMATIC_LABEL}] {decks.SCHEMATIC_NOTE}")

c1, c2, c3 = st.columns([2, 1, 2], vertical_alignment="bottom")
offered = list(decks.INDICATORS)
if province:  # townships carry the indicators queries/map/township_areas.sql sums up
    summed = data.run("map/township_areas", **params).columns
    offered = [k for k in offered if decks.INDICATORS[k].column in summed]
indicator = c1.selectbox(
    "着色指标",
    offered,
    format_func=lambda k: decks.INDICATORS[k].label,
    key="map_indicator",
)
show_platforms = c2.toggle("显示服务平台", key="map_platforms")
levels: list[str] = []
if show_platforms:
    levels = (
        c3.segmented_control(
            "平台层级",
            list(decks.PLATFORM_LEVELS),
            format_func=lambda k: decks.PLATFORM_LEVELS[k],
            selection_mode="multi",
            default=list(decks.PLATFORM_LEVELS),
            key="map_platform_levels",
        )
        or []
    )
ind = decks.INDICATORS[indicator]


# The map's height on a desktop screen, and the narrowest it is drawn there (a tablet upright or a
# 770 px window with the sidebar open, the legend then under the map: mobile.MAP_ROW). The initial
# zoom fits the county in MAP_WIDTH x MAP_HEIGHT, so any wider map shows it whole too.
MAP_HEIGHT, MAP_WIDTH = 620, 460


@st.cache_resource(max_entries=32, show_spinner=False)
def _deck(
    build: str,
    indicator: str,
    query: dict[str, object],
    levels: tuple[str, ...],
    tile: str | None,
    phone: bool = False,
    province: bool = False,
) -> pdk.Deck:
    """The built deck per warehouse build and view: it never changes, and a province's is
    worth keeping. The key is small values only; the frames come from data.run's own cache."""
    shown = None
    if levels:
        shown = data.run("map/platforms", **query).filter(pl.col("level").is_in(list(levels)))
    size = (mobile.MAP_WIDTH, mobile.MAP_HEIGHT) if phone else (MAP_WIDTH, MAP_HEIGHT)
    controller = decks.TOUCH_CONTROLLER if phone else None
    if province:
        return decks.province_choropleth(
            data.run("map/township_areas", **query),
            data.run("map/counties"),
            indicator,
            shown,
            tile,
            view_size=size,
            controller=controller,
        )
    communities = data.run("map/communities", **query)
    townships = data.run("map/townships", **query)
    return decks.choropleth(
        communities,
        townships,
        indicator,
        shown,
        tile,
        view_size=size,
        controller=controller,
    )


phone = mobile.is_phone()
if province:
    shapes = data.run("map/township_areas", **params)
    if shapes.is_empty():
        st.info("当前筛选条件下没有可显示的乡镇（街道）（没有该类社区，或缺少乡镇边界数据）。")
        st.stop()
else:
    shapes = data.run("map/communities", **params)
    if shapes.is_empty():
        st.info("当前筛选条件下没有可显示的社区（所选乡镇没有该类社区，或缺少社区边界数据）。")
        st.stop()
platforms = None
if show_platforms:
    platforms = data.run("map/platforms", **params).filter(pl.col("level").is_in(levels))

deck = _deck(
    data.build(),
    indicator,
    params,
    tuple(levels) if show_platforms else (),
    decks.tile_url(),
    phone,
    province,
)

map_col, legend_col = st.columns([4, 1])
with map_col:
    event = st.pydeck_chart(
        deck,
        on_select="rerun",
        selection_mode="single-object",
        # A township picked on a province's map opens this same page: under one key its selection
        # would outlive the switch and pick the township again on every run, for ever.
        key="map_deck_province" if province else "map_deck",
        height=mobile.MAP_HEIGHT if phone else MAP_HEIGHT,
        alt=f"{f.describe()}各{'乡镇（街道）' if province else '社区'}{ind.label}分级着色地图"
        + (f"（{decks.SCHEMATIC_LABEL}）" if schematic else ""),
    )

if phone:
    target = "点按乡镇（街道）查看其下各社区" if province else "点按社区查看详情"
    map_col.caption(f"单指上下滑动页面，双指缩放、移动地图，{target}。")

# selection.objects is {layer id: [picked object]}; a GeoJSON object is the feature itself.
picked = event.selection.objects
clicked = [o.get("properties", {}).get("code") for o in picked.get(decks.COMMUNITY_LAYER, [])]
# A village-level station sits in a community: clicking it opens that community too.
clicked += [
    o.get("code") for o in picked.get(decks.PLATFORM_LAYER, []) if o.get("level") == "village"
]
if clicked and clicked[0]:
    _open_community(clicked[0])
towns = [o.get("properties", {}).get("code") for o in picked.get(decks.TOWNSHIP_AREA_LAYER, [])]
if towns and towns[0]:
    _open_township(towns[0])

values = shapes[ind.column].to_list()
breaks = decks.class_breaks(values)
key = decks.legend(values, breaks, ind)
with legend_col:
    rows = "".join(
        f"<div style='display:flex;align-items:center;gap:6px;margin:3px 0'>"
        f"<span style='display:inline-block;width:18px;height:14px;background:{r['color']};"
        f"border:1px solid #bbb'></span><span style='flex:1'>{r['range']}</span>"
        f"<span style='color:#666'>{r['count']}个</span></div>"
        for r in key.iter_rows(named=True)
    )
    st.markdown(
        f"<div style='font-size:14px'><b>{ind.label}</b>{rows}</div>", unsafe_allow_html=True
    )
    st.caption(
        f"{ind.note}。按分位数分为{key.filter(pl.col('range') != '无数据').height}档，各档含下限、不含上限。"
    )
    line = "（示意）" if schematic else ""
    if province:
        st.caption(f"粗线为县（区）界{line}。乡镇（街道）的数值由其下各社区合计后计算。")
    else:
        st.caption(f"粗线为乡镇（街道）界{line}。")
    if show_platforms:
        marks = "".join(
            f"<div style='display:flex;align-items:center;gap:6px;margin:3px 0'>"
            f"<span style='display:inline-block;width:{size}px;height:{size}px;border-radius:50%;"
            f"background:{decks.rgb_hex(rgb)};border:2px solid white;box-shadow:0 0 0 1px #bbb'></span>"
            f"{decks.PLATFORM_LEVELS[level]}</div>"
            for level, (size, rgb) in decks.PLATFORM_STYLE.items()
            if level in levels
        )
        count = 0 if platforms is None else platforms.height
        st.markdown(
            f"<div style='font-size:14px'><b>服务平台（{count}个）</b>{marks}</div>",
            unsafe_allow_html=True,
        )

value_label = f"{ind.label}（{ind.unit}）" if ind.unit else ind.label


def _download_indicators(frame: pl.DataFrame) -> list[pl.Expr]:
    """Every map indicator the frame holds (the catalogue's, in its order, rates in %), and the
    money and 睦邻客厅 behind them: the community and the township downloads both carry them."""
    cols = []
    for i in decks.INDICATORS.values():
        if i.column not in frame.columns:
            continue
        value = (
            pl.col(i.column) if i.number_format == "%d" else (pl.col(i.column) * i.scale).round(3)
        )
        cols.append(value.alias(f"{i.label}（{i.unit}）" if i.unit else i.label))
    cols.insert(min(3, len(cols)), pl.col("approved_yuan").alias("当年批复资金（元）"))
    return [*cols, pl.col("count_lounges").alias("睦邻客厅数")]


def _pick_table(
    table: pl.DataFrame, on_phone: list[str], key: str, open_place: Callable[[str], None]
) -> None:
    """The ranked places as a table (the code column hidden); picking a row opens that place."""
    shown = table.drop("区划代码")
    rows_event = tables.show(
        shown,
        column_config={
            value_label: st.column_config.NumberColumn(format=ind.number_format),
            "常住人口": st.column_config.NumberColumn(format="localized"),
        },
        hide_index=True,
        width="stretch",
        height=320,
        column_order=mobile.keep(shown.columns, on_phone),
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    if rows_event.selection.rows:
        open_place(table["区划代码"][rows_event.selection.rows[0]])


def _community_table(communities: pl.DataFrame) -> None:
    st.subheader(f"各社区{ind.label}")
    columns = [
        pl.col("community_code").alias("区划代码"),
        pl.col("township_name").alias("乡镇（街道）"),
        pl.col("community_name").alias("社区"),
        pl.col("area_type").replace_strict(decks.AREA_LABELS, default="").alias("类型"),
        pl.col("population").alias("常住人口"),
    ]
    if ind.column != "count_active":
        columns.append(pl.col("count_active").alias(decks.INDICATORS["count_active"].label))
    # Numbers stay numbers (the table sorts by them); rates are shown as percentages.
    columns.append((pl.col(ind.column) * ind.scale).alias(value_label))
    table = communities.sort(ind.column, descending=True, nulls_last=True).select(columns)
    st.caption("选中表格中的一行可打开该社区的详情。")
    _pick_table(table, ["乡镇（街道）", "社区", value_label], "map_table", _open_community)
    downloads.buttons(
        communities.select(
            pl.col("community_code").alias("区划代码"),
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("community_name").alias("社区"),
            pl.col("area_type").replace_strict(decks.AREA_LABELS, default="").alias("类型"),
            pl.col("population").alias("常住人口"),
            *_download_indicators(communities),
        ),
        f"社区指标_{f.year}年",
        key="map_dl_communities",
    )


def _township_table(towns: pl.DataFrame) -> None:
    """A province's townships, as on its map; a row opens the township's communities."""
    st.subheader(f"各乡镇（街道）{ind.label}")
    columns = [
        pl.col("township_code").alias("区划代码"),
        pl.col("county_name").alias("县（区）"),
        pl.col("township_name").alias("乡镇（街道）"),
        pl.col("count_communities").alias("社区数"),
        pl.col("population").alias("常住人口"),
    ]
    if ind.column != "count_active":
        columns.append(pl.col("count_active").alias(decks.INDICATORS["count_active"].label))
    columns.append((pl.col(ind.column) * ind.scale).alias(value_label))
    table = towns.sort(ind.column, descending=True, nulls_last=True).select(columns)
    st.caption("选中表格中的一行可查看该乡镇（街道）的各社区。")
    _pick_table(
        table, ["县（区）", "乡镇（街道）", value_label], "map_township_table", _open_township
    )
    downloads.buttons(
        towns.select(
            pl.col("township_code").alias("区划代码"),
            pl.col("county_name").alias("县（区）"),
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("count_communities").alias("社区数"),
            pl.col("count_below_floor").alias("未达到国家标准的社区数"),
            pl.col("population").alias("常住人口"),
            *_download_indicators(towns),
        ),
        f"乡镇指标_{f.year}年",
        key="map_dl_townships",
    )


if province:
    _township_table(shapes)
else:
    _community_table(shapes)
