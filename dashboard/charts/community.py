"""Charts of the 社区 page: fields mix, funding received per year, the community beside its peers."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl

from dashboard import style
from dashboard.charts.common import finish
from queries.indicators import catalogue

# Legend above the plot, right-aligned, so it never collides with the x-axis title.
TOP_LEGEND = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}


def fields_mix(frame: pl.DataFrame) -> go.Figure:
    """Stacked horizontal bars per field, registered and filed; frame: field_label, count_registered,
    count_filed (largest field on top)."""
    rows = frame.with_columns(total=pl.col("count_registered") + pl.col("count_filed")).sort(
        "total"
    )
    labels = rows["field_label"].to_list()
    fig = go.Figure()
    for col, name, color in (
        ("count_registered", "登记", style.PRIMARY),
        ("count_filed", "备案", style.SEQUENCE[1]),
    ):
        fig.add_bar(
            x=rows[col].to_list(),
            y=labels,
            orientation="h",
            name=name,
            marker_color=color,
            hovertemplate=f"%{{y}}·{name}：%{{x}}家<extra></extra>",
        )
    fig.add_scatter(
        x=rows["total"].to_list(),
        y=labels,
        mode="text",
        text=[f"{n}家" for n in rows["total"].to_list()],
        textposition="middle right",
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
    )
    fig.update_layout(barmode="stack")
    # Room on the right for the total written after each bar.
    top = max(rows["total"].to_list() or [1])
    fig.update_xaxes(title_text=catalogue()["count_active"].header, range=[0, top * 1.18 + 0.5])
    fig.update_yaxes(title_text=None)
    fig = finish(fig, "服务领域构成", height=max(240, 90 + 34 * len(labels)))
    return fig.update_layout(legend=TOP_LEGEND)


def funding_by_year(frame: pl.DataFrame, phone: bool = False) -> go.Figure:
    """Approved and paid per year in 万元; frame: year, approved_yuan, paid_yuan, count_grants.
    On a phone the unit goes into the title: an axis title there is turned on its side."""
    years = [str(y) for y in frame["year"].to_list()]
    approved = [float(v) / 10_000 for v in frame["approved_yuan"].to_list()]
    paid = [float(v) / 10_000 for v in frame["paid_yuan"].to_list()]
    counts = frame["count_grants"].to_list()
    fig = go.Figure()
    fig.add_bar(
        x=years,
        y=approved,
        name="批复",
        marker_color=style.PRIMARY,
        customdata=counts,
        hovertemplate="%{x}年批复：%{y:.2f}万元（%{customdata}个项目）<extra></extra>",
    )
    fig.add_bar(
        x=years,
        y=paid,
        name="已拨付",
        marker_color=style.SEQUENCE[1],
        hovertemplate="%{x}年已拨付：%{y:.2f}万元<extra></extra>",
    )
    fig.update_layout(barmode="group", bargap=0.3)
    fig.update_xaxes(title_text=None, type="category")
    fig.update_yaxes(title_text=None if phone else "金额（万元）", rangemode="tozero")
    fig = finish(fig, "历年获得资金（万元）" if phone else "历年获得资金", height=320)
    return fig.update_layout(legend=TOP_LEGEND)


SCOPE_COLORS = {
    "community": style.PRIMARY,
    "township": style.SEQUENCE[1],
    "county": style.MUTED,
    "peer_mean": style.SEQUENCE[2],
    "peer_median": style.SEQUENCE[5],
}


def comparison(
    frame: pl.DataFrame,
    metrics: list[tuple[str, str, Callable[[float], str]]],
    scope_labels: dict[str, str],
) -> go.Figure:
    """Small multiples: one panel per indicator, one bar per scope (the community first, in red).

    frame: scope plus one column per metric; metrics: (column, Chinese title, formatter).
    The panels are laid out by hand in one layout dict: make_subplots and per-panel updates cost
    more than the rest of the page.
    """
    scopes = frame["scope"].to_list()
    names = [scope_labels.get(s, s) for s in scopes]
    colors = [SCOPE_COLORS.get(s, style.MUTED) for s in scopes]
    n = len(metrics)
    gap = 0.03
    width = (1 - gap * (n - 1)) / n
    data: list[dict] = []
    layout: dict = {"annotations": [], "bargap": 0.25}
    for i, (col, title, fmt) in enumerate(metrics):
        values = frame[col].to_list()
        top = max((v for v in values if v is not None), default=0) or 1
        texts = ["无数据" if v is None else fmt(v) for v in values]
        # A long title in two lines, so that five of them fit side by side in a narrow chart.
        shown = (
            title
            if len(title) <= 6
            else f"{title[: len(title) // 2]}<br>{title[len(title) // 2 :]}"
        )
        suffix = "" if i == 0 else str(i + 1)
        x0 = i * (width + gap)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "x": [0.0 if v is None else v for v in values],
                "y": names,
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "marker": {"color": colors},
                "text": texts,
                # Short or missing bars cannot hold their label: write it after the bar.
                "textposition": [
                    "outside" if v is None or v < 0.4 * top else "inside" for v in values
                ],
                "insidetextanchor": "end",
                # Never turned on its side to fit a short bar (Plotly's default): smaller instead.
                "textangle": 0,
                "cliponaxis": False,
                "hovertemplate": [
                    f"{nm}·{title}：{t}<extra></extra>" for nm, t in zip(names, texts, strict=True)
                ],
                "showlegend": False,
            }
        )
        layout[f"xaxis{suffix}"] = {
            "domain": [x0, x0 + width],
            "anchor": f"y{suffix}",
            "range": [0, top * 1.05],
            "showticklabels": False,
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "autorange": "reversed",
            "showticklabels": i == 0,
            **({} if i == 0 else {"matches": "y"}),
        }
        layout["annotations"].append(
            {
                "text": shown,
                "x": x0 + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13, "family": style.FONT},
            }
        )
    fig = finish(go.Figure(data=data, layout=layout), None, height=70 + 34 * len(scopes))
    return fig.update_layout(margin={"t": 40})
