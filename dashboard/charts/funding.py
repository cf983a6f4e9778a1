"""Figures of the 资金 page: budget, approved and disbursed money, by year, source, purpose, place.

Builders take frames whose Chinese display names are already in a `label` column (the page maps
codes through style.labels), amounts in yuan; they show 万元 and never touch Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from dashboard import style
from dashboard.charts.common import finish

WAN = 10_000
# One colour per measure on every chart of the page, so 预算/批复/拨付 read the same everywhere.
MEASURES = {
    "budget_yuan": ("预算", "#7f8c8d"),
    "approved_yuan": ("批复", "#2e86c1"),
    "disbursed_yuan": ("拨付", style.PRIMARY),
}


LABELLED_BARS = 40  # bars of a column chart that still take their value printed over them


def _wan(values: Sequence[object]) -> list[float | None]:
    return [None if v is None else float(v) / WAN for v in values]  # type: ignore[arg-type]


def _bars(
    frame: pl.DataFrame,
    measures: Sequence[str],
    *,
    horizontal: bool = False,
) -> go.Figure:
    fig = go.Figure()
    cats = frame["label"].to_list()
    for col in measures:
        name, colour = MEASURES[col]
        vals = _wan(frame[col].to_list())
        fig.add_trace(
            go.Bar(
                name=name,
                x=vals if horizontal else cats,
                y=cats if horizontal else vals,
                orientation="h" if horizontal else "v",
                marker_color=colour,
                hovertemplate=(
                    f"%{{{'y' if horizontal else 'x'}}}<br>{name}："
                    f"%{{{'x' if horizontal else 'y'}:,.2f}}万元<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode="group")
    if horizontal:
        # No x-axis title: under a horizontal legend it collides; the chart title carries 万元.
        fig.update_yaxes(autorange="reversed", type="category")
    else:
        fig.update_yaxes(title="金额（万元）")
        fig.update_xaxes(type="category")
    return fig


def _with_rate(fig: go.Figure, frame: pl.DataFrame, rate_col: str, rate_name: str) -> go.Figure:
    """A labelled rate line drawn above grouped bars, on its own hidden % axis.

    The bar axis gets headroom and the rate axis starts far below zero, so rates of 50-100 % sit
    in the top band and their labels never cover the bars.
    """
    rates = [None if r is None else r * 100 for r in frame[rate_col].to_list()]
    bar_max = max(
        (float(v) for t in fig.data if isinstance(t, go.Bar) for v in (t.y or ()) if v is not None),
        default=0.0,
    )
    fig.add_trace(
        go.Scatter(
            name=rate_name,
            x=frame["label"].to_list(),
            y=rates,
            yaxis="y2",
            mode="lines+markers+text",
            text=[None if r is None else f"{r:.1f}%" for r in rates],
            textposition="top center",
            textfont={"color": style.WARN},
            cliponaxis=False,
            line={"color": style.WARN, "width": 2},
            hovertemplate=f"%{{x}}<br>{rate_name}：%{{y:.1f}}%<extra></extra>",
        )
    )
    fig.update_layout(
        yaxis={"range": [0, bar_max * 1.6 or 1]},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [-110, 125],
            "visible": False,
        },
    )
    return fig


def by_year(frame: pl.DataFrame, county_wide: bool) -> go.Figure:
    """Budget (county-wide only), approved and disbursed per year, with the execution or paid rate.

    frame: one row per year with label, budget_yuan, approved_yuan, disbursed_yuan, and
    execution_rate (county_wide) or paid_rate (filtered: disbursed / approved, no budget).
    """
    if county_wide:
        fig = _bars(frame, ["budget_yuan", "approved_yuan", "disbursed_yuan"])
        fig = _with_rate(fig, frame, "execution_rate", "预算执行率")
        title = "分年度预算、批复与拨付（全县）"
    else:
        fig = _bars(frame, ["approved_yuan", "disbursed_yuan"])
        fig = _with_rate(fig, frame, "paid_rate", "拨付率")
        title = "分年度批复与拨付（筛选范围）"
    return finish(fig, title)


def by_source(frame: pl.DataFrame, county_wide: bool, year: int) -> go.Figure:
    """Budget (county-wide only), approved and disbursed per fund source in one year."""
    measures = ["approved_yuan", "disbursed_yuan"]
    if county_wide:
        measures.insert(0, "budget_yuan")
        fig = _with_rate(_bars(frame, measures), frame, "execution_rate", "预算执行率")
        title = f"{year}年分资金来源预算、批复与拨付（全县）"
    else:
        fig = _with_rate(_bars(frame, measures), frame, "paid_rate", "拨付率")
        title = f"{year}年分资金来源批复与拨付（筛选范围）"
    return finish(fig, title)


def by_category(frame: pl.DataFrame, title: str, height: int = 360) -> go.Figure:
    """Approved and disbursed per category (purpose, field, township), horizontal bars, 万元."""
    fig = _bars(frame, ["approved_yuan", "disbursed_yuan"], horizontal=True)
    fig = finish(fig, f"{title}（万元）", height=height)
    # Legend top right: below the plot it sits on the value ticks of a horizontal bar chart.
    fig.update_layout(
        legend={"y": 1.0, "yanchor": "bottom", "x": 1.0, "xanchor": "right"},
        margin={"t": 60},
    )
    return fig


def per_resident(frame: pl.DataFrame, title: str, average: float | None = None) -> go.Figure:
    """Approved yuan per resident per place (frame: label, approved_per_resident_yuan), largest first."""
    rows = frame.sort("approved_per_resident_yuan", descending=True, nulls_last=True)
    # Values over the bars while they fit (a county's townships, a township's communities); a
    # province's hundred counties would print them on top of each other: hover shows them.
    labelled = rows.height <= LABELLED_BARS
    fig = go.Figure(
        go.Bar(
            name="人均批复资金",
            x=rows["label"].to_list(),
            y=rows["approved_per_resident_yuan"].to_list(),
            marker_color=style.SEQUENCE[1],
            text=[
                None if v is None or not labelled else f"{v:.2f}"
                for v in rows["approved_per_resident_yuan"]
            ],
            textposition="outside",
            textfont={"size": 11},
            cliponaxis=False,
            hovertemplate="%{x}<br>人均批复资金：%{y:.2f}元/人<extra></extra>",
        )
    )
    top = max((v for v in rows["approved_per_resident_yuan"].to_list() if v is not None), default=0)
    fig.update_yaxes(range=[0, max(top, average or 0) * 1.15 or 1])
    fig.update_layout(uniformtext={"mode": "show", "minsize": 10})
    if average is not None:
        fig.add_hline(
            y=average,
            line={"color": style.PRIMARY, "dash": "dash"},
            annotation_text=f"平均 {average:.2f}元/人",
            annotation_position="top right",
        )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="元/人")
    return finish(fig, title)


def monthly(
    frame: pl.DataFrame, reference: float | None, reference_name: str, title: str
) -> go.Figure:
    """Cumulative paid per month, selected year against the previous year, under a reference line.

    frame: rows of period ('current'/'previous'), year, month, cumulative_paid_yuan (null for
    months after the as-of date). reference: the year's budget (or the scope's approved total
    when filters make the county budget the wrong yardstick), drawn as a horizontal line.
    """
    fig = go.Figure()
    for period, colour, dash in (
        ("previous", style.MUTED, "dot"),
        ("current", style.PRIMARY, "solid"),
    ):
        rows = frame.filter(pl.col("period") == period).sort("month")
        if rows.is_empty():
            continue
        year = rows["year"][0]
        name = f"{year}年累计拨付"
        fig.add_trace(
            go.Scatter(
                name=name,
                x=[f"{m}月" for m in rows["month"]],
                y=_wan(rows["cumulative_paid_yuan"].to_list()),
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 3 if period == "current" else 2},
                hovertemplate=f"{name}<br>%{{x}}：%{{y:,.2f}}万元<extra></extra>",
            )
        )
    if reference is not None:
        fig.add_trace(
            go.Scatter(
                name=reference_name,
                x=[f"{m}月" for m in range(1, 13)],
                y=[float(reference) / WAN] * 12,
                mode="lines",
                line={"color": "#7f8c8d", "dash": "dash", "width": 2},
                hovertemplate=f"{reference_name}：%{{y:,.2f}}万元<extra></extra>",
            )
        )
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title="累计金额（万元）", rangemode="tozero")
    return finish(fig, title, height=380)
