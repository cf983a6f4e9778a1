"""数据: what the live warehouse was built from, the load history, and every row the load rejected."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import data, downloads, nav, tables
from dashboard import formats as fmt
from dashboard.safe import md

K = "ds"  # widget key prefix
ALL = "all"
RUNS_SHOWN = 50
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8（带BOM）",
    "gb18030": "GB18030（GBK）",
    "xlsx": "Excel 工作簿",
    "geojson": "GeoJSON",
}
STATUS = {"succeeded": "成功", "failed": "失败", "rolled_back": "回退"}
MESSAGE_CHARS = 240  # a failed run lists every file's problem; the download keeps all of it
TABLE_ROWS = 500  # st.table draws every row as HTML: beyond this, the download has the rest
MARKDOWN = r"([\\`*_\[\]<>#|~$])"


def plain(column: str) -> pl.Expr:
    """A text column shown literally: st.table renders cells as Markdown, clerks' values are not."""
    return pl.col(column).str.replace_all(MARKDOWN, r"\$1")


def long_table(frame: pl.DataFrame) -> None:
    """A static table whose long messages wrap (st.dataframe cuts them off at the column edge)."""
    shown = frame.head(TABLE_ROWS).with_columns(
        plain(c) for c, t in frame.schema.items() if t == pl.String
    )
    st.table(shown, hide_index=True, height="content" if shown.height <= 20 else 720)
    if frame.height > TABLE_ROWS:
        st.caption(f"只显示前 {TABLE_ROWS} 行，共 {frame.height} 行：完整清单请下载。")


def when(value: dt.datetime | None) -> str:
    """A load time in the server's own time zone (the one the loader wrote it in)."""
    if value is None:
        return "—"
    local = value.astimezone()
    return f"{fmt.cn_date(local.date())} {local:%H:%M:%S}"


def _rows(n: int | None) -> str:
    return fmt.count(n, "行")


wh = data.run("data_status/warehouse").row(0, named=True)
st.title("数据状态")
failed = data.failed_since_build()
if failed.height:
    last = failed.row(0, named=True)
    st.error(
        f"最近一次导入（批次 {md(last['run_id'])}）失败，看板仍显示上一次成功导入的数据。"
        f"原因：{md((last['message'] or '')[:MESSAGE_CHARS])}"
    )
st.markdown(
    f"**数据截止** {fmt.cn_date(wh['as_of_date'])}　·　**最近导入** {when(wh['built_at'])}"
    f"　·　**导入批次** `{wh['etl_run_id']}`"
)
if nav.may_open("import"):  # who runs the loads: the server's folder and command are theirs
    st.caption(
        f"{md(wh['county_name'])}数据仓库，源文件夹 {md(wh['source_dir'] or '—')}。"
        "本页只读；导入新数据请到「导入」页，或在服务器上用 `orgdash load 数据文件夹`。"
    )
else:  # an analyst reads the data, never the server's folders or a command they cannot run
    st.caption(
        f"{md(wh['county_name'])}数据仓库。本页只读；导入新数据由系统管理员在「导入」页完成。"
    )
cols = st.columns(4)
cols[0].metric("源文件", fmt.count(wh["count_files"], "个"), border=True)
cols[1].metric(
    "读取", _rows(wh["rows_read"]), help="各源文件的数据行（不含表头、标题和备注行）", border=True
)
cols[2].metric("入库", _rows(wh["rows_loaded"]), border=True)
cols[3].metric(
    "拒收",
    _rows(wh["rows_rejected"]),
    help="不合格、未入库的行；原因和处理办法见下方「拒收的行」",
    border=True,
)

st.subheader("源文件")
sources = data.run("data_status/sources")
source_table = sources.select(
    pl.col("label").alias("数据"),
    pl.col("file_name").fill_null("（未提供）").alias("文件名"),
    pl.col("encoding").replace(ENCODINGS).fill_null("—").alias("编码"),
    pl.col("rows_read").alias("读取行数"),
    pl.col("rows_loaded").alias("入库行数"),
    pl.col("rows_rejected").alias("拒收行数"),
    pl.col("sha256").alias("SHA-256"),
)
tables.show(
    # The full hash is in the download; twelve characters are enough to tell two files apart.
    source_table.with_columns(pl.col("SHA-256").str.slice(0, 12)),
    key=f"{K}_sources",
    hide_index=True,
    width="stretch",
    height=35 * (source_table.height + 1) + 3,
    placeholder="—",
)
downloads.buttons(source_table, "源文件清单", key=f"{K}_dl_sources")

st.subheader("拒收的行")
labels = dict(zip(sources["source"].to_list(), sources["label"].to_list(), strict=True))
with_rejects = sources.filter(pl.col("rows_rejected") > 0)["source"].to_list()
picked = st.selectbox(
    "数据",
    [ALL, *with_rejects],
    key=f"{K}_source",
    format_func=lambda s: "全部数据" if s == ALL else labels.get(s, s),
)
rejects = data.run("data_status/rejects", source=None if picked == ALL else picked)
if rejects.is_empty():
    st.info(
        "本次导入没有拒收任何行：所有源文件的数据都已入库。"
        if picked == ALL
        else f"「{md(labels.get(picked, picked))}」没有被拒收的行。"
    )
else:
    st.caption(
        f"共 {rejects.height} 行未入库。行号与在 Excel/WPS 中打开源文件时看到的行号一致；"
        "按「问题及处理办法」修改源文件后重新导入即可。"
    )
    reject_table = rejects.select(
        pl.col("source_label").fill_null(pl.col("source")).alias("数据"),
        pl.col("file").alias("文件"),
        pl.col("row").alias("行号"),
        pl.col("column").alias("列"),
        pl.col("value").alias("原值"),
        pl.col("message").alias("问题及处理办法"),
    )
    long_table(reject_table)
    downloads.buttons(
        reject_table.with_columns(rejects["rule"].alias("规则代码")),
        "拒收的行" if picked == ALL else f"拒收的行_{labels.get(picked, picked)}",
        key=f"{K}_dl_rejects",
    )

st.subheader("导入记录")
runs = data.run("data_status/runs", limit=RUNS_SHOWN)
st.caption(
    f"生成本数据仓库时已记录的导入（最近{RUNS_SHOWN}次，含失败的）。"
    "失败的导入不会改动数据仓库，原因见「说明」。"
)
run_table = runs.select(
    pl.col("run_id").alias("批次号"),
    pl.col("status").replace(STATUS).alias("结果"),
    pl.col("started_at").map_elements(when, return_dtype=pl.String).alias("开始时间"),
    pl.col("as_of_date").map_elements(fmt.cn_date, return_dtype=pl.String).alias("数据截止"),
    pl.col("rows_read").alias("读取行数"),
    pl.col("rows_loaded").fill_null(0).alias("入库行数"),  # a failed run loads nothing
    pl.col("rows_rejected").alias("拒收行数"),
    pl.when(pl.col("message").fill_null("") == "")
    .then(pl.lit("—"))
    .otherwise(pl.col("message"))
    .alias("说明"),
    pl.col("reject_report").fill_null("—").alias("拒收报告"),
)
# The report's path is on the server, of no use in a browser: it goes in the download only.
long_table(
    run_table.drop("拒收报告").with_columns(
        pl.when(pl.col("说明").str.len_chars() > MESSAGE_CHARS)
        .then(pl.col("说明").str.slice(0, MESSAGE_CHARS) + "……（完整说明请下载）")
        .otherwise(pl.col("说明"))
    )
)
downloads.buttons(run_table, "导入记录", key=f"{K}_dl_runs")
