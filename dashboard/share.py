"""Short links in the dashboard: ?v=<code> opens the view it names; 分享链接 makes one for this view."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.navigation.page import StreamlitPage

import queries
from access import links
from dashboard import nav
from dashboard.safe import md

PARAM = "v"
_NOTICE = "_share_notice"


def _db() -> Path:
    return queries.db_path()


def open_link() -> None:
    """Follow ?v=<code> to its page with its filters and parameters, through nav.go.

    nav.go is st.switch_page, so the target page goes through the same navigation (and the same
    access checks) as a click in the sidebar: a link grants nothing by itself. An unknown code is
    said so in Chinese, and the overview is shown.
    """
    code = st.query_params.get(PARAM)
    if code is None:
        notice = st.session_state.pop(_NOTICE, None)
        if notice:
            st.warning(notice)
        return
    try:
        target = links.resolve(code, _db())
    except RuntimeError as exc:  # a links file broken by hand
        target = None
        st.session_state[_NOTICE] = md(exc)
    # The view is exactly the link's: nothing of this URL (a stale filter) may leak into it.
    st.query_params.clear()
    if target is not None and target[0] in nav.BY_KEY:
        page, params = target
        try:
            nav.go(page, **params)  # raises a rerun: the run ends here and the target page runs
        except StreamlitAPIException:  # the page is not in this user's navigation
            st.session_state[_NOTICE] = "您无权查看分享链接指向的页面，已为您打开总览。"
    elif target is not None:  # a page removed since the link was made
        st.session_state[_NOTICE] = "分享链接指向的页面已不存在，已为您打开总览。"
    else:
        st.session_state.setdefault(
            _NOTICE,
            f"分享链接“{md(code[:40])}”不存在或已失效，已为您打开总览。请向分享人索取新的链接。",
        )
    nav.go(nav.PAGES[0].key)


def _base_url(page_key: str) -> str:
    """The app's root URL as the browser sees it (scheme, host, port, any base path)."""
    url = (st.context.url or "").split("?")[0].rstrip("/")
    page = nav.BY_KEY.get(page_key)
    if page is not None and page.url and url.endswith("/" + page.url):
        url = url[: -len(page.url) - 1]
    return url


def current_page_key(page: StreamlitPage) -> str:
    """The nav key of the page being shown (the default page's url_path is '')."""
    return page.url_path or nav.PAGES[0].key


def control(page: StreamlitPage) -> None:
    """A small 分享链接 button in the sidebar. The link is made (and stored) only when asked for,
    from the URL as it stands at the click, and shown for that run only: after any other click the
    view may have changed, and a link left standing would then open a different view."""
    key = current_page_key(page)
    with st.sidebar:
        if st.button(
            "分享链接",
            key="share_make",
            help="生成本页（含筛选条件）的短链接，可复制后发到企业微信、钉钉",
        ):
            params = {k: st.query_params[k] for k in st.query_params if k not in links.NOT_VIEW}
            try:
                code = links.create(key, params, _db())
            except (OSError, RuntimeError) as exc:
                st.error(f"无法生成分享链接：{md(exc)}")
                return
            st.caption("复制下面的链接发给同事（打开时仍按对方的权限显示）：")
            st.code(f"{_base_url(key)}/?{PARAM}={code}", language=None, wrap_lines=True)
