"""总览: the county's headline figures and targets at a glance, the township league and what needs attention."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import (
    auth,
    bigscreen,
    data,
    downloads,
    figures,
    filters,
    mobile,
    nav,
    style,
    tables,
    targets,
    widgets,
)
from dashboard import formats as fmt
from dashboard.charts import overview as charts
from dashboard.safe import md
from queries.indicators import catalogue
from reports import wording as w

K = "ov"  # widget key prefix
SHOW_FIRST = 8  # entries per attention list before the rest fold into an expander


def _avg(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}家"


def headline_tiles(f: filters.Filters, flows: pl.DataFrame) -> tuple[dict, dict]:
    """The speech's figures: totals, registered and filed, urban and rural, and the scale row."""
    cur, prev = data.by_period(data.run("overview/headline", **f.params()))
    if cur["count_active"] == 0:
        st.info("当前筛选条件下没有现有的社区社会组织：请放宽乡镇、城乡或服务领域的筛选。")
    cols = st.columns(5)
    for col, (label, key) in zip(
        cols,
        [
            ("登记备案社区社会组织", "count_active"),
            ("登记", "count_registered"),
            ("备案", "count_filed"),
            ("城市社区社会组织", "count_urban"),
            ("农村社区社会组织", "count_rural"),
        ],
        strict=True,
    ):
        widgets.tile(col, label, fmt.count(cur[key]), cur[key], prev[key])
    scale_tiles(f, cur, prev, flows)
    return cur, prev


def _share(part: int, whole: int) -> str:
    """118/124 for a county; a province's 11,899/12,400 does not fit a tile: 11,899个 (the whole is
    in the tile's help)."""
    return f"{part}/{whole}" if whole < 1_000 else fmt.count(part, "个")


def scale_tiles(f: filters.Filters, cur: dict, prev: dict, flows: pl.DataFrame) -> None:
    """Averages per community, the national floor, and this year's new and dissolved organisations."""
    cols = st.columns(5)
    widgets.tile(
        cols[0],
        "平均每个社区",
        _avg(cur["avg_per_urban_community"]),
        cur["avg_per_urban_community"],
        prev["avg_per_urban_community"],
        digits=1,
        help=f"城市社区社会组织数 ÷ 城市社区（居委会）数 {cur['count_urban_communities']} 个",
    )
    widgets.tile(
        cols[1],
        "平均每个行政村",
        _avg(cur["avg_per_rural_community"]),
        cur["avg_per_rural_community"],
        prev["avg_per_rural_community"],
        digits=1,
        help=f"农村社区社会组织数 ÷ 行政村（村委会）数 {cur['count_rural_communities']} 个",
    )
    widgets.tile(
        cols[2],
        # 社区 and 行政村 both count (issue 20: 「达到标准的社区 118/124」 counted villages too);
        # with a field filter on, the figure still counts every field, and its label says so.
        "达标的社区和村" + ("（全部领域）" if f.fields else ""),
        _share(cur["count_communities_meeting_floor"], cur["count_communities"]),
        cur["count_communities_meeting_floor"],
        prev["count_communities_meeting_floor"],
        unit="个",
        help=f"{cur['count_communities']}个社区（居委会、村委会）中达到{catalogue().floor_basis}标准的："
        f"城市社区不少于{catalogue().floor['urban']}家、农村社区（行政村）不少于{catalogue().floor['rural']}家。"
        "按社区内全部服务领域的组织计数，不受服务领域筛选影响。",
    )
    by_year = {r["year"]: r for r in flows.iter_rows(named=True)}
    this, last = by_year.get(f.year), by_year.get(f.year - 1)
    for col, label, key, better in (
        (cols[3], f"{f.year}年新成立", "count_new", True),
        (cols[4], f"{f.year}年注销", "count_dissolved", False),
    ):
        cur_n = this[key] if this else None
        widgets.tile(
            col,
            label,
            fmt.count(cur_n),
            cur_n,
            last[key] if last else None,
            higher_is_better=better,
        )


def target_tiles(f: filters.Filters, cur: dict, prev: dict) -> None:
    """The rates the bureau reports against: charter clauses, annual reports, fund execution."""
    money_cur, money_prev = data.by_period(data.run("overview/fund_execution", **f.params()))
    rep_cur, rep_prev = data.by_period(data.run("overview/report_rate", **f.params()))
    cols = st.columns(4)
    for col, label, key in (
        (cols[0], "党建入章率", "party_in_charter_rate"),
        (cols[1], "清廉入章率", "integrity_in_charter_rate"),
    ):
        widgets.tile(
            col,
            label,
            fmt.rate(cur[key]),
            fmt.pp(cur[key]),
            fmt.pp(prev[key]),
            unit="个百分点",
            digits=1,
            help="章程中写入相关内容的现有组织 ÷ 现有组织",
        )
    report_year = rep_cur["report_year"]
    widgets.tile(
        cols[2],
        f"{report_year}年度年报报送率",
        fmt.rate(rep_cur["submission_rate"]),
        fmt.pp(rep_cur["submission_rate"]),
        fmt.pp(rep_prev["submission_rate"]),
        unit="个百分点",
        digits=1,
        help=f"{report_year}年度年报中截止日不晚于{fmt.cn_date(f.as_of)}的，"
        "截至该日已报送的份数 ÷ 应报份数（年报只由登记的组织报送）。",
    )
    # A previous year without any budget or grant is "no data", not a fall to zero.
    has_prev_money = bool(money_prev["count_grants"]) or money_prev["budget_yuan"] is not None
    if money_cur["basis"] == "budget":
        label, how = "资金执行率", f"{f.year}年各资金来源已拨付 ÷ 年度预算"
    else:
        label = "资金拨付率"
        how = (
            f"{f.year}年本范围内项目已拨付 ÷ 已批复。预算只按全县编列，"
            "选了乡镇、城乡或领域时以批复金额为分母；县级项目不计入乡镇"
        )
    widgets.tile(
        cols[3],
        label,
        fmt.rate(money_cur["execution_rate"]),
        fmt.pp(money_cur["execution_rate"]),
        fmt.pp(money_prev["execution_rate"]) if has_prev_money else None,
        unit="个百分点",
        digits=1,
        help=f"{how}，{w.as_of(f.as_of)}。",
    )

    # The figures behind the rates, written the way the bureau's reports state them.
    money = (
        f"{f.year}年预算{fmt.yuan(money_cur['budget_yuan'])}，"
        if money_cur["basis"] == "budget"
        else f"{f.year}年"
    )
    money += (
        f"批复项目{money_cur['count_grants']}个、{fmt.yuan(money_cur['approved_yuan'])}，"
        f"已拨付{fmt.yuan(money_cur['disbursed_yuan'])}"
    )
    if has_prev_money:
        money += f"（上年同期{fmt.yuan(money_prev['disbursed_yuan'])}）"
    reports = (
        f"{report_year}年度年报应报{rep_cur['count_due']}份，已报{rep_cur['count_submitted']}份"
        f"（按期{rep_cur['count_on_time']}份），逾期未报{rep_cur['count_overdue']}份"
        if rep_cur["count_due"]
        else f"当前范围内{w.as_of(f.as_of)}没有到期应报的{report_year}年度年报"
    )
    st.caption(f"{money}。{reports}。")
    year_targets(f)


def year_targets(f: filters.Filters) -> None:
    """Progress against the year's targets of the county or the chosen township (the 目标 page
    sets them; the national floor is the default of the averages per community)."""
    rows = targets.place_rows(data.run("overview/targets", **f.params()), f.township)
    if not rows:
        st.caption(f"{f.year}年尚未设定年度目标（管理员在「目标」页设定）。")
        return
    place = filters.township_names().get(f.township or "", "全县")
    st.markdown(f"**{md(place)}{f.year}年度目标**：{targets.summary(rows)}")
    if f.area or f.fields:
        st.caption(
            "目标按全县或乡镇（街道）设定：完成情况按其全部社区和服务领域计算，不受城乡、领域筛选影响。"
        )
    # st.table, not st.dataframe: a short list read whole, and the league stays the page's
    # first data frame (its downloads and tests find it there).
    st.table(targets.table(rows), hide_index=True)


def programme_tiles(f: filters.Filters) -> None:
    """The speech's 创新模式 at a glance: micro-projects and their beneficiaries, 积分制, 睦邻客厅."""
    cur, prev = data.by_period(data.run("overview/programmes", **f.params()))
    cols = st.columns(4)
    missing = "数据仓库中没有该项数据（导入时未提供）。"
    widgets.tile(
        cols[0],
        f"{f.year}年微项目",
        "—" if cur["count_projects"] is None else fmt.count(cur["count_projects"], "个"),
        cur["count_projects"],
        prev["count_projects"],
        unit="个",
        help=missing
        if cur["count_projects"] is None
        else "当年开始实施的微项目（不含已终止的）；选了服务领域时只计该领域的项目。",
    )
    widgets.tile(
        cols[1],
        "微项目受益群众",
        "—" if cur["beneficiaries"] is None else fmt.count(cur["beneficiaries"], "人次"),
        cur["beneficiaries"],
        prev["beneficiaries"],
        unit="人次",
        help=missing if cur["beneficiaries"] is None else None,
    )
    widgets.tile(
        cols[2],
        "积分制参与居民",
        "—" if cur["count_residents_12m"] is None else fmt.count(cur["count_residents_12m"], "人"),
        cur["count_residents_12m"],
        prev["count_residents_12m"],
        unit="人",
        help=missing
        if cur["count_residents_12m"] is None
        else f"近12个月在{cur['count_pilots']}个试点社区获得积分的居民。",
    )
    widgets.tile(
        cols[3],
        "睦邻客厅",
        "—" if cur["count_lounges"] is None else fmt.count(cur["count_lounges"], "个"),
        cur["count_lounges"],
        prev["count_lounges"],
        unit="个",
        help=missing
        if cur["count_lounges"] is None
        else f"已评定星级的睦邻客厅，其中四星级以上{cur['count_lounges_4plus']}个。",
    )
    # Leaders read the programmes' tiles here and in the report; the 项目 page with its lists of
    # single projects is the planners' (access/roles.py), so a leader gets no link to a refusal.
    nav.link("projects", "查看微项目、积分制、培训表彰与睦邻客厅 →", text=False)


def charts_row(f: filters.Filters, flows: pl.DataFrame) -> None:
    left, right = st.columns(2)
    fields = data.run("overview/by_field", **f.params())
    with left:
        if fields.is_empty():
            st.info("当前筛选条件下没有社区社会组织，无法按服务领域统计。")
        else:

            def by_field() -> go.Figure:
                names = style.labels("field")
                label = pl.col("field").replace_strict(names, default=pl.col("field"))
                return charts.by_field(fields.with_columns(label.alias("field_label")))

            figures.show(f"{K}_by_field", by_field)
    with right:
        shown = flows.filter(pl.col("year") >= f.year - 9)  # ten years keep the bars readable
        if shown.select(pl.col("count_new").sum() + pl.col("count_dissolved").sum()).item() == 0:
            st.info("当前筛选条件下近十年没有新成立或注销的社区社会组织。")
        else:
            figures.show(f"{K}_flows", lambda: charts.flows(shown, phone=mobile.is_phone()))


# Display header, header in the downloaded file (with units), number format in the table.
ORGS = catalogue()["count_active"]  # the measure's one label (queries/indicators.toml)
LEAGUE_COLUMNS: dict[str, tuple[str, str, str | None]] = {
    "township_name": ("乡镇（街道）", "乡镇（街道）", None),
    "count_communities": ("社区数", "社区数（个）", "%,d"),
    "count_active": (ORGS.label, ORGS.header, "%,d"),
    "avg_per_community": ("平均每社区", "平均每社区（家）", "%.1f"),
    "count_below_floor": ("未达标社区", "未达标社区（个）", "%,d"),
    "report_submission_rate": ("年报报送率", "年报报送率（%）", "%.1f%%"),
    "disbursed_wan": ("已拨付（万元）", "已拨付（万元）", "%,.2f"),
    "paid_rate": ("拨付率", "拨付率（%）", "%.1f%%"),
    "disbursed_per_resident_yuan": ("人均（元）", "人均资金（元）", "%,.2f"),
    "goals_met": ("年度目标达成", "年度目标达成（项）", None),
    "goals_missed": ("未达成的目标", "未达成的目标", None),
}
LEAGUE_ROWS = 40  # rows the league shows before it scrolls inside itself (a county has ~12)
# What a phone shows of the league (the download keeps every column).
LEAGUE_ON_PHONE = ("乡镇（街道）", ORGS.label, "未达标社区", "年报报送率")


def league(f: filters.Filters) -> None:
    st.subheader("各乡镇（街道）情况")

    def with_goals() -> pl.DataFrame:
        frame = data.run("overview/townships", **f.params())
        goals = targets.league(data.run("overview/targets", **f.params()), frame)
        counties = data.run("filters/townships").select("township_code", "county_name")
        return frame.join(goals, on="township_code", how="left").join(
            counties, on="township_code", how="left"
        )

    frame = data.derived("overview/league", with_goals, **f.params())
    scope = [f"{f.year}年"]
    if f.area:
        scope.append(filters.AREA_OPTIONS[f.area])
    if f.fields:
        names = style.labels("field")
        scope.append("、".join(names.get(x, x) for x in f.fields))
    st.caption(
        f"{md(' · '.join(scope))}；列出全部乡镇以便比较（不受乡镇筛选影响），点击表头可排序"
        + (f"（共{frame.height:,}个，表内可滚动）。" if frame.height > LEAGUE_ROWS else "。")
        + f"年报为{f.year - 1}年度；资金为{f.year}年批复、落在乡镇和社区的项目"
        f"{w.as_of(f.as_of)}的拨付（县级项目不计入），拨付率 = 已拨付 ÷ 已批复，"
        "人均 = 已拨付 ÷ 常住人口。年度目标达成为达到的目标数 / 该乡镇的目标数（含沿用的全县目标和"
        "国家标准），完成情况按该乡镇全部社区和服务领域计算。"
    )
    # A province: each township's county first (a hundred 城关街道 otherwise read the same).
    province = filters.several_counties()
    columns = ({"county_name": ("县（区）", "县（区）", None)} if province else {}) | LEAGUE_COLUMNS
    # Numbers stay numbers so the table sorts; the column formats draw the units.
    table = frame.select(
        *([pl.col("county_name")] if province else []),
        pl.col("township_name"),
        pl.col("count_communities"),
        pl.col("count_active"),
        pl.col("avg_per_community").round(1),
        pl.col("count_below_floor"),
        (pl.col("report_submission_rate") * 100).round(1),
        (pl.col("disbursed_yuan").cast(pl.Float64) / 10_000).round(2).alias("disbursed_wan"),
        (pl.col("paid_rate") * 100).round(1),
        pl.col("disbursed_per_resident_yuan").round(2),
        pl.col("goals_met"),
        pl.col("goals_missed"),
    )
    tables.show(
        table.rename({k: v[0] for k, v in columns.items()}),
        key=f"{K}_league",
        hide_index=True,
        width="stretch",
        # Every township of a county in view, no inner scrollbar; a province's 1,200 scroll
        # inside the table (they were a table 42,000 px tall).
        height=35 * (min(table.height, LEAGUE_ROWS) + 1) + 3,
        column_order=mobile.keep(
            [v[0] for v in columns.values()], (("县（区）",) if province else ()) + LEAGUE_ON_PHONE
        ),
        column_config={
            label: st.column_config.NumberColumn(format=num)
            for label, _, num in columns.values()
            if num
        },
    )
    downloads.buttons(
        table.rename({k: v[1] for k, v in columns.items()}),
        f"各乡镇社区社会组织情况_{f.year}年",
        key=f"{K}_dl_league",
    )


def _pick_township(code: str) -> None:
    # Runs before the next script run, so the sidebar picker can still be given a new value.
    st.session_state["f_township"] = code


def _labelled(f: filters.Filters, name: str, label: Callable[[dict], str]) -> pl.DataFrame:
    """The query's rows with a `label` column, made once per build and filters and shared by
    every session (data.derived): a province's three lists hold some 1,600 entries, and turning
    them into dicts and sentences in every session was a third of its 总览 (issue 15)."""

    def make() -> pl.DataFrame:
        frame = data.run(name, **f.params())
        labels = [label(r) for r in frame.iter_rows(named=True)]
        return frame.with_columns(pl.Series("label", labels, dtype=pl.String))

    return data.derived(f"{name}#labels", make, **f.params())


def _folded(
    frame: pl.DataFrame,
    draw: Callable[[dict], None],
    more: str,
    key: str,
    chosen: Callable[[dict], None] | None = None,
    on_change: Callable[[], None] | None = None,
) -> None:
    """The first SHOW_FIRST entries drawn, the rest in one picker: at province scale a list holds
    hundreds of entries, and drawing each as a link cost every session most of its 总览 (issue
    15). frame has a `label` column (_labelled). Picking one opens it as its link would: `chosen`
    (in the run) or `on_change` (a callback, before the run: for what changes the sidebar's
    filters). Without either (a role that may not open the page) the picker lists the rest to
    read."""
    for r in frame.head(SHOW_FIRST).iter_rows(named=True):
        draw(r)
    rest = frame.slice(SHOW_FIRST)
    if rest.is_empty():
        return
    st.session_state[f"{key}_rows"] = rest  # for on_change, which runs before the next run
    labels = rest["label"].to_list()
    picked = st.selectbox(
        f"{more}（另有{len(labels)}项）",
        [str(i) for i in range(len(labels))],
        index=None,
        format_func=lambda i: labels[int(i)],
        placeholder="选择后查看" if chosen or on_change else "展开查看",
        key=key,
        on_change=on_change,
    )
    if picked is not None and chosen is not None:
        chosen(rest.row(int(picked), named=True))


def _pick_township_from(key: str) -> None:
    """on_change of the folded township list: that township's 总览, the picker emptied."""
    picked = st.session_state.get(key)
    rows = st.session_state.get(f"{key}_rows")
    st.session_state[key] = None
    if picked is not None and rows is not None and int(picked) < rows.height:
        _pick_township(rows.row(int(picked), named=True)["township_code"])


def attention(f: filters.Filters) -> None:
    st.subheader("需要关注")
    c1, c2, c3 = st.columns([1.1, 0.9, 1])
    area_names = {"urban": "社区", "rural": "行政村"}

    def community_label(r: dict) -> str:
        return (
            f"{r['community_name']}（{r['township_name']}）："
            f"{r['count_active']}家，{area_names.get(r['area_type'], '')}标准{r['floor']}家"
        )

    below = _labelled(f, "overview/attention_communities", community_label)
    with c1:
        st.markdown(f"**未达到国家标准的社区（{below.height}个）**")
        if below.is_empty():
            st.info(f"当前范围内的社区都达到了国家标准（{catalogue().floor_text('行政村')}）。")

        def community(r: dict) -> None:
            nav.link("community", md(r["label"]), community=r["community_code"])

        def open_community(r: dict) -> None:
            nav.go("community", community=r["community_code"])

        _folded(
            below,
            community,
            "更多社区",
            f"{K}_more_communities",
            open_community if nav.may_open("community") else None,
        )

    def township_label(r: dict) -> str:
        return (
            f"{r['township_name']}：{fmt.rate(r['report_submission_rate'])}"
            f"（{r['count_reports_submitted']}/{r['count_reports_due']}份）"
        )

    low = _labelled(f, "overview/attention_townships", township_label)
    with c2:
        st.markdown(f"**年报报送率偏低的乡镇（{low.height}个）**")
        if low.is_empty():
            st.info("当前范围内没有年报报送率低于全县水平或低于90%的乡镇。")
        else:
            st.caption(
                f"{f.year - 1}年度年报报送率低于全县 {fmt.rate(low['county_rate'][0])} "
                "或低于 90%；点击查看该乡镇的总览。"
            )

        def township(r: dict) -> None:
            st.button(
                md(r["label"]),
                key=f"{K}_town_{r['township_code']}",
                on_click=_pick_township,
                args=(r["township_code"],),
                type="tertiary",
                disabled=f.township == r["township_code"],
            )

        more = f"{K}_more_townships"
        _folded(low, township, "更多乡镇", more, on_change=lambda: _pick_township_from(more))

    lists = style.labels("list_type")

    def listing_label(r: dict) -> str:
        removed = f"，{fmt.cn_date(r['removed_on'])}移出" if r["removed_on"] else ""
        return (
            f"{r['org_name']}（{lists.get(r['list_type'], r['list_type'])} · "
            f"{r['listed_on'].month}月{r['listed_on'].day}日列入{removed}）"
        )

    listed = _labelled(f, "overview/attention_listed", listing_label)
    with c3:
        st.markdown(f"**{f.year}年新列入信用名录的组织（{listed.height}家）**")
        if listed.is_empty():
            st.info(f"当前范围内{f.year}年没有组织被列入活动异常名录或严重违法失信名单。")

        def organisation(r: dict) -> None:
            # One element per entry: the name links to the profile, the listing follows it.
            nav.link("organizations", md(r["label"]), org=r["org_id"])

        def open_organisation(r: dict) -> None:
            nav.go("organizations", org=r["org_id"])

        _folded(
            listed,
            organisation,
            "更多组织",
            f"{K}_more_orgs",
            open_organisation if nav.may_open("organizations") else None,
        )
        # 资格核查 (信用评价结果作为政府购买服务、评先评优的重要依据): one line, one small query.
        checked = data.run("overview/eligibility", **f.params()).row(0, named=True)
        if checked["count_grants"] or checked["count_awards"]:
            nav.link("governance", md(eligibility_line(f.year, checked)))


def eligibility_line(year: int, row: dict) -> str:
    """「资格核查：2025年存疑资助4项、表彰1项」 (overview/eligibility): short enough for a third of
    the page, where a link is one line; the 监管 page has the amounts and the reasons."""
    if not row["count_flagged"]:
        return f"资格核查：{year}年资助和表彰均未发现存疑"
    parts = []
    if row["count_flagged_grants"]:
        parts.append(f"资助{row['count_flagged_grants']}项")
    if row["count_flagged_awards"]:
        parts.append(f"表彰{row['count_flagged_awards']}项")
    return f"资格核查：{year}年存疑{'、'.join(parts)}"


def scope_text(f: filters.Filters) -> str:
    text = f.describe()
    return text if f.township else text.replace(f"{f.year}年", f"{f.year}年 · 全县", 1)


def title(county: str, account_township: str | None) -> str:
    """The county's overview; an account scoped to one township reads its own township's name
    (the sidebar locks its township filter to it, filters.sidebar)."""
    town = filters.township_names().get(account_township or "")
    return f"{county}{town or ''}社区社会组织总览"


f = filters.current()
info = data.warehouse()
st.title(md(title(info["county_name"], auth.current().township)))
st.caption(
    f"当前范围：{md(scope_text(f))}，{w.as_of(f.as_of)}。"
    f"“比上年”与{f.as_of.year - 1}年同一天相比。{bigscreen.data_stamp(info)}。"
)

flows = data.run("overview/flows", **f.params())
cur, prev = headline_tiles(f, flows)
target_tiles(f, cur, prev)
programme_tiles(f)
charts_row(f, flows)
league(f)
attention(f)
st.html(bigscreen.build_marker(info["etl_run_id"]))  # for tests: which build this is
