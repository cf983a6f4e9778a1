"""项目: the county's programmes — 三社联动, 微项目, 积分制, trainings, awards and 睦邻客厅 (speech: 优化环境, 创新模式).

Micro-projects count in the year they started; points over the 12 months to the date; trainings
and awards by year; lounges as rated by the date. The field filter applies to micro-projects and
awards (an organisation's field); points, trainings and lounges have none.
"""

from __future__ import annotations

import polars as pl
import pydeck as pdk
import streamlit as st

from dashboard import data, decks, downloads, figures, filters, nav, style, tables, widgets
from dashboard import formats as fmt
from dashboard.charts import projects as charts
from dashboard.charts import supervision as sup_charts
from dashboard.safe import md
from reports import sentences
from reports import wording as w

K = "pj"  # widget key prefix
MAP_INDICATORS = ("count_micro_projects", "points_residents_per_1000")

f = filters.current()
P = f.params()
loaded = data.run("projects/loaded").row(0, named=True)
field_names = style.labels("field")
status_names = style.labels("project_status")
level_names = style.labels("training_level")
award_names = style.labels("award_level")


def _height(rows: int) -> int:
    return min(420, 38 + 35 * max(rows, 1))


def _missing(label: str, what: str) -> None:
    st.info(
        f"数据仓库中没有「{label}」数据（导入时未提供该文件），{what}暂无数据。"
        f"开展此项工作后，把文件名包含「{label}」的表格放进数据文件夹重新导入即可。"
    )


# ---------------------------------------------------------------- heading and tiles

info = data.warehouse()
st.title(f"{md(info['county_name'])}微项目、积分制、培训表彰与睦邻客厅")
st.caption(
    f"{md(f.describe())} · {w.as_of(f.as_of)}。微项目按开始实施的年度统计；积分为截至当日近12个月；"
    "服务领域筛选只作用于微项目和表彰（积分、培训、睦邻客厅不分领域）；选了乡镇时不含县级培训班。"
)

summary = data.run("projects/summary", **P)
cur, prev = data.by_period(summary)
points = data.run("projects/points_communities", **P)
# The scope's pilots, residents taking part and their rate per 1,000 (points_by_area): the tile,
# the sentence and the report's 积分制 sentence read the same row.
pilot = data.run("projects/points_total", **P).row(0, named=True)
place = filters.township_names().get(f.township, "") if f.township else "全县"
lounges = data.run("projects/lounges", **P)
trainings_years = data.run("projects/trainings_by_year", **P)
awards_years = data.run("projects/awards_by_year", **P)

row1 = st.columns(4)
widgets.tile(
    row1[0],
    f"{f.year}年微项目",
    fmt.count(cur["count_projects"], "个") if loaded["count_micro_projects"] else "—",
    cur["count_projects"] if loaded["count_micro_projects"] else None,
    prev["count_projects"] if loaded["count_micro_projects"] else None,
    unit="个",
    help="当年开始实施的微项目，不含已终止的；“比上年”与上年同一天相比。",
)
widgets.tile(
    row1[1],
    "微项目预算",
    fmt.yuan(cur["budget_yuan"]) if loaded["count_micro_projects"] else "—",
    help="上述微项目的预算合计。",
)
widgets.tile(
    row1[2],
    "受益群众",
    fmt.count(cur["beneficiaries"], "人次") if loaded["count_micro_projects"] else "—",
    cur["beneficiaries"] if loaded["count_micro_projects"] else None,
    prev["beneficiaries"] if loaded["count_micro_projects"] else None,
    unit="人次",
)
widgets.tile(
    row1[3],
    "群众满意度",
    fmt.rate(cur["satisfaction_rate"]),
    help=f"截至当日已结项的{f.year}年微项目的满意度平均值（{cur['count_completed']}个已结项）。",
)
row2 = st.columns(4)
row2[0].metric(
    "积分制试点社区",
    fmt.count(pilot["count_pilots"], "个") if loaded["count_points_entries"] else "—",
    f"近12个月参与居民{fmt.count(pilot['count_residents_12m'], '人')}"
    if pilot["count_pilots"]
    else None,
    delta_color="off",
    delta_arrow="off",
    help="截至当日已开始记录积分的社区（社区、行政村）。参与居民：近12个月获得过积分的居民。",
    border=True,
)
this_year_trainings = trainings_years.filter(pl.col("year") == f.year)
row2[1].metric(
    f"{f.year}年培训",
    fmt.count(int(this_year_trainings["count_trainings"].sum()), "期")
    if loaded["count_trainings"]
    else "—",
    f"参训{int(this_year_trainings['participants'].sum()):,}人次"
    if this_year_trainings.height
    else None,
    delta_color="off",
    delta_arrow="off",
    border=True,
)
this_year_awards = awards_years.filter(pl.col("year") == f.year)
row2[2].metric(
    f"{f.year}年获得表彰",
    fmt.count(int(this_year_awards["count_awards"].sum()), "项") if loaded["count_awards"] else "—",
    "其中市级以上"
    + f"{int(this_year_awards.filter(pl.col('level') != 'county')['count_awards'].sum())}项"
    if this_year_awards.height
    else None,
    delta_color="off",
    delta_arrow="off",
    border=True,
)
top_rooms = lounges.filter(pl.col("stars") >= 4).height
row2[3].metric(
    "睦邻客厅",
    fmt.count(lounges.height, "个") if loaded["count_lounges"] else "—",
    f"四星级以上{top_rooms}个" if lounges.height else None,
    delta_color="off",
    delta_arrow="off",
    help="截至当日已评定星级的睦邻客厅（《睦邻客厅建设管理服务星级评定办法》）。",
    border=True,
)

# ---------------------------------------------------------------- micro-projects

st.header("微项目", divider="gray")
if not loaded["count_micro_projects"]:
    _missing("微项目", "微项目的统计")
elif not (cur["count_projects"] + cur["count_cancelled"]):
    st.info(f"当前筛选条件下没有{f.year}年开始实施的微项目。")
else:
    # The report's sentence (reports/sentences.py), of this page's scope; its parts add up to the
    # total, and stopped projects, which are not in it, are said to be left out.
    said = sentences.micro_projects(
        place,
        f.as_of,
        cur | {"count_projects_loaded": loaded["count_micro_projects"], "year": f.year},
    )
    if cur["count_cancelled"]:
        said = f"{said}另有{cur['count_cancelled']}个已终止，不计入上述数字。"
    st.markdown(md(said))
    left, right = st.columns([3, 2])
    with left:
        by_field = data.run("projects/by_field", **P).with_columns(
            pl.col("field").replace_strict(field_names, default="其他").alias("field_label")
        )
        figures.show(f"{K}_by_field", lambda: charts.by_field(by_field, f.year))
    with right:
        figures.show(
            f"{K}_by_status", lambda: charts.by_status(data.run("projects/by_status", **P), f.year)
        )

    st.subheader("各社区微项目")
    by_comm = data.run("projects/by_community", **P)
    comm_table = by_comm.select(
        pl.col("township_name").alias("乡镇（街道）"),
        pl.col("community_name").alias("社区（村）"),
        pl.col("area_type").replace_strict(decks.AREA_LABELS, default="").alias("类型"),
        pl.col("count_micro_projects").alias("微项目（个）"),
        tables.wan("micro_project_budget_yuan").alias("预算（万元）"),
        pl.col("micro_project_beneficiaries").alias("受益群众（人次）"),
        pl.col("population").alias("常住人口"),
        pl.col("count_lounges").alias("睦邻客厅（个）"),
        pl.col("residents_per_1000").round(1).alias("积分参与（每千人）"),
    )
    tables.show(
        comm_table,
        key=f"{K}_communities",
        hide_index=True,
        width="stretch",
        height=_height(comm_table.height),
        column_config={
            "预算（万元）": st.column_config.NumberColumn(format="%,.2f"),
            "常住人口": st.column_config.NumberColumn(format="localized"),
        },
        placeholder="—",
    )
    downloads.buttons(comm_table, f"各社区微项目_{f.year}年", key=f"{K}_dl_communities")

    listed = data.run("projects/list", **P)
    stopped = listed.filter(pl.col("status_on_date") == "cancelled").height
    # The list shows stopped projects too; its count says so beside the total above.
    also = f"，含已终止{stopped}个" if stopped else ""
    with st.expander(f"{f.year}年微项目清单（{listed.height}个{also}）"):
        project_table = listed.select(
            pl.col("project_id").alias("编号"),
            pl.col("name").alias("名称"),
            pl.col("org_name").alias("实施组织"),
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("community_name").alias("社区（村）"),
            pl.col("field").replace_strict(field_names, default="其他").alias("领域"),
            pl.col("budget_yuan").cast(pl.Float64).alias("预算（元）"),
            pl.col("start_on").cast(pl.String).alias("开始日期"),
            pl.col("end_on").cast(pl.String).fill_null("—").alias("结束日期"),
            pl.col("beneficiaries").alias("受益人数"),
            pl.col("status_on_date").replace_strict(status_names, default="").alias("状态"),
            tables.pct("satisfaction_rate").alias("满意度（%）"),
        )
        tables.show(
            project_table,
            key=f"{K}_projects",
            hide_index=True,
            width="stretch",
            height=_height(project_table.height),
            column_config={"预算（元）": st.column_config.NumberColumn(format="localized")},
            placeholder="—",
        )
        downloads.buttons(project_table, f"微项目清单_{f.year}年", key=f"{K}_dl_projects")

# ---------------------------------------------------------------- 三社联动

st.header("三社联动", divider="gray")
optional = data.run("info/optional_sources").row(0, named=True)
if not optional["count_stations"] and not optional["count_workers"]:
    st.info(
        "三社联动暂无数据（未导入「社工站」「社会工作者」台账）。开展此项工作后，把文件名包含"
        "「社工站」「社会工作者」的表格放进数据文件夹重新导入即可。"
    )
else:
    lk = data.run("projects/linkage", **P).row(0, named=True)
    # The report's 三社联动 sentence, of this page's scope.
    loaded_linkage = {
        "count_stations_loaded": optional["count_stations"],
        "count_workers_loaded": optional["count_workers"],
        "count_projects_loaded": loaded["count_micro_projects"],
    }
    st.markdown(md(w.as_of(f.as_of, sentences.linkage(place, f.as_of, lk | loaded_linkage))))
    st.caption(
        "实现三社联动：设有村（社区）社工室、配有在岗社会工作者或有社区社会组织得到社会工作者支持的社区（村）。"
    )
    link_tiles = st.columns(4)
    link_tiles[0].metric(
        "实现三社联动的社区（村）",
        fmt.count(lk["count_linked"], "个"),
        f"占{fmt.rate(lk['linked_rate'])}（共{lk['count_communities']}个）",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    link_tiles[1].metric(
        "在岗社会工作者",
        fmt.count(lk["count_workers"], "名"),
        f"持证{lk['count_qualified_workers']}名 · 配备到{lk['count_communities_with_workers']}个社区（村）"
        if lk["count_workers"] is not None
        else "未导入「社会工作者」台账",
        delta_color="off",
        delta_arrow="off",
        help="截至当日在岗（已入职、未离职）的社会工作者，含乡镇社工站的；持证：取得助理社会工作师及以上职业资格。",
        border=True,
    )
    link_tiles[2].metric(
        "社会工作者支持的组织",
        fmt.count(lk["count_supported"]),
        f"占现有组织{fmt.rate(lk['supported_rate'])}"
        if lk["count_supported"] is not None
        else None,
        delta_color="off",
        delta_arrow="off",
        help="在岗社会工作者支持的现有社区社会组织（不分服务领域）。",
        border=True,
    )
    link_tiles[3].metric(
        f"{f.year}年联合实施微项目",
        fmt.count(lk["count_joint_micro_projects"], "个"),
        f"当年微项目共{lk['count_micro_projects']}个"
        if lk["count_micro_projects"] is not None
        else "未导入微项目数据",
        delta_color="off",
        delta_arrow="off",
        help="当年开始实施（不含已终止）、开始时其实施组织得到在岗社会工作者支持的微项目。",
        border=True,
    )
    by_unit = data.run("projects/linkage_by_unit", **P)
    unit = f.unit()
    left, right = st.columns([3, 2])
    with left:
        if by_unit.height and by_unit["count_linked"].is_not_null().any():
            figures.show(f"{K}_linkage_unit", lambda: sup_charts.linkage_by_unit(by_unit, unit))
    with right:
        if lk["count_workers"]:
            quals = data.run("projects/social_workers", **P)
            figures.show(f"{K}_workers_qual", lambda: sup_charts.workers_by_qualification(quals))
    link_table = by_unit.select(
        pl.col("unit_name").alias(unit),
        pl.col("count_communities").alias("社区（村）（个）"),
        pl.col("count_linked").alias("实现三社联动（个）"),
        tables.pct("linked_rate").alias("联动覆盖率（%）"),
        pl.col("count_rooms").alias("社工室（个）"),
        pl.col("count_workers").alias("社会工作者（名）"),
        pl.col("count_qualified_workers").alias("其中持证（名）"),
        pl.col("count_supported").alias("支持的组织（家）"),
        tables.pct("supported_rate").alias("支持组织占比（%）"),
        pl.col("count_joint_micro_projects").alias("联合实施微项目（个）"),
    )
    tables.show(
        link_table,
        key=f"{K}_linkage",
        hide_index=True,
        width="stretch",
        height=_height(link_table.height),
        placeholder="—",
    )
    st.caption(
        f"{unit}的社会工作者含其乡镇社工站的；各社区（村）只计配备到本社区的社会工作者。"
        "服务领域筛选不作用于三社联动。"
        if not f.township
        else "各社区（村）只计配备到本社区的社会工作者，乡镇社工站的社会工作者不分到社区。"
        "服务领域筛选不作用于三社联动。"
    )
    downloads.buttons(link_table, f"三社联动情况_{f.year}年", key=f"{K}_dl_linkage")
    joint = (
        data.run("projects/joint_projects", **P)
        if lk["count_joint_micro_projects"]
        else pl.DataFrame()
    )
    if joint.height:
        with st.expander(f"{f.year}年联合实施的微项目（{joint.height}个）"):
            joint_table = joint.select(
                pl.col("project_id").alias("编号"),
                pl.col("name").alias("名称"),
                pl.col("org_name").alias("实施组织"),
                pl.col("township_name").alias("乡镇（街道）"),
                pl.col("community_name").alias("社区（村）"),
                pl.col("start_on").cast(pl.String).alias("开始日期"),
                pl.col("status_on_date").replace_strict(status_names, default="").alias("状态"),
                pl.col("budget_yuan").cast(pl.Float64).alias("预算（元）"),
                pl.col("beneficiaries").alias("受益人数"),
                pl.col("count_workers").alias("支持的社会工作者（名）"),
                pl.col("station_names").fill_null("—").alias("所属社工站（室）"),
            )
            tables.show(
                joint_table,
                key=f"{K}_joint",
                hide_index=True,
                width="stretch",
                height=_height(joint_table.height),
                column_config={"预算（元）": st.column_config.NumberColumn(format="localized")},
            )
            downloads.buttons(joint_table, f"联合实施的微项目_{f.year}年", key=f"{K}_dl_joint")

# ---------------------------------------------------------------- map


@st.cache_resource(max_entries=16, show_spinner=False)
def _deck(
    build: str, indicator: str, query: dict[str, object], stars: bool, province: bool
) -> pdk.Deck:
    """Built once per warehouse build and view, as on the 地图 page (the polygons are the cost)."""
    if province:
        return decks.province_choropleth(
            data.run("map/township_areas", **query),
            data.run("map/counties"),
            indicator,
            None,
            decks.tile_url(),
        )
    communities = data.run("map/communities", **query)
    townships = data.run("map/townships", **query)
    rooms = data.run("projects/lounges", **query) if stars else None
    return decks.choropleth(communities, townships, indicator, None, decks.tile_url(), rooms)


st.header("分布地图", divider="gray")
# A province with no township chosen: townships, as on the 地图 page (ten thousand communities
# were 0.3 s of SQL and 6.7 MB to every browser on each cold 项目 page; issue 15).
province = bool(P["by_county"])
if province:
    st.caption(
        "按乡镇（街道）汇总着色；点击乡镇（街道）或在左侧选择乡镇（街道），可查看其下各社区和睦邻客厅。"
    )
c1, c2, _ = st.columns([2, 1, 2], vertical_alignment="bottom")
indicator = c1.selectbox(
    "着色指标",
    list(MAP_INDICATORS),
    format_func=lambda k: decks.INDICATORS[k].label,
    key=f"{K}_map_indicator",
)
show_lounges = not province and c2.toggle("显示睦邻客厅", value=True, key=f"{K}_map_lounges")
ind = decks.INDICATORS[indicator]
shapes = data.run("map/township_areas" if province else "map/communities", **P)
if shapes.is_empty():
    st.info(f"当前筛选条件下没有可显示的{'乡镇（街道）' if province else '社区'}。")
else:
    map_col, legend_col = st.columns([4, 1])
    with map_col:
        event = st.pydeck_chart(
            _deck(data.build(), indicator, P, show_lounges and lounges.height > 0, province),
            on_select="rerun",
            selection_mode="single-object",
            # A township picked opens this page for it: under one key its selection would
            # outlive the switch and pick the township again on every run (views/map.py).
            key=f"{K}_map_province" if province else f"{K}_map",
            height=560,
            alt=f"{f.describe()}各{'乡镇（街道）' if province else '社区'}{ind.label}分级着色地图"
            + ("" if province else "与睦邻客厅星级"),
        )
    picked = event.selection.objects
    clicked = [o.get("properties", {}).get("code") for o in picked.get(decks.COMMUNITY_LAYER, [])]
    clicked += [o.get("code") for o in picked.get(decks.LOUNGE_LAYER, [])]
    if clicked and clicked[0]:
        nav.go("community", community=clicked[0])
    towns = [o.get("properties", {}).get("code") for o in picked.get(decks.TOWNSHIP_AREA_LAYER, [])]
    if towns and towns[0]:
        nav.go("projects", township=towns[0])
    values = shapes[ind.column].to_list()
    key = decks.legend(values, decks.class_breaks(values), ind)
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
            f"{ind.note}。"
            + (
                "乡镇（街道）的数值由其下各社区合计后计算。"
                if province
                else "点击社区或睦邻客厅可查看社区详情。"
            )
        )
        if show_lounges and lounges.height:
            marks = "".join(
                f"<div style='margin:2px 0'><span style='color:{decks.rgb_hex(rgb)};"
                f"font-size:18px'>★</span> {decks.star_label(s)}</div>"
                for s, rgb in sorted(decks.LOUNGE_STARS.items(), reverse=True)
                if s and lounges.filter(pl.col("stars") == s).height
            )
            st.markdown(
                f"<div style='font-size:14px'><b>睦邻客厅（{lounges.height}个）</b>{marks}</div>",
                unsafe_allow_html=True,
            )

# ---------------------------------------------------------------- points

st.header("积分制", divider="gray")
if not loaded["count_points_entries"]:
    _missing("积分台账", "积分制参与情况")
elif points.is_empty():
    st.info("当前筛选条件下没有试点积分制的社区。")
else:
    # The report's 积分制 sentence, of this page's scope (projects/points_total).
    st.markdown(md(sentences.points(place, w.as_of(f.as_of), pilot)))
    monthly = data.run("projects/points_monthly", **P)
    if monthly.height:
        figures.show(f"{K}_points_monthly", lambda: charts.points_monthly(monthly))
    points_table = points.select(
        pl.col("township_name").alias("乡镇（街道）"),
        pl.col("community_name").alias("社区（村）"),
        pl.col("first_earned_on").cast(pl.String).alias("开始试点"),
        pl.col("population").alias("常住人口"),
        pl.col("count_residents_12m").alias("近12个月参与居民（人）"),
        pl.col("residents_per_1000").round(1).alias("每千名常住人口参与（人）"),
        pl.col("points_12m").alias("近12个月积分（分）"),
        pl.col("points_per_month").round(0).alias("月均积分（分）"),
    )
    tables.show(
        points_table,
        key=f"{K}_points",
        hide_index=True,
        width="stretch",
        height=_height(points_table.height),
        column_config={"常住人口": st.column_config.NumberColumn(format="localized")},
    )
    downloads.buttons(points_table, f"积分制参与情况_{f.year}年", key=f"{K}_dl_points")

# ---------------------------------------------------------------- trainings

st.header("人员培训", divider="gray")
if not loaded["count_trainings"]:
    _missing("培训", "培训情况")
elif trainings_years.is_empty():
    st.info("当前筛选条件下没有培训记录。")
else:
    labelled = trainings_years.with_columns(
        pl.col("level").replace_strict(level_names, default="").alias("level_label")
    )
    figures.show(f"{K}_trainings_year", lambda: charts.trainings_by_year(labelled))
    held = data.run("projects/trainings", **P)
    if held.is_empty():
        st.info(f"当前筛选条件下{f.year}年没有举办培训。")
    else:
        training_table = held.select(
            pl.col("held_on").cast(pl.String).alias("日期"),
            pl.col("name").alias("名称"),
            pl.col("level").replace_strict(level_names, default="").alias("层级"),
            pl.col("township_name").fill_null("—").alias("乡镇（街道）"),
            pl.col("participants").alias("参训人数"),
            pl.col("org_count").alias("参训组织（家）"),
        )
        st.caption(
            f"{f.year}年举办培训{held.height}期，参训{int(held['participants'].sum()):,}人次。"
        )
        tables.show(
            training_table,
            key=f"{K}_trainings",
            hide_index=True,
            width="stretch",
            height=_height(training_table.height),
            placeholder="—",
        )
        downloads.buttons(training_table, f"培训情况_{f.year}年", key=f"{K}_dl_trainings")

# ---------------------------------------------------------------- awards

st.header("表彰奖励", divider="gray")
if not loaded["count_awards"]:
    _missing("表彰奖励", "表彰情况")
elif awards_years.is_empty():
    st.info("当前筛选条件下没有组织获得表彰。")
else:
    labelled = awards_years.with_columns(
        pl.col("level").replace_strict(award_names, default="").alias("level_label")
    )
    figures.show(f"{K}_awards_year", lambda: charts.awards_by_year(labelled))
    given = data.run("projects/awards", **P)
    if given.is_empty():
        st.info(f"当前筛选条件下{f.year}年没有组织获得表彰。")
    else:
        award_table = given.select(
            pl.col("level").replace_strict(award_names, default="").alias("级别"),
            pl.col("title").alias("荣誉名称"),
            pl.col("org_name").alias("组织名称"),
            pl.col("field").replace_strict(field_names, default="其他").alias("服务领域"),
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("community_name").alias("社区（村）"),
        )
        tables.show(
            award_table,
            key=f"{K}_awards",
            hide_index=True,
            width="stretch",
            height=_height(award_table.height),
        )
        downloads.buttons(award_table, f"表彰情况_{f.year}年", key=f"{K}_dl_awards")

# ---------------------------------------------------------------- lounges

st.header("睦邻客厅", divider="gray")
if not loaded["count_lounges"]:
    _missing("睦邻客厅", "睦邻客厅星级")
elif lounges.is_empty():
    st.info(f"当前筛选条件下{w.as_of(f.as_of)}没有评定星级的睦邻客厅。")
else:
    left, right = st.columns([2, 3])
    with left:
        figures.show(
            f"{K}_lounge_stars", lambda: charts.lounge_stars(data.run("projects/lounge_stars", **P))
        )
    with right:
        # The report's 睦邻客厅 sentence, of this page's scope, and where the rooms are.
        rated = [
            r | {"count_lounges_loaded": loaded["count_lounges"]}
            for r in data.run("projects/lounge_stars", **P).iter_rows(named=True)
        ]
        urban = lounges.filter(pl.col("area_type") == "urban").height
        st.markdown(
            md(sentences.lounges(place, w.as_of(f.as_of), rated))
            + f"按城乡分，城市社区{urban}个、农村社区（行政村）{lounges.height - urban}个。"
        )
        unplaced = lounges.filter(~pl.col("has_own_position")).height
        if unplaced:
            st.caption(
                f"{unplaced}个睦邻客厅未填经纬度，地图上按所在社区的位置显示（星标在社区中心点）。"
            )
    lounge_table = lounges.select(
        pl.col("name").alias("名称"),
        pl.col("township_name").alias("乡镇（街道）"),
        pl.col("community_name").alias("社区（村）"),
        pl.col("stars").map_elements(decks.star_label, return_dtype=pl.String).alias("星级"),
        pl.col("rated_on").cast(pl.String).alias("评定日期"),
        pl.col("floor_area_m2").alias("面积（平方米）"),
    )
    tables.show(
        lounge_table,
        key=f"{K}_lounges",
        hide_index=True,
        width="stretch",
        height=_height(lounge_table.height),
        placeholder="—",
    )
    downloads.buttons(lounge_table, f"睦邻客厅星级_{f.year}年", key=f"{K}_dl_lounges")
