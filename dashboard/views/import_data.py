"""导入: upload this quarter's files, see the check before anything is loaded, confirm to load;
the kept builds, and rolling back a bad load (admin only)."""

from __future__ import annotations

import polars as pl
import streamlit as st

import queries
from dashboard import auth, downloads, errors, tables, widgets
from dashboard import formats as fmt
from dashboard.safe import md
from etl import kept_builds, staging
from etl.pipeline import LoadBusy, LoadFailed
from etl.sources import SOURCES_BY_NAME

K = "imp"
STAGED = f"{K}_staged"
TYPES = ["xlsx", "xlsm", "xls", "et", "ods", "csv", "txt", "geojson", "json"]

me = auth.current()
pointer = queries.db_path()
st.title("导入数据")
st.caption(
    "上传本季度的一个或多个文件（Excel、CSV 或 GeoJSON）。系统先按规则逐行校验并给出报告，"
    "确认后才导入；没有上传的数据沿用当前版本的文件。导入成功后，所有打开的页面自动切换到新数据。"
)


def _check_table(staged: staging.Staged) -> pl.DataFrame:
    replaced = {source for source, _ in staged.replaced}
    rows = [
        {
            "数据": c.source.label,
            "文件": c.file,
            "来源": "本次上传" if c.source.name in replaced else "沿用当前版本",
            "工作表": "、".join(c.sheets),
            "读取行数": c.rows_read,
            "接收行数": c.rows_read - c.rows_rejected,
            "拒收行数": c.rows_rejected,
            "其中因上游拒收": c.rows_upstream,
        }
        for c in staged.check.checked
    ]
    schema = {
        "数据": pl.String,
        "文件": pl.String,
        "来源": pl.String,
        "工作表": pl.String,
        "读取行数": pl.Int64,
        "接收行数": pl.Int64,
        "拒收行数": pl.Int64,
        "其中因上游拒收": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)


def _reject_table(staged: staging.Staged) -> pl.DataFrame:
    rejects = staged.check.rejects
    labels = {name: s.label for name, s in SOURCES_BY_NAME.items()}
    return rejects.select(
        pl.col("file").alias("文件"),
        pl.col("sheet").fill_null("").alias("工作表"),  # a CSV has no sheets: blank, not "None"
        pl.col("source").replace_strict(labels, default=pl.col("source")).alias("数据"),
        pl.col("row").alias("行号"),
        pl.col("column").alias("列"),
        pl.col("value").alias("原值"),
        pl.col("message").alias("问题及处理办法"),
    )


# ---------------------------------------------------------------- upload and check
files = widgets.upload_form(K, TYPES, "Excel、CSV 或 GeoJSON", "上传并校验", "上传")
if files:
    old = st.session_state.pop(STAGED, None)
    if old is not None:
        staging.discard(old)
    try:
        with st.spinner("正在校验……"):
            staged = staging.stage(
                pointer,
                [(f.name, f.getvalue()) for f in files],
                user=me.name,
            )
    except staging.UploadError as exc:
        st.error(md(exc))
    except Exception as exc:  # a disk or a reader failing: a message and an incident, no trace
        errors.unexpected(exc, "import:check", me.name)
    else:
        st.session_state[STAGED] = staged  # stage() wrote the upload_checked audit event

pending: staging.Staged | None = st.session_state.get(STAGED)
if pending is not None:
    st.subheader("校验结果")
    result = pending.check
    read_total = sum(c.rows_read for c in result.checked)
    m1, m2, m3 = st.columns(3)
    m1.metric("读取", fmt.count(read_total, "行"), border=True)
    m2.metric("接收", fmt.count(read_total - result.rows_rejected, "行"), border=True)
    m3.metric("拒收", fmt.count(result.rows_rejected, "行"), border=True)
    tables.show(_check_table(pending), hide_index=True, width="stretch", key=f"{K}_check")
    for failure in result.failures:
        st.error(md(f"{failure.file}：{failure.message}"))
    if result.ignored_sheets:
        # Nothing is skipped silently: every non-empty sheet not read is named, with why.
        st.warning(
            "以下工作表没有读入（表头对不上任何一种数据，或是隐藏的工作表）。如其中有数据，"
            "请改用标准表头或取消隐藏后重新上传。"
        )
        tables.show(
            pl.DataFrame(
                {
                    "文件": [s.file for s in result.ignored_sheets],
                    "工作表": [s.sheet for s in result.ignored_sheets],
                    "原因": [s.reason for s in result.ignored_sheets],
                },
                schema={"文件": pl.String, "工作表": pl.String, "原因": pl.String},
            ),
            hide_index=True,
            width="stretch",
            key=f"{K}_ignored",
        )
    for note in result.upstream_notes:
        st.info(md(note))
    said = {s.note for s in result.ignored_sheets} | set(result.upstream_notes)
    for note in result.notes:
        if note not in said:
            st.caption(md(note))
    if result.rows_rejected:
        st.markdown("**拒收的行**（改正后可重新上传；确认导入时这些行不进入数据仓库）")
        rejects = _reject_table(pending)
        tables.show(rejects.head(500), hide_index=True, width="stretch", key=f"{K}_rejects")
        report = pending.report
        if report is not None:
            downloads.button(
                "下载拒收报告（Excel）",
                report.read_bytes,
                "拒收报告.xlsx",
                downloads.XLSX,
                f"{K}_report",
                kind="rejects",
                rows=rejects.height,
            )
    c1, c2, _ = st.columns([1, 1, 4])
    if not result.ok:
        st.error("有整个文件的问题，不能导入：请按上面的说明改正后重新上传。")
    elif c1.button("确认导入", type="primary", key=f"{K}_confirm"):
        try:
            with st.spinner("正在导入……"):
                loaded = staging.confirm(pointer, pending, me.name)
        except (LoadBusy, staging.UploadError) as exc:  # UploadError: the live build changed
            st.error(md(exc))
        except LoadFailed as exc:
            st.error(f"导入失败，当前数据未受影响：{md(exc)}")
        except Exception as exc:
            errors.unexpected(exc, "import:confirm", me.name)
        else:
            st.session_state.pop(STAGED, None)
            st.success(
                f"导入成功：{fmt.count(sum(loaded.rows_loaded.values()), '行')}，"
                f"版本 {loaded.run_id}。所有页面已切换到新数据。"
            )
    if c2.button("放弃", key=f"{K}_discard"):
        staging.discard(st.session_state.pop(STAGED))
        st.rerun()

# ---------------------------------------------------------------- kept builds and rollback
st.subheader("数据版本")
kept = kept_builds.list_builds(pointer)
if not kept:
    st.info("还没有导入过数据。")
    st.stop()
versions = pl.DataFrame(
    {
        "版本": [b.run_id for b in kept],
        "当前": ["✓" if b.is_live else "" for b in kept],
        "导入时间": [b.built_at.strftime("%Y-%m-%d %H:%M:%S") if b.built_at else "—" for b in kept],
        "数据截止": [b.as_of.isoformat() if b.as_of else "—" for b in kept],
        "行数": [b.rows for b in kept],
    },
    schema={
        "版本": pl.String,
        "当前": pl.String,
        "导入时间": pl.String,
        "数据截止": pl.String,
        "行数": pl.Int64,
    },
)
tables.show(versions, hide_index=True, width="stretch", key=f"{K}_builds")
older = [b for b in kept if not b.is_live]
if older:
    with st.form(f"{K}_rollback"):
        target = st.selectbox(
            "回退到版本",
            [b.run_id for b in older],
            key=f"{K}_target",
            help="回退后所有页面立即显示该版本的数据；回退本身可再回退。",
        )
        sure = st.checkbox("确认回退", key=f"{K}_sure")
        go = st.form_submit_button("回退")
    if go:
        if not sure:
            st.warning("请勾选“确认回退”。")
        else:
            try:
                back = kept_builds.rollback(pointer, target, user=me.name)
            except (kept_builds.RollbackError, LoadBusy) as exc:
                st.error(md(exc))
            else:
                st.success(f"已回退到版本 {back.run_id}。")
else:
    st.caption("只有一个版本，暂无可回退的版本。")
