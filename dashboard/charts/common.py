"""Layout every chart shares: Chinese font, palette, no Plotly logo, tight margins."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard import style

CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def finish(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=title,
        font={"family": style.FONT, "size": 13},
        colorway=style.SEQUENCE,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        height=height,
        legend={"orientation": "h", "y": -0.15},
        hoverlabel={"font": {"family": style.FONT}},
        plot_bgcolor="white",
    )
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    return fig
