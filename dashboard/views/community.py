"""社区: one community's organisations, fields, platforms, money and reports, beside its township, the
county and its peers (communities of the same urban/rural type)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, decks, downloads, figures, filters, mobile, nav, style, tables, targets
from dashboard import formats as fmt
from dashboard.charts import community as charts
from dashboard.safe import md
from queries.indicators import catalogue
from reports import wording as w

PICK = "community_pick"
TOWN_PICK = "community_township"  # only at province scale, see MAX_OPTIONS
MAX_OPTIONS = 200  # more communities than this in the filter: pick the township first
LAST = "community_last"  # the community shown last, to tell a new link from a stale ?community=

f = filters.current()
params = f.params()
state = st.session_state
cat = catalogue()  # each figure's label and how it is written (queries/indicators.toml)
FILING = style.labels("filing_status")  # an annual report's filing status (lookup_filing_status)

# ---------------------------------------------------------------- which community

listed = data.run("community/communities", **params)
requested = st.query_params.get("community")
if listed.height > MAX_OPTIONS:
    # A province has thousands of communities: formatting and sending them all as options made
    # every rerun slow (issue 7), and nobody scrolls such a list. Pick the township first.
    towns = listed.unique("township_code", keep="first", maintain_order=True)
    town_names = fmt.unique_labels(
        towns["township_code"].to_list(), towns["township_name"].to_list()
    )
    showing = (
        requested if requested is not None and requested != state.get(LAST) else state.get(PICK)
    )
    hit = listed.filter(pl.col("community_code") == showing) if showing else listed.clear()
    if hit.height and (TOWN_PICK not in state or requested != state.get(LAST)):
        state[TOWN_PICK] = hit["township_code"][0]
    town = st.selectbox(
        "先选乡镇（街道）", list(town_names), format_func=lambda c: town_names[c], key=TOWN_PICK
    )
    listed = listed.filter(pl.col("township_code") == town)
names = fmt.unique_labels(
    listed["community_code"].to_list(),
    [f"{t} · {c}" for t, c in zip(listed["township_name"], listed["community_name"], strict=True)],
)
options = list(names)
last = state.get(LAST)
pick: str | None = None
if requested is not None and requested != last:
    # A link (from the map, a table, a bookmark) names a community: show it, even outside the filter.
    found = data.run("community/profile", community=requested)
    if found.height:
        pick = requested
        if requested not in names:
            r = found.row(0, named=True)
            names[requested] = f"{r['township_name']} · {r['community_name']}"
            options.insert(0, requested)
    else:
        st.warning(
            f"链接中的社区代码“{md(requested)}”不存在，已改为显示当前筛选范围内的第一个社区。"
        )
if pick is None:
    for candidate in (state.get(PICK), last):
        if candidate in names:
            pick = candidate
            break
if pick is None and options:
    pick = options[0]
if pick is None:
    st.title("社区详情")
    st.info("当前筛选条件下没有社区：请在左侧更换乡镇（街道）或城乡类型。")
    st.stop()

state[PICK] = pick
c1, _ = st.columns([2, 3])
code: str = c1.selectbox("选择社区", options, format_func=lambda c: names[c], key=PICK) or pick
state[LAST] = code
if st.query_params.get("community") != code:
    st.query_params["community"] = code

profile = data.run("community/profile", community=code).row(0, named=True)
me = data.run("community/indicators", community=code, **params).row(0, named=True)
area = decks.AREA_LABELS.get(profile["area_type"], "")
ur = profile["urban_rural_code"]

st.title(md(profile["community_name"]))
st.caption(
    md(
        " · ".join(
            [
                profile["township_name"],
                area,
                # The label from the warehouse's code table (lookup_urban_rural).
                f"城乡分类{ur} {profile['urban_rural_label'] or ''}".strip()
                if ur
                else "城乡分类未填",
                f"常住人口{profile['population']:,}人" if profile["population"] else "常住人口未填",
                f"{profile['households']:,}户" if profile["households"] else "户数未填",
                f.describe(),
            ]
        )
    )
)

# ---------------------------------------------------------------- headline tiles

cols = [*st.columns(3), *st.columns(3)]
cols[0].metric(
    cat["count_active"].label,
    fmt.count(me["count_active"]),
    f"登记{me['count_registered']} · 备案{me['count_filed']}",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
cols[1].metric(
    cat["per_1000_residents"].label,
    cat["per_1000_residents"].shown(me["per_1000_residents"]),
    border=True,
)
cols[2].metric(
    "对照国家标准",
    f"{me['floor_ratio']:.1f}倍",
    f"标准{me['floor']}家 · {'已达标' if me['meets_floor'] else '未达标'}",
    delta_color="normal" if me["meets_floor"] else "inverse",
    delta_arrow="off",
    border=True,
)
cols[3].metric(
    f"{f.year}年获得资金",
    fmt.yuan(me["approved_yuan"]),
    f"{me['count_grants']}个项目 · 人均{cat['funding_per_resident'].shown(me['funding_per_resident'])}",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
cols[4].metric(
    f"{f.year - 1}年度年报报送率",
    fmt.rate(me["report_submission_rate"]),
    f"已报{me['count_reports_submitted']} / 应报{me['count_reports_due']}",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
cols[5].metric(
    "3A及以上等级占比",
    fmt.rate(me["share_3a_plus"]),
    f"{me['count_3a_plus']} / 登记{me['count_registered']}家",
    delta_color="off",
    delta_arrow="off",
    border=True,
)

# ---------------------------------------------------------------- beside township, county, peers

st.subheader("与所属乡镇、全县和同类社区比较")
comp = data.run("community/comparison", community=code, **params)
counts = dict(zip(comp["scope"].to_list(), comp["count_communities"].to_list(), strict=True))
peer = "城市社区" if profile["area_type"] == "urban" else "农村社区"
scope_labels = {
    "community": f"本社区（{profile['community_name']}）",
    "township": f"{profile['township_name']}平均（{counts.get('township', 0)}个）",
    "county": f"全县平均（{counts.get('county', 0)}个）",
    "peer_mean": f"全县{peer}平均（{counts.get('peer_mean', 0)}个）",
    "peer_median": f"全县{peer}中位数",
}
metrics = [
    ("count_active", cat["count_active"].label, lambda v: f"{v:.1f}".removesuffix(".0") + "家"),
    ("per_1000_residents", cat["per_1000_residents"].label, cat["per_1000_residents"].shown),
    ("floor_ratio", cat["floor_ratio"].label, cat["floor_ratio"].shown),
    ("report_submission_rate", cat["report_submission_rate"].label, fmt.rate),
    ("funding_per_resident", cat["funding_per_resident"].label, cat["funding_per_resident"].shown),
]
phone = mobile.is_phone()
if phone:
    # Five panels side by side cannot be read at phone width: one row per indicator instead,
    # beside the township and the county (the download below keeps every comparison).
    short = {"community": "本社区", "township": "乡镇平均", "county": "全县平均"}
    rows = {r["scope"]: r for r in comp.iter_rows(named=True)}
    tables.show(
        pl.DataFrame(
            [
                {"指标": title}
                | {
                    label: "—"
                    if rows.get(scope, {}).get(col) is None
                    else fmt_value(rows[scope][col])
                    for scope, label in short.items()
                }
                for col, title, fmt_value in metrics
            ]
        ),
        hide_index=True,
        width="stretch",
        key="community_comparison_phone",
    )
else:
    figures.show(
        "community_comparison", lambda: charts.comparison(comp, metrics, scope_labels), on=code
    )
COMPARED = (
    "count_active",
    "per_1000_residents",
    "floor_ratio",
    "report_submission_rate",
    "funding_per_resident",
    "share_3a_plus",
)
comp_table = comp.select(
    pl.col("scope").replace_strict(scope_labels).alias("比较对象"),
    pl.col("count_active").round(1).alias(cat["count_active"].header),
    pl.col("per_1000_residents").round(2).alias(cat["per_1000_residents"].header),
    pl.col("floor_ratio").round(2).alias(cat["floor_ratio"].header),
    tables.pct("report_submission_rate").alias(cat["report_submission_rate"].header),
    pl.col("funding_per_resident").round(2).alias(cat["funding_per_resident"].header),
    tables.pct("share_3a_plus").alias(cat["share_3a_plus"].header),
)


def _cell(key: str) -> pl.Expr:
    """A comparison cell as text, "—" where there is none (st.dataframe would write "None"). The
    community's own count is whole (20) beside averages that are not (22.9): no "20.0". Every other
    column keeps its catalogue digits, a rate one decimal (100.0 beside 87.5)."""
    i = cat[key]
    col = pl.col(i.header)
    if key == "count_active":
        text = col.cast(pl.String).str.replace(r"\.0$", "")
    else:
        digits = max(i.digits, 1) if i.is_rate else i.digits
        text = col.map_elements(lambda v: f"{v:.{digits}f}", return_dtype=pl.String)
    return text.fill_null("—")


if not phone:
    tables.show(
        comp_table.with_columns(_cell(k) for k in COMPARED),
        hide_index=True,
        width="stretch",
    )
st.caption(
    "平均、中位数按社区计算（每个社区算一个）；没有应报年报或没有登记组织的社区不计入相应比率。"
    "所选服务领域同样作用于比较对象。"
)
downloads.buttons(comp_table, f"{profile['community_name']}_对比", key="community_dl_comparison")

# ---------------------------------------------------------------- every indicator of the catalogue

# Each per-community indicator of queries/indicators.toml, from the mart that defines it: one
# added there (and to its mart) shows here without a change to this page.
linkage = data.run("community/linkage", community=code, as_of=f.as_of).row(0, named=True)
marts = {
    "community_indicators": me,
    "community_programmes": data.run("community/programmes", community=code, **params).row(
        0, named=True
    ),
    "linkage_by_community": linkage,
    "party_coverage_by_community": linkage,
}
values = {
    i.column: marts.get(i.mart, {}).get(i.column) for i in catalogue().on_map() if i.mart in marts
}
st.subheader("各项指标")
tables.show(
    targets.community_table(values, profile["area_type"]),
    hide_index=True,
    width="stretch",
    height="content",  # every indicator in view (eleven since 三社联动 and 党组织覆盖率)
    key="community_indicators",
    column_order=mobile.keep(["指标", "本社区", "标准", "口径"], ["指标", "本社区"]),
    column_config={
        "指标": st.column_config.TextColumn(width=170),
        "本社区": st.column_config.TextColumn(width=80),
        "标准": st.column_config.TextColumn(width=150),
        "口径": st.column_config.TextColumn(width="large"),
    },
)

# ---------------------------------------------------------------- organisations

field_names = style.labels("field")
orgs = data.run("community/organizations", community=code, **params)
chosen = md("、".join(field_names.get(x, x) for x in f.fields))  # for Markdown below
st.subheader(f"社区社会组织（{orgs.height}家）")
if orgs.is_empty():
    why = f"“{chosen}”领域的" if f.fields else ""
    st.info(w.as_of(f.as_of, f"{md(profile['community_name'])}没有{why}社区社会组织。"))
else:
    left, right = st.columns([3, 2])
    with left:
        mix = data.run("community/fields", community=code, **params).with_columns(
            pl.col("field").replace_strict(field_names, default="其他").alias("field_label")
        )
        figures.show("community_fields", lambda: charts.fields_mix(mix), on=code)
    with right:
        st.markdown("**服务平台**")
        plats = data.run("community/platforms", community=code, as_of=f.as_of)
        if plats.is_empty():
            st.info("本社区暂无村（社区）级社会组织服务站。")
        else:
            st.markdown(
                "\n".join(
                    f"- {md(r['platform_name'])}：{fmt.cn_date(r['opened_on'])}启用"
                    + (f"，{r['floor_area_m2']:,.0f}平方米" if r["floor_area_m2"] else "")
                    for r in plats.iter_rows(named=True)
                )
            )
    grade = pl.when(pl.col("grade").is_null()).then(pl.lit("—"))
    report = (
        pl.when(pl.col("filing_status").is_null())
        .then(pl.lit("—"))
        .otherwise(
            pl.col("report_year").cast(pl.String)
            + "年度 "
            + pl.col("filing_status").replace_strict(FILING, default="")
            + pl.when(pl.col("days_late") > 0)
            .then("（" + pl.col("days_late").cast(pl.String) + "天）")
            .otherwise(pl.lit(""))
        )
    )
    org_table = orgs.select(
        pl.col("org_id").alias("组织编号"),
        pl.col("org_name").alias("组织名称"),
        pl.col("status").replace_strict(style.labels("org_status"), default="").alias("类型"),
        pl.col("legal_form")
        .replace_strict(style.labels("legal_form"), default="—")
        .alias("组织形式"),
        pl.col("field").replace_strict(field_names, default="其他").alias("服务领域"),
        pl.col("established_on").dt.strftime("%Y-%m-%d").alias("成立日期"),
        pl.col("members").alias("成员数"),
        pl.col("volunteers").alias("志愿者数"),
        pl.when(pl.col("party_in_charter"))
        .then(pl.lit("是"))
        .otherwise(pl.lit("否"))
        .alias("党建入章"),
        pl.when(pl.col("has_party_branch"))
        .then(pl.lit("是"))
        .otherwise(pl.lit("否"))
        .alias("建立党组织"),
        grade.otherwise(pl.col("grade").cast(pl.String) + "A").alias("评估等级"),
        report.alias("最近年报"),
    )
    profiles = nav.may_open("organizations")  # a leader has no 组织 page to be sent to
    if profiles:
        st.caption("选中一行可打开该组织的档案。")
    org_event = tables.show(
        org_table,
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * org_table.height),
        column_order=mobile.keep(org_table.columns, ["组织名称", "服务领域"]),
        on_select="rerun" if profiles else "ignore",
        selection_mode="single-row",
        key="community_orgs",
    )
    downloads.buttons(
        org_table, f"{profile['community_name']}_社会组织名录", key="community_dl_orgs", detail=True
    )
    # With on_select="rerun" st.dataframe returns its selection state (a DeltaGenerator otherwise).
    picked = org_event.selection.rows if profiles else []  # type: ignore[union-attr]
    if picked:
        org_id = org_table["组织编号"][picked[0]]
        nav.go("organizations", org=org_id)

# ---------------------------------------------------------------- money

st.subheader("获得资金")
by_year = data.run("community/funding_by_year", community=code, **params)
if by_year.is_empty():
    why = f"（仅计“{chosen}”领域组织获得的项目）" if f.fields else ""
    st.info(w.as_of(f.as_of, f"本社区及其组织没有获批的资金项目{why}。"))
else:
    figures.show("community_funding", lambda: charts.funding_by_year(by_year, phone=phone), on=code)
    grants = data.run("community/grants", community=code, **params)
    grant_table = grants.select(
        pl.col("year").alias("年度"),
        pl.col("title").alias("项目名称"),
        pl.col("org_name").fill_null("（社区）").alias("承接组织"),
        pl.col("purpose").replace_strict(style.labels("grant_purpose"), default="").alias("用途"),
        pl.col("fund_source")
        .replace_strict(style.labels("fund_source"), default="")
        .alias("资金来源"),
        pl.col("approved_yuan").cast(pl.Float64).alias("批复金额（元）"),
        pl.col("paid_yuan").cast(pl.Float64).alias("已拨付（元）"),
    )
    tables.show(
        grant_table,
        hide_index=True,
        width="stretch",
        height=min(320, 38 + 35 * grant_table.height),
        column_order=mobile.keep(grant_table.columns, ["年度", "项目名称", "批复金额（元）"]),
        column_config={
            "批复金额（元）": st.column_config.NumberColumn(format="localized"),
            "已拨付（元）": st.column_config.NumberColumn(format="localized"),
            # On a phone long project names end in "…" so the amount stays in view.
            **({"项目名称": st.column_config.TextColumn(width=170)} if phone else {}),
        },
    )
    downloads.buttons(
        grant_table, f"{profile['community_name']}_资金项目", key="community_dl_grants", detail=True
    )
    st.caption("含批复给社区本身和社区内组织的资金；选择服务领域时只计该领域组织承接的项目。")

# ---------------------------------------------------------------- 三社联动 and party coverage

st.subheader("三社联动与党组织覆盖")
lk = linkage
if lk["is_linked"] is None:
    link_line = "暂无数据（未导入「社工站」「社会工作者」台账）"
else:
    parts = ["已实现三社联动" if lk["is_linked"] else "尚未实现三社联动"]
    if lk["count_rooms"] is not None:
        parts.append(
            f"村（社区）社工室：{md(lk['room_names'])}" if lk["room_names"] else "本社区尚无社工室"
        )
        if lk["township_station_names"]:
            parts.append(f"所属乡镇社工站：{md(lk['township_station_names'])}")
    if lk["count_workers"] is not None:
        parts.append(
            f"配备社会工作者{lk['count_workers']}名（持证{lk['count_qualified_workers']}名）"
            if lk["count_workers"]
            else "本社区尚未配备社会工作者"
        )
        parts.append(
            f"{lk['count_active']}家现有组织中{lk['count_supported']}家得到社会工作者支持"
            + (f"（{fmt.rate(lk['supported_rate'])}）" if lk["supported_rate"] is not None else "")
        )
    if lk["count_joint_micro_projects"] is not None:
        parts.append(
            f"{f.year}年联合实施微项目{lk['count_joint_micro_projects']}个"
            f"（当年微项目{lk['count_micro_projects']}个）"
        )
    link_line = "；".join(parts)
if lk["count_party_orgs"] is None and lk["covered_rate"] is None and lk["is_named"] is None:
    party_line = "暂无数据（未导入「党组织」「党组织覆盖」台账）"
else:
    parts = []
    if lk["count_party_orgs"] is not None:
        parts.append(
            f"本社区“大党委”有党组织{lk['count_party_orgs']}个"
            f"（其中联合党支部{lk['count_joint_branches']}个）：{md(lk['party_org_names'])}"
            if lk["count_party_orgs"]
            else "本社区“大党委”尚无党组织"
        )
    if lk["is_named"] is None:
        parts.append("覆盖情况暂无数据（未导入「党组织覆盖」台账）")
    else:
        parts.append(
            f"{lk['count_active']}家现有组织中{lk['count_covered']}家被党组织覆盖"
            + (f"，覆盖率{fmt.rate(lk['covered_rate'])}" if lk["covered_rate"] is not None else "")
        )
    party_line = "；".join(parts)
st.markdown(f"**三社联动**：{link_line}。  \n**党组织覆盖**：{party_line}。")
st.caption("三社联动、党组织覆盖不分服务领域；社会工作者为截至当日在岗的。")

# ---------------------------------------------------------------- programmes

st.subheader("微项目、积分制与睦邻客厅")
prog = data.run("community/programmes", community=code, **params).row(0, named=True)
rooms = data.run("community/lounges", community=code, as_of=f.as_of)
pcols = st.columns(3)
if prog["count_micro_projects"] is None:
    pcols[0].metric(f"{f.year}年微项目", "—", "未导入微项目数据", delta_color="off", border=True)
else:
    pcols[0].metric(
        f"{f.year}年微项目",
        fmt.count(prog["count_micro_projects"], "个"),
        f"受益{prog['micro_project_beneficiaries']:,}人次 · 预算{fmt.yuan(prog['micro_project_budget_yuan'])}",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
points_ind = cat["points_residents_per_1000"]
if prog["is_pilot"]:
    pcols[1].metric(
        points_ind.label,
        points_ind.shown(prog["residents_per_1000"]),
        f"近12个月{prog['count_residents_12m']:,}人 · "
        f"{prog['first_earned_on'].year}年{prog['first_earned_on'].month}月起试点",
        delta_color="off",
        delta_arrow="off",
        help=points_ind.note,
        border=True,
    )
else:
    pcols[1].metric(
        points_ind.label,
        "—",
        "本社区尚未试点积分制",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
if prog["count_lounges"] is None:
    pcols[2].metric("睦邻客厅", "—", "未导入睦邻客厅数据", delta_color="off", border=True)
else:
    pcols[2].metric(
        "睦邻客厅",
        fmt.count(prog["count_lounges"], "个"),
        "、".join(
            f"{md(r['name'])}（{decks.star_label(r['stars'])}）"
            for r in rooms.iter_rows(named=True)
        )
        or "本社区尚无评定星级的睦邻客厅",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
projects = data.run("community/micro_projects", community=code, **params)
if projects.height:
    project_table = projects.select(
        pl.col("start_on").dt.year().alias("年度"),
        pl.col("name").alias("名称"),
        pl.col("org_name").alias("实施组织"),
        pl.col("field").replace_strict(field_names, default="其他").alias("领域"),
        pl.col("budget_yuan").cast(pl.Float64).alias("预算（元）"),
        pl.col("beneficiaries").alias("受益人数"),
        pl.col("status_on_date")
        .replace_strict(style.labels("project_status"), default="")
        .alias("状态"),
        (pl.col("satisfaction_rate") * 100).round(1).alias("满意度（%）"),
    )
    st.caption(w.as_of(f.as_of, f"本社区历年开始实施的微项目{projects.height}个。"))
    tables.show(
        project_table,
        hide_index=True,
        width="stretch",
        height=min(320, 38 + 35 * project_table.height),
        column_order=mobile.keep(project_table.columns, ["年度", "名称", "状态"]),
        column_config={
            "预算（元）": st.column_config.NumberColumn(format="localized"),
            # On a phone long project names end in "…" so the status stays in view.
            **({"名称": st.column_config.TextColumn(width=190)} if phone else {}),
        },
        placeholder="—",
        key="community_projects",
    )
    downloads.buttons(
        project_table, f"{profile['community_name']}_微项目", key="community_dl_projects"
    )
elif prog["count_micro_projects"] is not None:
    why = f"“{chosen}”领域的" if f.fields else ""
    st.info(w.as_of(f.as_of, f"本社区没有{why}微项目。"))

# ---------------------------------------------------------------- annual reports

st.subheader(f"{f.year - 1}年度年报报送（{f.year}年5月31日前）")
reports = data.run("community/annual_reports", community=code, **params)
if reports.is_empty():
    st.info("本社区没有须报送该年度年报的登记组织（备案的社区社会组织不报年报）。")
else:
    status = reports.group_by("filing_status").len()
    tally = dict(zip(status["filing_status"].to_list(), status["len"].to_list(), strict=True))
    st.caption(
        "，".join(f"{FILING[k]}{tally[k]}家" for k in FILING if k in tally)
        + f"；共应报{reports.height}家。"
    )
    report_table = reports.select(
        pl.col("org_name").alias("组织名称"),
        pl.col("due_on").dt.strftime("%Y-%m-%d").alias("应报日期"),
        pl.col("submitted_on").dt.strftime("%Y-%m-%d").fill_null("未报送").alias("报送日期"),
        pl.col("filing_status").replace_strict(FILING, default="").alias("报送情况"),
        pl.col("days_late").fill_null(0).alias("逾期天数"),
        pl.col("result")
        .replace_strict(style.labels("report_result"), default="未报")
        .alias("结果"),
    )
    tables.show(
        report_table,
        hide_index=True,
        width="stretch",
        column_order=mobile.keep(report_table.columns, ["组织名称", "报送情况"]),
    )
    downloads.buttons(
        report_table,
        f"{profile['community_name']}_年报报送",
        key="community_dl_reports",
        detail=True,
    )
