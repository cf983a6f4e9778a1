"""账户: who may sign in, in what role and scope; add and remove accounts (admin only)."""

from __future__ import annotations

import datetime as dt
import time

import polars as pl
import streamlit as st

from access import accounts, audit, roles
from dashboard import auth, tables
from dashboard import filters as flt
from dashboard.safe import md

K = "acc"

me = auth.current()
towns = flt.township_names()
st.title("账户管理")
st.caption(
    "领导看总览、地图、社区和报告；规划另可看组织、资金、监管并自选报告日期；"
    "分析另可自助查询、看数据状态、下载明细；管理另可导入、回退、管理账户和查看审计日志。"
    "除管理员外，负责人姓名和电话一律打码显示。命令行：`orgdash user add|remove|list|unlock`。"
)

known = accounts.load()
table = pl.DataFrame(
    {
        "账户": [a.name for a in known.values()],
        "显示名称": [a.display_name for a in known.values()],
        "角色": [a.role_label for a in known.values()],
        "范围": [
            towns.get(a.township, a.township) if a.township else "全县" for a in known.values()
        ],
        "单位统一登录邮箱": [a.email or "" for a in known.values()],
        "演示账户": ["是" if a.demo else "" for a in known.values()],
        "创建时间": [a.created_at for a in known.values()],
    },
    schema={
        c: pl.String
        for c in ("账户", "显示名称", "角色", "范围", "单位统一登录邮箱", "演示账户", "创建时间")
    },
).sort("账户")
tables.show(table, hide_index=True, width="stretch", key=f"{K}_table")
if any(a.demo for a in known.values()):
    st.warning("还有演示账户（密码公开）。正式使用前请删除它们，并为每位使用者建立自己的账户。")
    if not auth.is_local():
        st.error(
            "本系统可从其他电脑访问，演示账户已不能登录。请在服务器上用 "
            "`orgdash user remove 账户名` 删除演示账户，并用 `orgdash user add` 建立正式账户。"
        )

left, right = st.columns(2)
with left.form(f"{K}_add", clear_on_submit=True):
    st.markdown("**添加账户**")
    name = st.text_input("账户名（英文字母、数字）", key=f"{K}_name")
    display = st.text_input("显示名称", key=f"{K}_display")
    role = st.selectbox("角色", list(roles.ROLES), format_func=roles.label, key=f"{K}_role")
    scope = st.selectbox(
        "范围",
        ["", *towns],
        format_func=lambda c: "全县" if not c else towns[c],
        key=f"{K}_scope",
    )
    password = st.text_input("初始密码（至少8位）", type="password", key=f"{K}_password")
    added = st.form_submit_button("添加", type="primary")
if added:
    try:
        made = accounts.add(
            name.strip(), role, password, display_name=display.strip(), township=scope or None
        )
    except accounts.AccountError as exc:
        left.error(md(exc))
    else:
        audit.record("user_add", me.name, account=made.name, role=made.role, township=made.township)
        left.success(f"已添加账户 {md(made.name)}（{made.role_label}）。")

with right.form(f"{K}_remove"):
    st.markdown("**删除账户**")
    others = [n for n in sorted(known) if n != me.name]
    gone = st.selectbox("账户", others, key=f"{K}_remove_name", placeholder="选择账户")
    confirm = st.checkbox("确认删除：该账户的登录立即失效", key=f"{K}_remove_confirm")
    removed = st.form_submit_button("删除")
if removed:
    if not gone or not confirm:
        right.warning("请选择账户并勾选确认。")
    else:
        try:
            account = accounts.remove(gone)
        except accounts.AccountError as exc:
            right.error(md(exc))
        else:
            audit.record("user_remove", me.name, account=account.name, role=account.role)
            right.success(f"已删除账户 {md(account.name)}。")


# ---------------------------------------------------------------- sign-in throttling


def _when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def _client(client: str) -> str:
    return "本机" if client == accounts.LOCAL_CLIENT else client


def _unlock() -> None:
    # A callback: it runs before the page, so the table below already shows the records cleared.
    who = st.session_state.get(f"{K}_unlock_name")
    where = st.session_state.get(f"{K}_unlock_client") or None
    if not who:
        return
    n = accounts.unlock(who, where)
    audit.record("user_unlock", me.name, account=who, client=where, cleared=n)
    st.session_state[_UNLOCKED] = (
        f"已清除账户 {md(who)} 的密码输错记录 {n} 条，可立即重新登录。"
        if n
        else f"账户 {md(who)} 在所选来源地址没有密码输错记录。"
    )


_UNLOCKED = f"_{K}_unlocked"
st.subheader("密码输错记录")
st.caption(
    f"同一来源地址对同一账户名连续输错 {accounts.FREE_FAILURES} 次后，该地址须等待 2、4、8……秒"
    f"（最长 {accounts.MAX_DELAY_S / 60:g} 分钟）才能再试这个账户名；其他地址不受影响，"
    "登录成功即清除该地址的记录，一天无新的输错也自动清除。命令行：`orgdash user unlock 账户名`。"
)
if notice := st.session_state.pop(_UNLOCKED, None):
    st.success(notice)
now = time.time()
records = accounts.throttled(now=now)
if not records:
    st.info("目前没有密码输错记录。")
else:
    tables.show(
        pl.DataFrame(
            {
                "账户名": [r.name for r in records],
                "来源地址": [_client(r.client) for r in records],
                "连续输错": [r.failures for r in records],
                "最近一次": [_when(r.last_failure) for r in records],
                "需等待至": [_when(r.until) if r.wait(now) > 0 else "—" for r in records],
                "状态": [
                    f"等待中（还需 {accounts.wait_text(r.wait(now))}）"
                    if r.wait(now) > 0
                    else "可再试"
                    for r in records
                ],
            },
            schema={
                "账户名": pl.String,
                "来源地址": pl.String,
                "连续输错": pl.Int64,
                "最近一次": pl.String,
                "需等待至": pl.String,
                "状态": pl.String,
            },
        ),
        hide_index=True,
        width="stretch",
        key=f"{K}_throttle",
    )
    names = sorted({r.name for r in records})
    with st.form(f"{K}_unlock"):
        c1, c2 = st.columns(2)
        c1.selectbox("账户名", names, key=f"{K}_unlock_name")
        clients = sorted({r.client for r in records})
        c2.selectbox(
            "来源地址",
            ["", *clients],
            format_func=lambda c: "全部来源地址" if not c else _client(c),
            key=f"{K}_unlock_client",
        )
        st.form_submit_button("解除限制", on_click=_unlock)
