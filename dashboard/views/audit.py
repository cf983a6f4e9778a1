"""审计: sign-ins, loads, rollbacks, queries and downloads, newest first (admin only)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import streamlit as st

from access import audit
from dashboard import downloads, nav, tables
from dashboard.safe import md

K = "au"
SHOWN = 1000
BASIC = {"at", "event", "user"}

events = audit.read()
titles = {p.key: p.title for p in nav.PAGES}
st.title("审计日志")
st.caption(
    f"登录、导入、回退、自助查询和下载都记在服务器的 {md(audit.log_path().name)} 中（与数据仓库分开保存，"
    "回退数据不影响日志）。"
)
if not events:
    st.info("还没有审计记录。")
    st.stop()

frame = pl.DataFrame(
    {
        "时间": [str(e.get("at", ""))[:19].replace("T", " ") for e in events],
        "事件": [audit.EVENTS.get(e.get("event", ""), e.get("event", "")) for e in events],
        "账户": [e.get("user", "") for e in events],
        # Who did what to which file, how many rows, in words; the raw record stays in the download.
        "详情": [audit.describe(e, titles) for e in events],
        "原始记录": [
            json.dumps({k: v for k, v in e.items() if k not in BASIC}, ensure_ascii=False)
            for e in events
        ],
    },
    schema={
        "时间": pl.String,
        "事件": pl.String,
        "账户": pl.String,
        "详情": pl.String,
        "原始记录": pl.String,
    },
).reverse()

c1, c2, c3 = st.columns(3)
kinds = c1.multiselect(
    "事件", sorted(set(frame["事件"])), key=f"{K}_events", placeholder="全部事件"
)
users = c2.multiselect("账户", sorted(set(frame["账户"])), key=f"{K}_users", placeholder="全部账户")
today = dt.date.today()
days = c3.date_input("日期范围", (today - dt.timedelta(days=30), today), key=f"{K}_days")
shown = frame
if kinds:
    shown = shown.filter(pl.col("事件").is_in(kinds))
if users:
    shown = shown.filter(pl.col("账户").is_in(users))
if isinstance(days, tuple) and len(days) == 2:
    start, end = days
    shown = shown.filter(
        pl.col("时间")
        .str.slice(0, 10)
        .is_between(pl.lit(start.isoformat()), pl.lit(end.isoformat()))
    )

m1, m2, m3 = st.columns(3)
m1.metric("记录", f"{shown.height:,}", border=True)
m2.metric("登录失败", f"{shown.filter(pl.col('事件') == '登录失败').height:,}", border=True)
m3.metric("下载", f"{shown.filter(pl.col('事件') == '下载').height:,}", border=True)
tables.show(
    shown.head(SHOWN).drop("原始记录"),
    hide_index=True,
    width="stretch",
    key=f"{K}_table",
    column_config={"详情": st.column_config.TextColumn(width="large")},
)
if shown.height > SHOWN:
    st.caption(f"只显示最近 {SHOWN} 条，共 {shown.height} 条：完整记录请下载。")
st.caption("下载的文件另有「原始记录」一列（JSON），保留每条记录的全部字段。")
downloads.buttons(shown, "审计日志", key=f"{K}_dl", kind="audit")
