"""监管: annual reports, major-matter reports, disclosure, evaluation grades, credit ratings and
lists, 资格核查 of grants and awards, inspections, party building.

Every figure can be opened as the list of organisations behind it (a 查看名单 picker per section),
drawn from the same rows the figure counts, so the list always has the figure's length.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import polars as pl
import streamlit as st

from dashboard import data, downloads, figures, nav, style, tables
from dashboard import filters as flt
from dashboard import formats as fmt
from dashboard.charts import governance as charts
from dashboard.charts import supervision as sup_charts
from dashboard.safe import md
from queries.indicators import catalogue
from reports import wording as w

CAP = 500  # rows of a list drawn in the browser; the download carries all of them
NONE = "—"

f = flt.current()
P = f.params()
# Tables and charts break the county down by township, a chosen township by community and a
# province by county.
UNIT = f.unit()
ORGS = catalogue()["count_active"]  # the measure's one label (queries/indicators.toml)
labels_field = style.labels("field")
labels_status = style.labels("org_status")
# Which optional sources (重大事项报告, 信息公开, …) this build has: a source never imported says
# so (暂无数据), where one imported but empty in the filters says there is nothing.
optional = data.run("info/optional_sources").row(0, named=True)


def _not_loaded(what: str, files: str) -> None:
    st.info(
        f"{what}暂无数据（未导入{files}）。开展此项工作后，把{files}放进数据文件夹重新导入即可。"
    )


def _yes_no(col: str) -> pl.Expr:
    return pl.when(pl.col(col)).then(pl.lit("是")).otherwise(pl.lit("否"))


def _table_height(rows: int) -> int | Literal["content"]:
    return "content" if rows <= 14 else 420


def _org_columns(frame: pl.DataFrame) -> list[pl.Expr]:
    """The organisation columns every list starts with, under Chinese headers."""
    cols = [
        pl.col("org_id").alias("组织编号"),
        pl.col("name").alias("组织名称"),
        pl.col("credit_code").fill_null("").alias("统一社会信用代码"),
        pl.col("township_name").alias("乡镇（街道）"),
        pl.col("community_name").alias("社区（村）"),
        pl.col("field").replace_strict(labels_field, default="").alias("服务领域"),
    ]
    if "status" in frame.columns:
        cols.insert(3, pl.col("status").replace_strict(labels_status, default="").alias("登记类型"))
    return cols


def org_list(
    section: str,
    title: str,
    options: dict[str, str],
    fetch: Callable[[str], pl.DataFrame],
    extra: Callable[[pl.DataFrame], list[pl.Expr]],
    unit: str = "家",
) -> None:
    """A 查看名单 picker: choose a figure, see and download the organisations behind it.

    options: bucket -> label carrying the figure ('逾期报送（18家）'); fetch(bucket) gives the rows.
    """
    choice = st.selectbox(
        f"查看名单：{title}",
        [NONE, *options],
        key=f"gov_{section}_list",
        format_func=lambda b: "选择一项指标，查看其背后的组织名单" if b == NONE else options[b],
    )
    if choice == NONE:
        return
    rows = fetch(choice)
    label = options[choice].split("（")[0]
    if rows.is_empty():
        st.info(f"当前筛选条件下，「{md(label)}」没有对应的组织。")
        return
    table = rows.select(*_org_columns(rows), *extra(rows))
    whole = "，完整名单请下载" if downloads.allowed(detail=True) else ""  # else: DETAIL_NOTE below
    more = f"，下表显示前 {CAP:,} 条{whole}" if table.height > CAP else ""
    st.caption(f"{md(title)} · {md(label)}：共 {fmt.count(table.height, unit)}{more}。")
    tables.show(
        table.head(CAP), hide_index=True, width="stretch", height=_table_height(table.height)
    )
    downloads.buttons(
        table, f"{title}_{label}_{f.year}年", key=f"gov_dl_list_{section}", detail=True
    )


st.title("社会组织监管")
st.caption(
    f"{md(f.describe())} · 状态{w.as_of(f.as_of)} · 每项数字均可在「查看名单」中展开为组织名单"
)

# --- annual reports -----------------------------------------------------------------------------
st.header("年报年检", divider="gray")
reports = data.run("governance/reports_by_year", **P)
county = reports.filter(pl.col("is_total"))
this_year = county.filter(pl.col("due_year") == f.year)
towns = reports.filter(~pl.col("is_total") & (pl.col("due_year") == f.year))

if this_year.is_empty():
    st.info(
        f"当前筛选条件下，{f.year}年没有应报送的年度工作报告（年报由登记的社会组织报送，备案组织不报）。"
    )
else:
    y = this_year.row(0, named=True)
    st.markdown(f"**{f.year}年年检**：{y['report_year']}年度工作报告，报送状态{w.as_of(f.as_of)}。")
    tiles = st.columns(6)
    tiles[0].metric("应报", fmt.count(y["count_due"]), border=True)
    tiles[1].metric("已报送", fmt.count(y["count_submitted"]), border=True)
    tiles[2].metric("报送率", fmt.rate(y["submission_rate"]), border=True)
    tiles[3].metric("按时报送", fmt.count(y["count_on_time"]), border=True)
    tiles[4].metric("逾期报送", fmt.count(y["count_late"]), border=True)
    tiles[5].metric("逾期未报", fmt.count(y["count_overdue"]), border=True)
    results_tiles = st.columns(4)
    results_tiles[0].metric("结果：合格", fmt.count(y["count_pass"]), border=True)
    results_tiles[1].metric("结果：基本合格", fmt.count(y["count_basic_pass"]), border=True)
    results_tiles[2].metric("结果：不合格", fmt.count(y["count_fail"]), border=True)
    results_tiles[3].metric("结果：未报", fmt.count(y["count_overdue"]), border=True)

    left, right = st.columns(2)
    with left:
        figures.show("gov_chart_reports_year", lambda: charts.reports_by_year(county))
    with right:
        figures.show("gov_chart_reports_town", lambda: charts.report_results_by_unit(towns, UNIT))

    town_table = pl.concat([towns, this_year]).select(
        pl.col("unit_name").fill_null("合计").alias(UNIT),
        pl.col("count_due").alias("应报"),
        pl.col("count_submitted").alias("已报送"),
        tables.pct("submission_rate").alias("报送率（%）"),
        pl.col("count_on_time").alias("按时报送"),
        pl.col("count_late").alias("逾期报送"),
        pl.col("count_overdue").alias("逾期未报"),
        pl.col("count_pass").alias("合格"),
        pl.col("count_basic_pass").alias("基本合格"),
        pl.col("count_fail").alias("不合格"),
        pl.col("count_overdue").alias("未报"),
    )
    tables.show(
        town_table, hide_index=True, width="stretch", height=_table_height(town_table.height)
    )
    downloads.buttons(town_table, f"{f.year}年各{UNIT}年报报送情况", key="gov_dl_reports_town")

    filing = charts.filing_labels()  # lookup_filing_status: one name per status
    buckets = {
        "due": ("应报", "count_due"),
        "submitted": ("已报送", "count_submitted"),
        "on_time": (filing["on_time"], "count_on_time"),
        "late": (filing["late"], "count_late"),
        "overdue": (filing["overdue"], "count_overdue"),
        "pass": ("合格", "count_pass"),
        "basic_pass": ("基本合格", "count_basic_pass"),
        "fail": ("不合格", "count_fail"),
    }
    if y["count_not_due"]:
        buckets["not_due"] = (filing["not_due"], "count_not_due")
    if y["count_pending"]:
        buckets["pending"] = ("待审核", "count_pending")
    results = style.labels("report_result")
    org_list(
        "reports",
        "年报",
        {b: f"{label}（{fmt.count(y[c])}）" for b, (label, c) in buckets.items()},
        lambda b: data.run("governance/report_orgs", **P, bucket=b),
        lambda rows: [
            (pl.col("report_year").cast(pl.Utf8) + "年度").alias("报告年度"),
            tables.iso("due_on").alias("应报日期"),
            tables.iso("submitted_on").alias("报送日期"),
            pl.col("filing_status")
            .replace_strict(filing, default=pl.col("filing_status"))
            .alias("报送情况"),
            pl.col("days_late").alias("逾期天数"),
            pl.when(pl.col("filing_status") == "overdue")
            .then(pl.lit("未报"))
            .otherwise(pl.col("result").replace_strict(results, default="待审核"))
            .alias("年检结果"),
        ],
    )

# --- major matters (重大事项报告制度) -----------------------------------------------------------
st.header("重大事项报告", divider="gray")
matters = data.run("governance/matters", **P)
mm = matters.filter(pl.col("is_total")).row(0, named=True)
if not optional["count_matters"]:
    _not_loaded("重大事项报告", "「重大事项报告」台账")
elif not mm["count_matters"]:
    st.info(f"当前筛选条件下，{f.year}年没有发生须报告的重大事项。")
else:
    st.markdown(
        f"**{f.year}年重大事项**：事项发生后{mm['report_days']}天内（或事前）报告的为按时报告，"
        f"报告情况{w.as_of(f.as_of)}。"
    )
    matter_tiles = st.columns(5)
    matter_tiles[0].metric("重大事项", fmt.count(mm["count_matters"], "项"), border=True)
    matter_tiles[1].metric(
        "按时报告率",
        fmt.rate(mm["on_time_rate"]),
        help="按时报告 ÷（按时报告 + 逾期报告 + 逾期未报告）；未到报告期限的事项不计。",
        border=True,
    )
    matter_tiles[2].metric("按时报告", fmt.count(mm["count_on_time"], "项"), border=True)
    matter_tiles[3].metric("逾期报告", fmt.count(mm["count_late"], "项"), border=True)
    matter_tiles[4].metric("逾期未报告", fmt.count(mm["count_overdue"], "项"), border=True)
    if mm["count_pending"]:
        st.caption(f"另有{mm['count_pending']}项尚未报告、仍在{mm['report_days']}天报告期限内。")
    matter_units = matters.filter(~pl.col("is_total"))
    figures.show(
        "gov_chart_matters_unit", lambda: sup_charts.matters_by_unit(matter_units, UNIT, f.year)
    )
    matter_table = pl.concat([matter_units, matters.filter(pl.col("is_total"))]).select(
        pl.col("unit_name").fill_null("合计").alias(UNIT),
        pl.col("count_matters").alias("重大事项（项）"),
        *(
            pl.col(f"count_{code}").alias(label)
            for code, label in style.labels("matter_status").items()
        ),
        tables.pct("on_time_rate").alias("按时报告率（%）"),
    )
    tables.show(
        matter_table,
        hide_index=True,
        width="stretch",
        height=_table_height(matter_table.height),
        placeholder="—",
    )
    downloads.buttons(matter_table, f"{f.year}年各{UNIT}重大事项报告情况", key="gov_dl_matters")
    late = data.run("governance/matter_list", **P)
    if late.height:
        st.markdown(f"**未按时报告的重大事项**（{fmt.count(late.height, '项')}）")
        late_table = late.select(
            pl.col("org_id").alias("组织编号"),
            pl.col("name").alias("组织名称"),
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("community_name").alias("社区（村）"),
            pl.col("matter_label").fill_null("").alias("事项类型"),
            tables.iso("matter_on").alias("事项日期"),
            tables.iso("reported_on").alias("报告日期"),
            pl.col("days_to_report").alias("报告用时（天）"),
            pl.col("days_since_matter").alias("距事项发生（天）"),
            pl.col("report_status")
            .replace_strict(style.labels("matter_status"), default="")
            .alias("报告情况"),
            pl.col("description").fill_null("").alias("事项说明"),
        )
        tables.show(
            late_table,
            hide_index=True,
            width="stretch",
            height=_table_height(late_table.height),
            placeholder="—",
        )
        downloads.buttons(
            late_table, f"未按时报告的重大事项_{f.year}年", key="gov_dl_matter_list", detail=True
        )

# --- information disclosure (信息公开制度) ------------------------------------------------------
st.header("信息公开", divider="gray")
disclosure = data.run("governance/disclosure", **P)
dd = disclosure.filter(pl.col("is_total")).row(0, named=True)
if not optional["count_disclosures"]:
    _not_loaded("信息公开", "「信息公开」台账")
elif not dd["count_expected"]:
    st.info(f"当前筛选条件下没有{f.year - 1}年底前成立的现有社会组织，没有应公开的信息。")
else:
    dy = dd["disclosure_year"]
    st.markdown(
        f"**{dy}年度信息公开**：{dy}年底前成立的现有组织{w.as_of(f.as_of)}公开"
        f"{dy}年度工作报告和财务收支的情况；信息公开率按登记的社会组织计算。"
    )
    disc_tiles = st.columns(5)
    disc_tiles[0].metric(
        "应公开的登记组织", fmt.count(dd["count_registered_expected"]), border=True
    )
    disc_tiles[1].metric(
        "已公开年度工作报告", fmt.count(dd["count_registered_annual_report"]), border=True
    )
    disc_tiles[2].metric(
        "信息公开率",
        fmt.rate(dd["registered_annual_report_rate"]),
        help=f"已公开{dy}年度工作报告的登记组织 ÷ {dy}年底前成立的现有登记组织。",
        border=True,
    )
    disc_tiles[3].metric(
        "财务收支公开率",
        fmt.rate(dd["registered_finances_rate"]),
        fmt.count(dd["count_registered_finances"]),
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    disc_tiles[4].metric(
        "近12个月有公开",
        fmt.rate(dd["disclosed_12m_rate"]),
        f"{dd['count_disclosed_12m']}/{dd['count_expected']}家（含备案组织）",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    disc_units = disclosure.filter(~pl.col("is_total"))
    if dd["count_registered_expected"]:
        figures.show(
            "gov_chart_disclosure_unit",
            lambda: sup_charts.disclosure_by_unit(
                disc_units, UNIT, dy, dd["registered_annual_report_rate"]
            ),
        )
    disc_table = pl.concat([disc_units, disclosure.filter(pl.col("is_total"))]).select(
        pl.col("unit_name").fill_null("合计").alias(UNIT),
        pl.col("count_registered_expected").alias("登记组织（家）"),
        pl.col("count_registered_annual_report").alias("公开年度工作报告（家）"),
        tables.pct("registered_annual_report_rate").alias("信息公开率（%）"),
        pl.col("count_registered_finances").alias("公开财务收支（家）"),
        tables.pct("registered_finances_rate").alias("财务收支公开率（%）"),
        pl.col("count_expected").alias("全部组织（家）"),
        pl.col("count_disclosed_12m").alias("近12个月有公开（家）"),
        tables.pct("disclosed_12m_rate").alias("近12个月公开率（%）"),
    )
    tables.show(
        disc_table,
        hide_index=True,
        width="stretch",
        height=_table_height(disc_table.height),
        placeholder="—",
    )
    downloads.buttons(disc_table, f"{dy}年度各{UNIT}信息公开情况", key="gov_dl_disclosure")
    silent = data.run("governance/disclosure_orgs", **P)
    if silent.height:
        with st.expander(f"未公开{dy}年度工作报告的登记组织（{fmt.count(silent.height)}）"):
            silent_table = silent.select(
                *_org_columns(silent),
                _yes_no("disclosed_finances").alias("公开财务收支"),
                pl.col("count_disclosures_12m").alias("近12个月公开（次）"),
                tables.iso("last_disclosed_on").alias("最近公开日期"),
            )
            tables.show(
                silent_table,
                hide_index=True,
                width="stretch",
                height=_table_height(silent_table.height),
            )
            downloads.buttons(
                silent_table,
                f"未公开{dy}年度工作报告的登记组织",
                key="gov_dl_disclosure_orgs",
                detail=True,
            )

# --- evaluation grades --------------------------------------------------------------------------
st.header("等级评估", divider="gray")
grades = data.run("governance/grades", **P)
n_graded = int(grades["count_orgs"].sum())
if n_graded == 0:
    st.info("当前筛选条件下没有持有有效评估等级的社会组织（等级有效期五年，已注销组织不计）。")
else:
    n_3a = int(grades.filter(pl.col("grade") >= 3)["count_orgs"].sum())
    n_exp = int(grades["count_expiring"].sum())
    left, right = st.columns([3, 1])
    with left:
        figures.show("gov_chart_grades", lambda: charts.grade_mix(grades))
    with right:
        st.metric("持有有效等级", fmt.count(n_graded), border=True)
        st.metric(
            "3A及以上",
            fmt.count(n_3a),
            f"占 {fmt.rate(n_3a / n_graded)}",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        st.metric("一年内到期", fmt.count(n_exp), border=True)
    # Expiring grades are what the bureau acts on next (re-evaluation), so they are listed outright.
    expiring = data.run("governance/grade_orgs", **P, bucket="expiring")
    if not expiring.is_empty():
        st.markdown(f"**一年内到期的评估等级**（{fmt.count(expiring.height)}）")
        exp_table = expiring.select(
            pl.col("org_id").alias("组织编号"),
            pl.col("name").alias("组织名称"),
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("grade").map_elements(charts.grade_label, return_dtype=pl.Utf8).alias("等级"),
            (pl.col("evaluated_year").cast(pl.Utf8) + "年").alias("评估年度"),
            tables.iso("valid_until").alias("有效期至"),
        )
        tables.show(
            exp_table, hide_index=True, width="stretch", height=_table_height(exp_table.height)
        )
        downloads.buttons(
            exp_table, f"一年内到期的评估等级_{f.year}年", key="gov_dl_expiring", detail=True
        )
    grade_options = {
        "all": f"持有有效等级（{fmt.count(n_graded)}）",
        "a3plus": f"3A及以上（{fmt.count(n_3a)}）",
        "expiring": f"一年内到期（{fmt.count(n_exp)}）",
    }
    for g, n in zip(grades["grade"].to_list(), grades["count_orgs"].to_list(), strict=True):
        grade_options[str(g)] = f"{charts.grade_label(g)}（{fmt.count(n)}）"
    org_list(
        "grades",
        "等级评估",
        grade_options,
        lambda b: data.run("governance/grade_orgs", **P, bucket=b),
        lambda rows: [
            pl.col("grade").map_elements(charts.grade_label, return_dtype=pl.Utf8).alias("等级"),
            pl.col("score").alias("得分"),
            (pl.col("evaluated_year").cast(pl.Utf8) + "年").alias("评估年度"),
            tables.iso("valid_until").alias("有效期至"),
        ],
    )

# --- credit ratings -----------------------------------------------------------------------------
st.header("信用评价", divider="gray")
ratings = data.run("governance/ratings_by_year", **P)
rated = ratings.filter(pl.col("year") == f.year)
n_rated = int(rated["count_orgs"].sum())
if int(ratings["count_orgs"].sum()) == 0:
    st.info("当前筛选条件下没有信用评价记录（信用评价面向登记的社会组织）。")
else:
    if n_rated:
        st.markdown(f"**{f.year}年信用评价**（参评 {fmt.count(n_rated)}）")
        cols = st.columns(rated.height)
        for col, r in zip(cols, rated.iter_rows(named=True), strict=True):
            col.metric(
                f"{r['rating']}（{r['rating_label']}）",
                fmt.count(r["count_orgs"]),
                f"占 {fmt.rate(r['count_orgs'] / n_rated)}",
                delta_color="off",
                delta_arrow="off",
                border=True,
            )
    figures.show("gov_chart_ratings", lambda: charts.rating_mix(ratings))
    if n_rated:
        rating_labels = style.labels("credit_rating")
        rating_options = {"all": f"{f.year}年参评（{fmt.count(n_rated)}）"}
        rating_options |= {
            r["rating"]: f"{r['rating']}（{r['rating_label']}）（{fmt.count(r['count_orgs'])}）"
            for r in rated.iter_rows(named=True)
        }
        org_list(
            "ratings",
            "信用评价",
            rating_options,
            lambda b: data.run("governance/rating_orgs", **P, bucket=b),
            lambda rows: [
                (pl.col("year").cast(pl.Utf8) + "年").alias("评价年度"),
                (
                    pl.col("rating")
                    + "（"
                    + pl.col("rating").replace_strict(rating_labels, default="")
                    + "）"
                ).alias("信用等级"),
            ],
        )
    else:
        st.info(f"当前筛选条件下，{f.year}年没有信用评价记录。")

# --- credit lists -------------------------------------------------------------------------------
st.header("信用名录", divider="gray")
listings = data.run("governance/listings", **P)
st.caption(f"{w.as_of(f.as_of)}仍在名录中的存续组织（已移出或已注销的不计）。")
cols = st.columns(len(listings) or 1)
for col, r in zip(cols, listings.iter_rows(named=True), strict=False):
    col.metric(
        f"当前列入{r['list_label']}",
        fmt.count(r["count_orgs"]),
        f"其中{f.year}年新列入 {r['count_listed_this_year']}家",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
org_list(
    "listings",
    "信用名录",
    {
        r["list_type"]: f"{r['list_label']}（{fmt.count(r['count_orgs'])}）"
        for r in listings.iter_rows(named=True)
    },
    lambda b: data.run("governance/listing_orgs", **P, bucket=b),
    lambda rows: [
        tables.iso("listed_on").alias("列入日期"),
        pl.col("days_listed").alias("已列入天数"),
        pl.col("reasons").fill_null("").alias("列入原因"),
    ],
)

# --- 资格核查: 信用评价结果作为政府购买服务、评先评优的重要依据 -----------------------------------------
st.header("资格核查", divider="gray")
rule_rows = data.run("governance/eligibility_rule")
if rule_rows.height:
    line = rule_rows.row(0, named=True)
    below = f"，即{line['ratings_below']}级" if line["ratings_below"] else ""
    st.caption(
        "核查规则：资金安排以批复日、表彰奖励以当年12月31日为决定日；组织在决定日处于活动异常名录或"
        f"严重违法失信名单中，或决定前最近一个年度的信用等级低于{md(line['min_rating'])}级"
        f"（{md(line['min_rating_label'])}{md(below)}），或有到期未报的年报，即标为存疑。"
        "信用评价结果作为政府购买服务、评先评优的重要依据。"
    )
checks = {
    r["decision_type"]: r for r in data.run("governance/eligibility", **P).iter_rows(named=True)
}
grant_check, award_check = checks["grant"], checks["award"]
if not optional["count_org_grants"] and not optional["count_awards"]:
    _not_loaded("资格核查", "「资金安排」和「表彰奖励」")
elif not grant_check["count_decisions"] and not award_check["count_decisions"]:
    st.info(f"当前筛选条件下，{f.year}年没有向社会组织批复的资金，也没有表彰奖励。")
else:
    n_flagged = grant_check["count_flagged"] + award_check["count_flagged"]
    approved = float(grant_check["amount_yuan"])
    check_tiles = st.columns(3)
    check_tiles[0].metric(
        "存疑的资金安排",
        fmt.count(grant_check["count_flagged"], "项"),
        f"共核查{grant_check['count_decisions']}项",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    check_tiles[1].metric(
        "存疑资金金额",
        fmt.yuan(grant_check["flagged_amount_yuan"]),
        f"占批复{fmt.rate(float(grant_check['flagged_amount_yuan']) / approved)}"
        if approved
        else None,
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    check_tiles[2].metric(
        "存疑的表彰奖励",
        fmt.count(award_check["count_flagged"], "项"),
        f"共核查{award_check['count_decisions']}项",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    why = [
        ("决定时在异常名录或失信名单中", "count_listed"),
        ("信用等级低于标准", "count_below_rating_line"),
        ("年报逾期未报", "count_overdue_report"),
    ]
    reasons = "，".join(
        f"{label}{grant_check[c] + award_check[c]}项"
        for label, c in why
        if grant_check[c] + award_check[c]
    )
    if reasons:
        st.caption(f"存疑原因（一项决定可有几条）：{reasons}。")
    if not n_flagged:
        st.success(
            f"{f.year}年当前筛选范围内的资金安排和表彰奖励，对象在决定时均不在名录中、"
            "信用等级均不低于标准，也没有逾期未报的年报。"
        )
    else:
        flags = data.run("governance/eligibility_flags", **P, kind=None)
        flag_table = flags.select(
            pl.col("decision_label").alias("类别"),
            tables.iso("decided_on").alias("决定日期"),
            pl.col("name").alias("组织名称"),
            pl.col("reasons").alias("存疑原因"),
            pl.col("title").alias("项目或荣誉名称"),
            pl.col("amount_yuan").cast(pl.Float64).alias("批复金额（元）"),
            pl.col("award_level_label").fill_null("").alias("表彰级别"),
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("community_name").alias("社区（村）"),
            pl.col("org_id").alias("组织编号"),
        )
        profiles = nav.may_open("organizations")
        st.markdown(
            f"**{f.year}年存疑的资金安排和表彰奖励**（{fmt.count(flag_table.height, '项')}）"
            + ("：选中一行可打开该组织的档案" if profiles else "")
        )
        event = tables.show(
            flag_table,
            hide_index=True,
            width="stretch",
            height=_table_height(flag_table.height),
            column_config={
                "批复金额（元）": st.column_config.NumberColumn(format="localized"),
                "存疑原因": st.column_config.TextColumn(width="large"),
            },
            placeholder="—",
            on_select="rerun" if profiles else "ignore",
            selection_mode="single-row",
            key="gov_flags",
        )
        downloads.buttons(
            flag_table,
            f"资格核查存疑的资金安排和表彰奖励_{f.year}年",
            key="gov_dl_flags",
            detail=True,
        )
        picked = event.selection.rows if profiles else []
        if picked:
            nav.go("organizations", org=flag_table["组织编号"][picked[0]])

# --- inspections --------------------------------------------------------------------------------
st.header("专项抽查", divider="gray")
insp = data.run("governance/inspections_by_year", **P)
insp_year = insp.filter(pl.col("year") == f.year)
n_insp = int(insp_year["count_inspections"].sum())
if int(insp["count_inspections"].sum()) == 0:
    st.info("当前筛选条件下没有专项抽查记录。")
else:
    cols = st.columns(1 + insp_year.height)
    cols[0].metric(f"{f.year}年抽查", fmt.count(n_insp, "次"), border=True)
    for col, r in zip(cols[1:], insp_year.iter_rows(named=True), strict=True):
        col.metric(r["result_label"], fmt.count(r["count_inspections"], "次"), border=True)
    figures.show("gov_chart_inspections", lambda: charts.inspections_by_year(insp))
    if n_insp:
        inspection_labels = style.labels("inspection_result")
        insp_options = {"all": f"{f.year}年抽查（{fmt.count(n_insp, '次')}）"}
        insp_options |= {
            r["result"]: f"{r['result_label']}（{fmt.count(r['count_inspections'], '次')}）"
            for r in insp_year.iter_rows(named=True)
        }
        org_list(
            "inspections",
            "专项抽查",
            insp_options,
            lambda b: data.run("governance/inspection_orgs", **P, bucket=b),
            lambda rows: [
                pl.col("inspection_id").alias("抽查编号"),
                tables.iso("inspected_on").alias("抽查日期"),
                pl.col("result")
                .replace_strict(inspection_labels, default=pl.col("result"))
                .alias("抽查结果"),
            ],
            unit="次",
        )
    else:
        st.info(f"当前筛选条件下，{f.year}年没有专项抽查。")

# --- party building and integrity ---------------------------------------------------------------
st.header("党建与清廉建设", divider="gray")
charter = data.run("governance/charter", **P)
total = charter.filter(pl.col("is_total"))
if total.is_empty() or not total["count_active"][0]:
    st.info("当前筛选条件下没有存续的社会组织。")
else:
    t = total.row(0, named=True)
    n = t["count_active"]
    charter_tiles = st.columns(4)
    charter_tiles[0].metric(ORGS.label, fmt.count(n), border=True)
    for col, label, rate, count in [
        (charter_tiles[1], "党建入章率", "party_in_charter_rate", "count_party_in_charter"),
        (charter_tiles[2], "清廉入章率", "integrity_in_charter_rate", "count_integrity_in_charter"),
        (charter_tiles[3], "建立党组织占比", "party_branch_rate", "count_party_branch"),
    ]:
        col.metric(
            label,
            fmt.rate(t[rate]),
            fmt.count(t[count]),
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
    charter_table = pl.concat([charter.filter(~pl.col("is_total")), total]).select(
        pl.col("unit_name").fill_null("合计").alias(UNIT),
        pl.col("count_active").alias(ORGS.header),
        pl.col("count_party_in_charter").alias("党建入章"),
        tables.pct("party_in_charter_rate").alias("党建入章率（%）"),
        pl.col("count_integrity_in_charter").alias("清廉入章"),
        tables.pct("integrity_in_charter_rate").alias("清廉入章率（%）"),
        pl.col("count_party_branch").alias("建立党组织"),
        tables.pct("party_branch_rate").alias("建立党组织占比（%）"),
    )
    tables.show(
        charter_table, hide_index=True, width="stretch", height=_table_height(charter_table.height)
    )
    downloads.buttons(charter_table, f"{f.year}年各{UNIT}党建清廉入章情况", key="gov_dl_charter")
    org_list(
        "charter",
        "党建与清廉",
        {
            "party_in_charter": f"党建入章（{fmt.count(t['count_party_in_charter'])}）",
            "no_party_in_charter": f"党建未入章（{fmt.count(n - t['count_party_in_charter'])}）",
            "integrity_in_charter": f"清廉入章（{fmt.count(t['count_integrity_in_charter'])}）",
            "no_integrity_in_charter": (
                f"清廉未入章（{fmt.count(n - t['count_integrity_in_charter'])}）"
            ),
            "party_branch": f"已建立党组织（{fmt.count(t['count_party_branch'])}）",
            "no_party_branch": f"未建立党组织（{fmt.count(n - t['count_party_branch'])}）",
        },
        lambda b: data.run("governance/charter_orgs", **P, bucket=b),
        lambda rows: [
            _yes_no("party_in_charter").alias("党建入章"),
            _yes_no("integrity_in_charter").alias("清廉入章"),
            _yes_no("has_party_branch").alias("建立党组织"),
        ],
    )
