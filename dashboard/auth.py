"""Sign-in for every page: password accounts (and optionally 单位统一登录 via st.login), a signed
cookie so a reload or a shared link does not ask again, expiry, sign-out and refusals by role."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping

import streamlit as st
from streamlit import config
from streamlit.runtime.scriptrunner import get_script_run_ctx

from access import accounts, audit, network, sessions
from access.settings import load_settings
from dashboard import public_link
from dashboard.safe import md

COOKIE = "orgdash_session"
_ACCOUNT = "_account"  # session_state: the signed-in account's name
_SINCE = "_signed_in_at"  # epoch seconds
_TOKEN = "_session_token"
_NOTICE = "_auth_notice"
LOCAL = "127.0.0.1"  # the client address of a request from this machine


# ---------------------------------------------------------------- where a request comes from


def _loopback(address: str | None) -> bool:
    return network.is_loopback(address)


def bind_address() -> str | None:
    """Streamlit's server.address: None or empty means every interface of the machine."""
    value = config.get_option("server.address")
    return str(value) if value else None


def client_address() -> str:
    """The address of the browser behind this session: what the throttle and the demo check use."""
    peer = st.context.ip_address
    try:
        headers = {
            k: v
            for k in ("X-Forwarded-For", "X-Real-IP")
            if isinstance(v := st.context.headers.get(k), str)
        }
    except Exception:  # no client connection (AppTest): no headers
        headers = {}
    # Only a string is an address (AppTest's stand-in connection reports a mock object).
    return resolve_client(peer if isinstance(peer, str) else None, headers)


def resolve_client(peer: str | None, headers: Mapping[str, str]) -> str:
    """The client's address from the direct peer and the request's headers.

    peer is st.context.ip_address: None when it is 127.0.0.1 or ::1 (and in AppTest). Only when
    the peer is this machine may a reverse proxy here (nginx) name the client, in X-Forwarded-For
    (its rightmost address that is not loopback: the one the proxy itself saw; those to its left
    are whatever the browser sent) or X-Real-IP. From any other peer these headers are ignored: a
    browser can send them too. uvicorn already applies X-Forwarded-For from 127.0.0.1 and ::1
    (then peer is the client), so this adds proxies on other loopback addresses and X-Real-IP.
    """
    if peer is not None and not _loopback(peer):
        return peer
    forwarded = [a.strip() for a in (headers.get("X-Forwarded-For") or "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _loopback(address):
            return address[:64]
    real = (headers.get("X-Real-IP") or "").strip()
    if real and not _loopback(real):
        return real[:64]
    return peer or LOCAL


def is_local() -> bool:
    """The server listens on loopback only and this request comes from this machine: the only
    place where the demo accounts (their password is printed on the sign-in page) may work."""
    return _loopback(bind_address()) and _loopback(client_address())


def _throttle_client() -> str:
    # Every local request shares one record, as the CLI's and the tests' (client None) do.
    address = client_address()
    return accounts.LOCAL_CLIENT if _loopback(address) else address


# The account signed_in() found at the top of this run, for this thread (Streamlit runs a
# session's script on a thread of its own, a new one for each ScriptRunner) and this session.
# Pages ask for the account once per link they draw (nav.may_open): looking it up in users.toml's
# parsed copy each time (a path, a stat, a copy of every account) was a sixth of the 总览's server
# time when twenty sessions opened it at once (issue 15, docs/PERFORMANCE.md).
_run = threading.local()


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _remember(account: accounts.Account | None) -> accounts.Account | None:
    _run.account, _run.session = account, _session_id()
    return account


def _this_run() -> accounts.Account | None:
    account = getattr(_run, "account", None)
    if account is not None and _run.session == _session_id():
        return account
    return None  # a callback before signed_in() ran, or another session's thread: look it up


def current_or_none() -> accounts.Account | None:
    """The signed-in account, or None for a visitor of the public register (app.py has already
    checked the session, as for every page)."""
    return _this_run() or accounts.load().get(st.session_state.get(_ACCOUNT, ""))


def current() -> accounts.Account:
    """The signed-in account (app.py signs in before any page runs)."""
    account = _this_run() or accounts.load().get(st.session_state.get(_ACCOUNT, ""))
    if account is None:  # pragma: no cover - app.py stops the run before pages
        raise RuntimeError("no account signed in")
    return account


def signed_in() -> accounts.Account | None:
    """The signed-in account (from this session, the sign-in cookie or OpenID Connect), or None;
    remembered for the rest of this run (current())."""
    return _remember(_signed_in())


def _signed_in() -> accounts.Account | None:
    settings = load_settings()
    known = accounts.load()
    state = st.session_state
    name = state.get(_ACCOUNT)
    if name:
        account = known.get(name)
        age_h = (time.time() - float(state.get(_SINCE, 0))) / 3600
        if account is None:
            _end("账户已被删除或停用，请联系管理员。")
        elif account.demo and not is_local():
            _end(accounts.DEMO_REFUSED)
        elif state.get("_fingerprint") not in (None, account.fingerprint):
            _end("账户的密码或权限已修改，请重新登录。")
        elif age_h >= settings.session_hours:
            audit.record("session_expired", name)
            _end(f"登录已过期（超过 {settings.session_hours:g} 小时），请重新登录。")
        else:
            return account
    elif (token := st.context.cookies.get(COOKIE)) and not state.get("_cookie_refused"):
        checked = sessions.check(token)
        demo_refused = checked.account is not None and checked.account.demo and not is_local()
        if checked.status == "ok" and checked.account is not None and not demo_refused:
            _start(checked.account, token, since=_issued_at(token, settings.session_hours))
            return checked.account
        state["_cookie_refused"] = True  # do not try the same cookie again in this session
        state["_cookie_forget"] = True
        if demo_refused:
            state[_NOTICE] = accounts.DEMO_REFUSED
        elif checked.status == "expired":
            state[_NOTICE] = f"登录已过期（超过 {settings.session_hours:g} 小时），请重新登录。"
    if settings.oidc and (account := _oidc_account()) is not None and not account.demo:
        _start(account, sessions.issue(account, settings.session_hours), via="oidc")
        return account
    return None


def sign_in_page() -> None:
    """The sign-in form instead of the page asked for (its URL stays, so it opens after)."""
    settings = load_settings()
    _sign_in_form(accounts.load(), settings.oidc, settings.oidc_label)


def _issued_at(token: str, hours: float) -> float:
    expiry = sessions.expires_at(token) or time.time()
    return expiry - hours * 3600


def _start(
    account: accounts.Account, token: str, since: float | None = None, via: str | None = None
) -> None:
    state = st.session_state
    state[_ACCOUNT] = account.name
    state[_SINCE] = since if since is not None else time.time()
    state["_fingerprint"] = account.fingerprint
    state[_TOKEN] = token
    if via is not None:
        audit.record("sign_in", account.name, via=via, role=account.role, client=client_address())
    else:  # resumed from the cookie: it is already there
        state["_cookie_written"] = token


def _end(notice: str) -> None:
    state = st.session_state
    token = state.get(_TOKEN)
    if token:
        sessions.revoke(token)  # even if the browser keeps the cookie, it no longer works
    for key in (_ACCOUNT, _SINCE, "_fingerprint", _TOKEN, "_cookie_written"):
        state.pop(key, None)
    state["_cookie_refused"] = True
    state["_cookie_forget"] = True
    state[_NOTICE] = notice
    _remember(None)
    st.rerun()


def sign_out() -> None:
    name = st.session_state.get(_ACCOUNT)
    if name:
        audit.record("sign_out", name)
    _end("已退出登录。")


def _remember_cookie(token: str) -> None:
    expiry = sessions.expires_at(token)
    max_age = max(0, int((expiry or time.time()) - time.time()))
    _cookie_script(f"{COOKIE}={token}; path=/; max-age={max_age}; SameSite=Strict")


def _forget_cookie() -> None:
    _cookie_script(f"{COOKIE}=; path=/; max-age=0; SameSite=Strict")


def _cookie_script(cookie: str) -> None:
    # Streamlit 1.67 can read cookies (st.context.cookies) but not set them; a one-line script
    # does. The token is signed, so a forged cookie is refused; it cannot be HttpOnly this way.
    st.html(
        f"<script>document.cookie = {json.dumps(cookie)};</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def _oidc_account() -> accounts.Account | None:
    """The account of an OpenID Connect identity; None when not signed in there or not mapped."""
    try:
        user = st.user
        if not user.is_logged_in:
            return None
        email = str(user.get("email") or "")
    except Exception:  # no [auth] section in secrets.toml: the option stays unused
        return None
    account = accounts.by_email(email) if email else None
    if account is None:
        st.session_state[_NOTICE] = (
            f"单位账号 {md(email)} 尚未开通本系统权限，请联系管理员用 "
            "`orgdash user add 账户名 --role 角色 --email 邮箱` 添加。"
        )
    return account


def _sign_in_form(known: dict[str, accounts.Account], oidc: bool, oidc_label: str) -> None:
    if st.session_state.pop("_cookie_forget", False):
        _forget_cookie()
    st.title("社区社会组织数据看板")
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.warning(notice)
    if not known and not oidc:
        st.error(
            "尚未创建任何账户。请管理员在服务器上运行 "
            "`orgdash user add 账户名 --role admin` 创建管理员账户，然后刷新本页。"
        )
        return
    with st.form("sign_in", border=True, width=420):
        st.markdown("**请登录**")
        name = st.text_input("账户名", key="sign_in_name")
        password = st.text_input("密码", type="password", key="sign_in_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            account = accounts.authenticate(
                name, password, client=_throttle_client(), allow_demo=is_local()
            )
        except accounts.AccountError as exc:
            audit.record(
                "sign_in_failed", name.strip()[:64], reason=str(exc), client=client_address()
            )
            st.error(str(exc))
        else:
            settings = load_settings()
            _start(account, sessions.issue(account, settings.session_hours), via="password")
            st.rerun()
    if oidc and st.button(oidc_label, key="sign_in_oidc"):
        st.login()
    # Residents look organisations up without an account (dashboard/public.py).
    st.page_link(public_link.PAGE_FILE, label=public_link.LINK)
    demo = [a for a in known.values() if a.demo]
    if demo and is_local():  # reachable from elsewhere: never print a working password
        names = "、".join(
            f"{a.name}（{a.role_label}{'，限本乡镇' if a.township else ''}）" for a in demo
        )
        st.caption(
            f"演示账户：{names}，密码均为 {accounts.DEMO_PASSWORD}。正式使用前请删除演示账户。"
        )


def pending_cookie() -> None:
    """Write the sign-in cookie on the first full run after signing in (st.rerun above would
    drop an element emitted in the same run)."""
    state = st.session_state
    token = state.get(_TOKEN)
    if token and state.get("_cookie_written") != token:
        _remember_cookie(token)
        state["_cookie_written"] = token


def refuse(page_title: str, account: accounts.Account, page_key: str) -> None:
    """A page this role may not use, opened by URL: say so and stop."""
    audit.record("denied", account.name, page=page_key, role=account.role)
    st.error(
        f"您的账户（{account.role_label}）无权使用「{md(page_title)}」页面。"
        "如需使用，请联系管理员调整权限。"
    )
    st.page_link("views/overview.py", label="返回总览")
    st.stop()


def account_box(account: accounts.Account) -> None:
    """Who is signed in, in what role and scope, and the way out; top of the sidebar."""
    pending_cookie()
    with st.sidebar:
        scope = "（限本乡镇）" if account.township else ""
        st.caption(f"{md(account.label)} · {account.role_label}{scope}")
        if st.button("退出登录", key="sign_out", type="tertiary"):
            sign_out()
