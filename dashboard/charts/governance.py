"""监管 charts: annual-report filing, grades, credit ratings and inspections, frame in, figure out."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import style
from dashboard.charts.common import finish
from etl.sources import ENUMS


def filing_labels() -> dict[str, str]:
    """An annual report's filing status in Chinese: the code table etl/sources.py declares and
    every build holds as lookup_filing_status (read here, not queried: charts take frames only)."""
    return dict(ENUMS["filing_status"].codes)


FILING_COLOURS = {
    "on_time": style.GOOD,
    "late": style.WARN,
    "overdue": style.BAD,
    "not_due": style.MUTED,
}
# The result mix the bureau reports: three results of a submitted report, and 未报.
RESULT_SERIES = [
    ("count_pass", "合格", style.GOOD),
    ("count_basic_pass", "基本合格", "#2e86c1"),
    ("count_fail", "不合格", style.WARN),
    ("count_overdue", "未报", style.BAD),
]
# Graded from best to worst; 3A and above share the warm end.
GRADE_COLOURS = {5: "#c0392b", 4: "#e67e22", 3: "#f39c12", 2: "#7fb3d5", 1: "#5d6d7e"}
RATING_COLOURS = [style.GOOD, "#2e86c1", style.WARN, style.BAD, style.MUTED, "#8e44ad"]
INSPECTION_COLOURS = {"compliant": style.GOOD, "rectify": style.WARN, "violation": style.BAD}


def _whole_ticks(fig: go.Figure, largest: float, axis: str = "y") -> None:
    """Counts of a handful get ticks at whole numbers, not 0.2家."""
    if largest <= 5:
        if axis == "y":
            fig.update_yaxes(dtick=1, rangemode="tozero")
        else:
            fig.update_xaxes(dtick=1, rangemode="tozero")


def _largest_stack(frame: pl.DataFrame, by: str, value: str) -> float:
    if frame.is_empty():
        return 0
    return float(frame.group_by(by).agg(pl.col(value).sum())[value].max())  # type: ignore[arg-type]


def grade_label(grade: int) -> str:
    return f"{grade}A"


def reports_by_year(frame: pl.DataFrame) -> go.Figure:
    """Stacked on time / late / overdue per due year, the submission rate in the hover.

    frame: reports_by_year rows for the whole selection (one per due year).
    """
    fig = go.Figure()
    x = [f"{r}年度" for r in frame["report_year"].to_list()]
    rates = [f"{(r or 0) * 100:.1f}%" for r in frame["submission_rate"].to_list()]
    for status in ("on_time", "late", "overdue"):
        fig.add_bar(
            x=x,
            y=frame[f"count_{status}"].to_list(),
            name=filing_labels()[status],
            marker_color=FILING_COLOURS[status],
            customdata=rates,
            hovertemplate="%{x}<br>"
            + filing_labels()[status]
            + "：%{y}家<br>报送率：%{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="应报组织（家）")
    _whole_ticks(
        fig,
        max(
            [0, *(frame["count_on_time"] + frame["count_late"] + frame["count_overdue"]).to_list()]
        ),
    )
    return finish(fig, "历年年报报送情况（按报告年度）")


def report_results_by_unit(frame: pl.DataFrame, unit: str = "乡镇（街道）") -> go.Figure:
    """Horizontal stacked result mix (合格/基本合格/不合格/未报) per township or community.

    frame: reports_by_year rows of one due year, unit rows only (unit_code, unit_name).
    """
    frame = frame.sort("unit_code", descending=True)  # first in code order on top
    fig = go.Figure()
    for col, name, colour in RESULT_SERIES:
        fig.add_bar(
            y=frame["unit_name"].to_list(),
            x=frame[col].to_list(),
            name=name,
            orientation="h",
            marker_color=colour,
            hovertemplate="%{y}<br>" + name + "：%{x}家<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=None)
    fig.update_yaxes(title=None)
    totals = frame.select(pl.sum_horizontal(col for col, _, _ in RESULT_SERIES))
    _whole_ticks(fig, max([0, *totals.to_series().to_list()]), axis="x")
    return finish(fig, f"各{unit}年检结果", height=max(300, 60 + 26 * frame.height))


def grade_mix(frame: pl.DataFrame) -> go.Figure:
    """Organisations per grade 1A–5A, split into valid beyond a year and expiring within one.

    frame: grades rows (grade, count_orgs, count_expiring).
    """
    x = [grade_label(g) for g in frame["grade"].to_list()]
    lasting = (frame["count_orgs"] - frame["count_expiring"]).to_list()
    fig = go.Figure()
    fig.add_bar(
        x=x,
        y=lasting,
        name="有效期一年以上",
        marker_color=[GRADE_COLOURS.get(g, style.MUTED) for g in frame["grade"].to_list()],
        hovertemplate="%{x}：%{y}家（有效期一年以上）<extra></extra>",
        showlegend=False,
    )
    fig.add_bar(
        x=x,
        y=frame["count_expiring"].to_list(),
        name="一年内到期（斜线部分）",
        marker_color=[GRADE_COLOURS.get(g, style.MUTED) for g in frame["grade"].to_list()],
        marker_opacity=0.45,
        marker_pattern_shape="/",
        hovertemplate="%{x}：%{y}家（一年内到期）<extra></extra>",
    )
    totals = frame["count_orgs"].to_list()
    fig.add_scatter(
        x=x,
        y=totals,
        mode="text",
        text=[f"{t}家" for t in totals],
        textposition="top center",
        showlegend=False,
        hoverinfo="skip",
    )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=None)
    _whole_ticks(fig, max([0, *totals]))
    # Headroom for the total above the tallest bar.
    fig.update_yaxes(title="组织（家）", range=[0, max([*totals, 1]) * 1.18])
    return finish(fig, "有效评估等级分布")


def rating_mix(frame: pl.DataFrame) -> go.Figure:
    """Stacked credit ratings per year (信用评价).

    frame: ratings_by_year rows (year, rating, rating_label, sort_order, count_orgs).
    """
    fig = go.Figure()
    levels = frame.select("rating", "rating_label", "sort_order").unique().sort("sort_order")
    for i, (code, label) in enumerate(zip(levels["rating"], levels["rating_label"], strict=True)):
        rows = frame.filter(pl.col("rating") == code).sort("year")
        name = f"{code}（{label}）"
        fig.add_bar(
            x=[f"{y}年" for y in rows["year"].to_list()],
            y=rows["count_orgs"].to_list(),
            name=name,
            marker_color=RATING_COLOURS[i % len(RATING_COLOURS)],
            hovertemplate="%{x} " + name + "：%{y}家<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=None)
    fig.update_yaxes(title="组织（家）")
    _whole_ticks(fig, _largest_stack(frame, "year", "count_orgs"))
    return finish(fig, "历年信用评价等级分布")


def inspections_by_year(frame: pl.DataFrame) -> go.Figure:
    """Stacked inspection results per year (专项抽查).

    frame: inspections_by_year rows (year, result, result_label, sort_order, count_inspections).
    """
    fig = go.Figure()
    results = frame.select("result", "result_label", "sort_order").unique().sort("sort_order")
    for code, label in zip(results["result"], results["result_label"], strict=True):
        rows = frame.filter(pl.col("result") == code).sort("year")
        fig.add_bar(
            x=[f"{y}年" for y in rows["year"].to_list()],
            y=rows["count_inspections"].to_list(),
            name=label,
            marker_color=INSPECTION_COLOURS.get(code, style.MUTED),
            hovertemplate="%{x} " + label + "：%{y}次<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=None)
    fig.update_yaxes(title="抽查（次）")
    _whole_ticks(fig, _largest_stack(frame, "year", "count_inspections"))
    return finish(fig, "历年专项抽查结果")
