"""The report's charts: plotly figures from chart specs, rendered to PNG by kaleido (headless Chromium).

One kaleido server per process, started on the first chart and reused (the first image costs about
2 s, later ones a few tenths). MathJax is switched off: kaleido would fetch it from a CDN.
"""

from __future__ import annotations

import json
import logging
import threading
from functools import lru_cache

import plotly.graph_objects as go

from dashboard.palette import FONT, PRIMARY, SEQUENCE
from reports.content import Chart

WIDTH, SCALE = 1000, 2  # layout pixels; scale 2 keeps the text sharp in print at 15 cm

log = logging.getLogger(__name__)
_lock = threading.Lock()  # kaleido's sync server is one queue: one caller at a time


class ChartError(RuntimeError):
    pass


def figure(chart: Chart) -> go.Figure:
    """A plotly figure for one chart spec, titled and labelled in Chinese."""
    frame = chart.frame
    x = [str(v) for v in frame[chart.x].to_list()]
    fig = go.Figure()
    height = 480
    if chart.kind == "hbar":
        # Plotly draws the first category at the bottom: reverse so the largest sits on top.
        col = chart.series[0]
        values = frame[col].to_list()[::-1]
        fig.add_bar(
            x=values,
            y=x[::-1],
            orientation="h",
            marker_color=PRIMARY,
            text=[str(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            name=col,
        )
        fig.update_xaxes(title_text=chart.unit, rangemode="tozero")
        height = max(320, 90 + 44 * len(x))
    elif chart.horizontal and chart.kind in ("stacked", "bars_floor"):
        height = _ranking(fig, chart, x)
    elif chart.kind in ("stacked", "grouped", "bars_line", "bars_floor"):
        for i, col in enumerate(chart.series):
            values = frame[col].to_list()
            fig.add_bar(
                x=x,
                y=values,
                name=col,
                marker_color=SEQUENCE[(i + 1) % len(SEQUENCE)]
                if chart.kind != "bars_floor"
                else SEQUENCE[1],
                text=[_label(v) for v in values] if chart.kind != "stacked" else None,
                textposition="outside" if chart.kind != "stacked" else None,
                cliponaxis=False,
            )
        if chart.kind == "stacked":
            fig.update_layout(barmode="stack")
            # The …… category of a shortened chart has no bars and no total.
            totals = [
                None if all(v is None for v in row) else sum(v or 0 for v in row)
                for row in zip(*(frame[c].to_list() for c in chart.series), strict=True)
            ]
            fig.add_scatter(
                x=x,
                y=totals,
                mode="text",
                text=[_label(t) for t in totals],
                textposition="top center",
                showlegend=False,
                cliponaxis=False,
            )
        else:
            fig.update_layout(barmode="group", bargap=0.25)
        if chart.kind == "bars_floor" and chart.floor:
            fig.add_scatter(
                x=x,
                y=frame[chart.floor].to_list(),
                mode="markers",
                name=chart.floor,
                marker={"symbol": "line-ew", "size": 28, "line": {"width": 3, "color": PRIMARY}},
            )
        if chart.kind == "bars_line" and chart.line:
            values = frame[chart.line].to_list()
            fig.add_scatter(
                x=x,
                y=values,
                mode="lines+markers+text",
                name=chart.line,
                yaxis="y2",
                line={"color": PRIMARY, "width": 3},
                text=[str(v) for v in values],
                textposition="top center",
                cliponaxis=False,
            )
            # The line lives in the upper part of the plot and the bars in the lower, so their
            # labels never collide; its own axis is hidden because every point is labelled.
            bar_top = max((v or 0) for c in chart.series for v in frame[c].to_list()) or 1
            line_top = max((v or 0) for v in values) or 1
            fig.update_layout(
                yaxis={"range": [0, bar_top * 2.1]},
                yaxis2={
                    "overlaying": "y",
                    "side": "right",
                    "range": [-line_top * 1.1, line_top * 1.2],
                    "visible": False,
                },
            )
        fig.update_xaxes(type="category", title_text=chart.x)
        fig.update_layout(yaxis_title_text=chart.unit, yaxis_rangemode="tozero")
        fig.update_layout(legend={"traceorder": "normal"})
    else:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    fig.update_layout(
        title={"text": chart.title, "x": 0.5, "xanchor": "center", "font": {"size": 22}},
        font={"family": FONT, "size": 16, "color": "#222"},
        width=WIDTH,
        height=height,
        margin={"l": 70, "r": 70, "t": 70, "b": 60},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "y": 1.0, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        showlegend=len(fig.data) > 1,
    )
    fig.update_xaxes(gridcolor="#e5e5e5", linecolor="#999")
    fig.update_yaxes(gridcolor="#e5e5e5", linecolor="#999")
    return fig


def _ranking(fig: go.Figure, chart: Chart, names: list[str]) -> int:
    """A shortened ranking (the largest and smallest of many places) as horizontal bars, first on
    top: twenty long names read across, where upright they stood on end and crowded. Returns
    the figure's height."""
    frame = chart.frame
    names = names[::-1]  # plotly draws the first category at the bottom
    columns = {c: frame[c].to_list()[::-1] for c in (*chart.series, chart.floor) if c}
    for i, col in enumerate(chart.series):
        fig.add_bar(
            x=columns[col],
            y=names,
            orientation="h",
            name=col,
            marker_color=SEQUENCE[(i + 1) % len(SEQUENCE)],
            text=None if chart.kind == "stacked" else [_label(v) for v in columns[col]],
            textposition=None if chart.kind == "stacked" else "outside",
            cliponaxis=False,
        )
    if chart.kind == "stacked":
        fig.update_layout(barmode="stack")
        totals = [
            None if all(v is None for v in row) else sum(v or 0 for v in row)
            for row in zip(*(columns[c] for c in chart.series), strict=True)
        ]
        fig.add_scatter(
            x=totals,
            y=names,
            mode="text",
            text=[f" {_label(t)}" for t in totals],
            textposition="middle right",
            showlegend=False,
            cliponaxis=False,
        )
    if chart.kind == "bars_floor" and chart.floor:
        fig.add_scatter(
            x=columns[chart.floor],
            y=names,
            mode="markers",
            name=chart.floor,
            marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": PRIMARY}},
        )
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(title_text=chart.unit, rangemode="tozero")
    fig.update_layout(legend={"traceorder": "normal"}, bargap=0.3)
    return max(320, 140 + 30 * len(names))


def _label(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):  # 万元: one decimal keeps neighbouring labels apart
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return str(v)


def _ensure_server() -> None:
    import kaleido

    # In a long-running server the browser may have died (its thread with it): start afresh
    # rather than queue work for a thread that will never answer.
    server = kaleido._global_server
    thread = getattr(server, "_thread", None)
    if server.is_running() and thread is not None and not thread.is_alive():
        kaleido.stop_sync_server(silence_warnings=True)
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)


def warm_up() -> None:
    """Start the renderer without waiting for it: Chromium boots while the caller does other work."""
    with _lock:
        _ensure_server()


@lru_cache(maxsize=64)
def _render(spec: str, width: int, height: int) -> bytes:
    import kaleido

    with _lock:
        _ensure_server()
        return kaleido.calc_fig_sync(
            json.loads(spec),
            opts={"format": "png", "width": width, "height": height, "scale": SCALE},
        )


def png(chart: Chart) -> bytes:
    """The chart as PNG bytes (cached per figure, so Word and PowerPoint share one rendering)."""
    fig = figure(chart)
    spec = fig.to_json()
    try:
        return _render(spec, int(fig.layout.width), int(fig.layout.height))
    except Exception as exc:  # kaleido raises its own and Chromium's errors
        raise ChartError(f"图表「{chart.title}」未能生成：{exc}") from exc


def pngs(charts: list[Chart]) -> list[bytes | None]:
    """Every chart's PNG; a chart that cannot be drawn (no Chromium) is None and logged.

    A report without its pictures still serves the meeting; the writers say where one is missing.
    """
    out: list[bytes | None] = []
    for chart in charts:
        try:
            out.append(png(chart))
        except ChartError as exc:
            log.warning("%s", exc)
            out.append(None)
    return out
