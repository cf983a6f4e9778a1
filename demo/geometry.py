"""What the demo's county geographies share: the county, the drawn divisions, and the geometry
helpers (Voronoi cells, best-candidate seeds, GeoJSON). The speech's invented county
(demo/synthetic.py) and a real county's divisions (demo/real_county.py) both draw with these; neither
imports the other's internals, so the two modules form no cycle (tests/test_architecture.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import shapely

from etl.sources import KIND_SQL_TYPES, SOURCES_BY_NAME


@dataclass(frozen=True)
class County:
    index: int
    code: str  # 6 digits
    name: str
    lon0: float  # south-west corner of the cell the county is drawn in
    lat0: float
    real: bool = (
        False  # townships and communities from demo/counties/<code>.json (demo.real_county)
    )


@dataclass
class _Geo:
    divisions: pl.DataFrame  # clean
    boundaries: pl.DataFrame  # clean: division_code, geojson
    names: list[str]  # boundary feature names, same order as boundaries
    geoms: np.ndarray  # shapely geometries, same order as divisions
    community_idx: np.ndarray  # row indices of community rows in divisions


def county_row(c: County, seed: np.ndarray) -> dict[str, Any]:
    """The county's own row of the division list (its seed point: where its name is drawn)."""
    return {
        "division_code": c.code + "000000",
        "name": c.name,
        "level": "county",
        "parent_code": c.code[:4] + "00000000",
        "township_code": None,
        "area_type": None,
        "urban_rural_code": None,
        "seed": seed,
    }


def _best_candidates(
    poly: Any,
    n: int,
    rng: np.random.Generator,
    existing: np.ndarray | None = None,
    near: tuple[float, float, float] | None = None,
    tries: int = 12,
) -> np.ndarray:
    """Mitchell's best-candidate points inside poly: spread out, but not grid-like.

    near=(x, y, r) keeps candidates within r of (x, y) (urban communities cluster at the seat).
    """
    minx, miny, maxx, maxy = poly.bounds
    if near is not None:
        x0, y0, r = near
        minx, miny, maxx, maxy = (
            max(minx, x0 - r),
            max(miny, y0 - r),
            min(maxx, x0 + r),
            min(maxy, y0 + r),
        )
    pts = np.empty((0, 2)) if existing is None else np.asarray(existing, dtype=float).reshape(-1, 2)
    chosen: list[np.ndarray] = []
    while len(chosen) < n:
        k = tries * 8
        cx = rng.uniform(minx, maxx, k)
        cy = rng.uniform(miny, maxy, k)
        ok = shapely.contains_xy(poly, cx, cy)
        if near is not None:
            ok &= np.hypot(cx - near[0], cy - near[1]) <= near[2]
        cand = np.column_stack([cx[ok], cy[ok]])[:tries]
        if len(cand) == 0:
            continue
        if len(pts) == 0:
            best = cand[0]
        else:
            d = np.min(
                np.hypot(cand[:, None, 0] - pts[None, :, 0], cand[:, None, 1] - pts[None, :, 1]),
                axis=1,
            )
            best = cand[int(np.argmax(d))]
        chosen.append(best)
        pts = np.vstack([pts, best])
    return np.asarray(chosen).reshape(-1, 2)


def _voronoi_cells(seeds: np.ndarray, clip: Any) -> np.ndarray:
    """Voronoi cells of seeds (in seed order) clipped to clip; each cell contains its seed."""
    env = shapely.buffer(shapely.envelope(clip), 0.05)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=env, ordered=True)
    )
    return shapely.intersection(cells, clip)


def _geojson_geometry(g: Any) -> str:
    """GeoJSON text with coordinates at 6 decimals (the geometry is already on that grid)."""

    def ring(coords: np.ndarray) -> str:
        return "[" + ",".join(f"[{x:.6f},{y:.6f}]" for x, y in coords) + "]"

    def poly(p: Any) -> str:
        rings = [ring(np.asarray(p.exterior.coords))]
        rings += [ring(np.asarray(i.coords)) for i in p.interiors]
        return "[" + ",".join(rings) + "]"

    if g.geom_type == "Polygon":
        return '{"type":"Polygon","coordinates":' + poly(g) + "}"
    parts = ",".join(poly(p) for p in g.geoms)
    return '{"type":"MultiPolygon","coordinates":[' + parts + "]}"


def _polygonal(g: Any) -> Any:
    """Keep only the polygon parts (clipping can leave stray lines or points)."""
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


# ---------------------------------------------------------------------------
# Counties
# ---------------------------------------------------------------------------


def _schema(source: str) -> dict[str, pl.DataType]:
    """Polars types matching the warehouse (KIND_SQL_TYPES)."""
    kinds = {
        "VARCHAR": pl.String(),
        "DATE": pl.Date(),
        "DECIMAL(14,2)": pl.Decimal(14, 2),
        "BIGINT": pl.Int64(),
        "INTEGER": pl.Int32(),
        "DOUBLE": pl.Float64(),
        "BOOLEAN": pl.Boolean(),
        "TINYINT": pl.Int8(),
    }
    return {c.name: kinds[KIND_SQL_TYPES[c.kind]] for c in SOURCES_BY_NAME[source].columns}
