"""报告: the meeting report for the county or a township, previewed as sentences, downloaded as
Word, PDF, PowerPoint, Excel or Markdown (each made only when its button is clicked). The PDF is
the Word document converted on the server by LibreOffice (reports/pdf.py); without LibreOffice
(or its fonts) the button is drawn disabled and says why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dashboard import auth, data, downloads
from dashboard import filters as flt
from dashboard import formats as fmt
from dashboard.safe import md
from reports import build as report_build
from reports import content
from reports import pdf as report_pdf

K = "rp"  # widget key prefix
COUNTY = "county"
BUTTONS = (
    ("docx", "下载 Word"),
    ("pdf", "导出PDF"),
    ("pptx", "下载 PowerPoint"),
    ("xlsx", "下载 Excel"),
    ("md", "下载 Markdown"),
)


@st.cache_data(max_entries=32, show_spinner=False)
def _report(db: str, build: str, scope: str, as_of: dt.date) -> content.Report:
    # build is part of the key only: a new load makes a new report. db is this user's copy
    # (township rows only, personal data masked), the same file the pages read.
    return content.build(Path(db), scope, as_of)


def _follow_sidebar(f: flt.Filters) -> None:
    """Scope and date start from the sidebar and follow it when it changes; a pick here stays."""
    state = st.session_state
    for widget, value in (("scope", f.township or COUNTY), ("as_of", f.as_of)):
        if f"{K}_{widget}" not in state or state.get(f"{K}_seen_{widget}") != value:
            state[f"{K}_{widget}"] = value
            state[f"{K}_seen_{widget}"] = value


f = flt.current()
info = data.warehouse()
towns = flt.township_names()
years = data.run("filters/years")["year"].to_list()
account = auth.current()
builder = account.can("report_builder")
_follow_sidebar(f)
if not builder:  # leaders get the report as of the latest data; planners pick the date
    st.session_state[f"{K}_as_of"] = info["as_of_date"]

st.title("会议报告")
st.caption(
    "按县民政局交流发言的体例，把数据写成文字、表格和图表，一键下载 Word、PDF、PowerPoint、Excel 或 Markdown。"
    "缺少数据的句子不写出；“比上年”与上年同一天相比。报告按全部城乡社区和服务领域统计，"
    "侧栏的城乡、服务领域筛选不用于报告。"
)
c1, c2, _ = st.columns([1.2, 1, 2])
scope = c1.selectbox(
    "范围",
    [account.township] if account.township in towns else [COUNTY, *towns],
    key=f"{K}_scope",
    format_func=lambda c: "全县" if c == COUNTY else towns[c],
    disabled=account.township is not None,
)
as_of = c2.date_input(
    "截至日期",
    key=f"{K}_as_of",
    min_value=dt.date(min(years), 1, 1),
    max_value=info["as_of_date"],
    format="YYYY-MM-DD",
    disabled=not builder,
    help=None if builder else "报告按最新数据生成；需要其他日期的报告请联系规划人员。",
)

try:
    report = _report(str(data.report_db(account)), data.build(), scope, as_of)
except content.ReportError as exc:
    st.info(md(exc))
    st.stop()


def _maker(kind: str) -> Callable[[], bytes]:
    # Made on click only: Word and PowerPoint draw the charts in a headless browser.
    return lambda: report_build.render(report, kind)


no_pdf = report_pdf.missing()  # LibreOffice or the PDF's fonts not on this server
cols = st.columns(len(BUTTONS) + 1)
for col, (kind, label) in zip(cols, BUTTONS, strict=False):
    disabled = kind == "pdf" and no_pdf is not None
    downloads.button(
        label,
        _maker(kind),
        report_build.file_name(report, kind),
        report_build.MIME[kind],
        f"{K}_dl_{kind}",
        kind="report_pdf" if kind == "pdf" else "report",
        rows=0,
        where=col,
        width="stretch",
        disabled=disabled,
        help=no_pdf if disabled else None,
    )
n_tables, n_charts = len(report.tables()), len(report.charts())
n_annex = len(report.annex())
st.caption(
    f"数据截止{fmt.cn_date(info['as_of_date'])}。Word、PDF 和 PowerPoint 含 {n_charts} 幅图、{n_tables} 张表"
    f"（{n_annex} 张在附件），Excel 每张表一个工作表；生成 Word、PowerPoint 需要几秒钟，PDF 再多几秒。"
    if n_annex
    else f"数据截止{fmt.cn_date(info['as_of_date'])}。Word、PDF 和 PowerPoint 含 {n_charts} 幅图、{n_tables} 张表，"
    f"Excel 每张表一个工作表；生成 Word、PowerPoint 需要几秒钟，PDF 再多几秒。"
)
if no_pdf and downloads.offered("report_pdf"):
    st.warning(no_pdf)

with st.container(border=True):
    # Names from the data (county, township) are in every line: md() escapes Markdown and HTML.
    st.markdown(f"<h3 style='text-align:center'>{md(report.title)}</h3>", unsafe_allow_html=True)
    st.markdown(f"<p style='text-align:center'>{md(report.subtitle)}</p>", unsafe_allow_html=True)
    if report.opening:
        st.markdown(md(report.opening))
    for heading in report.outline():
        st.markdown(f"**{md(heading.text)}**")
        for paragraph in heading.section.paragraphs if heading.section else []:
            st.markdown(md("".join(paragraph)))
    if report.annex():
        st.markdown(md(f"附件：{report.annex_title}"))
    st.caption(md(report.note))
