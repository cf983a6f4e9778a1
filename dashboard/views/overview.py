"""总览: the headline figures as the speech states them, with the change on the previous year."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard import formats as fmt

info = data.warehouse()
as_of = info["as_of_date"]
st.title(f"{info['county_name'] or ''}社区社会组织总览")
st.caption(f"数据截止 {fmt.cn_date(as_of)} · 导入批次 {info['etl_run_id']}")

rows = {r["period"]: r for r in data.run("overview/headline", as_of=as_of).iter_rows(named=True)}
cur, prev = rows["current"], rows["previous"]

cols = st.columns(5)
tiles = [
    ("登记备案社区社会组织", "count_active"),
    ("登记", "count_registered"),
    ("备案", "count_filed"),
    ("城市社区社会组织", "count_urban"),
    ("农村社区社会组织", "count_rural"),
]
for col, (label, key) in zip(cols, tiles, strict=True):
    col.metric(label, fmt.count(cur[key]), fmt.delta(cur[key], prev[key]), border=True)

cols = st.columns(4)
cols[0].metric("平均每个城市社区", f"{cur['avg_per_urban_community']:.1f}家", border=True)
cols[1].metric("平均每个行政村", f"{cur['avg_per_rural_community']:.1f}家", border=True)
cols[2].metric("党建入章率", fmt.rate(cur["party_in_charter_rate"]), border=True)
cols[3].metric("清廉入章率", fmt.rate(cur["integrity_in_charter_rate"]), border=True)

st.metric(
    "达到国家标准的社区（城市≥10家、农村≥5家）",
    f"{cur['count_communities_meeting_floor']}/{cur['count_communities']}个",
    border=True,
)
