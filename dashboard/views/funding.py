"""资金: budget vs approved vs disbursed, execution, where the money goes, and payments that lag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import data, downloads, figures, filters, style, tables, widgets
from dashboard import formats as fmt
from dashboard.charts import funding as charts
from dashboard.safe import md
from reports import wording as w

NO_ORG = "无组织（培训/平台等）"
LAG_DEFAULT_DAYS = 90  # a quarter: first tranches normally go out within 45 days of approval
LAG_LEVELS = {1.0: "未拨付完毕（<100%）", 0.5: "拨付不足一半（<50%）"}

f = filters.current()
params = f.params()
# Budgets are drawn up for the whole county: under any of these filters a budget comparison
# would set part of the spending against the whole budget, so the page says so and drops it.
scoped = bool(f.township or f.area or f.fields)
sources = style.labels("fund_source")
purposes = style.labels("grant_purpose")
fields = style.labels("field")


def table(
    frame: pl.DataFrame, name: str, key: str, height: int | None = None, detail: bool = False
) -> None:
    """A Chinese-headed table: 万元 and % columns formatted, then the download buttons."""
    config = {
        c: st.column_config.NumberColumn(c, format="%,.2f")
        for c in frame.columns
        if "万元" in c or "元/人" in c
    }
    config |= {
        c: st.column_config.NumberColumn(c, format="%.1f%%")
        for c in frame.columns
        if c.endswith("率") or "占比" in c
    }
    config |= {
        c: st.column_config.DateColumn(c, format="YYYY-MM-DD")
        for c in frame.columns
        if c.endswith("日期")
    }
    tables.show(
        frame,
        hide_index=True,
        column_config=config,
        key=f"funding_{key}_table",
        # Show every row up to a screenful rather than a scrolling box of ten.
        height=height or min(750, 35 * (frame.height + 1) + 3),
        placeholder="—",
    )
    downloads.buttons(frame, name, key=f"funding_dl_{key}", detail=detail)


def change(cur: object, prev: object, kind: str) -> tuple[str | None, float | None]:
    """The tile's change as every page writes it ('比上年 −51.89万元', '比上年 +0.7个百分点'),
    and its signed size for the arrow (widgets.changed)."""
    if cur is None or prev is None:
        return None, None
    d = float(cur) - float(prev)  # type: ignore[arg-type]
    if kind == "yuan":
        return fmt.since(d, fmt.yuan(abs(d))), round(d, 2)
    return fmt.points(d), round(d, 3)


def plot(make: Callable[[], go.Figure], key: str) -> None:
    """A chart built once per build and filters, shared by every session (dashboard/figures.py):
    everything `make` reads follows from those."""
    figures.show(f"funding_{key}", make)


st.title("资金使用")
st.caption(
    f"{md(f.describe())} · 拨付{w.as_of(f.as_of)} · "
    "预算执行率 = 已拨付 ÷ 预算，拨付率 = 已拨付 ÷ 批复"
)
if scoped:
    parts = []
    if f.township:
        parts.append("拨给县本级的培训、平台等经费不属于任何乡镇，未计入")
    if f.area:
        parts.append("按城乡筛选只含拨到社区（行政村）的资金，乡镇本级和县本级经费未计入")
    if f.fields:
        parts.append("按服务领域筛选只含拨给社会组织的资金，培训、平台、场地等无组织的经费未计入")
    st.info(
        "预算按全县编制，没有分解到乡镇、城乡或服务领域：标有「全县」的预算和预算执行率是全县数，"
        "不与筛选范围内的支出相比；其余图表只比较筛选范围内的批复与拨付。"
        + ("".join(f"\n\n{p}。" for p in parts)),
        icon="ℹ️",
    )

# ---- tiles -----------------------------------------------------------------------------------
summary = data.run("funding/summary", **params)
rows = {(r["period"], r["fund_source"]): r for r in summary.iter_rows(named=True)}
found = rows.get(("current", None))
if found is None:
    st.info(f"{f.year}年没有预算和资助项目记录。")
    st.stop()
cur: dict[str, Any] = found or {}
prev: dict[str, Any] = rows.get(("previous", None)) or {}
n_grants: int = cur["scoped_count_grants"]


def tile(col: object, label: str, key: str, kind: str, help: str | None = None) -> None:
    """One metric: the current value of summary column `key` and its change on a year before."""
    value, before = cur[key], prev.get(key)
    shown = fmt.yuan(value) if kind == "yuan" else fmt.rate(value)
    widgets.changed(col, label, shown, *change(value, before, kind), help=help)


cols = st.columns(4)
if not scoped:
    tile(cols[0], "年度预算（全县）", "budget_yuan", "yuan")
    tile(cols[1], "批复金额", "county_approved_yuan", "yuan")
    tile(cols[2], "已拨付", "county_disbursed_yuan", "yuan")
    tile(cols[3], "预算执行率", "execution_rate", "rate")
else:
    tile(cols[0], "批复金额（筛选范围）", "scoped_approved_yuan", "yuan")
    tile(cols[1], "已拨付（筛选范围）", "scoped_disbursed_yuan", "yuan")
    tile(cols[2], "拨付率（筛选范围）", "scoped_paid_rate", "rate")
    tile(
        cols[3],
        "预算执行率（全县）",
        "execution_rate",
        "rate",
        help="预算按全县编制，此为全县已拨付 ÷ 全县预算，不随乡镇、城乡、领域筛选变化。",
    )

n_prev = prev.get("scoped_count_grants")
st.caption(
    f"{f.year}年批复资助项目{n_grants}个{'（筛选范围）' if scoped else ''}"
    + (f"，上年同期{n_prev}个" if n_prev is not None else "")
    + "。以下为各资金来源的预算执行率（全县）："
)
for col, (code, label) in zip(st.columns(len(sources)), sources.items(), strict=True):
    r = rows.get(("current", code))
    p = rows.get(("previous", code)) or {}
    if r is None:
        col.metric(label, "—", border=True)
        continue
    widgets.changed(
        col,
        label,
        fmt.rate(r["execution_rate"]),
        *change(r["execution_rate"], p.get("execution_rate"), "rate"),
        help=f"预算 {fmt.yuan(r['budget_yuan'])}，已拨付 {fmt.yuan(r['county_disbursed_yuan'])}",
    )

# ---- by year and fund source -----------------------------------------------------------------
st.subheader("预算、批复与拨付")
by_year = data.run("funding/execution_by_year", **params)
totals = by_year.filter(pl.col("fund_source").is_null()).with_columns(
    label=pl.format("{}年", pl.col("year"))
)
source_order = {code: i for i, code in enumerate(sources)}
this_year = (
    by_year.filter((pl.col("year") == f.year) & pl.col("fund_source").is_not_null())
    .sort(pl.col("fund_source").replace_strict(source_order, default=99))
    .with_columns(
        label=pl.col("fund_source").replace_strict(sources, default=pl.col("fund_source"))
    )
)
c1, c2 = st.columns(2)
with c1:
    if scoped and totals["count_grants"].sum() == 0:
        st.info("当前筛选条件下历年都没有批复的资助项目。")
    else:
        plot(lambda: charts.by_year(totals, county_wide=not scoped), "by_year")
with c2:
    if scoped and n_grants == 0:
        st.info(f"当前筛选条件下{f.year}年没有批复的资助项目，无法按资金来源比较。")
    else:
        plot(lambda: charts.by_source(this_year, county_wide=not scoped, year=f.year), "by_source")
st.caption(
    "各年度的拨付截至当年12月31日（本年度截至数据截止日），即当年预算执行情况；"
    "次年补拨的款项见下方「拨付滞后」。"
)

year_table = by_year.sort(
    pl.col("year"),
    pl.col("fund_source").replace_strict(source_order, default=99).fill_null(-1),
    descending=[True, False],
).with_columns(
    pl.col("fund_source").replace_strict(sources, default=pl.col("fund_source")).fill_null("合计")
)
if not scoped:
    year_table = year_table.select(
        pl.col("year").alias("年度"),
        pl.col("fund_source").alias("资金来源"),
        tables.wan("budget_yuan").alias("预算（万元）"),
        tables.wan("county_approved_yuan").alias("批复（万元）"),
        tables.wan("county_disbursed_yuan").alias("拨付（万元）"),
        tables.pct("execution_rate").alias("预算执行率"),
        pl.col("county_count_grants").alias("项目数"),
    )
else:
    year_table = year_table.select(
        pl.col("year").alias("年度"),
        pl.col("fund_source").alias("资金来源"),
        tables.wan("approved_yuan").alias("批复（万元）"),
        tables.wan("disbursed_yuan").alias("拨付（万元）"),
        tables.pct("paid_rate").alias("拨付率"),
        pl.col("count_grants").alias("项目数"),
    )
with st.expander("分年度、分资金来源明细表", expanded=False):
    table(year_table, "资金预算执行情况", "by_year")

# ---- the selected year's grants --------------------------------------------------------------
if n_grants == 0:
    st.info(
        f"当前筛选条件下（{md(f.describe())}）没有{f.year}年批复的资助项目，"
        "所以没有用途、领域、地区分布和拨付进度可看。可以换一个年度、乡镇或服务领域。"
    )
else:
    purpose = data.run("funding/by_purpose", **params).with_columns(
        label=pl.col("purpose").replace_strict(purposes, default=pl.col("purpose"))
    )
    field = data.run("funding/by_field", **params).with_columns(
        label=pl.col("field").replace_strict({**fields, "none": NO_ORG}, default=pl.col("field"))
    )
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("按用途")
        plot(lambda: charts.by_category(purpose, f"{f.year}年分用途批复与拨付", 320), "by_purpose")
    with c2:
        st.subheader("按服务领域")
        plot(lambda: charts.by_category(field, f"{f.year}年受助组织的服务领域", 320), "by_field")
    # Tables at full width: in half a column the download buttons and labels get cut off.
    with st.expander("分用途明细表"):
        table(
            purpose.select(
                pl.col("label").alias("用途"),
                tables.wan("approved_yuan").alias("批复（万元）"),
                tables.wan("disbursed_yuan").alias("拨付（万元）"),
                tables.pct("paid_rate").alias("拨付率"),
                pl.col("count_grants").alias("项目数"),
                tables.pct("approved_share").alias("批复占比"),
            ),
            f"{f.year}年资金分用途",
            "by_purpose",
        )
    with st.expander("分服务领域明细表（受助组织的服务领域）"):
        table(
            field.select(
                pl.col("label").alias("服务领域"),
                tables.wan("approved_yuan").alias("批复（万元）"),
                tables.wan("disbursed_yuan").alias("拨付（万元）"),
                tables.pct("paid_rate").alias("拨付率"),
                pl.col("count_grants").alias("项目数"),
                pl.col("count_orgs").alias("受助组织数"),
                tables.pct("approved_share").alias("批复占比"),
            ),
            f"{f.year}年资金分服务领域",
            "by_field",
        )

    # Whole county: townships (plus the county's own spending); one township: its communities.
    town_name = filters.township_names().get(f.township or "", "")
    unit = f.unit()
    st.subheader(f"按{unit}")
    place = data.run("funding/by_place", **params).with_columns(
        label=pl.when(pl.col("is_own_level") & (pl.col("place_level") == "county"))
        .then(pl.lit("县本级（不分乡镇）"))
        .when(pl.col("is_own_level"))
        .then(pl.col("place_name") + pl.lit("本级"))
        .otherwise(pl.col("place_name"))
    )
    residents = place.filter(~pl.col("is_own_level"))
    # The places' approved funding over their residents (funding/by_place), for the chart's line.
    avg = place["average_approved_per_resident_yuan"][0] if place.height else None
    c1, c2 = st.columns(2)
    with c1:
        plot(
            lambda: charts.by_category(
                place, f"{f.year}年{town_name}各{unit}批复与拨付", max(320, 34 * place.height)
            ),
            "by_place",
        )
    with c2:
        plot(
            lambda: charts.per_resident(
                residents, f"{f.year}年{town_name}各{unit}人均批复资金（元/人）", avg
            ),
            "per_resident",
        )
    st.caption(
        "人均批复资金 = 拨到该地（含其社区、行政村）的批复金额 ÷ 常住人口；"
        + (
            "拨给乡镇本级的培训、平台经费不分摊到社区。"
            if f.township
            else "各县（区）含其县本级统筹的培训、平台经费。"
            if params["by_county"]
            else "县本级统筹的培训、平台经费不分摊到乡镇。"
        )
    )
    table(
        place.select(
            pl.col("label").alias("地区"),
            pl.col("population").cast(pl.Int64).alias("常住人口"),
            tables.wan("approved_yuan").alias("批复（万元）"),
            tables.wan("disbursed_yuan").alias("拨付（万元）"),
            tables.pct("paid_rate").alias("拨付率"),
            pl.col("count_grants").alias("项目数"),
            pl.col("count_orgs").alias("受助组织数"),
            pl.col("approved_per_resident_yuan").round(2).alias("人均批复（元/人）"),
        ),
        f"{f.year}年资金分地区",
        "by_place",
    )

    # ---- monthly curve -----------------------------------------------------------------------
    st.subheader("月度拨付进度")
    monthly = data.run("funding/monthly", **params)
    current = monthly.filter(pl.col("period") == "current")
    if scoped:
        ref, ref_name = current["approved_yuan"][0], f"{f.year}年批复总额（筛选范围）"
    else:
        ref, ref_name = current["budget_yuan"][0], f"{f.year}年预算（全县）"
    plot(
        lambda: charts.monthly(
            monthly, ref, ref_name, f"{f.year}年与{f.year - 1}年月度累计拨付（万元）"
        ),
        "monthly",
    )
    st.caption(
        f"当年批复项目的累计拨付，{f.year - 1}年曲线为上年批复项目全年的拨付。"
        + (
            "筛选后不与全县预算比较，参考线为筛选范围内的批复总额。"
            if scoped
            else "虚线为当年全县预算（各资金来源合计）。"
        )
    )

    # ---- largest grants ----------------------------------------------------------------------
    st.subheader(f"{f.year}年批复金额最大的资助项目（前20个）")
    top = data.run("funding/top_grants", **params)
    table(
        top.select(
            pl.col("grant_id").alias("项目编号"),
            pl.col("title").alias("项目名称"),
            tables.wan("approved_yuan").alias("批复（万元）"),
            tables.wan("paid_yuan").alias("已拨付（万元）"),
            tables.pct("paid_rate").alias("拨付率"),
            pl.col("org_name").fill_null("—").alias("受助组织"),
            pl.col("community_name").fill_null("—").alias("所在社区"),
            pl.col("township_name").fill_null("县本级").alias("乡镇（街道）"),
            pl.col("fund_source").replace_strict(sources, default=None).alias("资金来源"),
            pl.col("purpose").replace_strict(purposes, default=None).alias("用途"),
            pl.col("approved_on").alias("批复日期"),
        ),
        f"{f.year}年最大额资助项目",
        "top",
        detail=True,
    )

# ---- 资格核查 of the year's approvals -------------------------------------------------------------
# The speech: 信用评价结果作为政府购买服务…的重要依据. The same check as the 监管 page's 资格核查.
st.subheader(f"{f.year}年资格核查存疑的资助项目")
checked = next(
    r
    for r in data.run("governance/eligibility", **params).iter_rows(named=True)
    if r["decision_type"] == "grant"
)
if not checked["count_decisions"]:
    st.info(f"当前筛选条件下，{f.year}年没有批复给社会组织的资助项目，无须资格核查。")
elif not checked["count_flagged"]:
    st.success(
        f"{f.year}年批复给社会组织的{checked['count_decisions']}个资助项目，受助组织在批复时"
        "均不在异常名录或失信名单中、信用等级均不低于标准，也没有逾期未报的年报。"
    )
else:
    share = float(checked["flagged_amount_yuan"]) / float(checked["amount_yuan"])
    st.caption(
        f"{f.year}年批复给社会组织的{checked['count_decisions']}个资助项目中，"
        f"{checked['count_flagged']}个的受助组织在批复时存疑，涉及批复资金"
        f"{fmt.yuan(checked['flagged_amount_yuan'])}（占{fmt.rate(share)}）。"
        "核查规则见「监管」页的「资格核查」。"
    )
    flagged = data.run("governance/eligibility_flags", **params, kind="grant")
    table(
        flagged.select(
            pl.col("decision_id").alias("项目编号"),
            pl.col("decided_on").alias("批复日期"),
            pl.col("title").alias("项目名称"),
            tables.wan("amount_yuan").alias("批复（万元）"),
            pl.col("name").alias("受助组织"),
            pl.col("reasons").alias("存疑原因"),
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("community_name").alias("所在社区"),
        ),
        f"{f.year}年资格核查存疑的资助项目",
        "flagged",
        detail=True,
    )

# ---- lagging payments ------------------------------------------------------------------------
st.subheader("拨付滞后的项目")
c1, c2, _ = st.columns([1, 3, 2])
lag_days = c1.number_input(
    "批复后超过（天）",
    min_value=0,
    max_value=3650,
    value=LAG_DEFAULT_DAYS,
    step=30,
    key="funding_lag_days",
)
paid_below = c2.radio(
    "拨付进度",
    list(LAG_LEVELS),
    format_func=LAG_LEVELS.get,
    horizontal=True,
    key="funding_lag_threshold",
)
lagging = data.run("funding/lagging", **params, lag_days=int(lag_days), paid_below=paid_below)
if lagging.is_empty():
    st.info(
        w.as_of(
            f.as_of,
            f"当前筛选条件下没有批复超过{int(lag_days)}天且{LAG_LEVELS[paid_below]}的项目。",
        )
    )
else:
    owed = float(lagging["approved_yuan"].cast(pl.Float64).sum()) - float(
        lagging["paid_yuan"].cast(pl.Float64).sum()
    )
    st.caption(
        w.as_of(
            f.as_of,
            f"批复超过{int(lag_days)}天且{LAG_LEVELS[paid_below]}的项目"
            f"{lagging.height}个（含以前年度），尚未拨付{fmt.yuan(owed)}。",
        )
    )
    as_of: dt.date = f.as_of
    table(
        # The lag itself first: a wide table scrolls sideways and these are what matter.
        lagging.select(
            pl.col("grant_id").alias("项目编号"),
            pl.col("days_since_approval").alias("批复后天数"),
            tables.pct("paid_rate").alias("拨付率"),
            tables.wan("approved_yuan").alias("批复（万元）"),
            tables.wan("paid_yuan").alias("已拨付（万元）"),
            pl.col("last_paid_on").alias("最近拨付日期"),
            pl.col("days_since_last_payment").alias("距最近拨付天数"),
            pl.col("title").alias("项目名称"),
            pl.col("org_name").fill_null("—").alias("受助组织"),
            pl.col("township_name").fill_null("县本级").alias("乡镇（街道）"),
            pl.col("year").alias("年度"),
            pl.col("fund_source").replace_strict(sources, default=None).alias("资金来源"),
            pl.col("approved_on").alias("批复日期"),
        ),
        f"拨付滞后项目_{as_of:%Y%m%d}",
        "lagging",
        detail=True,
    )
