"""Quick looks at an analyst's own query result: a bar, a line, or a map of the divisions it names."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk
from shapely.geometry import shape

from dashboard import decks, style
from dashboard.charts.common import finish

MAX_BARS = 40  # more bars than this are unreadable: the first rows of the result are drawn
MAX_POINTS = 2_000
MAP_LAYER = "sql_divisions"
OUTLINE_LAYER = "sql_township_outlines"
LABEL_LAYER = "sql_township_labels"
LEVELS = {"county": "县", "township": "乡镇（街道）", "community": "社区"}
KINDS = {"bar": "柱状图", "line": "折线图", "map": "地图"}
YEAR_NAMES = ("year", "年度", "年份", "年")


@dataclass(frozen=True)
class Plan:
    kind: str  # bar | line | map | none
    x: str | None = None
    y: str | None = None


def _is_number(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() and dtype != pl.Boolean


def _is_yearish(name: str, dtype: pl.DataType) -> bool:
    low = name.lower()
    return dtype.is_integer() and (
        low in YEAR_NAMES
        or low.endswith("_year")
        or low.startswith("year_")
        or name.endswith("年度")
    )


def numeric_columns(frame: pl.DataFrame) -> list[str]:
    """Columns worth plotting as values: numbers that are not identifiers or years."""
    return [
        c
        for c, t in frame.schema.items()
        if _is_number(t) and not _is_yearish(c, t) and not c.lower().endswith(("_id", "_code"))
    ]


def time_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c, t in frame.schema.items() if t.is_temporal() or _is_yearish(c, t)]


def category_columns(frame: pl.DataFrame) -> list[str]:
    return [
        c
        for c, t in frame.schema.items()
        if t in (pl.String, pl.Categorical) or isinstance(t, pl.Enum)
    ]


def suggest(frame: pl.DataFrame) -> Plan:
    """The chart a person would most likely draw first: a map when the result names divisions,
    a line over years or dates, else bars over the first text column."""
    nums = numeric_columns(frame)
    if frame.is_empty() or not nums:
        return Plan("none")
    if "division_code" in frame.columns:
        return Plan("map", "division_code", nums[0])
    times = [c for c in time_columns(frame) if c not in nums]
    if times:
        return Plan("line", times[0], nums[0])
    cats = [c for c in category_columns(frame) if c != "division_code"]
    if cats:
        return Plan("bar", cats[0], nums[0])
    return Plan("none")


def _values(frame: pl.DataFrame, y: str) -> list[float | None]:
    return frame[y].cast(pl.Float64, strict=False).to_list()


def _x_values(frame: pl.DataFrame, x: str) -> list:
    dtype = frame.schema[x]
    if dtype.is_temporal():
        return frame[x].to_list()
    return frame[x].cast(pl.String).fill_null("（空）").to_list()


def bar(frame: pl.DataFrame, x: str, y: str) -> go.Figure:
    """Bars in the result's own order (sort in SQL); only the first MAX_BARS rows."""
    shown = frame.head(MAX_BARS)
    fig = go.Figure(
        go.Bar(
            x=_x_values(shown, x),
            y=_values(shown, y),
            marker_color=style.SEQUENCE[1],
            hovertemplate=f"{x}：%{{x}}<br>{y}：%{{y:,}}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=x, type="category")
    fig.update_yaxes(title_text=y)
    more = f"（前{MAX_BARS}行，共{frame.height}行）" if frame.height > MAX_BARS else ""
    return finish(fig, f"{y}（按{x}）{more}", height=380)


def line(frame: pl.DataFrame, x: str, y: str) -> go.Figure:
    """A line over x in ascending order (years and dates), at most MAX_POINTS points."""
    shown = frame.select(x, y).drop_nulls(x).sort(x).head(MAX_POINTS)
    temporal = frame.schema[x].is_temporal()
    fig = go.Figure(
        go.Scatter(
            x=shown[x].to_list() if temporal else _x_values(shown, x),
            y=_values(shown, y),
            mode="lines+markers",
            line={"color": style.PRIMARY, "width": 2},
            hovertemplate=f"{x}：%{{x}}<br>{y}：%{{y:,}}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=x, type="date" if temporal else "category")
    fig.update_yaxes(title_text=y)
    return finish(fig, f"{y}（按{x}）", height=380)


def figure(frame: pl.DataFrame, plan: Plan) -> go.Figure:
    assert plan.x is not None and plan.y is not None
    return line(frame, plan.x, plan.y) if plan.kind == "line" else bar(frame, plan.x, plan.y)


def _number(v: float) -> str:
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.2f}"


def indicator(y: str) -> decks.Indicator:
    """The map module's indicator description for an arbitrary result column."""
    return decks.Indicator(y, y, y, _number, "")


def deck(
    frame: pl.DataFrame,
    boundaries: pl.DataFrame,
    y: str,
    townships: pl.DataFrame | None = None,
) -> tuple[pdk.Deck, pl.DataFrame]:
    """A choropleth of the result's divisions by column y, and its legend (decks.legend's frame).

    boundaries: division_code, name, level, geojson (queries/sql/boundaries.sql). A code named
    twice in the result takes its first row's value; counties are drawn under townships under
    communities, so a result mixing levels still shows every one. townships (township_code,
    township_name, geojson) are drawn as named outlines on top, and the view fits them: a few
    scattered communities are only readable against the county.
    """
    first = frame.select("division_code", y).unique("division_code", keep="first")
    value_of = dict(zip(first["division_code"].to_list(), _values(first, y), strict=True))
    drawn = boundaries.filter(pl.col("division_code").is_in(list(value_of)))
    values = [value_of[c] for c in drawn["division_code"].to_list()]
    breaks = decks.class_breaks(values)
    colors = decks.class_colors(len(breaks) + 1)
    order = {"county": 0, "township": 1, "community": 2}
    feats = []
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for r in sorted(drawn.iter_rows(named=True), key=lambda r: order.get(r["level"], 3)):
        geo = json.loads(r["geojson"])
        bx0, by0, bx1, by1 = shape(geo).bounds
        x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
        v = value_of.get(r["division_code"])
        c = decks.class_of(v, breaks)
        rgb = decks.NO_DATA_RGB if c is None else colors[c]
        feats.append(
            {
                "type": "Feature",
                "geometry": geo,
                "properties": {
                    "code": r["division_code"],
                    "fill": [*rgb, 215],
                    "title": r["name"],
                    "sub": f"{LEVELS.get(r['level'], r['level'])} · {r['division_code']}",
                    "l1": f"{y}：{'无数据' if v is None else _number(v)}",
                    "l2": "",
                    "l3": "",
                },
            }
        )
    layer = decks.fill_layer(
        {"type": "FeatureCollection", "features": feats}, MAP_LAYER, line_width_px=0.8
    )
    layers = [layer]
    if townships is not None and townships.height:
        outlines, labels = decks.township_features(townships)
        for f in outlines["features"]:
            bx0, by0, bx1, by1 = shape(f["geometry"]).bounds
            x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
        layers += [
            decks.outline_layer(outlines, OUTLINE_LAYER, width_px=1.6, alpha=200),
            decks.label_layer(labels, LABEL_LAYER, size=14),
        ]
    bounds = (x0, y0, x1, y1) if math.isfinite(x0) else None
    chart = decks.CompactDeck(
        layers=layers,
        initial_view_state=decks.view_for(bounds),
        map_provider=None,  # no basemap: nothing is fetched from outside
        tooltip=decks.TOOLTIP,  # type: ignore[arg-type]
    )
    return chart, decks.legend(values, breaks, indicator(y))
