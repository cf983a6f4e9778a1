"""Map builders: frames in, pydeck Decks out (choropleth of communities, outlines, labels, platforms)."""

from __future__ import annotations

import base64
import bisect
import json
import math
import os
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize

from dashboard import formats, style
from queries.indicators import Indicator as CatalogueEntry
from queries.indicators import catalogue

ROOT = Path(__file__).resolve().parent.parent

# Layer ids: st.pydeck_chart selections are keyed by them, and tests look layers up by them.
COMMUNITY_LAYER = "communities"
TOWNSHIP_LAYER = "townships"
LABEL_LAYER = "township_labels"
# A province's map (more than one county): townships filled, county outlines and names over them.
TOWNSHIP_AREA_LAYER = "township_areas"
COUNTY_LAYER = "counties"
COUNTY_LABEL_LAYER = "county_labels"
PLATFORM_LAYER = "platforms"
LOUNGE_LAYER = "lounges"
TILE_LAYER = "basemap_tiles"  # a layer of the basemap style, not a deck layer

NO_DATA_RGB = (210, 210, 210)
CLASSES = 5
AREA_LABELS = {"urban": "城市社区", "rural": "农村社区（行政村）"}
# Shown on the map page when the load marked the boundaries schematic (warehouse_info.boundaries_synthetic):
# the demo's, drawn by the generator, must never pass for the real administrative lines.
SCHEMATIC_LABEL = "示意边界"
SCHEMATIC_NOTE = "图中县、乡镇（街道）和社区的边界为示意，不是实际行政区划界线，只表示相对位置。"
PLATFORM_LEVELS = {"county": "县级中心", "township": "乡镇级平台", "village": "村级服务站"}
# Platforms are icons (a size in pixels, readable at any zoom), not a ScatterplotLayer, which headless
# Chromium draws at wrong sizes and places (docs/STACK-NOTES.md). Icon size in pixels and colour per level.
PLATFORM_STYLE: dict[str, tuple[int, tuple[int, int, int]]] = {
    "county": (28, (142, 68, 173)),
    "township": (20, (31, 97, 141)),
    "village": (12, (22, 160, 133)),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # short Chinese name, for the picker, legend and tooltip
    column: str  # in queries/map/communities.sql
    fmt: Callable[[float], str]
    note: str  # one line under the legend: what exactly is measured
    unit: str = ""  # for table headers
    number_format: str = "%.2f"  # st.column_config printf format of value * scale
    scale: float = 1.0
    # A legend's class edge: round breaks read as set (80%–100%, 10–20家), not 80.0%.
    edge: Callable[[float], str] | None = None


def _from_catalogue(i: CatalogueEntry) -> Indicator:
    """A map indicator from its catalogue entry (queries/indicators.toml): page queries name the
    value by the entry's key."""
    unit = i.unit if i.header_unit is None else i.header_unit
    edge = (lambda v: i.written(v, as_set=True) or "—") if i.is_rate else i.shown
    return Indicator(i.key, i.label, i.key, i.shown, i.note, unit, i.number_format, i.scale, edge)


# The indicators a map can be coloured by: the catalogue's `map = true` entries, in its order.
INDICATORS: dict[str, Indicator] = {i.key: _from_catalogue(i) for i in catalogue().on_map()}

# 睦邻客厅 stars on the map: one colour per star level (unrated grey), warm for the best.
LOUNGE_STARS: dict[int, tuple[int, int, int]] = {
    0: (149, 165, 166),
    1: (127, 140, 141),
    2: (93, 173, 226),
    3: (243, 156, 18),
    4: (230, 126, 34),
    5: (192, 57, 43),
}
LOUNGE_ICON_PX = 22


# ---------------------------------------------------------------- class breaks and colours


def _nice(x: float) -> float:
    """Round a break to two significant figures, so the legend reads 15 or 0.87, not 14.6213."""
    if x == 0 or not math.isfinite(x):
        return x
    digits = 1 - math.floor(math.log10(abs(x)))
    return round(x, digits)


def _quantile(xs: Sequence[float], q: float) -> float:
    # The value at or just above the quantile (not interpolated): breaks are values that occur, so
    # whole counts get whole-number breaks and every class starts at a real community's value.
    return xs[min(math.ceil(q * (len(xs) - 1)), len(xs) - 1)]


def _present(values: Sequence[float | None]) -> list[float]:
    return sorted(float(v) for v in values if v is not None and math.isfinite(float(v)))


def class_breaks(values: Sequence[float | None], k: int = CLASSES) -> list[float]:
    """Up to k-1 ascending inner breaks at the quantiles, rounded to nice numbers.

    Class i holds values in [break[i-1], break[i]). A break that no value reaches, or that every
    value passes, is dropped, so ties (many communities at 0 or 100 %) can leave fewer classes.
    """
    xs = _present(values)
    if not xs:
        return []

    def at_quantiles(data: list[float]) -> list[float]:
        breaks = sorted({_nice(_quantile(data, i / k)) for i in range(1, k)})
        return [b for b in breaks if xs[0] < b <= xs[-1]]

    breaks = at_quantiles(xs)
    if len(breaks) < k - 1:
        # Heavy ties (most villages at 100 %) merge classes: split the distinct values instead,
        # so the few communities that differ still show their differences.
        distinct = at_quantiles(sorted(set(xs)))
        if len(distinct) > len(breaks):
            breaks = distinct
    return breaks


def class_of(value: float | None, breaks: Sequence[float]) -> int | None:
    """The class index 0..len(breaks) of a value (None for a missing value)."""
    if value is None or not math.isfinite(float(value)):
        return None
    return bisect.bisect_right(breaks, float(value))


def class_colors(n: int) -> list[tuple[int, int, int]]:
    """n colours from style.RAMP, light to dark, spread over the ramp when there are fewer than 5."""
    ramp = style.RAMP
    if n <= 1:
        return [ramp[len(ramp) // 2]][:n]
    return [ramp[round(i * (len(ramp) - 1) / (n - 1))] for i in range(n)]


def legend(values: Sequence[float | None], breaks: Sequence[float], ind: Indicator) -> pl.DataFrame:
    """One row per class (and one for missing data): colour, range in Chinese, communities."""
    n = len(breaks) + 1
    colors = class_colors(n)
    edge = ind.edge or ind.fmt
    counts = [0] * n
    missing = 0
    for v in values:
        c = class_of(v, breaks)
        if c is None:
            missing += 1
        else:
            counts[c] += 1
    rows = []
    for i in range(n):
        if n == 1:
            xs = _present(values)
            text = _range(edge(xs[0]), edge(xs[-1])) if xs else "—"
        elif i == 0:
            text = f"低于 {edge(breaks[0])}"
        elif i == n - 1:
            # The top class of a rate is often exactly 100 %: "100%", not "100% 及以上".
            top = max(_present(values))
            text = edge(top) if top == breaks[-1] else f"{edge(breaks[-1])} 及以上"
        else:
            text = _range(edge(breaks[i - 1]), edge(breaks[i]))
        rows.append({"color": rgb_hex(colors[i]), "range": text, "count": counts[i]})
    if missing:
        rows.append({"color": rgb_hex(NO_DATA_RGB), "range": "无数据", "count": missing})
    return pl.DataFrame(
        rows, schema={"color": pl.String, "range": pl.String, "count": pl.Int64}, orient="row"
    )


def _range(low: str, high: str) -> str:
    """'10–20家', '80%–100%': the unit once when both ends share it (never 「1个–2个」)."""
    unit = ""
    for u in ("家", "个", "人", "万元", "元", "分"):
        if low.endswith(u) and high.endswith(u):
            unit = u
            break
    return f"{low.removesuffix(unit)}–{high}" if unit else f"{low}–{high}"


def rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# ---------------------------------------------------------------- geometry helpers


class RawJSON:
    """JSON text a CompactDeck writes into its output as it is (a layer's data).

    The boundaries come from the warehouse as GeoJSON text, already rounded and simplified
    (queries/marts/10_map_shapes.sql): splicing that text into the deck, instead of parsing it
    into Python lists for pydeck to encode again, is what makes a province's map quick to build."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def parsed(self) -> Any:
        """The value the text stands for (for tests and for callers that want dicts)."""
        return json.loads(self.text)


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def feature_collection(geojson: Iterable[str], properties: Iterable[dict]) -> RawJSON:
    """A GeoJSON FeatureCollection from geometry texts and property dicts, as JSON text."""
    feats = ",".join(
        f'{{"type":"Feature","geometry":{geo},"properties":{_ENCODE(props)}}}'
        for geo, props in zip(geojson, properties, strict=True)
    )
    return RawJSON(f'{{"type":"FeatureCollection","features":[{feats}]}}')


_BOX = ("xmin", "ymin", "xmax", "ymax")


def _shapes(frame: pl.DataFrame) -> np.ndarray:
    return shapely.from_geojson(np.array(frame["geojson"].to_list(), dtype=object))


def frame_bounds(*frames: pl.DataFrame) -> tuple[float, float, float, float] | None:
    """The box around every shape of the frames: their xmin..ymax columns (map_shapes), or
    measured from the geometry for a frame without them."""
    boxes = []
    for frame in frames:
        if frame.is_empty():
            continue
        if all(c in frame.columns for c in _BOX):
            boxes.append(frame.select(pl.col(_BOX[:2]).min(), pl.col(_BOX[2:]).max()).row(0))
        else:
            boxes.append(tuple(shapely.total_bounds(_shapes(frame))))
    boxes = [b for b in boxes if all(v is not None and math.isfinite(v) for v in b)]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def view_for(
    bounds: tuple[float, float, float, float] | None, width: int = 760, height: int = 600
) -> pdk.ViewState:
    """A view that fits the bounds (Web Mercator zoom for a map of about width x height pixels)."""
    if bounds is None:
        return pdk.ViewState(longitude=116.4, latitude=39.9, zoom=8)
    x0, y0, x1, y1 = bounds
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    span_x = max(x1 - x0, 1e-4)
    span_y = max((y1 - y0) / math.cos(math.radians(lat)), 1e-4)
    # deck.gl zoom 0 draws the whole world 512 pixels wide.
    zoom = min(math.log2(width * 360 / (512 * span_x)), math.log2(height * 360 / (512 * span_y)))
    return pdk.ViewState(
        longitude=round(lon, 5), latitude=round(lat, 5), zoom=round(zoom - 0.15, 2), pitch=0
    )


def label_points(frame: pl.DataFrame) -> list[tuple[float, float]]:
    """Where to write each shape's name: its centroid, or a point surely inside it when the
    centroid falls outside (a crescent-shaped township). One shapely call for the whole frame."""
    if frame.is_empty():
        return []
    shapes = _shapes(frame)
    centre = shapely.centroid(shapes)
    inside = shapely.contains(shapes, centre)
    points = np.where(inside, centre, shapely.point_on_surface(shapes))
    xy = np.round(shapely.get_coordinates(points), 5)
    return [(float(x), float(y)) for x, y in xy]


# ---------------------------------------------------------------- tooltip

# Streamlit HTML-escapes each {property} it substitutes, so the markup lives here and every pickable
# layer's objects carry the same keys (title, sub, l1, l2, l3), plain text only.
TOOLTIP = {
    "html": (
        "<div style='font-size:14px;font-weight:600'>{title}</div>"
        "<div style='color:#555'>{sub}</div>"
        "<div style='margin-top:4px'>{l1}</div><div>{l2}</div>"
        "<div style='color:#888;margin-top:2px'>{l3}</div>"
    ),
    "style": {
        "backgroundColor": "white",
        "color": "#222",
        "fontFamily": style.FONT,
        "fontSize": "13px",
        "border": "1px solid #ccc",
        "borderRadius": "4px",
        "padding": "6px 8px",
        "boxShadow": "0 1px 4px rgba(0,0,0,0.15)",
    },
}


def _fmt(ind: Indicator, v: float | None) -> str:
    return "无数据" if v is None else ind.fmt(v)


# ---------------------------------------------------------------- layers


def _classes(
    frame: pl.DataFrame, ind: Indicator, breaks: Sequence[float]
) -> list[tuple[float | None, int | None, list[int]]]:
    """(value, class, fill colour) per row of the indicator's column."""
    colors = class_colors(len(breaks) + 1)
    out = []
    for v in frame[ind.column].to_list():
        v = None if v is None else float(v)
        c = class_of(v, breaks)
        out.append((v, c, [*(NO_DATA_RGB if c is None else colors[c]), 215]))
    return out


def community_features(frame: pl.DataFrame, ind: Indicator, breaks: Sequence[float]) -> RawJSON:
    """GeoJSON FeatureCollection of communities with their class colour and tooltip lines."""
    props = [
        {
            "code": r["community_code"],
            "value": None if v is None else round(v, 4),
            "cls": c,
            "fill": fill,
            "title": r["community_name"],
            "sub": f"{r['township_name']} · {AREA_LABELS.get(r['area_type'], '')}"
            f" · 常住人口{r['population']:,}人",
            "l1": f"{ind.label}：{_fmt(ind, v)}",
            "l2": f"社会组织{r['count_active']}家，标准{r['floor']}家，"
            + ("已达标" if r["meets_floor"] else "未达标"),
            "l3": "点击查看社区详情",
        }
        for r, (v, c, fill) in zip(
            frame.select(
                "community_code",
                "community_name",
                "township_name",
                "area_type",
                "population",
                "count_active",
                "floor",
                "meets_floor",
            ).iter_rows(named=True),
            _classes(frame, ind, breaks),
            strict=True,
        )
    ]
    return feature_collection(frame["geojson"], props)


def township_area_features(frame: pl.DataFrame, ind: Indicator, breaks: Sequence[float]) -> RawJSON:
    """Townships filled by the indicator summed over their communities (queries/map/
    township_areas.sql), for a province's map; a click opens the township's communities."""
    props = [
        {
            "code": r["township_code"],
            "value": None if v is None else round(v, 4),
            "cls": c,
            "fill": fill,
            "title": r["township_name"],
            "sub": f"{r['county_name'] or ''} · {r['count_communities']}个社区"
            f" · 常住人口{r['population']:,}人",
            "l1": f"{ind.label}：{_fmt(ind, v)}",
            "l2": f"社会组织{r['count_active']}家，"
            + (
                f"{r['count_below_floor']}个社区未达到国家标准"
                if r["count_below_floor"]
                else "各社区均达到国家标准"
            ),
            "l3": "点击查看该乡镇（街道）的各社区",
        }
        for r, (v, c, fill) in zip(
            frame.select(
                "township_code",
                "township_name",
                "county_name",
                "count_communities",
                "population",
                "count_active",
                "count_below_floor",
            ).iter_rows(named=True),
            _classes(frame, ind, breaks),
            strict=True,
        )
    ]
    return feature_collection(frame["geojson"], props)


def outline_features(frame: pl.DataFrame, code: str) -> RawJSON:
    """Outlines (no fill) with their code only: townships over communities, counties over townships."""
    return feature_collection(frame["geojson"], ({"code": c} for c in frame[code].to_list()))


def name_labels(frame: pl.DataFrame, name: str) -> list[dict]:
    """One label per shape: its name at label_points."""
    return [
        {"name": n, "position": [x, y]}
        for n, (x, y) in zip(frame[name].to_list(), label_points(frame), strict=True)
    ]


def township_features(frame: pl.DataFrame) -> tuple[dict, list[dict]]:
    """Township outlines (FeatureCollection as dicts) and one label point per township."""
    feats = [
        {"type": "Feature", "geometry": json.loads(g), "properties": {"code": c}}
        for g, c in zip(frame["geojson"].to_list(), frame["township_code"].to_list(), strict=True)
    ]
    return {"type": "FeatureCollection", "features": feats}, name_labels(frame, "township_name")


def platform_points(frame: pl.DataFrame) -> list[dict]:
    """Platforms as points with the same tooltip keys as the communities."""
    rows = []
    for r in frame.iter_rows(named=True):
        size, _ = PLATFORM_STYLE.get(r["level"], PLATFORM_STYLE["village"])
        place = r["division_name"] if r["level"] != "township" else r["township_name"]
        area = f"面积{r['floor_area_m2']:,.0f}平方米" if r["floor_area_m2"] is not None else ""
        rows.append(
            {
                "position": [round(r["lon"], 5), round(r["lat"], 5)],
                "size": size,
                "code": r["division_code"],
                "level": r["level"],
                "title": r["platform_name"],
                "sub": f"{PLATFORM_LEVELS.get(r['level'], r['level'])} · {place}",
                "l1": area,
                "l2": f"启用于{formats.cn_date(r['opened_on'])}",
                "l3": "",
            }
        )
    return rows


_ICON = 64


def _sprite_mapping(names: Iterable[str]) -> dict[str, dict]:
    """deck.gl's icon mapping for a one-row sprite: the i-th name is the i-th square."""
    return {
        name: {
            "x": i * _ICON,
            "y": 0,
            "width": _ICON,
            "height": _ICON,
            "anchorY": _ICON // 2,
            "mask": False,
        }
        for i, name in enumerate(names)
    }


_ICON_MAPPING = _sprite_mapping(PLATFORM_STYLE)


def _icon_atlas() -> str:
    """One small SVG sprite (a ringed disc per platform level) as a data URL: nothing is fetched."""
    h = _ICON // 2
    parts = [
        f"<circle cx='{i * _ICON + h}' cy='{h}' r='{h - 4}' fill='{rgb_hex(rgb)}' stroke='white' "
        f"stroke-width='6'/>"
        for i, (_, rgb) in enumerate(PLATFORM_STYLE.values())
    ]
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{_ICON * len(PLATFORM_STYLE)}' "
        f"height='{_ICON}'>{''.join(parts)}</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def star_label(stars: int | None) -> str:
    """四星级, or 未评星 for a lounge without a rating."""
    return "未评星" if not stars else f"{'一二三四五'[stars - 1]}星级"


def lounge_points(frame: pl.DataFrame) -> list[dict]:
    """睦邻客厅 as star icons coloured by their rating, with the communities' tooltip keys."""
    rows = []
    for r in frame.iter_rows(named=True):
        if r["lon"] is None or r["lat"] is None:
            continue
        stars = int(r["stars"] or 0)
        area = f"面积{r['floor_area_m2']:,.0f}平方米" if r["floor_area_m2"] is not None else ""
        rated = f"{formats.cn_date(r['rated_on'])}评定" if r["rated_on"] else ""
        rows.append(
            {
                "position": [round(r["lon"], 5), round(r["lat"], 5)],
                "icon": f"s{stars}",
                "code": r["community_code"],
                "stars": stars,
                "title": r["name"],
                "sub": f"睦邻客厅 · {r['township_name']}{r['community_name']}",
                "l1": f"{star_label(stars)}" + (f"（{rated}）" if rated else ""),
                "l2": area,
                "l3": "" if r["has_own_position"] else "未填经纬度，按所在社区位置显示",
            }
        )
    return rows


def _star_path(cx: float, cy: float, outer: float, inner: float) -> str:
    points = []
    for k in range(10):
        radius = outer if k % 2 == 0 else inner
        angle = math.pi / 2 + k * math.pi / 5
        points.append(f"{cx + radius * math.cos(angle):.1f},{cy - radius * math.sin(angle):.1f}")
    return " ".join(points)


_STAR_ICON_MAPPING = _sprite_mapping(f"s{stars}" for stars in LOUNGE_STARS)


def _star_atlas() -> str:
    """One SVG sprite of white-edged stars, one colour per rating: a data URL, nothing fetched."""
    h = _ICON / 2
    parts = [
        f"<polygon points='{_star_path(i * _ICON + h, h + 2, h - 3, (h - 3) * 0.45)}' "
        f"fill='{rgb_hex(rgb)}' stroke='white' stroke-width='4' stroke-linejoin='round'/>"
        for i, rgb in enumerate(LOUNGE_STARS.values())
    ]
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{_ICON * len(LOUNGE_STARS)}' "
        f"height='{_ICON}'>{''.join(parts)}</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def lounge_layer(frame: pl.DataFrame) -> pdk.Layer:
    """睦邻客厅 as star icons (IconLayer: headless Chromium misdraws ScatterplotLayer points)."""
    return pdk.Layer(
        "IconLayer",
        data=_raw(lounge_points(frame)),
        id=LOUNGE_LAYER,
        pickable=True,
        icon_atlas=f"'{_star_atlas()}'",
        icon_mapping=_STAR_ICON_MAPPING,
        get_icon="icon",
        get_position="position",
        get_size=LOUNGE_ICON_PX,
        size_units="'pixels'",
    )


def basemap_style(url: str) -> str:
    """A Mapbox-GL style (as a data: URL) that draws the site's XYZ raster tiles under the layers.

    Not a deck.gl TileLayer: pydeck's JSON cannot pass the renderSubLayers function that turns image
    tiles into BitmapLayers, so a TileLayer tries to read each PNG as GeoJSON and fails. Streamlit
    hands map_style to its bundled map renderer, which draws raster sources without any token.

    The tiles must line up with WGS-84 (天地图 with a key, an internal tile server): AMap/Tencent
    tiles are GCJ-02 and Baidu tiles BD-09, offset by hundreds of metres from the WGS-84
    boundaries, so they must not be used without converting the data first.
    """
    style_json = {
        "version": 8,
        "sources": {"tiles": {"type": "raster", "tiles": [url], "tileSize": 256}},
        "layers": [{"id": TILE_LAYER, "type": "raster", "source": "tiles"}],
    }
    encoded = base64.b64encode(json.dumps(style_json).encode()).decode()
    return "data:application/json;base64," + encoded


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation and keeps Chinese as UTF-8 (under half the bytes of
    pydeck's pretty-printed, ASCII-escaped JSON), with RawJSON layer data written in as it is."""

    def to_json(self) -> str:
        # Built once: a deck is never changed after choropleth() returns it, and at province
        # scale serialising it again on every rerun took seconds. The deck may be shared
        # between sessions (st.cache_resource), so nothing in it is touched while encoding.
        cached: str | None = self.__dict__.get("_compact_json")
        if cached is None:
            raw: dict[str, str] = {}

            def default(o: object) -> object:
                if isinstance(o, RawJSON):
                    token = f"@@orgdash-raw-{len(raw)}@@"
                    raw[token] = o.text
                    return token
                return default_serialize(o)

            # pydeck's own serialize() with the C encoder: no indent, sorted keys as pydeck does.
            cached = json.dumps(
                self, default=default, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            for token, text in raw.items():
                cached = cached.replace(f'"{token}"', text, 1)
            self.__dict__["_compact_json"] = cached
        return cached


def _raw(data: Any) -> Any:
    """Layer data as RawJSON (encoded once, by the C encoder) unless it already is."""
    return data if isinstance(data, RawJSON) else RawJSON(_ENCODE(data))


def fill_layer(features: dict | RawJSON, layer_id: str, line_width_px: float) -> pdk.Layer:
    """Divisions filled with each feature's properties.fill, pickable for tooltips and clicks."""
    return pdk.Layer(
        "GeoJsonLayer",
        data=_raw(features),
        id=layer_id,
        pickable=True,
        auto_highlight=True,
        highlight_color=[255, 255, 255, 90],
        filled=True,
        stroked=True,
        get_fill_color="properties.fill",
        get_line_color=[255, 255, 255, 255],
        line_width_min_pixels=line_width_px,
        get_line_width=20,
    )


def outline_layer(
    features: dict | RawJSON,
    layer_id: str,
    width_px: float,
    alpha: int,
    rgb: tuple[int, int, int] = (60, 60, 60),
) -> pdk.Layer:
    """Boundaries drawn as lines over the fills (dark, unless a dark page asks otherwise)."""
    return pdk.Layer(
        "GeoJsonLayer",
        data=_raw(features),
        id=layer_id,
        pickable=False,
        filled=False,
        stroked=True,
        get_line_color=[*rgb, alpha],
        line_width_min_pixels=width_px,
        get_line_width=60,
    )


def label_layer(
    labels: list[dict],
    layer_id: str,
    size: int,
    color: tuple[int, int, int, int] = (30, 30, 30, 255),
    outline: tuple[int, int, int, int] = (255, 255, 255, 230),
) -> pdk.Layer:
    """Township names; Chinese needs character_set '"auto"' (the quotes: pydeck reads expressions)."""
    return pdk.Layer(
        "TextLayer",
        data=_raw(labels),
        id=layer_id,
        pickable=False,
        get_position="position",
        get_text="name",
        get_size=size,
        get_color=list(color),
        font_family=f"'{style.FONT}'",
        font_weight=700,
        character_set='"auto"',
        outline_width=3,
        outline_color=list(outline),
        font_settings={"sdf": True},
        get_text_anchor="'middle'",
        get_alignment_baseline="'center'",
    )


# A phone's map: one finger scrolls the page (dashboard/mobile.py lets vertical swipes through to
# the browser) and taps a community; two fingers zoom and move the map. Streamlit 1.67 passes the
# deck-level controller only when no views are given, so the settings ride on the view.
TOUCH_CONTROLLER = {
    "scrollZoom": False,
    "dragPan": False,
    "dragRotate": False,
    "touchRotate": False,
    "touchZoom": True,
    "doubleClickZoom": True,
    "keyboard": False,
}


def choropleth(
    communities: pl.DataFrame,
    townships: pl.DataFrame,
    indicator: str,
    platforms: pl.DataFrame | None = None,
    tile_url: str | None = None,
    lounges: pl.DataFrame | None = None,
    *,
    view_size: tuple[int, int] = (760, 600),
    controller: dict[str, bool] | bool | None = None,
    dark: bool = False,
) -> pdk.Deck:
    """The community choropleth: fill by the indicator's class, township outlines and names on top,
    optional platform icons, 睦邻客厅 stars and basemap tiles. No basemap by default: nothing
    leaves the machine.

    view_size (width, height in pixels) sets the initial zoom that fits the county; controller
    replaces Streamlit's default gestures (TOUCH_CONTROLLER for a phone, False for a map nobody
    touches); dark draws outlines and names for a dark page."""
    ind = INDICATORS[indicator]
    breaks = class_breaks(communities[ind.column].to_list())
    return _deck(
        fill_layer(community_features(communities, ind, breaks), COMMUNITY_LAYER, 0.6),
        outline_features(townships, "township_code"),
        name_labels(townships, "township_name"),
        frame_bounds(communities) or frame_bounds(townships),
        ids=(TOWNSHIP_LAYER, LABEL_LAYER),
        platforms=platforms,
        tile_url=tile_url,
        lounges=lounges,
        view_size=view_size,
        controller=controller,
        dark=dark,
    )


def province_choropleth(
    township_areas: pl.DataFrame,
    counties: pl.DataFrame,
    indicator: str,
    platforms: pl.DataFrame | None = None,
    tile_url: str | None = None,
    *,
    view_size: tuple[int, int] = (760, 600),
    controller: dict[str, bool] | bool | None = None,
) -> pdk.Deck:
    """A province's map: townships filled by the indicator summed over their communities
    (queries/map/township_areas.sql), county outlines and names on top. Drawing a thousand
    townships rather than ten thousand communities keeps the map light and readable; a click on
    a township opens its communities (views/map.py)."""
    ind = INDICATORS[indicator]
    breaks = class_breaks(township_areas[ind.column].to_list())
    drawn = counties.filter(pl.col("geojson").is_not_null())
    return _deck(
        fill_layer(township_area_features(township_areas, ind, breaks), TOWNSHIP_AREA_LAYER, 0.4),
        outline_features(drawn, "county_code"),
        name_labels(drawn, "county_name"),
        frame_bounds(township_areas) or frame_bounds(drawn),
        ids=(COUNTY_LAYER, COUNTY_LABEL_LAYER),
        # A hundred counties fit in the map's width: thinner lines and smaller names.
        line_px=1.6,
        label_px=12,
        platforms=platforms,
        tile_url=tile_url,
        view_size=view_size,
        controller=controller,
    )


def _deck(
    fill: pdk.Layer,
    outlines: RawJSON,
    labels: list[dict],
    bounds: tuple[float, float, float, float] | None,
    *,
    ids: tuple[str, str],
    line_px: float = 2.2,
    label_px: int = 15,
    platforms: pl.DataFrame | None,
    tile_url: str | None,
    lounges: pl.DataFrame | None = None,
    view_size: tuple[int, int],
    controller: dict[str, bool] | bool | None,
    dark: bool = False,
) -> pdk.Deck:
    """Fills, outlines over them, then platforms, stars and names on top."""
    outline_id, label_id = ids
    line = (235, 240, 245) if dark else (60, 60, 60)
    layers = [fill, outline_layer(outlines, outline_id, width_px=line_px, alpha=230, rgb=line)]
    if platforms is not None and platforms.height:
        layers.append(
            pdk.Layer(
                "IconLayer",
                data=_raw(platform_points(platforms)),
                id=PLATFORM_LAYER,
                pickable=True,
                icon_atlas=f"'{_icon_atlas()}'",
                icon_mapping=_ICON_MAPPING,
                get_icon="level",
                get_position="position",
                get_size="size",
                size_units="'pixels'",
            )
        )
    if lounges is not None and lounges.height:
        layers.append(lounge_layer(lounges))
    if dark:
        # Names read across the room on a wall's map; a phone's map is too small for 20 px names.
        size = 20 if view_size[0] >= 500 else label_px
        layers.append(
            label_layer(
                labels, label_id, size, color=(255, 255, 255, 255), outline=(8, 20, 38, 235)
            )
        )
    else:
        layers.append(label_layer(labels, label_id, size=label_px))
    extra: dict[str, Any] = {"map_style": basemap_style(tile_url)} if tile_url else {}
    if controller is not None:
        extra["views"] = [pdk.View(type="MapView", controller=controller)]
    return CompactDeck(
        layers=layers,
        initial_view_state=view_for(bounds, *view_size),
        map_provider=None,  # and no map_style unless configured: no basemap fetched from anywhere
        tooltip=TOOLTIP,  # type: ignore[arg-type]
        **extra,
    )


# ---------------------------------------------------------------- configuration


def tile_url() -> str | None:
    """An optional XYZ basemap URL: $ORGDASH_TILE_URL, else `[map] tile_url` in orgdash.toml."""
    env = os.environ.get("ORGDASH_TILE_URL", "").strip()
    if env:
        return env
    path = Path(os.environ.get("ORGDASH_CONFIG", ROOT / "orgdash.toml"))
    if not path.is_file():
        return None
    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    url = str(cfg.get("map", {}).get("tile_url", "")).strip()
    return url or None
