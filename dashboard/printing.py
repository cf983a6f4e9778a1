"""导出PDF of a page: the page as shown, printed by the browser to PDF, with what it shows stated
at the top (page, filters, data date, who, when) and the menu, sidebar and buttons left out.

Every page with the sidebar filters gets a 「导出PDF」 button in the sidebar. It opens the browser's
print dialog (Chrome, Edge and WPS's browser offer 「另存为PDF」 there); the meeting report has its
own server-made PDF on the 报告 page (reports/pdf.py). The page text is already the reader's, so a
print gives away nothing a screenshot or Ctrl+P would not; being the browser's, it is not audited.

The heading is an element at the top of the page that the screen never shows (print CSS). In
Streamlit 1.67 an st.html element takes its row even when its content is hidden, so its container
is hidden with `:has()` on screen and shown in print.
"""

from __future__ import annotations

import datetime as dt
import html

import streamlit as st

from dashboard import auth, data, filters
from dashboard.safe import html_text
from reports import wording as w

CSS = """
<style>
@media screen {
  [data-testid="stElementContainer"]:has(.orgdash-print-head) { display: none !important; }
}
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"],
  [data-testid="stBaseButton-tertiary"], [data-testid="stPopover"],
  .modebar-container { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  .orgdash-print-head { border-bottom: 1px solid #888; margin-bottom: 8px; padding-bottom: 4px; }
  [data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stDeckGlJsonChart"] {
    break-inside: avoid;
  }
}
</style>
"""
# The button prints the whole app page (st.html runs in the page itself, not in an iframe).
BUTTON = """
<button type="button" onclick="window.print()" title="{tip}"
  style="border:1px solid rgba(49,51,63,.2);border-radius:.5rem;background:#fff;padding:.25rem .75rem;
  font-size:.875rem;cursor:pointer">导出PDF</button>
"""
TIP = "用浏览器的打印另存为PDF：页首写明页面、筛选条件和数据截止日期"


def heading(title: str, f: filters.Filters, as_of: dt.date, who: str, now: dt.datetime) -> str:
    """'总览 · 2025年 · 和集镇 · 数据截至2025年12月31日 · 张三 导出于 2026年12月5日 14:05'."""
    return (
        f"{title} · {f.describe()} · 数据{w.as_of(as_of)} · "
        f"{who} 导出于 {now.year}年{now.month}月{now.day}日 {now:%H:%M}"
    )


def control(title: str) -> None:
    """The page's print heading and the sidebar's 「导出PDF」 button (pages with the filters)."""
    account = auth.current()
    text = heading(title, filters.current(), data.as_of(), account.label, dt.datetime.now())
    st.html(CSS + f'<div class="orgdash-print-head">{html_text(text)}</div>')
    with st.sidebar:
        st.html(BUTTON.format(tip=html.escape(TIP)), unsafe_allow_javascript=True, width="content")
