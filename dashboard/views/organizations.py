"""组织: a searchable list of organisations and one organisation's profile (?org=<org_id>)."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import streamlit as st

from dashboard import data, downloads, figures, style, tables
from dashboard import filters as flt
from dashboard import formats as fmt
from dashboard.charts import organizations as charts
from dashboard.charts.governance import grade_label
from dashboard.safe import md
from reports import wording as w

CAP = 500  # rows drawn in the browser; the download carries the full result
ALL = "all"
STATUS_OPTIONS = {ALL: "全部", "registered": "登记", "filed": "备案"}
STATE_OPTIONS = {"active": "存续", "dissolved": "已注销", ALL: "全部"}
GRADE_OPTIONS = {
    ALL: "全部",
    "graded": "有有效等级",
    "a3plus": "3A及以上",
    "5": "5A",
    "4": "4A",
    "3": "3A",
    "2": "2A",
    "1": "1A",
    "none": "无有效等级",
}
LISTED_OPTIONS = {
    ALL: "全部",
    "any": "在任一名录",
    "abnormal": "活动异常名录",
    "dishonest": "严重违法失信名单",
    "none": "不在名录",
}


def _opt(value: str | None) -> str | None:
    return None if value == ALL else value


def _yes_no(value: bool | None) -> str:
    return "未填" if value is None else ("是" if value else "否")


def _pick_org(rows: list[int], org_ids: list[str], key: str) -> None:
    """Turn a new row click into ?org=; a click undone closes the profile."""
    last = st.session_state.get("org_last_pick")
    if last and last[0] != key:
        # The table was redrawn for other filters (a fresh widget): an old click means nothing now.
        last = None
        st.session_state["org_last_pick"] = None
    if rows and rows[0] < len(org_ids):
        if last != (key, rows[0]):
            st.session_state["org_last_pick"] = (key, rows[0])
            st.query_params["org"] = org_ids[rows[0]]
    elif last is not None:
        st.session_state["org_last_pick"] = None
        if "org" in st.query_params:
            del st.query_params["org"]


def _close_profile() -> None:
    if "org" in st.query_params:
        del st.query_params["org"]
    st.session_state["org_nonce"] = st.session_state.get("org_nonce", 0) + 1
    st.session_state["org_last_pick"] = None


f = flt.current()
labels_field = style.labels("field")
labels_status = style.labels("org_status")
labels_form = style.labels("legal_form")
labels_list = style.labels("list_type")

st.title("社会组织名录与档案")
st.caption(f"{md(f.describe())} · 状态{w.as_of(f.as_of)}")

# --- page filters -------------------------------------------------------------------------------
c_search, c_comm = st.columns([3, 2])
search = c_search.text_input(
    "搜索", key="org_search", placeholder="组织名称、组织编号或统一社会信用代码"
)
community: str | None = None
if f.township:
    comms = data.run("organizations/communities", township=f.township, area=f.area)
    comm_names = dict(
        zip(comms["community_code"].to_list(), comms["community_name"].to_list(), strict=True)
    )
    if st.session_state.get("org_community") not in (ALL, *comm_names):
        st.session_state["org_community"] = ALL  # the township changed under it
    community = _opt(
        c_comm.selectbox(
            "社区（村）",
            [ALL, *comm_names],
            key="org_community",
            format_func=lambda c: "全部社区（村）" if c == ALL else comm_names[c],
        )
    )
else:
    c_comm.selectbox(
        "社区（村）",
        ["全部社区（村）"],
        key="org_community_disabled",
        disabled=True,
        help="先在左侧选择乡镇（街道），再选社区（村）",
    )

c1, c2, c3, c4 = st.columns(4)
status = c1.selectbox(
    "登记类型", list(STATUS_OPTIONS), key="org_status", format_func=STATUS_OPTIONS.__getitem__
)
grade = c2.selectbox(
    "评估等级", list(GRADE_OPTIONS), key="org_grade", format_func=GRADE_OPTIONS.__getitem__
)
listed = c3.selectbox(
    "信用名录", list(LISTED_OPTIONS), key="org_listed", format_func=LISTED_OPTIONS.__getitem__
)
state = c4.selectbox(
    "存续状态", list(STATE_OPTIONS), key="org_state", format_func=STATE_OPTIONS.__getitem__
)

params = {
    **f.params(),
    "community": community,
    "status": _opt(status),
    "grade": _opt(grade),
    "listed": _opt(listed),
    "state": _opt(state),
    # Only surrounding blanks go: the text itself is bound as typed, quotes and % included.
    "search": (search or "").strip() or None,
}
orgs = data.run("organizations/list", **params)

# --- the list -----------------------------------------------------------------------------------
grade_names = {g: grade_label(g) for g in range(1, 6)}
table = orgs.select(
    pl.col("org_id").alias("组织编号"),
    pl.col("name").alias("组织名称"),
    pl.col("credit_code").fill_null("").alias("统一社会信用代码"),
    pl.col("status").replace_strict(labels_status, default="").alias("登记类型"),
    pl.col("legal_form").replace_strict(labels_form, default="").alias("组织形式"),
    pl.col("field").replace_strict(labels_field, default="").alias("服务领域"),
    pl.col("township_name").alias("乡镇（街道）"),
    pl.col("community_name").alias("社区（村）"),
    tables.iso("established_on").alias("成立日期"),
    tables.iso("dissolved_on").alias("注销日期"),
    pl.col("grade").replace_strict(grade_names, default="", return_dtype=pl.Utf8).alias("评估等级"),
    pl.col("list_types")
    .str.split(",")
    .list.eval(pl.element().replace_strict(labels_list, default=pl.element()))
    .list.join("、")
    .fill_null("")
    .alias("信用名录"),
)

org = st.query_params.get("org")
if orgs.is_empty():
    st.info("当前筛选条件下没有符合条件的社会组织：请放宽搜索词或筛选条件。")
else:
    n = orgs.height
    n_reg = orgs.filter(pl.col("status") == "registered").height
    whole = "，完整名单请下载" if downloads.allowed(detail=True) else ""  # else: DETAIL_NOTE below
    shown = f"，下表显示前 {CAP:,} 家{whole}" if n > CAP else ""
    st.markdown(
        f"共 **{fmt.count(n)}**（登记 {fmt.count(n_reg)}、备案 {fmt.count(n - n_reg)}）{shown}。"
    )
    digest = hashlib.sha1(repr(sorted(params.items())).encode()).hexdigest()[:10]
    key = f"org_table_{st.session_state.get('org_nonce', 0)}_{digest}"
    head = table.head(CAP)
    hint = st.empty()
    event = tables.show(
        head,
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        height=400,
        width="stretch",
    )
    _pick_org(list(event.selection.rows), head["组织编号"].to_list(), key)
    org = st.query_params.get("org")
    # Always one line above the table, so a click does not shift the rows under the pointer.
    if org:
        hint.caption(f"已打开组织 {md(org)} 的档案：[跳到档案 ↓](#org-profile)")
    else:
        hint.caption("点选表中一行（左侧方框）即可在下方打开该组织的档案。")
    downloads.buttons(table, "社会组织名录", key="org_dl_list", detail=True)


# --- the profile --------------------------------------------------------------------------------
def _profile(org_id: str, as_of: dt.date) -> None:
    prof = data.run("organizations/profile", org=org_id, as_of=as_of)
    head_cols = st.columns([6, 1])
    if prof.is_empty():
        head_cols[0].info(
            f"没有找到组织编号为「{md(org_id)}」的组织，请检查链接或在上方名录中重新选择。"
        )
        head_cols[1].button("关闭", key="org_close", on_click=_close_profile)
        return
    r = prof.row(0, named=True)
    head_cols[0].subheader(f"组织档案：{md(r['name'])}", anchor="org-profile")
    head_cols[1].button("关闭档案", key="org_close", on_click=_close_profile)

    badges = [labels_status.get(r["status"], r["status"])]
    if r["established_on"] > as_of:
        badges.append(f"{w.as_of(as_of)}尚未成立")
    elif r["is_active"]:
        badges.append("存续")
    else:
        badges.append("已注销")
    st.caption(md(" · ".join(badges)))

    place = f"{r['township_name'] or ''} {r['community_name']}（{style.label('area_type', r['area_type'])}）"
    dissolved = r["dissolved_on"]
    info = [
        ("组织编号", r["org_id"]),
        ("统一社会信用代码", r["credit_code"] or "（备案组织，无信用代码）"),
        ("登记类型", labels_status.get(r["status"], r["status"])),
        ("组织形式", labels_form.get(r["legal_form"], "—") if r["legal_form"] else "—"),
        ("服务领域", labels_field.get(r["field"], r["field"])),
        ("所在社区（村）", place),
        ("成立日期", fmt.cn_date(r["established_on"])),
        ("注销日期", fmt.cn_date(dissolved) if dissolved and dissolved <= as_of else "—"),
        ("成员数", fmt.count(r["members"], "人")),
        ("志愿者数", fmt.count(r["volunteers"], "人")),
        ("党建入章", _yes_no(r["party_in_charter"])),
        ("清廉入章", _yes_no(r["integrity_in_charter"])),
        ("建立党组织", _yes_no(r["has_party_branch"])),
        ("业务指导单位", r["guide_unit"] or "—"),
        ("负责人", r["leader_name"] or "—"),
        ("联系电话", r["leader_phone"] or "—"),
    ]
    cols = st.columns(4)
    for i, (label, value) in enumerate(info):
        cols[i % 4].markdown(f"**{label}**<br>{md(value)}", unsafe_allow_html=True)

    p = {"org": org_id, "as_of": as_of}
    reports = data.run("organizations/profile_reports", **p)
    grades = data.run("organizations/profile_grades", **p)
    ratings = data.run("organizations/profile_ratings", **p)
    listings = data.run("organizations/profile_listings", **p)
    inspections = data.run("organizations/profile_inspections", **p)
    grants = data.run("organizations/profile_grants", **p)
    optional = data.run("info/optional_sources").row(0, named=True)
    party = data.run("organizations/profile_party", **p)
    federations = data.run("organizations/profile_federations", **p)
    matters = data.run("organizations/profile_matters", **p)
    disclosures = data.run("organizations/profile_disclosures", **p)
    flags = data.run("organizations/profile_eligibility", **p)
    if flags.height:
        kinds = dict(flags.group_by("decision_label").len().iter_rows())
        st.warning(
            f"资格核查：该组织有{'、'.join(f'{k}{n}项' for k, n in sorted(kinds.items()))}"
            "在决定时存疑（处于异常名录或失信名单中、信用等级低于标准或年报逾期未报），"
            "详见「资格核查」。",
            icon="⚠️",
        )
    tabs = st.tabs(
        [
            f"年报（{reports.height}）",
            f"等级评估（{grades.height}）",
            f"信用评价（{ratings.height}）",
            f"信用名录（{listings.height}）",
            f"专项抽查（{inspections.height}）",
            f"资金资助（{grants.height}）",
            f"资格核查（{flags.height}）",
            f"党组织（{party.height}）",
            f"联合会（{federations.height}）",
            f"重大事项（{matters.height}）",
            f"信息公开（{disclosures.height}）",
        ]
    )
    name = r["name"]
    with tabs[0]:
        _reports(reports, name, p)
    with tabs[1]:
        _grades(grades, name, as_of)
    with tabs[2]:
        _ratings(ratings, name)
    with tabs[3]:
        _listings(listings, name)
    with tabs[4]:
        _inspections(inspections, name)
    with tabs[5]:
        _grants(grants, name)
    with tabs[6]:
        _flags(flags, name, optional)
    with tabs[7]:
        _party(party, name, r["has_party_branch"], optional)
    with tabs[8]:
        _federations(federations, name, optional)
    with tabs[9]:
        _matters(matters, name, optional)
    with tabs[10]:
        _disclosures(disclosures, name, optional)


def _not_loaded(what: str) -> None:
    st.info(f"暂无数据（未导入{what}）。")


def _flags(frame: pl.DataFrame, name: str, optional: dict) -> None:
    """资格核查: the organisation's grants and awards decided while it was listed, rated below the
    line or behind with an annual report (信用评价结果作为政府购买服务、评先评优的重要依据)."""
    if not optional["count_org_grants"] and not optional["count_awards"]:
        _not_loaded("「资金安排」和「表彰奖励」")
        return
    if frame.is_empty():
        st.success("该组织获得的资金安排和表彰奖励，在决定时均未发现存疑情况。")
        return
    table = frame.select(
        pl.col("decision_label").alias("类别"),
        tables.iso("decided_on").alias("决定日期"),
        pl.col("reasons").alias("存疑原因"),
        pl.col("title").alias("项目或荣誉名称"),
        pl.col("amount_yuan").cast(pl.Float64).alias("批复金额（元）"),
        pl.col("award_level_label").fill_null("").alias("表彰级别"),
    )
    tables.show(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "批复金额（元）": st.column_config.NumberColumn(format="localized"),
            "存疑原因": st.column_config.TextColumn(width="large"),
        },
        placeholder="—",
    )
    downloads.buttons(table, f"{name}_资格核查", key="org_dl_flags", detail=True)


def _party(frame: pl.DataFrame, name: str, own_branch: bool | None, optional: dict) -> None:
    if not optional["count_party_coverage"]:
        _not_loaded("「党组织覆盖」台账")
        return
    if frame.is_empty():
        registry = "（名录登记为已建立党组织，但党组织覆盖台账中没有）" if own_branch else ""
        st.info(f"截至当日，该组织未被联合党支部或单独党支部覆盖{registry}。")
        return
    table = frame.select(
        pl.col("party_org_name").alias("党组织"),
        pl.col("kind_label").fill_null("").alias("类型"),
        pl.col("division_name").alias("所属“大党委”"),
        tables.iso("founded_on").alias("成立日期"),
        tables.iso("covered_from").alias("覆盖起始日期"),
        pl.col("count_orgs_covered").alias("覆盖组织（家）"),
    )
    tables.show(table, hide_index=True, width="stretch")
    downloads.buttons(table, f"{name}_党组织", key="org_dl_party", detail=True)


def _federations(frame: pl.DataFrame, name: str, optional: dict) -> None:
    if not optional["count_federation_members"]:
        _not_loaded("「联合会成员」台账")
        return
    if frame.is_empty():
        st.info("该组织没有加入联合会或行业协会。")
        return
    table = frame.select(
        pl.col("federation_name").alias("联合会或行业协会"),
        pl.col("kind_label").fill_null("").alias("类型"),
        pl.col("level_label").fill_null("").alias("层级"),
        tables.iso("joined_on").alias("加入日期"),
        tables.iso("left_on").alias("退出日期"),
        pl.when(pl.col("is_current"))
        .then(pl.lit("在会"))
        .otherwise(pl.lit("已退出"))
        .alias("状态"),
    )
    tables.show(table, hide_index=True, width="stretch")
    downloads.buttons(table, f"{name}_联合会", key="org_dl_federations", detail=True)


def _matters(frame: pl.DataFrame, name: str, optional: dict) -> None:
    if not optional["count_matters"]:
        _not_loaded("「重大事项报告」台账")
        return
    if frame.is_empty():
        st.info("该组织没有须报告的重大事项记录。")
        return
    days = frame["report_days"][0]
    st.caption(f"事项发生后{days}天内（或事前）报告的为按时报告；报告用时为负数即事前报告。")
    table = frame.select(
        pl.col("matter_label").fill_null("").alias("事项类型"),
        tables.iso("matter_on").alias("事项日期"),
        tables.iso("reported_on").alias("报告日期"),
        pl.col("days_to_report").alias("报告用时（天）"),
        pl.col("report_status")
        .replace_strict(style.labels("matter_status"), default="")
        .alias("报告情况"),
        pl.col("description").fill_null("").alias("事项说明"),
    )
    tables.show(table, hide_index=True, width="stretch", placeholder="—")
    downloads.buttons(table, f"{name}_重大事项", key="org_dl_matters", detail=True)


def _disclosures(frame: pl.DataFrame, name: str, optional: dict) -> None:
    if not optional["count_disclosures"]:
        _not_loaded("「信息公开」台账")
        return
    if frame.is_empty():
        st.info("该组织没有信息公开记录。")
        return
    table = frame.select(
        pl.col("item_label").fill_null("").alias("公开事项"),
        (pl.col("year").cast(pl.Utf8) + "年度").alias("所属年度"),
        tables.iso("disclosed_on").alias("公开日期"),
        pl.col("channel_label").fill_null("").alias("公开渠道"),
    )
    tables.show(table, hide_index=True, width="stretch")
    downloads.buttons(table, f"{name}_信息公开", key="org_dl_disclosures", detail=True)


def _reports(frame: pl.DataFrame, name: str, p: dict) -> None:
    if frame.is_empty():
        st.info("该组织没有年报记录（备案组织不报送年报，登记组织成立次年起报送）。")
        return
    results = style.labels("report_result")
    rows = frame.to_dicts()
    table = pl.DataFrame(
        {
            "报告年度": [f"{x['report_year']}年度" for x in rows],
            "应报日期": [str(x["due_on"]) for x in rows],
            "报送日期": [str(x["submitted_on"]) if x["submitted_on"] else "" for x in rows],
            "报送情况": [charts.filing_text(x["filing_status"], x["days_late"]) for x in rows],
            "年检结果": [
                results.get(x["result"], x["result"])
                if x["result"]
                else ("未报" if x["filing_status"] == "overdue" else "待审核")
                for x in rows
            ],
        }
    )
    figures.show("org_chart_reports", lambda: charts.report_record(frame), on=tuple(p.items()))
    tables.show(table, hide_index=True, width="stretch")
    downloads.buttons(table, f"{name}_年报", key="org_dl_reports", detail=True)


def _grades(frame: pl.DataFrame, name: str, as_of: dt.date) -> None:
    if frame.is_empty():
        st.info("该组织尚未参加等级评估（登记满两年的组织方可申请评估）。")
        return

    def state(x: dict) -> str:
        if x["is_current"]:
            return "有效（一年内到期）" if x["expires_within_year"] else "有效"
        return "已过期" if x["valid_until"] < as_of else "已由新评估替代"

    rows = frame.to_dicts()
    table = pl.DataFrame(
        {
            "评估年度": [f"{x['evaluated_year']}年" for x in rows],
            "得分": [x["score"] for x in rows],
            "等级": [grade_label(x["grade"]) for x in rows],
            "有效期至": [str(x["valid_until"]) for x in rows],
            "状态": [state(x) for x in rows],
        }
    )
    tables.show(table, hide_index=True, width="stretch")
    downloads.buttons(table, f"{name}_等级评估", key="org_dl_grades", detail=True)


def _ratings(frame: pl.DataFrame, name: str) -> None:
    if frame.is_empty():
        st.info("该组织没有信用评价记录。")
        return
    levels = style.labels("credit_rating")
    table = frame.select(
        (pl.col("year").cast(pl.Utf8) + "年").alias("评价年度"),
        (
            pl.col("rating") + "（" + pl.col("rating").replace_strict(levels, default="") + "）"
        ).alias("信用等级"),
    )
    tables.show(table, hide_index=True, width="stretch")
    downloads.buttons(table, f"{name}_信用评价", key="org_dl_ratings", detail=True)


def _listings(frame: pl.DataFrame, name: str) -> None:
    if frame.is_empty():
        st.info("该组织未被列入活动异常名录或严重违法失信名单。")
        return
    table = frame.select(
        pl.col("list_type").replace_strict(labels_list, default=pl.col("list_type")).alias("名录"),
        tables.iso("listed_on").alias("列入日期"),
        tables.iso("removed_on").alias("移出日期"),
        pl.col("reason").fill_null("").alias("列入原因"),
        pl.when(pl.col("is_current"))
        .then(pl.lit("在列"))
        .otherwise(pl.lit("已移出"))
        .alias("状态"),
    )
    tables.show(table, hide_index=True, width="stretch")
    downloads.buttons(table, f"{name}_信用名录", key="org_dl_listings", detail=True)


def _inspections(frame: pl.DataFrame, name: str) -> None:
    if frame.is_empty():
        st.info("该组织没有专项抽查记录。")
        return
    results = style.labels("inspection_result")
    table = frame.select(
        pl.col("inspection_id").alias("抽查编号"),
        tables.iso("inspected_on").alias("抽查日期"),
        pl.col("result").replace_strict(results, default=pl.col("result")).alias("抽查结果"),
    )
    tables.show(table, hide_index=True, width="stretch")
    downloads.buttons(table, f"{name}_专项抽查", key="org_dl_inspections", detail=True)


def _grants(frame: pl.DataFrame, name: str) -> None:
    if frame.is_empty():
        st.info("该组织没有获得过资金资助。")
        return
    approved = float(frame["approved_yuan"].sum())
    paid = float(frame["paid_yuan"].sum())
    c1, c2, c3 = st.columns(3)
    c1.metric(
        "批复资助",
        fmt.yuan(approved),
        f"{frame.height}个项目",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    c2.metric("已拨付", fmt.yuan(paid), border=True)
    c3.metric("拨付率", fmt.rate(paid / approved if approved else None), border=True)
    sources = style.labels("fund_source")
    purposes = style.labels("grant_purpose")
    table = frame.select(
        pl.col("grant_id").alias("项目编号"),
        (pl.col("year").cast(pl.Utf8) + "年").alias("年度"),
        pl.col("title").alias("项目名称"),
        pl.col("fund_source")
        .replace_strict(sources, default=pl.col("fund_source"))
        .alias("资金来源"),
        pl.col("purpose").replace_strict(purposes, default=pl.col("purpose")).alias("用途"),
        tables.iso("approved_on").alias("批复日期"),
        pl.col("approved_yuan").cast(pl.Float64).alias("批复金额（元）"),
        pl.col("paid_yuan").cast(pl.Float64).alias("已拨付（元）"),
        (pl.col("paid_rate") * 100).round(1).alias("拨付率（%）"),
        tables.iso("last_paid_on").alias("最近拨付日期"),
    )
    tables.show(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "批复金额（元）": st.column_config.NumberColumn(format="localized"),
            "已拨付（元）": st.column_config.NumberColumn(format="localized"),
        },
    )
    downloads.buttons(table, f"{name}_资金资助", key="org_dl_grants", detail=True)


if org:
    st.divider()
    _profile(org, f.as_of)
