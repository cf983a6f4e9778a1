"""上报进度: open and close a township submission round, follow every township's progress, load
the round into the county warehouse (admin only)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

import queries
from dashboard import auth, downloads, tables
from dashboard import formats as fmt
from dashboard.safe import md
from etl import rounds
from etl.pipeline import LoadBusy, LoadFailed

K = "rnd"
NOTICE = f"{K}_notice"

me = auth.current()
pointer = queries.db_path()
today = dt.date.today()
st.title("上报进度")
st.caption(
    "开启一轮上报后，各乡镇（街道）账户在「上报」页报送本辖区的数据，系统按导入规则校验，只接收本乡镇的行。"
    "截止后关闭上报，再把各乡镇最近一次通过的报送导入全县数据仓库（没有报送的乡镇沿用现有数据）。"
    "命令行：orgdash round open|status|close|load。"
)
notice = st.session_state.pop(NOTICE, None)
if notice:
    st.success(notice)


def _last_quarter(day: dt.date) -> str:
    q = (day.month - 1) // 3  # the quarter before the current one: its data is due now
    return f"{day.year - 1}Q4" if q == 0 else f"{day.year}Q{q}"


# ---------------------------------------------------------------- open a round
current = rounds.current_round(pointer)
if current is None:
    with st.form(f"{K}_open"):
        st.markdown("**开启新一轮上报**")
        c1, c2, c3 = st.columns(3)
        new_id = c1.text_input(
            "轮次编号",
            value=_last_quarter(today),
            key=f"{K}_id",
            help="季度轮次写成 2026Q1，名称和数据截止日期（季末）自动生成。",
        )
        new_title = c2.text_input("名称（季度轮次可不填）", key=f"{K}_title")
        new_due = c3.date_input(
            "截止日期", value=today + dt.timedelta(days=14), key=f"{K}_due", format="YYYY-MM-DD"
        )
        opened = st.form_submit_button("开启上报", type="primary")
    if opened:
        try:
            made = rounds.open_round(pointer, new_id, new_due, me.name, title=new_title or None)
        except rounds.RoundError as exc:
            st.error(md(exc))
        else:
            st.session_state[NOTICE] = (
                f"已开启「{made.title}」，截止 {fmt.cn_date(made.due)}。各乡镇（街道）账户现在可以报送。"
            )
            st.session_state[f"{K}_round"] = made.id
            st.rerun()

every = rounds.list_rounds(pointer)
if not every:
    st.info("还没有上报轮次。在上面开启第一轮上报。")
    st.stop()

# ---------------------------------------------------------------- one round's progress
ids = [x.id for x in every]
if st.session_state.get(f"{K}_round") not in ids:
    st.session_state[f"{K}_round"] = (current or every[0]).id
by_id = {x.id: x for x in every}
chosen = st.selectbox(
    "上报轮次",
    ids,
    format_func=lambda i: f"{by_id[i].title}（{'开放中' if by_id[i].is_open else '已关闭'}）",
    key=f"{K}_round",
)
r = by_id[chosen]
if r.closed_at is None:
    state = "开放中"
else:
    state = f"已于{fmt.cn_date(r.closed_at.date())}关闭（{md(r.closed_by)}）"
st.markdown(
    f"**{md(r.title)}**　截止 {fmt.cn_date(r.due)}　数据截止 {fmt.cn_date(r.as_of)}　{state}　"
    f"开启：{md(r.opened_by)}，{r.opened_at:%Y-%m-%d %H:%M}"
)

try:
    progress = rounds.status(pointer, r.id, today)
except rounds.RoundError as exc:
    st.error(md(exc))
    st.stop()
done = [p for p in progress if p.state in ("on_time", "late")]
overdue = [p for p in progress if p.state == "overdue"]
pending = [p for p in progress if p.state == "pending"]
m1, m2, m3, m4 = st.columns(4)
m1.metric("已报送", fmt.count(len(done), "个"), border=True)
m2.metric("其中逾期报送", fmt.count(sum(p.state == "late" for p in done), "个"), border=True)
m3.metric("逾期未报", fmt.count(len(overdue), "个"), border=True)
m4.metric("未报送", fmt.count(len(pending), "个"), border=True)

table = pl.DataFrame(
    [
        {
            "乡镇（街道）": p.name,
            "状态": p.label,
            "接收行数": p.rows_accepted,
            "拒收行数": p.rows_rejected,
            "报送次数": p.submissions,
            "重新报送": p.resubmissions,
            "县里采用": f"第 {p.used.seq} 次" if p.used else "",
            "最近报送人": p.last.user if p.last else "",
            "最近报送时间": f"{p.last.at:%Y-%m-%d %H:%M}" if p.last else "",
        }
        for p in progress
    ],
    schema={
        "乡镇（街道）": pl.String,
        "状态": pl.String,
        "接收行数": pl.Int64,
        "拒收行数": pl.Int64,
        "报送次数": pl.Int64,
        "重新报送": pl.Int64,
        "县里采用": pl.String,
        "最近报送人": pl.String,
        "最近报送时间": pl.String,
    },
)
# Every township at once (a county has 10-30): the point is to see who is missing.
tables.show(table, hide_index=True, width="stretch", height="content", key=f"{K}_progress")
downloads.buttons(table, f"上报进度-{r.title}", key=f"{K}_dl")

# ---------------------------------------------------------------- one township's submissions
sent = [p for p in progress if p.last is not None]
if sent:
    with st.expander("查看某个乡镇（街道）的报送和拒收报告"):
        names = {p.township: p.name for p in sent}
        pick = st.selectbox(
            "乡镇（街道）", list(names), format_func=names.__getitem__, key=f"{K}_town"
        )
        subs = rounds.submissions(pointer, r.id, pick)
        for s in reversed(subs):
            verdict = "通过" if s.accepted else "未通过"
            files = "、".join(s.files)
            st.markdown(
                f"**第 {s.seq} 次**　{s.at:%Y-%m-%d %H:%M}　{md(s.user)}　{verdict}　"
                f"接收 {s.rows_accepted:,} 行，拒收 {s.rows_rejected:,} 行　文件：{md(files)}"
            )
            for f in s.failures:
                st.caption(md(f))
            if s.report is not None:
                downloads.button(
                    f"下载第 {s.seq} 次的拒收报告（Excel）",
                    s.report.read_bytes,
                    f"拒收报告-{names[pick]}-{r.id}-第{s.seq}次.xlsx",
                    downloads.XLSX,
                    f"{K}_report_{pick}_{s.seq}",
                    kind="rejects",
                    rows=s.rows_rejected,
                )

# ---------------------------------------------------------------- close, load
left, right = st.columns(2)
if r.is_open:
    with left.form(f"{K}_close"):
        st.markdown("**关闭上报**")
        st.caption("关闭后各乡镇（街道）不能再报送或重新报送；已报送的数据保留，可以导入。")
        sure_close = st.checkbox("确认关闭", key=f"{K}_sure_close")
        close = st.form_submit_button("关闭上报")
    if close:
        if not sure_close:
            left.warning("请勾选“确认关闭”。")
        else:
            try:
                rounds.close_round(pointer, r.id, me.name)
            except rounds.RoundError as exc:
                left.error(str(exc))
            else:
                st.session_state[NOTICE] = f"已关闭「{md(r.title)}」。现在可以导入全县数据仓库。"
                st.rerun()
with right.form(f"{K}_load"):
    st.markdown("**导入全县数据仓库**")
    st.caption(
        f"采用 {len(done)} 个乡镇（街道）最近一次通过的报送，其余乡镇沿用现有数据；"
        "导入后在「导入」页的数据版本中可以查看和回退。"
        + ("上报尚未关闭，导入的是目前已报送的数据。" if r.is_open else "")
    )
    sure_load = st.checkbox("确认导入", key=f"{K}_sure_load")
    load = st.form_submit_button("导入", type="primary", disabled=not done)
if load:
    if not sure_load:
        right.warning("请勾选“确认导入”。")
    else:
        try:
            with st.spinner("正在合并各乡镇的报送并导入……"):
                loaded = rounds.load_round(pointer, r.id, me.name)
        except (rounds.RoundError, LoadBusy) as exc:
            right.error(md(exc))
        except LoadFailed as exc:
            right.error(f"导入失败，当前数据未受影响：{md(exc)}")
        else:
            result = loaded.result
            st.session_state[NOTICE] = (
                f"导入成功：「{md(r.title)}」采用了 {len(loaded.used)} 个乡镇（街道）的报送，"
                f"共 {sum(result.rows_loaded.values()):,} 行，版本 {result.run_id}。"
                "所有页面已切换到新数据；如需回退，请到「导入」页。"
            )
            st.rerun()
if r.loads:
    last = r.loads[-1]
    st.caption(
        f"本轮已导入 {len(r.loads)} 次；最近一次：版本 {last.run_id}，"
        f"{last.at:%Y-%m-%d %H:%M}，{last.by}。"
    )
