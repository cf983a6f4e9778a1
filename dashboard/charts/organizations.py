"""组织 charts: one organisation's annual-report filing record, frame in, figure out."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import style
from dashboard.charts.common import finish
from dashboard.charts.governance import FILING_COLOURS, filing_labels


def filing_text(status: str, days: int | None) -> str:
    """'按时报送', '逾期报送 12天', '逾期未报 214天': how charity registers show filing status."""
    label = filing_labels().get(status, status)
    if status in ("late", "overdue") and days is not None:
        return f"{label} {days}天"
    return label


def report_record(frame: pl.DataFrame) -> go.Figure:
    """Days late per report year, coloured by filing status; on-time years sit on the axis.

    frame: profile_reports rows (report_year, filing_status, days_late).
    """
    frame = frame.sort("report_year")
    statuses = frame["filing_status"].to_list()
    days = frame["days_late"].to_list()
    fig = go.Figure()
    fig.add_bar(
        x=[f"{y}年度" for y in frame["report_year"].to_list()],
        y=[d or 0 for d in days],
        marker_color=[FILING_COLOURS.get(s, style.MUTED) for s in statuses],
        text=[filing_text(s, d) for s, d in zip(statuses, days, strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}：%{text}<extra></extra>",
        showlegend=False,
    )
    fig.update_xaxes(title="报告年度", type="category")
    fig.update_yaxes(title="逾期天数", rangemode="tozero")
    return finish(fig, "年报报送记录（柱高为逾期天数）", height=280)
