"""上报: a township account's submission to the open round: upload its files, read the check (rows
accepted and rejected, the reject report), and its earlier submissions in the round."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

import queries
from dashboard import auth, downloads, errors, tables, widgets
from dashboard import formats as fmt
from dashboard.safe import md
from etl import rounds
from etl.sources import SOURCES_BY_NAME
from etl.staging import UploadError

K = "sub"
TYPES = ["xlsx", "xlsm", "xls", "et", "ods", "csv", "txt"]

me = auth.current()
pointer = queries.db_path()
town = me.township
assert town is not None  # app.py lets only township accounts open this page (roles.TOWNSHIP_PAGES)
try:
    town_name = rounds.county(pointer).name(town)
except rounds.RoundError as exc:
    st.error(md(exc))
    st.stop()
st.title(f"数据上报 · {md(town_name)}")

r = rounds.current_round(pointer)
if r is None:
    st.info("目前没有开放的上报轮次。县民政局开启新一轮上报后，这里会显示要报送的数据和截止日期。")
    past = rounds.list_rounds(pointer)
    if past:
        last = past[0]
        closed = f"，已于{fmt.cn_date(last.closed_at.date())}关闭" if last.closed_at else ""
        st.caption(f"最近一轮：「{md(last.title)}」，截止{fmt.cn_date(last.due)}{closed}。")
    st.stop()


def _due_note(due: dt.date, today: dt.date) -> str:
    left = (due - today).days
    if left > 0:
        return f"还有 {left} 天"
    if left == 0:
        return "今天截止"
    return f"已逾期 {-left} 天，请尽快报送"


st.subheader(md(r.title))
st.markdown(
    f"**截止日期：{fmt.cn_date(r.due)}**（{_due_note(r.due, dt.date.today())}）　"
    f"数据截止：{fmt.cn_date(r.as_of)}"
)
st.caption(
    "上传本乡镇（街道）的数据文件（Excel 或 CSV，可以只传有变化的几种）。系统按县里导入的同一套规则"
    "逐行校验，只接收本乡镇（街道）的行；截止前可以重新报送，县里汇总时采用最近一次通过的报送，"
    "重新报送时没有再传的数据沿用上一次通过的报送。"
)
with st.expander("要报送哪些数据，怎样判断一行属于哪个乡镇"):
    tables.show(
        pl.DataFrame(
            {
                "数据": [SOURCES_BY_NAME[s].label for s in rounds.SUBMITTABLE],
                "所属乡镇（街道）": [rounds.TOWNSHIP_RULES[s][1] for s in rounds.SUBMITTABLE],
            }
        ),
        hide_index=True,
        width="stretch",
        key=f"{K}_rules",
    )
    st.caption("行政区划、边界和资金预算由县民政局统一维护，乡镇（街道）不报送。")

# ---------------------------------------------------------------- upload
files = widgets.upload_form(K, TYPES, "Excel 或 CSV", "上传并报送", "报送")
if files:
    try:
        with st.spinner("正在校验……"):
            rounds.submit(pointer, r.id, town, [(f.name, f.getvalue()) for f in files], me.name)
    except (rounds.RoundError, UploadError) as exc:
        st.error(md(exc))
    except Exception as exc:  # a disk or a reader failing: a message and an incident, no trace
        errors.unexpected(exc, "submit", me.name)

# ---------------------------------------------------------------- the latest submission
mine = rounds.submissions(pointer, r.id, town)
if not mine:
    st.info("本轮还没有报送。")
    st.stop()
latest = mine[-1]
used = rounds.latest_accepted(pointer, r.id, town)
st.subheader(f"第 {latest.seq} 次报送的校验结果")
if latest.accepted:
    st.success(
        f"报送成功（{latest.at:%Y-%m-%d %H:%M}，{md(latest.user)}）：接收 {latest.rows_accepted:,} 行，"
        f"拒收 {latest.rows_rejected:,} 行。县里汇总时采用这次报送。"
    )
else:
    kept = f"县里仍采用第 {used.seq} 次报送。" if used else "县里暂无可采用的报送。"
    st.error(
        "这次报送未通过，不会被采用："
        + md("；".join(latest.failures))
        + f" {kept}请改正后重新报送。"
    )
m1, m2, m3 = st.columns(3)
sent_rows = sum(s.rows + s.foreign for s in latest.sources.values())
m1.metric("报送", fmt.count(sent_rows, "行"), border=True)
m2.metric("接收", fmt.count(latest.rows_accepted, "行"), border=True)
m3.metric("拒收", fmt.count(latest.rows_rejected, "行"), border=True)
per_source = pl.DataFrame(
    [
        {
            "数据": s.label,
            "文件": s.file,
            "来源": "本次上传" if s.origin == "upload" else f"沿用第 {s.from_seq} 次报送",
            "本乡镇行数": s.rows,
            "接收行数": s.accepted,
            "拒收行数": s.rejected,
            "其他乡镇或县级的行": s.foreign,
        }
        for s in latest.sources.values()
    ],
    schema={
        "数据": pl.String,
        "文件": pl.String,
        "来源": pl.String,
        "本乡镇行数": pl.Int64,
        "接收行数": pl.Int64,
        "拒收行数": pl.Int64,
        "其他乡镇或县级的行": pl.Int64,
    },
)
tables.show(per_source, hide_index=True, width="stretch", key=f"{K}_sources")
if latest.knock_on:
    st.warning(
        f"另有 {latest.knock_on} 行县里现有的本乡镇数据（不在这次上传的文件中）会因这次报送被拒收，"
        "例如名录里删去了某个组织，它的年报、评估等记录就对不上了。详见拒收报告。"
    )
if latest.ignored_sheets:
    # Nothing is skipped silently: every non-empty sheet not read is named, with why.
    st.warning(
        "以下工作表没有读入："
        + md("；".join(f"{s.file}「{s.sheet}」（{s.reason}）" for s in latest.ignored_sheets))
        + "。如其中有本乡镇的数据，请改用标准表头或取消隐藏后重新报送。"
    )
rejects = latest.rejects()
if rejects.height:
    st.markdown("**拒收的行**（改正后重新报送；县里汇总时这些行不进入数据仓库）")
    shown = rejects.select(
        "文件", "工作表", "数据", "行号", "列", "原值", "问题及处理办法"
    ).with_columns(
        pl.col("工作表").fill_null("")  # a CSV has no sheets: blank, not "None"
    )
    tables.show(shown.head(500), hide_index=True, width="stretch", key=f"{K}_rejects")
    report = latest.report
    if report is not None:
        downloads.button(
            "下载拒收报告（Excel）",
            report.read_bytes,
            f"拒收报告-{town_name}-{r.id}-第{latest.seq}次.xlsx",
            downloads.XLSX,
            f"{K}_report",
            kind="rejects",
            rows=rejects.height,
        )

# ---------------------------------------------------------------- every submission of the round
st.subheader("本轮报送记录")
history = pl.DataFrame(
    [
        {
            "次序": f"第 {s.seq} 次",
            "报送时间": f"{s.at:%Y-%m-%d %H:%M}",
            "报送人": s.user,
            "文件": "、".join(s.files),
            "接收行数": s.rows_accepted,
            "拒收行数": s.rows_rejected,
            "结果": "通过" if s.accepted else "未通过",
            "县里采用": "✓" if used is not None and s.seq == used.seq else "",
        }
        for s in reversed(mine)
    ],
    schema={
        "次序": pl.String,
        "报送时间": pl.String,
        "报送人": pl.String,
        "文件": pl.String,
        "接收行数": pl.Int64,
        "拒收行数": pl.Int64,
        "结果": pl.String,
        "县里采用": pl.String,
    },
)
tables.show(history, hide_index=True, width="stretch", key=f"{K}_history")
