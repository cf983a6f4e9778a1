"""查询: analysts' own read-only SQL on the warehouse, with a schema browser, examples, downloads, charts."""

from __future__ import annotations

import html
import io
import re

import polars as pl
import streamlit as st

from access import audit
from dashboard import auth, data, downloads
from dashboard import formats as fmt
from dashboard.charts import common
from dashboard.charts import sql as charts
from dashboard.safe import md
from queries import sandbox

K = "sql"  # widget key prefix
OUTCOME = f"{K}_outcome"  # session state: the last run's SQL and its result or error
RUNS = f"{K}_runs"  # session state: how many queries this session ran
EXAMPLES = {e.name: e for e in sandbox.examples()}
KIND_NAMES = {"table": "表", "view": "视图"}


def _pick_example() -> None:
    # Runs before the script, so the editor can still be given the example's text.
    chosen = EXAMPLES.get(st.session_state.get(f"{K}_example") or "")
    if chosen:
        st.session_state[f"{K}_text"] = chosen.sql.strip()


def _run(text: str) -> None:
    with st.spinner("正在查询……"):
        try:
            result = sandbox.run_sandboxed(text, db=data.db())
            st.session_state[OUTCOME] = {"sql": text, "result": result}
            audit.record("sql", auth.current().name, sql=text[:4000], rows=result.total_rows)
        except sandbox.SandboxError as exc:
            st.session_state[OUTCOME] = {"sql": text, "error": exc}
            audit.record("sql", auth.current().name, sql=text[:4000], error=str(exc)[:500])
    st.session_state[RUNS] = st.session_state.get(RUNS, 0) + 1


def chart_key(name: str) -> str:
    """A chart picker's key for this result: a new result has new columns, so its pickers are new
    widgets (a reused key kept showing the old choice in the browser)."""
    return f"{K}_chart_{name}_{st.session_state.get(RUNS, 0)}"


# ---------------------------------------------------------------- schema browser


def schema_browser() -> None:
    tables = data.run("sql/tables")
    columns = data.run("sql/columns")
    t_tables, t_lookups, t_macros, t_catalogue = st.tabs(
        ["表和字段", "代码表", "指标宏", "指标目录"]
    )
    with t_tables:
        queryable = tables.filter(~pl.col("is_lookup"))
        labels = dict(zip(tables["name"].to_list(), tables["label"].to_list(), strict=True))
        names = queryable["name"].to_list()
        name = st.selectbox(
            "表或视图",
            names,
            index=names.index("organizations") if "organizations" in names else 0,
            key=f"{K}_schema_table",
            format_func=lambda n: f"{n}　{labels.get(n) or ''}",
        )
        row = tables.filter(pl.col("name") == name).row(0, named=True)
        size = "" if row["row_count"] is None else f"，约 {row['row_count']:,} 行"
        st.caption(f"{KIND_NAMES.get(row['kind'], row['kind'])}{size}，{row['column_count']} 列")
        fields = columns.filter(pl.col("table_name") == name).select(
            pl.col("column_name").alias("字段"),
            pl.col("data_type").alias("类型"),
            pl.col("label").fill_null("—").alias("中文"),
        )
        st.dataframe(
            fields,
            key=f"{K}_schema_columns",
            hide_index=True,
            width="stretch",
            height=min(35 * (fields.height + 1) + 3, 420),
            column_config={
                "字段": st.column_config.TextColumn(width=150),
                "类型": st.column_config.TextColumn(width=85),
                "中文": st.column_config.TextColumn(width="large"),
            },
        )
        with st.expander(f"全部表和视图（{queryable.height}个）"):
            st.dataframe(
                queryable.select(
                    pl.col("name").alias("名称"),
                    pl.col("label").fill_null("—").alias("中文名"),
                    pl.col("kind").replace_strict(KIND_NAMES, default=pl.col("kind")).alias("类别"),
                    pl.col("row_count").alias("行数"),
                ),
                key=f"{K}_schema_tables",
                hide_index=True,
                width="stretch",
            )
    with t_lookups:
        lookups = tables.filter(pl.col("is_lookup"))
        st.caption(
            "代码列存英文代码，中文名称在这些代码表里：`join lookup_field l on l.code = o.field`。"
        )
        lookup = st.selectbox(
            "代码表",
            lookups["name"].to_list(),
            key=f"{K}_lookup",
            format_func=lambda n: f"{n}　{labels.get(n) or ''}",
        )
        codes = data.run("sql/lookup", lookup=lookup)
        st.dataframe(
            codes.select(pl.col("code").alias("代码"), pl.col("label").alias("中文")),
            key=f"{K}_lookup_codes",
            hide_index=True,
            width="stretch",
        )
    with t_macros:
        st.caption(
            "共用的指标口径，以表的形式调用，参数是日期，例如 "
            "`select * from community_density(date '2025-12-31')`；"
            "数据截止日可写成 `(select as_of_date from warehouse_info)`。"
        )
        macros = data.run("sql/macros")
        st.dataframe(
            macros.select(
                pl.col("name").alias("宏"),
                pl.col("parameters").list.join(", ").alias("参数"),
                pl.col("label").fill_null("—").alias("说明"),
            ),
            key=f"{K}_macros",
            hide_index=True,
            width="stretch",
        )
    with t_catalogue:
        indicator_catalogue()


def indicator_catalogue() -> None:
    """The indicator catalogue as this build holds it (table indicator_catalogue): each
    indicator's name, unit, how it is computed, and the macro and column to query it by."""
    st.caption(
        "每个指标只在这里定义一次（queries/indicators.toml，导入时写入表 `indicator_catalogue`）。"
        "按「所在宏.列」查询，例如 "
        "`select community_name, volunteers_per_1000 from community_indicators(date '2025-12-31', null)`；"
        "年度目标完成情况见 `target_progress(date '2025-12-31')`。"
    )
    grains = {"community": "社区", "township": "乡镇", "county": "县"}
    cat = data.run("sql/indicators")
    st.dataframe(
        cat.select(
            pl.col("label").alias("指标"),
            pl.col("key").alias("列名"),
            pl.col("unit").alias("单位"),
            pl.col("note").alias("口径"),
            pl.col("grains")
            .list.eval(pl.element().replace_strict(grains, default=pl.element()))
            .list.join("、")
            .alias("粒度"),
            (pl.col("mart") + "." + pl.col("column_name")).alias("所在宏.列"),
            pl.when(pl.col("threshold_urban").is_not_null())
            .then(
                pl.format(
                    "{}：城市社区{}、农村社区{}（{}）",
                    pl.col("threshold_label"),
                    pl.col("threshold_urban").cast(pl.Int64),
                    pl.col("threshold_rural").cast(pl.Int64),
                    pl.col("threshold_basis"),
                )
            )
            .otherwise(pl.lit(""))
            .alias("标准"),
            pl.when(pl.col("is_targetable"))
            .then(pl.lit("可设目标"))
            .otherwise(pl.lit(""))
            .alias("目标"),
        ),
        key=f"{K}_catalogue",
        hide_index=True,
        width="stretch",
        column_config={"口径": st.column_config.TextColumn(width="large")},
    )


# ---------------------------------------------------------------- result


def _parquet_bytes(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return buf.getvalue()


def download_row(frame: pl.DataFrame) -> None:
    name = "查询结果"
    c1, c2, c3, _ = st.columns([1, 1, 1, 5])
    n = frame.height
    downloads.button("下载 CSV", lambda: downloads.csv_bytes(sandbox.flat(frame)), f"{name}.csv",
                     downloads.CSV, f"{K}_dl_csv", kind="query", rows=n, where=c1)  # fmt: skip
    downloads.button(
        "下载 Excel",
        lambda: downloads.xlsx_bytes(sandbox.flat(frame, excel=True), name),
        f"{name}.xlsx",
        downloads.XLSX,
        f"{K}_dl_xlsx",
        kind="query",
        rows=n,
        where=c2,
    )
    downloads.button("下载 Parquet", lambda: _parquet_bytes(frame), f"{name}.parquet",
                     "application/vnd.apache.parquet", f"{K}_dl_parquet", kind="query", rows=n,
                     where=c3)  # fmt: skip


def quick_chart(frame: pl.DataFrame) -> None:
    st.subheader("快速图表")
    plan = charts.suggest(frame)
    nums = charts.numeric_columns(frame)
    if plan.kind == "none" or plan.y is None:
        st.info("结果中没有可以作图的数值列（或没有行）：给数值起个别名，或先按类别汇总。")
        return
    kinds = ["bar", "line"] + (["map"] if "division_code" in frame.columns else [])
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(
        "图表",
        kinds,
        index=kinds.index(plan.kind),
        key=chart_key("kind"),
        format_func=lambda k: charts.KINDS[k],
    )
    y: str = c3.selectbox("数值", nums, index=nums.index(plan.y), key=chart_key("y")) or plan.y
    if kind == "map":
        c2.selectbox("区划", ["division_code"], key=chart_key("x"), disabled=True)
        result_map(frame, y)
        return
    xs = [c for c in frame.columns if c != y]
    default_x = plan.x if plan.x in xs and plan.kind != "map" else xs[0]
    x: str = (
        c2.selectbox("分类 / 横轴", xs, index=xs.index(default_x), key=chart_key("x")) or default_x
    )
    fig = charts.line(frame, x, y) if kind == "line" else charts.bar(frame, x, y)
    st.plotly_chart(fig, key=f"{K}_chart", config=common.CONFIG)


def result_map(frame: pl.DataFrame, y: str) -> None:
    codes = sorted(set(frame["division_code"].cast(pl.String).drop_nulls().to_list()))
    boundaries = data.run("sql/boundaries", codes=codes)
    if boundaries.is_empty():
        st.info("结果中的 division_code 在区划边界表里都找不到，无法画地图。")
        return
    deck, legend = charts.deck(
        frame.with_columns(pl.col("division_code").cast(pl.String)),
        boundaries,
        y,
        townships=data.run("sql/townships"),
    )
    map_col, legend_col = st.columns([4, 1])
    with map_col:
        st.pydeck_chart(deck, key=f"{K}_map", height=520, alt=f"查询结果按{y}分级着色的地图")
    with legend_col:
        rows = "".join(
            f"<div style='display:flex;align-items:center;gap:6px;margin:3px 0'>"
            f"<span style='display:inline-block;width:18px;height:14px;background:{r['color']};"
            f"border:1px solid #bbb'></span><span style='flex:1'>{html.escape(r['range'])}</span>"
            f"<span style='color:#666'>{r['count']}个</span></div>"
            for r in legend.iter_rows(named=True)
        )
        st.markdown(
            f"<div style='font-size:14px'><b>{html.escape(y)}</b>{rows}</div>",
            unsafe_allow_html=True,
        )
        missing = len(codes) - boundaries.height
        note = f"另有{missing}个代码没有边界，未画出。" if missing > 0 else ""
        st.caption(f"按分位数分档，各档含下限、不含上限。粗线为乡镇（街道）界。{note}")


def _rows(n: int) -> str:
    """A row count for a tile: exact up to 100 million, then in 亿 so it fits."""
    return fmt.count(n, "行") if n < 10**8 else f"{n / 10**8:,.1f}亿行"


# What the engine's English names, said in Chinese (DuckDB's own words go in a fold under it).
_ENGINE_NAMES = {
    "table": "表",
    "view": "视图",
    "schema": "模式",
    "scalar function": "函数",
    "table function": "表函数",
    "aggregate function": "聚合函数",
    "function": "函数",
    "macro": "宏",
    "type": "类型",
}
_MISSING = re.compile(r"(\w+(?: \w+)?) with name (\S+) does not exist", re.IGNORECASE)
_NO_COLUMN = re.compile(r'Referenced column "([^"]+)" not found', re.IGNORECASE)
_NEAR = re.compile(r'at or near "([^"]*)"', re.IGNORECASE)


def _english(text: str) -> bool:
    """DuckDB's words, not a Chinese refusal of our own (kind refused carries that as its detail)."""
    return bool(text) and not re.search(r"[\u4e00-\u9fff]", text)


def _hint(detail: str) -> str:
    """The part of the engine's message a person can act on, in Chinese: the missing name, or
    where the syntax broke; empty when there is nothing simple to say."""
    if m := _MISSING.search(detail):
        return f"没有名为“{m.group(2)}”的{_ENGINE_NAMES.get(m.group(1).lower(), '表、列或函数')}"
    if m := _NO_COLUMN.search(detail):
        return f"没有名为“{m.group(1)}”的列"
    if m := _NEAR.search(detail):
        return f"在“{m.group(1)}”附近"
    if "at end of input" in detail:
        return "语句不完整"
    return ""


def in_chinese(error: sandbox.SandboxError) -> str:
    """sandbox.friendly's message without DuckDB's English appended: what it named, said in
    Chinese, in its place (the original stays in error.detail, shown folded)."""
    text = error.message
    if not _english(error.detail) or error.detail not in text:
        return text
    hint = _hint(error.detail)
    text = text.replace(error.detail, hint) if hint else text.replace(f"：{error.detail}", "")
    text = text.replace(error.detail, "")
    return text if text.endswith(("。", "）")) else f"{text}。"


def show_outcome(outcome: dict, current: str) -> None:
    if outcome["sql"].strip() != current.strip():
        st.caption("编辑器里的 SQL 已修改，下面仍是上次运行的结果。")
    error: sandbox.SandboxError | None = outcome.get("error")
    if error is not None:
        # Both quote the user's SQL (names, strings) and DuckDB's words: text, never Markdown.
        st.error(md(in_chinese(error)))
        if _english(error.detail):
            with st.expander("数据库原始报错（英文）"):
                st.code(error.detail, language=None, wrap_lines=True)
        return
    res: sandbox.SandboxResult = outcome["result"]
    frame = res.frame
    if not res.columns:
        st.success(f"语句已执行（{md(res.statement)}），没有返回数据。用时 {res.elapsed:.2f} 秒。")
        return
    cols = st.columns(3)
    total = _rows(res.total_rows) + ("以上" if not res.complete else "")
    cols[0].metric("结果行数", total, border=True)
    cols[1].metric("显示行数", fmt.count(frame.height, "行"), border=True)
    cols[2].metric("用时", f"{res.elapsed:.2f}秒", border=True)
    if not res.complete:
        st.warning(
            f"结果很大：{sandbox.default_timeout():g} 秒的时间上限内数到 {res.total_rows:,} 行仍未数完，"
            f"下面是前 {frame.height:,} 行。要知道总数，请用 count(*) 汇总。"
        )
    elif res.truncated:
        st.caption(f"只显示并下载前 {frame.height:,} 行；完整结果请在 SQL 里汇总或分批查询。")
    if frame.height == 0:
        st.info("查询没有返回任何行。")
    st.dataframe(
        frame,
        key=f"{K}_table",
        hide_index=True,
        width="stretch",
        height=min(35 * (frame.height + 1) + 3, 560),
        # Dates as dates (the grid would add 00:00:00); other types as Streamlit shows them.
        column_config={
            c: st.column_config.DateColumn(format="YYYY-MM-DD")
            for c, t in frame.schema.items()
            if t == pl.Date
        },
    )
    download_row(frame)
    quick_chart(frame)


# ---------------------------------------------------------------- page

sandbox.prewarm()  # the first query does not wait for the worker to import DuckDB
st.title("查询")
st.caption(
    f"用 SQL 直接查询数据仓库（DuckDB 语法）。查询只能读取，不能修改数据或读写文件；"
    f"每次最多运行 {sandbox.default_timeout():g} 秒、占用 {sandbox.DEFAULT_MEMORY_LIMIT} 内存，"
    "显示前 10,000 行。侧栏的筛选不作用于本页。"
)

first = next(iter(EXAMPLES.values()), None)
if f"{K}_text" not in st.session_state:
    st.session_state[f"{K}_text"] = first.sql.strip() if first else ""

left, right = st.columns([5, 4], gap="large")
with left:
    st.selectbox(
        "示例查询",
        list(EXAMPLES),
        key=f"{K}_example",
        format_func=lambda n: EXAMPLES[n].title,
        on_change=_pick_example,
        help="选中后填入编辑器，可以在此基础上修改。",
    )
    chosen = EXAMPLES.get(st.session_state.get(f"{K}_example") or "")
    if chosen:
        st.caption(chosen.description)
    text = st.text_area(
        "SQL 语句",
        key=f"{K}_text",
        height=300,
        placeholder="select * from organizations_active limit 100",
    )
    run = st.button("运行", key=f"{K}_run", type="primary")
with right:
    schema_browser()

if run:
    _run(text or "")
outcome = st.session_state.get(OUTCOME)
if outcome is None:
    st.info("选一个示例或写好 SQL，点“运行”。右侧列出了可以查询的表、字段和代码表。")
else:
    show_outcome(outcome, text or "")
