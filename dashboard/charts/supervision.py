"""重大事项报告, 信息公开 and 三社联动 charts (监管 and 项目 pages): frame in, figure out."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import style
from dashboard.charts.common import finish
from etl.sources import ENUMS

MATTER_COLOURS = {
    "on_time": style.GOOD,
    "late": style.WARN,
    "overdue": style.BAD,
    "pending": style.MUTED,
}


def _bar_height(rows: int) -> int:
    return max(260, 70 + 30 * rows)


def matters_by_unit(frame: pl.DataFrame, unit: str, year: int) -> go.Figure:
    """Matters of the year per unit, stacked by how they were reported (horizontal bars, the unit
    with most matters on top). frame: governance/matters rows without the total."""
    ordered = frame.sort(["count_matters", "unit_code"], descending=[False, True])
    names = ordered["unit_name"].to_list()
    rates = ["—" if r is None else f"{r * 100:.1f}%" for r in ordered["on_time_rate"].to_list()]
    fig = go.Figure()
    # How a matter was reported (etl/sources.py's code table, lookup_matter_status in a build).
    for status, label in ENUMS["matter_status"].codes.items():
        fig.add_bar(
            y=names,
            x=ordered[f"count_{status}"].to_list(),
            orientation="h",
            name=label,
            marker_color=MATTER_COLOURS[status],
            customdata=rates,
            hovertemplate="%{y}<br>"
            + label
            + "：%{x}项<br>按时报告率：%{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title="重大事项（项）", rangemode="tozero")
    fig.update_yaxes(type="category")
    largest = max(ordered["count_matters"].to_list(), default=0)
    if largest <= 5:
        fig.update_xaxes(dtick=1)
    return finish(fig, f"{year}年各{unit}重大事项报告情况", height=_bar_height(len(names)))


def disclosure_by_unit(
    frame: pl.DataFrame, unit: str, year: int, county: float | None
) -> go.Figure:
    """The registered organisations' annual-work-report disclosure rate per unit (horizontal bars,
    lowest on top so what needs attention is read first), the selection's rate as a dashed line.
    frame: governance/disclosure rows without the total."""
    shown = frame.filter(pl.col("count_registered_expected") > 0).sort(
        ["registered_annual_report_rate", "unit_code"], descending=[True, True]
    )
    names = shown["unit_name"].to_list()
    rates = [float(r) * 100 for r in shown["registered_annual_report_rate"].to_list()]
    counts = [
        f"{a}/{e}家"
        for a, e in zip(
            shown["count_registered_annual_report"].to_list(),
            shown["count_registered_expected"].to_list(),
            strict=True,
        )
    ]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=rates,
        orientation="h",
        name="年度工作报告公开率",
        marker_color=style.PRIMARY,
        text=[f"{r:.1f}%" for r in rates],
        textposition="auto",
        customdata=counts,
        hovertemplate="%{y}<br>公开率：%{x:.1f}%（%{customdata}）<extra></extra>",
    )
    if county is not None:
        fig.add_vline(
            x=county * 100,
            line_dash="dash",
            line_color=style.BAD,
            annotation_text=f"合计 {county * 100:.1f}%",
            annotation_position="top",
        )
    fig.update_xaxes(title="登记组织公开率（%）", range=[0, 105])
    fig.update_yaxes(type="category")
    fig.update_layout(showlegend=False)
    return finish(
        fig,
        f"各{unit}登记组织{year}年度工作报告公开率",
        height=_bar_height(len(names)),
    )


def linkage_by_unit(frame: pl.DataFrame, unit: str) -> go.Figure:
    """Communities linked (三社联动) and not per unit, stacked (horizontal bars, in frame order
    reversed so the first row is on top). frame: projects/linkage_by_unit rows."""
    ordered = frame.reverse()
    names = ordered["unit_name"].to_list()
    linked = ordered["count_linked"].to_list()
    total = ordered["count_communities"].to_list()
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=linked,
        orientation="h",
        name="已实现三社联动",
        marker_color=style.GOOD,
        hovertemplate="%{y}<br>已实现三社联动：%{x}个<extra></extra>",
    )
    fig.add_bar(
        y=names,
        x=[t - (n or 0) for t, n in zip(total, linked, strict=True)],
        orientation="h",
        name="尚未联动",
        marker_color=style.MUTED,
        hovertemplate="%{y}<br>尚未联动：%{x}个<extra></extra>",
    )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title="社区（村）（个）", rangemode="tozero")
    fig.update_yaxes(type="category")
    title = (
        "各社区（村）三社联动情况" if unit == "社区（村）" else f"各{unit}三社联动覆盖的社区（村）"
    )
    return finish(fig, title, height=_bar_height(len(names)))


def workers_by_qualification(frame: pl.DataFrame) -> go.Figure:
    """Social workers in post by qualification (bars in the scale's order).
    frame: projects/social_workers rows (qualification_label, count_workers)."""
    fig = go.Figure()
    fig.add_bar(
        x=frame["qualification_label"].to_list(),
        y=frame["count_workers"].to_list(),
        marker_color=[
            style.MUTED if q == "none" else style.PRIMARY for q in frame["qualification"].to_list()
        ],
        text=[f"{n}名" for n in frame["count_workers"].to_list()],
        textposition="auto",
        hovertemplate="%{x}：%{y}名<extra></extra>",
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="社会工作者（名）", rangemode="tozero")
    fig.update_layout(showlegend=False)
    if max(frame["count_workers"].to_list(), default=0) <= 5:
        fig.update_yaxes(dtick=1)
    return finish(fig, "在岗社会工作者的职业资格", height=300)
