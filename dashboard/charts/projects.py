"""Figures of the 项目 page: micro-projects, points, trainings, awards and 睦邻客厅, frame in, figure out.

Frames come with their Chinese labels already in a `*_label` column (the page maps codes through
style.labels); builders never touch Streamlit.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from dashboard import decks, style
from dashboard.charts.common import finish

STATUS_COLOURS = {
    "planned": style.MUTED,
    "ongoing": "#2e86c1",
    "completed": style.GOOD,
    "cancelled": style.WARN,
}
LEVEL_COLOURS = {
    "county": "#2e86c1",
    "township": "#16a085",
    "community": "#f39c12",
    "municipal": "#f39c12",
    "provincial": "#e67e22",
    "national": style.PRIMARY,
}


def _whole(fig: go.Figure, largest: float, axis: str = "y") -> None:
    """A handful of items gets ticks at whole numbers, not 0.5个."""
    if largest <= 5:
        (fig.update_yaxes if axis == "y" else fig.update_xaxes)(dtick=1, rangemode="tozero")


def by_field(frame: pl.DataFrame, year: int) -> go.Figure:
    """Horizontal bars, most projects on top, budget in the label; frame: field_label,
    count_projects, budget_yuan, beneficiaries."""
    rows = frame.sort("count_projects", descending=False)  # Plotly draws the first at the bottom
    budget = [float(b) / 10_000 for b in rows["budget_yuan"].to_list()]
    fig = go.Figure(
        go.Bar(
            x=rows["count_projects"].to_list(),
            y=rows["field_label"].to_list(),
            orientation="h",
            marker_color=style.PRIMARY,
            text=[
                f"{n}个 · {b:,.1f}万元" for n, b in zip(rows["count_projects"], budget, strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            customdata=list(zip(budget, rows["beneficiaries"].to_list(), strict=True)),
            hovertemplate="%{y}：%{x}个<br>预算%{customdata[0]:,.2f}万元<br>"
            "受益%{customdata[1]:,}人次<extra></extra>",
            name="微项目",
        )
    )
    fig.update_xaxes(title_text="微项目（个）", rangemode="tozero")
    _whole(fig, max(rows["count_projects"].to_list(), default=0), axis="x")
    return finish(fig, f"{year}年各服务领域微项目", height=max(260, 70 + 40 * rows.height))


def by_status(frame: pl.DataFrame, year: int) -> go.Figure:
    """One bar per status in the lookup's order; frame: status, status_label, count_projects."""
    fig = go.Figure(
        go.Bar(
            x=frame["status_label"].to_list(),
            y=frame["count_projects"].to_list(),
            marker_color=[STATUS_COLOURS.get(s, style.MUTED) for s in frame["status"].to_list()],
            text=frame["count_projects"].to_list(),
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}：%{y}个<extra></extra>",
            name="微项目",
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="微项目（个）", rangemode="tozero")
    _whole(fig, max(frame["count_projects"].to_list(), default=0))
    return finish(fig, f"{year}年开始的微项目按状态", height=max(260, 300))


def points_monthly(frame: pl.DataFrame) -> go.Figure:
    """Points per month as bars, residents taking part as a line on a second axis; frame: month,
    points, count_residents, count_communities."""
    months = frame["month"].to_list()
    fig = go.Figure()
    fig.add_bar(
        x=months,
        y=frame["points"].to_list(),
        name="积分",
        marker_color=style.SEQUENCE[1],
        customdata=frame["count_communities"].to_list(),
        hovertemplate="%{x}：%{y:,}分（%{customdata}个社区）<extra></extra>",
    )
    fig.add_scatter(
        x=months,
        y=frame["count_residents"].to_list(),
        name="参与居民",
        yaxis="y2",
        mode="lines+markers",
        line={"color": style.PRIMARY, "width": 2},
        hovertemplate="%{x}：%{y:,}人参与<extra></extra>",
    )
    # A date axis labelled every quarter: 24 category labels of 2025年1月 overlap at this width.
    fig.update_xaxes(type="date", dtick="M3", tickformat="%Y年%-m月", hoverformat="%Y年%-m月")
    if months:  # half a month either side, so the axis does not run on to a month with no data
        pad = dt.timedelta(days=16)
        fig.update_xaxes(range=[months[0] - pad, months[-1] + pad])
    fig.update_layout(
        yaxis={"title": "积分（分）", "rangemode": "tozero"},
        yaxis2={
            "title": "参与居民（人）",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            # Plotly 7 lines the second axis's ticks up with the first's (200, 401, 601): own ticks.
            "tickmode": "auto",
        },
    )
    fig = finish(fig, "每月积分与参与居民（近24个月）")
    fig.update_layout(legend={"y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"})
    return fig


def trainings_by_year(frame: pl.DataFrame) -> go.Figure:
    """People trained per year stacked by level, classes in the hover; frame: year, level,
    level_label, count_trainings, participants."""
    years = sorted({int(y) for y in frame["year"].to_list()})
    x = [f"{y}年" for y in years]
    fig = go.Figure()
    for level in ("county", "township", "community"):
        rows = frame.filter(pl.col("level") == level)
        if rows.is_empty():
            continue
        by_year = {int(r["year"]): r for r in rows.iter_rows(named=True)}
        fig.add_bar(
            x=x,
            y=[by_year[y]["participants"] if y in by_year else 0 for y in years],
            name=rows["level_label"][0],
            marker_color=LEVEL_COLOURS[level],
            customdata=[by_year[y]["count_trainings"] if y in by_year else 0 for y in years],
            hovertemplate="%{x} "
            + rows["level_label"][0]
            + "：%{customdata}期、%{y:,}人次<extra></extra>",
        )
    totals = frame.group_by("year").agg(
        pl.col("count_trainings").sum(), pl.col("participants").sum()
    )
    tally = {int(r["year"]): r for r in totals.iter_rows(named=True)}
    fig.add_scatter(
        x=x,
        y=[tally[y]["participants"] for y in years],
        mode="text",
        text=[f"{tally[y]['count_trainings']}期" for y in years],
        textposition="top center",
        showlegend=False,
        hoverinfo="skip",
    )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    top = max((tally[y]["participants"] for y in years), default=0)
    fig.update_yaxes(title_text="参训（人次）", range=[0, top * 1.18 or 1])
    fig = finish(fig, "历年培训期数与参训人次")
    fig.update_layout(legend={"y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"})
    return fig


def awards_by_year(frame: pl.DataFrame) -> go.Figure:
    """Awards per year stacked by level, national on top; frame: year, level, level_label, count_awards."""
    years = sorted({int(y) for y in frame["year"].to_list()})
    x = [f"{y}年" for y in years]
    fig = go.Figure()
    for level in ("county", "municipal", "provincial", "national"):
        rows = frame.filter(pl.col("level") == level)
        if rows.is_empty():
            continue
        by_year = dict(zip(rows["year"].to_list(), rows["count_awards"].to_list(), strict=True))
        fig.add_bar(
            x=x,
            y=[by_year.get(y, 0) for y in years],
            name=rows["level_label"][0],
            marker_color=LEVEL_COLOURS[level],
            hovertemplate="%{x} " + rows["level_label"][0] + "：%{y}项<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="表彰（项）", rangemode="tozero")
    totals = frame.group_by("year").agg(pl.col("count_awards").sum())
    _whole(fig, max(totals["count_awards"].to_list(), default=0))
    fig = finish(fig, "历年获得表彰")
    fig.update_layout(legend={"y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"})
    return fig


def lounge_stars(frame: pl.DataFrame) -> go.Figure:
    """睦邻客厅 per star rating, five stars first, in the map's star colours; frame: stars, count_lounges."""
    rows = frame.sort("stars", descending=True)
    stars = rows["stars"].to_list()
    fig = go.Figure(
        go.Bar(
            x=[decks.star_label(s) for s in stars],
            y=rows["count_lounges"].to_list(),
            marker_color=[decks.rgb_hex(decks.LOUNGE_STARS[s]) for s in stars],
            text=rows["count_lounges"].to_list(),
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}：%{y}个<extra></extra>",
            name="睦邻客厅",
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="睦邻客厅（个）", rangemode="tozero")
    _whole(fig, max(rows["count_lounges"].to_list(), default=0))
    return finish(fig, "睦邻客厅星级分布", height=300)
