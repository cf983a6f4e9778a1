"""Entry point: page setup, sign-in, the shared filters and the navigation, once for every page."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the project root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner import get_script_run_ctx  # noqa: E402

from dashboard import auth, chrome, data, errors, filters, nav, timing, upload_gate  # noqa: E402
from dashboard.safe import md  # noqa: E402

st.set_page_config(page_title="社区社会组织数据看板", page_icon="🏘️", layout="wide")

upload_gate.guard_manager()  # second line behind the middleware of dashboard/server.py
account = auth.signed_in()
ctx = get_script_run_ctx()
if ctx is not None:  # who may send files: signed in, with a page that takes them
    if account is not None and (account.may_open("import") or account.may_open("submit")):
        upload_gate.admit(ctx.session_id, account.name)
    else:
        upload_gate.withdraw(ctx.session_id)
# expanded=True: with more than twelve pages (the admin's menu) Streamlit 1.67 folds the menu
# behind an English "View 3 more" button.
page = st.navigation(
    nav.st_pages(account), position="sidebar" if account else "hidden", expanded=True
)
if nav.is_public(page):  # 信息公开查询, for everyone: none of the staff pages' machinery below
    if account is not None:
        auth.account_box(account)
    try:
        page.run()
    except Exception as exc:  # st.stop and st.rerun are BaseExceptions and pass through
        errors.unexpected(exc, nav.PUBLIC.key, account.name if account else None)
    st.stop()
if account is None:
    auth.sign_in_page()
    st.stop()
key = nav.key_of(page)
auth.account_box(account)
if not account.may_open(key):
    auth.refuse(page.title, account, key)
try:
    data.pin(account)
except data.NoWarehouse as exc:
    # Only the admin, who runs the server, is told where it looked: a path is nobody else's.
    where = f"（{md(exc)}）" if account.role == "admin" else ""
    st.error(
        f"数据仓库尚未生成{where}。请在项目目录运行 `make run`，"
        "或用 `orgdash load 数据文件夹` 导入数据后刷新本页。"
    )
    if account.may_open("import") and key != "import":
        st.page_link(nav.BY_KEY["import"].file, label="去「导入」页上传数据")
    if key != "import":
        st.stop()
# session: the meeting benchmark matches the time to its websocket (ORGDASH_TIMING_LOG, timing.py)
try:
    with timing.measure("script", session=ctx.session_id if ctx is not None else None):
        try:
            if nav.BY_KEY[key].filters:
                filters.sidebar(account)
            chrome.before_page(
                page
            )  # phone CSS and short links (?v=<code>, 分享链接): dashboard/chrome.py
            page.run()
        except Exception as exc:  # st.stop and st.rerun are BaseExceptions and pass through
            errors.unexpected(exc, key, account.name)
finally:
    data.release()  # the run's connection to the warehouse, if a question opened one
