"""Entry point: page setup, the shared filters and the navigation, defined once for every page."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the project root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import chrome, data, filters, nav, timing  # noqa: E402

st.set_page_config(page_title="社区社会组织数据看板", page_icon="🏘️", layout="wide")

page = st.navigation(nav.st_pages(), position="sidebar")
try:
    data.build()
except data.NoWarehouse as exc:
    st.error(
        f"数据仓库尚未生成（{exc}）。请在项目目录运行 `make run`，"
        "或用 `orgdash load 数据文件夹` 导入数据后刷新本页。"
    )
    st.stop()
with timing.measure("script"):
    filters.sidebar()
    chrome.before_page(page)  # phone CSS and short links (?v=<code>, 分享链接): dashboard/chrome.py
    page.run()
