"""Charts of the 总览 page: organisations by field, and new and dissolved organisations per year."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import style
from dashboard.charts.common import finish
from queries.indicators import catalogue

ORGS = catalogue()["count_active"]  # the measure's one label (queries/indicators.toml)


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
            name=ORGS.label,
        )
    )
    fig.update_xaxes(title_text=ORGS.header, rangemode="tozero")
    fig.update_yaxes(title_text=None)
    return finish(fig, "各服务领域社区社会组织数", height=max(260, 60 + 36 * len(labels)))


def flows(frame: pl.DataFrame, phone: bool = False) -> go.Figure:
    """Grouped bars per year: established (新成立) and dissolved (注销); frame: year, count_new, count_dissolved.

    On a phone the bars lie down, one row of two per year (oldest on top) with its figures written
    after them: ten years of upright bars at 360 px need year labels turned on their side."""
    years = [str(y) for y in frame["year"].to_list()]
    fig = go.Figure()
    for col, name, color in (
        ("count_new", "新成立", style.SEQUENCE[1]),
        ("count_dissolved", "注销", style.MUTED),
    ):
        values = frame[col].to_list()
        if phone:
            fig.add_bar(
                x=values,
                y=years,
                orientation="h",
                name=name,
                marker_color=color,
                text=[f"{n:,}" for n in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{y}}年{name}：%{{x:,}}家<extra></extra>",
            )
        else:
            fig.add_bar(
                x=years,
                y=values,
                name=name,
                marker_color=color,
                hovertemplate=f"%{{x}}年{name}：%{{y:,}}家<extra></extra>",
            )
    fig.update_layout(barmode="group", bargap=0.25)
    title = "历年新成立与注销的社区社会组织"
    if phone:
        fig.update_xaxes(title_text="组织数（家）", rangemode="tozero")
        fig.update_yaxes(title_text=None, type="category", autorange="reversed")
        return finish(fig, title, height=110 + 38 * len(years))
    fig.update_xaxes(title_text="年度", type="category")
    fig.update_yaxes(title_text="组织数（家）", rangemode="tozero")
    fig = finish(fig, title)
    # Left under the title, not beside it: beside it, a chart in a narrow column (a 1024 px window
    # with the sidebar open) lays the legend over the title's end.
    return fig.update_layout(
        legend={"x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
        margin={"t": 72},
    )
