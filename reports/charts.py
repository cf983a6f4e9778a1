"""The report's charts: plotly figures from chart specs, rendered to PNG by kaleido (headless Chromium).

One headless Chromium per process, started by warm_up() (build_report calls it before its SQL, so
the browser boots meanwhile) and reused; a report's charts are asked of it at once and cached, so
Word and PowerPoint of one report share them. MathJax is switched off: kaleido would fetch it from
a CDN.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

import plotly.graph_objects as go

from reports.content import Chart
from reports.palette import FONT, PRIMARY, SEQUENCE

WIDTH, SCALE = 1000, 2  # layout pixels; scale 2 keeps the text sharp in print at 15 cm

log = logging.getLogger(__name__)
_lock = threading.Lock()  # one renderer per process, made by one caller


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
            constraintext="none",  # plotly shrinks outside labels to a thin bar's height
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
    return max(320, 140 + 24 * len(names))


def _label(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):  # 万元: one decimal keeps neighbouring labels apart
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return str(v)


@lru_cache(maxsize=1)
def _kaleido() -> type:
    """kaleido's Kaleido, imported when the first chart is drawn (the 报告 page and the Excel and
    Markdown formats never need it), less its reload after every image.

    kaleido 1.5.0 reloads its page (and the 3.5 MB plotly.js in it) after every image before it
    returns the image: three quarters of a chart's time here (four charts 2.0 s, without the
    reload 0.5-0.8 s). Plotly.toImage draws into a div of its own and purges it, and the PNGs came
    out byte-identical without the reload, so the tab is reloaded only every RELOAD_EVERY images,
    to bound what a long-running server's page holds.
    """
    from kaleido import Kaleido

    class Quick(Kaleido):  # type: ignore[misc]
        _images = 0

        async def _return_kaleido_tab(self, tab: Any) -> None:
            self._images += 1
            if self._images % RELOAD_EVERY == 0:
                await tab.reload()
            await self.tabs_ready.put(tab)

    return Quick


RELOAD_EVERY = 50
TIMEOUT_S = 120  # Chromium's start on a loaded machine and one image (5 s and 0.5 s measured)
# Drawn once while the browser starts: plotly.js compiled and the CJK font loaded before the
# report's first chart needs them.
_WARM = {
    "data": [{"type": "bar", "x": ["乡镇"], "y": [1]}],
    "layout": {"title": {"text": "社区社会组织"}, "font": {"family": FONT}},
}


class _Renderer:
    """One headless Chromium for the process, driven by kaleido on an event loop of its own
    thread (kaleido's own sync server cannot take the subclass of _kaleido(), and waits without a
    time limit: with no Chromium on the machine a report used to hang there)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="kaleido", daemon=True).start()
        self.browser = asyncio.run_coroutine_threadsafe(self._open(), self.loop)
        self.broken = False

    async def _open(self) -> Any:
        k = _kaleido()(mathjax=False)  # no Chromium: ChromeNotFoundError, raised to every render
        await k.open()
        try:
            await k.calc_fig(_WARM, opts={"format": "png", "width": 200, "height": 120})
        except Exception as exc:  # the real charts will say what is wrong
            log.warning("kaleido warm-up image failed: %s", exc)
        return k

    def submit(self, spec: dict, width: int, height: int) -> concurrent.futures.Future[bytes]:
        async def draw() -> bytes:
            k = await asyncio.wrap_future(self.browser)
            opts = {"format": "png", "width": width, "height": height, "scale": SCALE}
            return cast(bytes, await k.calc_fig(spec, opts=opts))

        return asyncio.run_coroutine_threadsafe(draw(), self.loop)

    def close(self) -> None:
        async def shut() -> None:
            if self.browser.done() and self.browser.exception() is None:
                await self.browser.result().close()

        try:
            asyncio.run_coroutine_threadsafe(shut(), self.loop).result(10)
        except Exception as exc:  # a browser that will not close is killed with the process
            log.warning("kaleido did not close: %s", exc)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)


_renderer: _Renderer | None = None
_cache: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()  # Word and PowerPoint share
CACHE_SIZE = 64


def _current() -> _Renderer:
    global _renderer
    with _lock:
        if _renderer is not None and (_renderer.broken or _failed(_renderer)):
            _renderer.close()  # start afresh: Chromium was missing or died in a long-running server
            _renderer = None
        if _renderer is None:
            _renderer = _Renderer()
        return _renderer


def _failed(renderer: _Renderer) -> bool:
    return renderer.browser.done() and renderer.browser.exception() is not None


@atexit.register
def _stop() -> None:
    if _renderer is not None:  # closes Chromium rather than leave it to the process's end
        _renderer.close()


def warm_up() -> None:
    """Start the renderer without waiting for it: Chromium boots while the caller does other work."""
    _current()


def _key(chart: Chart) -> tuple[str, int, int]:
    fig = figure(chart)
    return fig.to_json(), int(fig.layout.width), int(fig.layout.height)


def png(chart: Chart) -> bytes:
    """The chart as PNG bytes (cached per figure, so Word and PowerPoint share one rendering)."""
    out = pngs([chart], quiet=False)[0]
    assert out is not None
    return out


def pngs(charts: list[Chart], quiet: bool = True) -> list[bytes | None]:
    """Every chart's PNG; a chart that cannot be drawn (no Chromium) is None and logged
    (quiet=False raises ChartError instead).

    A report without its pictures still serves the meeting; the writers say where one is missing.
    """
    return later(charts, quiet)()


def later(charts: list[Chart], quiet: bool = True) -> Callable[[], list[bytes | None]]:
    """Ask the browser for every chart now (all at once, the cached ones aside) and return a
    function that waits for the PNGs: the caller writes its document meanwhile."""
    keys = [_key(chart) for chart in charts]
    renderer = _current()
    with _lock:
        have = {key: _cache[key] for key in keys if key in _cache}
    waiting = {
        key: renderer.submit(json.loads(key[0]), key[1], key[2])
        for key in dict.fromkeys(keys)
        if key not in have
    }

    def collect() -> list[bytes | None]:
        out: list[bytes | None] = []
        for chart, key in zip(charts, keys, strict=True):
            try:
                image = have[key] if key in have else waiting[key].result(TIMEOUT_S)
                with _lock:
                    _cache[key] = image
                    while len(_cache) > CACHE_SIZE:
                        _cache.popitem(last=False)
                out.append(image)
            except Exception as exc:  # kaleido's and Chromium's errors, or the time limit
                renderer.broken = True  # the next report starts a fresh browser
                error = ChartError(f"图表「{chart.title}」未能生成：{exc}")
                if not quiet:
                    raise error from exc
                log.warning("%s", error)
                out.append(None)
        return out

    return collect
