"""Charts built once per build, filters and screen, and shared by every session that reads them.

When twenty people open the 总览 in a meeting they all read the same build with the same filters,
so they would all build the same Plotly figures: building one (plotly's property validation in
update_layout, update_xaxes, …) was half of a warm 总览's server time (py-spy, issue 15). Here a
figure is built the first time and kept; every later run hands the same object to
st.plotly_chart, which only reads it (to_dict, then to_json).

The key is everything a figure may depend on: the build and the file this account's scope reads
(data.build()), the sidebar filters, whether the screen is a phone (mobile.fit re-lays charts for
it), the chart's own name, and `on`: anything else of the page the chart depends on (a slider's
value, a chosen community). A chart whose `make` reads something not in the key would show one
session's figure to another: pass it in `on`.

Figures are kept in this process only (each worker of `orgdash serve --workers N` builds its own),
at most MAX of them, least recently used dropped first; a new build changes every key, so the old
build's figures age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard import data, filters, mobile
from dashboard.charts import common

MAX = 256  # figures per process; a county's pages with every filter combination use far fewer

_lock = threading.Lock()
_figures: OrderedDict[Hashable, go.Figure] = OrderedDict()
# Figures being built right now, so that ten sessions asking for the same one at once build it
# once: the others wait for the first instead of each doing the same work under the one GIL.
_building: dict[Hashable, threading.Event] = {}


def _key(name: str, on: Hashable) -> Hashable:
    f = filters.current()
    return (
        data.build(),
        name,
        f.year,
        f.as_of,
        f.township,
        f.area,
        f.fields,
        mobile.is_phone(),
        on,
    )


def shared(name: str, make: Callable[[], go.Figure], on: Hashable = ()) -> go.Figure:
    """The figure `make` builds for this build, filters and screen (fitted for a phone), built
    by the first run that asks and shared with every later one. Never mutate what it returns."""
    key = _key(name, on)
    with _lock:
        fig = _figures.get(key)
        if fig is not None:
            _figures.move_to_end(key)
            return fig
        waiting = _building.get(key)
        if waiting is None:
            _building[key] = threading.Event()
    if waiting is not None:
        waiting.wait(timeout=30)
        with _lock:
            fig = _figures.get(key)
        # The first builder failed or is still at it: build one for this run only.
        return fig if fig is not None else mobile.fit(make())
    try:
        fig = mobile.fit(make())
        with _lock:
            _figures[key] = fig
            while len(_figures) > MAX:
                _figures.popitem(last=False)
        return fig
    finally:
        with _lock:
            _building.pop(key).set()


def show(
    name: str,
    make: Callable[[], go.Figure],
    on: Hashable = (),
    config: dict | None = None,
    **kwargs: Any,
) -> None:
    """Draw the shared figure (see shared); `name` is also the chart's widget key."""
    fig = shared(name, make, on)
    st.plotly_chart(fig, key=name, config=config or common.CONFIG, **kwargs)


def clear() -> None:
    """Forget every figure (tests; a new build needs no call, its key differs)."""
    with _lock:
        _figures.clear()
