"""Charts of the 总览 page: organisations by field, and new and dissolved organisations per year."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import style
from dashboard.charts.common import finish


def by_field(frame: pl.DataFrame) -> go.Figure:
    """Horizontal bars, largest on top; frame: field_label, count_active."""
    rows = frame.sort("count_active", descending=True)
    # Plotly draws the first category at the bottom: reverse so the largest sits on top.
    labels = rows["field_label"].to_list()[::-1]
    counts = rows["count_active"].to_list()[::-1]
    fig = go.Figure(
        go.Bar(
            x=counts,
            y=labels,
            orientation="h",
            marker_color=style.PRIMARY,
            text=[f"{n:,}" for n in counts],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}：%{x:,}家<extra></extra>",
            name="组织数",
        )
    )
    fig.update_xaxes(title_text="组织数（家）", rangemode="tozero")
    fig.update_yaxes(title_text=None)
    return finish(fig, "各服务领域社区社会组织数", height=max(260, 60 + 36 * len(labels)))


def flows(frame: pl.DataFrame) -> go.Figure:
    """Grouped bars per year: established (新成立) and dissolved (注销); frame: year, count_new, count_dissolved."""
    years = [str(y) for y in frame["year"].to_list()]
    fig = go.Figure()
    fig.add_bar(
        x=years,
        y=frame["count_new"].to_list(),
        name="新成立",
        marker_color=style.SEQUENCE[1],
        hovertemplate="%{x}年新成立：%{y:,}家<extra></extra>",
    )
    fig.add_bar(
        x=years,
        y=frame["count_dissolved"].to_list(),
        name="注销",
        marker_color=style.MUTED,
        hovertemplate="%{x}年注销：%{y:,}家<extra></extra>",
    )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(title_text="年度", type="category")
    fig.update_yaxes(title_text="组织数（家）", rangemode="tozero")
    fig = finish(fig, "历年新成立与注销的社区社会组织")
    # Below the plot the legend would sit on the axis title; top right is free.
    fig.update_layout(legend={"y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"})
    return fig
