"""Normalise raw tables to typed columns and apply docs/DOMAIN.md's rules, collecting rejects.

A rule is a function of (typed frame, context) returning the failing rows as rejects: row number,
column, value, rule id and a Chinese message a clerk can act on. Sources are checked in dependency
order so a reference is checked against the rows that were accepted upstream.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from etl import normalize as nz
from etl.config import EtlConfig
from etl.read import ROW, SHEET_STRIDE, RawTable, row_label_expr
from etl.sources import ENUMS, Column, Source

REJECT_SCHEMA = {
    "file": pl.String,
    "sheet": pl.String,  # the workbook's sheet, null for a CSV or GeoJSON file
    "source": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "message": pl.String,
}

# Mainland China with its islands, generously: coordinates outside are not WGS-84 degrees here.
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)

DATE_HINT = "请写成 2025-05-06、2025/5/6、2025年5月6日 或 20250506"


@dataclass
class Context:
    as_of: dt.date
    config: EtlConfig
    accepted: dict[str, pl.DataFrame] = field(default_factory=dict)  # typed, accepted rows
    # Typed rows that failed, with ROOT: the row whose own fault it comes down to (this row's
    # own label, or, for a row rejected only because of an upstream row, that row's root).
    rejected: dict[str, pl.DataFrame] = field(default_factory=dict)
    sheets: dict[str, list[str]] = field(default_factory=dict)  # source -> sheets read


# Internal columns of a rule's rejects (dropped before they leave check()): the root cause of a
# row rejected only because the row it refers to upstream was rejected.
ROOT = "_root"


def raw(name: str) -> str:
    return f"__raw_{name}"


# ---------------------------------------------------------------------------
# Typing
# ---------------------------------------------------------------------------


def _typed(col: Column, e: pl.Expr, ctx: Context) -> pl.Expr:
    k = col.kind
    if k == "text":
        return nz.text(e)
    if k == "id":
        return nz.identifier(e)
    if k == "division_code":
        return nz.division_code(e)
    if k == "credit_code":
        return nz.credit_code(e)
    if k == "phone":
        return nz.phone(e)
    if k == "date":
        return nz.date(e)
    if k == "amount":
        return nz.amount(e)
    if k == "int":
        return nz.integer(e)
    if k == "year":
        return nz.year(e)
    if k in ("float",):
        return nz.decimal_number(e)
    if k in ("lon", "lat"):
        return nz.coordinate(e)
    if k == "bool":
        return nz.boolean(e)
    if k == "grade":
        return nz.grade(e)
    if k == "rate":
        return nz.rate(e)
    if k == "stars":
        return nz.stars(e)
    if k == "enum":
        return nz.enum(e, _accepted(col, ctx))
    if k == "org_list":
        return nz.org_list(e)
    raise ValueError(f"unknown column kind {k!r}")


def _accepted(col: Column, ctx: Context) -> dict[str, str]:
    if col.enum == "credit_rating":  # the rating scale is the site's, not ours
        out: dict[str, str] = {}
        for code, label in ctx.config.credit_ratings.items():
            for s in (code, label, f"{code}级"):
                out[s.lower()] = code
        return out
    assert col.enum is not None
    return ENUMS[col.enum].accepted()


def _enum_labels(col: Column, ctx: Context) -> str:
    if col.enum == "credit_rating":
        return "、".join(f"{c}（{lab}）" for c, lab in ctx.config.credit_ratings.items())
    assert col.enum is not None
    return "、".join(ENUMS[col.enum].codes.values())


TYPE_MESSAGES: dict[str, str] = {
    "id": "不是有效编号",
    "division_code": "不是12位统计用区划代码（如 341122001001）",
    "credit_code": "不是18位统一社会信用代码（只能含数字和除 I、O、Z、S、V 外的大写字母）",
    "phone": "不是有效电话号码（手机11位，座机带区号）",
    "date": f"不是有效日期，{DATE_HINT}",
    "amount": "不是有效金额，请填写以元为单位的数字，如 12500 或 12,500.00（最多两位小数）",
    "int": "不是整数",
    "year": "不是有效年度，请写成 2025 或 2025年",
    "float": "不是数字",
    "lon": "不是十进制经度数值（如 117.2345）",
    "lat": "不是十进制纬度数值（如 31.4567）",
    "bool": "不是是/否，请填写 是/否、√/×、Y/N 或 1/0",
    "grade": "不是评估等级，请填写 1A 至 5A",
    "rate": "不是比例，请填写如 95%、0.95 或 95",
    "stars": "不是星级，请填写 1 至 5 的数字，如 4、4星 或 四星级",
    "org_list": "不是组织编号或统一社会信用代码的列表，多个请用顿号「、」分隔",
}


def typed_frame(table: RawTable, ctx: Context) -> tuple[pl.DataFrame, pl.LazyFrame]:
    """Typed columns next to their raw text, and the rejects for required and unreadable cells."""
    source = table.source
    frame = table.frame
    exprs: list[pl.Expr] = [pl.col(ROW)]
    for col in source.columns:
        if col.name in frame.columns:
            exprs.append(pl.col(col.name).alias(raw(col.name)))
            exprs.append(_typed_column(col, frame[col.name], ctx).alias(col.name))
        else:
            exprs.append(pl.lit(None, dtype=pl.String).alias(raw(col.name)))
            exprs.append(pl.lit(None).cast(_polars_type(col)).alias(col.name))
    typed = frame.select(exprs)
    checks: list[tuple[pl.Expr, Column, str, pl.Expr]] = []
    for col in source.file_columns():
        present = nz.has_text(pl.col(raw(col.name)))
        if col.required:
            message = pl.lit(f"「{col.label}」为空，这是必填项，请补填。")
            checks.append((~present, col, "required", message))
        if col.kind == "text":
            continue
        if col.kind == "enum":
            msg = f"「{col.label}」的值「{{}}」不在可选范围内。可选：{_enum_labels(col, ctx)}。"
            rule = "enum"
        else:
            msg = f"「{col.label}」的值「{{}}」{TYPE_MESSAGES[col.kind]}。"
            rule = f"type_{col.kind}"
        message = pl.format(msg, pl.col(raw(col.name)))
        checks.append((present & pl.col(col.name).is_null(), col, rule, message))
    return typed, fail_all(typed, checks)


# Below this many rows a column is typed directly; above it, once per distinct spelling.
_DISTINCT_FROM_ROWS = 2000

# Spellings whose typed value is a plain cast (or the text itself): most ids, phones, codes,
# ISO dates and plain numbers are written this way. The regex normalisers run only on the rest.
# [0-9], not \d: Polars' regex \d also matches full-width digits, which a cast cannot read.
_NUMBER = r"^-?[0-9]{1,12}(\.[0-9]+)?$"
_AS_WRITTEN: dict[str, tuple[str, Callable[[pl.Expr], pl.Expr]]] = {
    "id": (r"^[0-9A-Z_-]+$", lambda e: e),
    "phone": (r"^(1[3-9][0-9]{9}|0[0-9]{9,11}|[0-9]{7,8})$", lambda e: e),
    "division_code": (r"^[0-9]{12}$", lambda e: e),
    "credit_code": (rf"^[{nz.CREDIT_ALPHABET}]{{18}}$", lambda e: e),
    "date": (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", lambda e: e.str.to_date("%Y-%m-%d", strict=False)),
    "amount": (
        r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$",
        lambda e: e.cast(pl.Decimal(14, 2), strict=False),
    ),
    "int": (r"^-?[0-9]{1,15}$", lambda e: e.cast(pl.Int64, strict=False)),
    "float": (_NUMBER, lambda e: e.cast(pl.Float64, strict=False)),
    "lon": (_NUMBER, lambda e: e.cast(pl.Float64, strict=False)),
    "lat": (_NUMBER, lambda e: e.cast(pl.Float64, strict=False)),
}


def _typed_column(col: Column, values: pl.Series, ctx: Context) -> pl.Expr:
    """The typed column as an expression, with the normaliser run on as few values as possible.

    Dates, counts, yes/no cells, enums and amounts repeat a lot (a province's 237,000
    organisations have about 20,000 founding dates and 8 spellings of yes/no): they are typed
    once per distinct value and mapped back. Ids, phones, codes, ISO dates and plain numbers are
    mostly written canonically already: those are cast as written and only the others typed and
    put in their places. The regex normalisers cost per value; this cut the typing of a
    province's files from 3.0 s to 0.8 s of CPU (Polars 2.1). tests/test_normalize.py checks
    that every road gives what the normaliser gives row by row.
    """
    e = pl.col(col.name)
    if col.kind in ("text", "org_list") or values.len() < _DISTINCT_FROM_ROWS:
        return _typed(col, e, ctx)
    dtype = _polars_type(col)
    pattern, convert = _AS_WRITTEN.get(col.kind, (None, None))
    if pattern is not None and convert is not None:
        odd = (~values.str.contains(pattern).fill_null(True)).arg_true()
        if odd.len() * 2 > values.len():  # mostly written otherwise (dates as 2025年3月1日)
            return pl.lit(_typed_distinct(col, values, ctx))
        out = values.to_frame("v").select(convert(pl.col("v")).cast(dtype))["v"]
        if odd.len():
            out = out.scatter(odd, _typed_distinct(col, values.gather(odd), ctx))
        return pl.lit(out)
    if values.n_unique() * 4 > values.len():
        return _typed(col, e, ctx)
    return pl.lit(_typed_distinct(col, values, ctx))


def _typed_distinct(col: Column, values: pl.Series, ctx: Context) -> pl.Series:
    """values typed once per distinct value, in their order."""
    dtype = _polars_type(col)
    table = (
        values.drop_nulls()
        .unique()
        .to_frame("v")
        .select("v", _typed(col, pl.col("v"), ctx).cast(dtype).alias("t"))
    )
    return values.replace_strict(table["v"], table["t"], default=None, return_dtype=dtype)


def _polars_type(col: Column) -> pl.DataType:
    return {
        "date": pl.Date(),
        "amount": pl.Decimal(14, 2),
        "int": pl.Int64(),
        "year": pl.Int32(),
        "float": pl.Float64(),
        "lon": pl.Float64(),
        "lat": pl.Float64(),
        "bool": pl.Boolean(),
        "grade": pl.Int8(),
        "rate": pl.Float64(),
        "stars": pl.Int8(),
        "org_list": pl.List(pl.String()),
    }.get(col.kind, pl.String())


# ---------------------------------------------------------------------------
# Rule helpers
# ---------------------------------------------------------------------------


def fail(
    frame: pl.DataFrame | pl.LazyFrame,
    mask: pl.Expr,
    col: Column,
    rule: str,
    message: pl.Expr,
    *extra: pl.Expr,
) -> pl.LazyFrame:
    """The rows of frame where mask holds, as rejects against column col.

    Lazy: check() collects a source's rules together, so Polars runs them in parallel (one at a
    time, each rule over a province's listing kept one core busy and the other idle).
    """
    frame = frame.lazy()
    present = raw(col.name) in frame.collect_schema().names()
    value = pl.col(raw(col.name)) if present else pl.lit(None, pl.String)
    return frame.filter(mask.fill_null(False)).select(
        pl.col(ROW).alias("row"),
        pl.lit(col.label).alias("column"),
        value.cast(pl.String).alias("value"),
        pl.lit(rule).alias("rule"),
        message.alias("message"),
        *extra,
    )


def fail_all(
    frame: pl.DataFrame, checks: list[tuple[pl.Expr, Column, str, pl.Expr]]
) -> pl.LazyFrame:
    """fail() for many (mask, column, rule, message) at once.

    The masks are evaluated together in one pass and only those that hold somewhere are
    filtered: most checks find nothing, and one filter per check over a province's file cost
    more than the typing itself.
    """
    if not checks:
        return no_rejects(frame)
    hits = frame.select(
        [mask.fill_null(False).any().alias(str(i)) for i, (mask, *_) in enumerate(checks)]
    ).row(0)
    found = [fail(frame, *check) for check, hit in zip(checks, hits, strict=True) if hit]
    return pl.concat(found, how="vertical") if found else no_rejects(frame)


def no_rejects(frame: pl.DataFrame) -> pl.LazyFrame:
    """An empty reject list shaped like fail()'s.

    Not a fail() with a filter by lit(False): Polars 2.1.0 raises ShapeError ("filter predicate
    length of 2") filtering 20,000 rows or more by a literal (the points ledger).
    """
    return (
        frame.lazy()
        .head(0)
        .select(
            pl.col(ROW).alias("row"),
            *(pl.lit(None, pl.String).alias(c) for c in ("column", "value", "rule", "message")),
        )
    )


def _v(col: Column) -> pl.Expr:
    return pl.col(raw(col.name)).fill_null("")


def exists_in(
    frame: pl.DataFrame,
    col: Column,
    values: pl.Series,
    rule: str,
    message: str,
    rejected: pl.DataFrame | None = None,
    upstream: str = "",
) -> pl.LazyFrame:
    """Rows whose (non-null) col is not among values; message may use {} for the value.

    When the value is there upstream but its row was rejected, say so: fixing that row fixes both.
    Such rejects carry ROOT (the upstream row at the root of it), so the load can count them
    apart from the file's own faults.
    """
    mask = pl.col(col.name).is_not_null() & ~pl.col(col.name).is_in(values.implode())
    if rejected is None or rejected.is_empty():
        return fail(frame, mask, col, rule, pl.format(message, _v(col)))
    key = values.name
    where = rejected.group_by(key, maintain_order=True).agg(
        pl.col("_label").str.join("、").alias("_upstream_rows"),
        pl.col(ROOT).unique(maintain_order=True).str.join("、").alias("_upstream_root"),
    )
    joined = frame.join(where, left_on=col.name, right_on=key, how="left")
    upstream_hit = pl.col("_upstream_rows").is_not_null()
    text = (
        pl.when(upstream_hit)
        .then(
            pl.format(
                f"「{col.label}」{{}}对应的{upstream}行（{{}}）本身被拒收。请先修正{upstream}中的那一行。",
                _v(col),
                pl.col("_upstream_rows"),
            )
        )
        .otherwise(pl.format(message, _v(col)))
    )
    root = pl.when(upstream_hit).then(pl.col("_upstream_root")).alias(ROOT)
    return fail(joined, mask, col, rule, text, root)


def not_after_as_of(frame: pl.DataFrame, col: Column, ctx: Context) -> pl.LazyFrame:
    return fail(
        frame,
        pl.col(col.name) > ctx.as_of,
        col,
        "after_as_of",
        pl.format(
            f"「{col.label}」{{}}晚于数据截止日期 {ctx.as_of:%Y年%-m月%-d日}，请核对日期。", _v(col)
        ),
    )


def duplicate_keys(
    frame: pl.DataFrame, source: Source, sheets: list[str] | None = None
) -> pl.LazyFrame:
    """Every row of a key that appears more than once: which copy is right is the clerk's call."""
    if not source.key:
        return no_rejects(frame)
    key = list(source.key)
    valid = pl.all_horizontal([pl.col(k).is_not_null() for k in key])
    # Row numbers as before (第5、9行) unless the rows come from several sheets.
    multi = len(sheets or []) > 1
    label = row_label_expr(pl.col(ROW), sheets or []) if multi else pl.col(ROW).cast(pl.String)
    rows = label.str.join("、").over(key)
    # Count first and list the row numbers only for the (few) repeated keys: joining them for
    # every row cost a province's listing 0.15 s.
    counted = (
        frame.with_columns(pl.len().over(key).alias("_n"))
        .filter(valid & (pl.col("_n") > 1))
        .with_columns(rows.alias("_rows"))
    )
    first = source.column(key[0])
    labels = "+".join(source.column(k).label for k in key)
    shown = pl.concat_str([_v(source.column(k)) for k in key], separator=" / ")
    return fail(
        counted,
        valid & (pl.col("_n") > 1),
        first,
        "duplicate",
        pl.format(
            f"{labels}「{{}}」重复出现（{{}}）。同一{labels}只能有一行，请删除或合并重复行。",
            shown,
            pl.col("_rows") if multi else pl.format("第{}行", pl.col("_rows")),
        ),
    )


# ---------------------------------------------------------------------------
# Source rules
# ---------------------------------------------------------------------------

Rule = Callable[[pl.DataFrame, Source, Context], list[pl.LazyFrame]]


def _division_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    code, level, parent, area = (
        s.column(n) for n in ("division_code", "level", "parent_code", "area_type")
    )
    twp = pl.col("division_code").str.slice(6, 3)
    vil = pl.col("division_code").str.slice(9, 3)
    expected_level = (
        pl.when((twp == "000") & (vil == "000"))
        .then(pl.lit("county"))
        .when(vil == "000")
        .then(pl.lit("township"))
        .otherwise(pl.lit("community"))
    )
    level_names = ENUMS["division_level"].codes
    out = [
        fail(
            f,
            pl.col("level").is_not_null()
            & pl.col("division_code").is_not_null()
            & (pl.col("level") != expected_level),
            level,
            "level_code",
            pl.format(
                "区划代码「{}」按编码规则应是{}级，但层级填的是「{}」。请核对代码或层级。",
                _v(code),
                expected_level.replace_strict(level_names, default=""),
                _v(level),
            ),
        ),
        fail(
            f,
            (pl.col("level") == "community")
            & pl.col("area_type").is_null()
            & nz.text(pl.col(raw("area_type"))).is_null(),
            area,
            "committee_type",
            pl.lit("社区（村）一级必须填写委员会类型：居委会 或 村委会。"),
        ),
    ]
    # Parents: a township hangs under a county, a community under a township, both in this file.
    parent_of = f.select(
        pl.col("division_code").alias("parent_code"), pl.col("level").alias("_plevel")
    )
    joined = f.join(parent_of, on="parent_code", how="left")
    want = (
        pl.when(pl.col("level") == "township").then(pl.lit("county")).otherwise(pl.lit("township"))
    )
    needs_parent = pl.col("level").is_in(["township", "community"])
    out.append(
        fail(
            joined,
            needs_parent & pl.col("parent_code").is_not_null() & pl.col("_plevel").is_null(),
            parent,
            "parent_exists",
            pl.format("上级代码「{}」在行政区划表中不存在。请补录上级区划或更正代码。", _v(parent)),
        )
    )
    out.append(
        fail(
            joined,
            needs_parent & pl.col("_plevel").is_not_null() & (pl.col("_plevel") != want),
            parent,
            "parent_level",
            pl.format(
                "上级代码「{}」的层级不对：乡镇的上级应是县，社区（村）的上级应是乡镇。", _v(parent)
            ),
        )
    )
    out.extend(_lon_lat_rules(f, s))
    out.extend(non_negative(f, s, ("population", "households")))
    return out


def non_negative(f: pl.DataFrame, s: Source, names: tuple[str, ...]) -> list[pl.LazyFrame]:
    """Counts and measures that cannot be below zero."""
    return [
        fail(
            f,
            pl.col(c.name) < 0,
            c,
            "non_negative",
            pl.format(f"「{c.label}」{{}}不能为负数。", _v(c)),
        )
        for c in (s.column(n) for n in names)
    ]


def _lon_lat_rules(f: pl.DataFrame, s: Source) -> list[pl.LazyFrame]:
    lon, lat = s.column("lon"), s.column("lat")
    return [
        fail(
            f,
            ~pl.col("lon").is_between(*CHINA_LON),
            lon,
            "in_china",
            pl.format(
                "经度{}不在中国境内（73°–136°E）。请确认经纬度没有填反、单位是十进制度（WGS-84）。",
                _v(lon),
            ),
        ),
        fail(
            f,
            ~pl.col("lat").is_between(*CHINA_LAT),
            lat,
            "in_china",
            pl.format(
                "纬度{}不在中国境内（3°–54°N）。请确认经纬度没有填反、单位是十进制度（WGS-84）。",
                _v(lat),
            ),
        ),
    ]


def _divisions(ctx: Context) -> pl.DataFrame:
    return ctx.accepted["divisions"]


def _boundary_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    code, geo = s.column("division_code"), s.column("geojson")
    out = [
        exists_in(
            f,
            code,
            _divisions(ctx)["division_code"],
            "division_exists",
            "区划代码「{}」在行政区划表中不存在。请核对边界文件的区划代码属性。",
        ),
    ]
    checked = f.with_columns(
        pl.Series("_problem", geometry_problems(f["geojson"]), dtype=pl.String)
    )
    out.append(
        fail(
            checked,
            pl.col("_problem").is_not_null(),
            geo,
            "valid_polygon",
            pl.format(
                "第{}个要素的边界无效：{}。请在 GIS 软件中修复几何后重新导出。",
                pl.col(ROW),
                pl.col("_problem"),
            ),
        )
    )
    return out


def geometry_problems(texts: pl.Series) -> list[str | None]:
    """geometry_problem for a column, vectorised for the common case where every shape is fine.

    shapely 2 parses and tests validity and bounds for the whole array at once; only the few
    shapes that fail are looked at one by one, to say why.
    """
    _quiet_openblas()
    # numpy and shapely are imported here, not at the top: 0.09 s of every load's start-up,
    # before any thread had work; here the reading and building threads are busy meanwhile.
    import numpy as np
    import shapely

    values = texts.to_numpy()
    present = np.array([v is not None for v in values])
    out: list[str | None] = [None] * len(values)
    if not present.any():
        return out
    try:
        geoms = shapely.from_geojson(values[present], on_invalid="ignore")
    except Exception:  # a shape shapely cannot even tokenise: fall back to one at a time
        return [None if v is None else geometry_problem(v) for v in values]
    bounds = shapely.bounds(geoms)
    ok = (
        np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
        & ~shapely.is_empty(geoms)
        & shapely.is_valid(geoms)
        & (bounds[:, 0] >= CHINA_LON[0])
        & (bounds[:, 2] <= CHINA_LON[1])
        & (bounds[:, 1] >= CHINA_LAT[0])
        & (bounds[:, 3] <= CHINA_LAT[1])
    )
    for idx, good in zip(np.flatnonzero(present), ok, strict=True):
        if not good:
            out[idx] = geometry_problem(values[idx])
    return out


def _quiet_openblas() -> None:
    """Before numpy's first import: one OpenBLAS thread, not one per core.

    shapely needs numpy, and numpy 2.4's OpenBLAS starts a thread per core at import that spins
    for a while: 0.07-0.1 s of CPU taken from the load's other threads on 2 cores, for linear
    algebra nothing here does. No effect where numpy is loaded already (the dashboard).
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def geometry_problem(text: str) -> str | None:
    """Why a GeoJSON geometry is not a usable WGS-84 polygon, or None."""
    _quiet_openblas()
    import shapely
    from shapely.geometry import shape

    try:
        geom = shape(json.loads(text))
    except Exception as exc:  # malformed coordinates raise many kinds of errors
        return f"几何无法解析（{type(exc).__name__}）"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"几何类型是 {geom.geom_type}，应为 Polygon 或 MultiPolygon"
    if geom.is_empty:
        return "几何为空"
    if not geom.is_valid:
        return f"多边形自相交或不闭合（{shapely.is_valid_reason(geom)}）"
    minx, miny, maxx, maxy = geom.bounds
    if minx < CHINA_LON[0] or maxx > CHINA_LON[1] or miny < CHINA_LAT[0] or maxy > CHINA_LAT[1]:
        return "坐标不在中国境内，应为 WGS-84 经纬度（十进制度）"
    return None


def _platform_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    div = s.column("division_code")
    return [
        exists_in(
            f,
            div,
            _divisions(ctx)["division_code"],
            "division_exists",
            "所在区划代码「{}」在行政区划表中不存在。请核对代码。",
        ),
        not_after_as_of(f, s.column("opened_on"), ctx),
        fail(
            f,
            pl.col("floor_area_m2") < 0,
            s.column("floor_area_m2"),
            "non_negative",
            pl.lit("面积不能为负数。"),
        ),
        *_lon_lat_rules(f, s),
    ]


def _organization_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    cc, comm = s.column("credit_code"), s.column("community_code")
    est, dis = s.column("established_on"), s.column("dissolved_on")
    divs = _divisions(ctx)
    communities = divs.filter(pl.col("level") == "community")["division_code"]
    valid = nz.credit_code_valid(pl.col("credit_code"))
    out = [
        fail(
            f,
            (pl.col("status") == "registered")
            & pl.col("credit_code").is_null()
            & nz.text(pl.col(raw("credit_code"))).is_null(),
            cc,
            "credit_code_required",
            pl.lit(
                "登记的社会组织必须填写统一社会信用代码（见登记证书）。若实为备案组织，请把登记类型改为「备案」。"
            ),
        ),
        fail(
            f,
            (pl.col("status") == "filed") & nz.text(pl.col(raw("credit_code"))).is_not_null(),
            cc,
            "credit_code_filed",
            pl.format(
                "备案的社区社会组织没有法人资格，不应有统一社会信用代码「{}」。"
                "若已登记，请把登记类型改为「登记」；否则删去该代码。",
                _v(cc),
            ),
        ),
        fail(
            f,
            pl.col("credit_code").is_not_null() & ~valid,
            cc,
            "credit_code_checksum",
            pl.format(
                "统一社会信用代码「{}」校验位错误，代码有误。请对照登记证书逐位核对。", _v(cc)
            ),
        ),
        fail(
            f,
            pl.col("community_code").is_not_null()
            & ~pl.col("community_code").is_in(divs["division_code"].implode()),
            comm,
            "community_exists",
            pl.format("所属社区代码「{}」在行政区划表中不存在。请核对代码。", _v(comm)),
        ),
        fail(
            f,
            pl.col("community_code").is_in(divs["division_code"].implode())
            & ~pl.col("community_code").is_in(communities.implode()),
            comm,
            "is_community",
            pl.format(
                "所属社区代码「{}」是乡镇或县的代码，不是社区（村）。请填写组织所在社区或行政村的代码。",
                _v(comm),
            ),
        ),
        not_after_as_of(f, est, ctx),
        not_after_as_of(f, dis, ctx),
        fail(
            f,
            pl.col("dissolved_on") <= pl.col("established_on"),
            dis,
            "dissolved_after_established",
            pl.format("注销日期{}不晚于成立日期{}。请核对两个日期。", _v(dis), _v(est)),
        ),
    ]
    out.extend(non_negative(f, s, ("members", "volunteers")))
    return out


def _org_exists(f: pl.DataFrame, s: Source, ctx: Context) -> pl.LazyFrame:
    return exists_in(
        f,
        s.column("org_id"),
        ctx.accepted["organizations"]["org_id"],
        "org_exists",
        "组织编号「{}」在社会组织名录中不存在。请核对编号，或先在名录中补录该组织。",
        ctx.rejected.get("organizations"),
        "社会组织名录",
    )


def _year_rule(f: pl.DataFrame, col: Column, ctx: Context) -> pl.LazyFrame:
    return fail(
        f,
        ~pl.col(col.name).is_between(2000, ctx.as_of.year + 1),
        col,
        "year_range",
        pl.format(f"「{col.label}」{{}}超出合理范围（2000年至{ctx.as_of.year + 1}年）。", _v(col)),
    )


def _budget_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    amt = s.column("budget_yuan")
    return [
        fail(
            f,
            pl.col("budget_yuan") < 0,
            amt,
            "non_negative",
            pl.format("预算金额{}不能为负数。", _v(amt)),
        ),
        _year_rule(f, s.column("year"), ctx),
    ]


def _grant_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    amt = s.column("approved_yuan")
    return [
        _org_exists(f, s, ctx),
        exists_in(
            f,
            s.column("division_code"),
            _divisions(ctx)["division_code"],
            "division_exists",
            "区划代码「{}」在行政区划表中不存在。请核对代码。",
        ),
        fail(
            f,
            pl.col("approved_yuan") <= 0,
            amt,
            "positive",
            pl.format("批复金额{}必须大于0。", _v(amt)),
        ),
        not_after_as_of(f, s.column("approved_on"), ctx),
        _year_rule(f, s.column("year"), ctx),
    ]


def _disbursement_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    gid, amt = s.column("grant_id"), s.column("amount_yuan")
    grants = ctx.accepted["grants"].select("grant_id", "approved_yuan", "approved_on")
    out = [
        exists_in(
            f,
            gid,
            grants["grant_id"],
            "grant_exists",
            "项目编号「{}」在资金安排表中不存在。请核对编号，或先在资金安排表中补录该项目。",
            ctx.rejected.get("grants"),
            "资金安排表",
        ),
        fail(
            f,
            pl.col("amount_yuan") <= 0,
            amt,
            "positive",
            pl.format("拨付金额{}必须大于0。", _v(amt)),
        ),
        not_after_as_of(f, s.column("paid_on"), ctx),
    ]
    # Payments in date order; the one that takes the running total over the approval and every
    # later one are rejected, so what loads never exceeds what was approved.
    ok = f.lazy().filter(pl.col("amount_yuan").is_not_null() & pl.col("paid_on").is_not_null())
    running = (
        ok.join(grants.lazy(), on="grant_id", how="inner")
        .sort("grant_id", "paid_on", "disbursement_id", ROW)
        .with_columns(pl.col("amount_yuan").cum_sum().over("grant_id").alias("_paid"))
    )
    out.append(
        fail(
            running,
            pl.col("_paid") > pl.col("approved_yuan"),
            amt,
            "paid_over_approved",
            pl.format(
                "项目「{}」累计拨付{}元，超过批复金额{}元。请核对拨付金额或批复金额。",
                pl.col("grant_id"),
                pl.col("_paid").cast(pl.String),
                pl.col("approved_yuan").cast(pl.String),
            ),
        )
    )
    return out


def _annual_report_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    res, sub = s.column("result"), s.column("submitted_on")
    return [
        _org_exists(f, s, ctx),
        fail(
            f,
            pl.col("result").is_not_null() & pl.col("submitted_on").is_null(),
            res,
            "result_without_submission",
            pl.format(
                "有年报结果「{}」却没有报送日期。请补填报送日期，或在未报送时清空结果。", _v(res)
            ),
        ),
        not_after_as_of(f, sub, ctx),
        _year_rule(f, s.column("report_year"), ctx),
    ]


def _evaluation_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    score, grade = s.column("score"), s.column("grade")
    bands = ctx.config.grade_bands
    expected: pl.Expr = pl.lit(None, dtype=pl.Int8)
    for g, (lo, hi) in sorted(bands.items()):
        inside = (pl.col("score") >= lo) & (
            (pl.col("score") < hi) if hi < 1000 else (pl.col("score") <= hi)
        )
        expected = pl.when(inside).then(pl.lit(g, dtype=pl.Int8)).otherwise(expected)
    band_text = "、".join(
        f"{g}A {lo:g}–{hi:g}" for g, (lo, hi) in sorted(bands.items(), reverse=True)
    )
    return [
        _org_exists(f, s, ctx),
        fail(
            f,
            ~pl.col("score").is_between(0, 1000),
            score,
            "score_range",
            pl.format("得分{}应在0至1000之间。", _v(score)),
        ),
        fail(
            f,
            pl.col("score").is_between(0, 1000)
            & pl.col("grade").is_not_null()
            & (expected.is_null() | (expected != pl.col("grade"))),
            grade,
            "grade_band",
            pl.format(
                f"得分{{}}与等级「{{}}」不符（等级分数段：{band_text}）。请核对得分或等级。",
                _v(score),
                _v(grade),
            ),
        ),
        _year_rule(f, s.column("evaluated_year"), ctx),
    ]


def _credit_rating_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    return [_org_exists(f, s, ctx), _year_rule(f, s.column("year"), ctx)]


def _credit_listing_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    listed, removed = s.column("listed_on"), s.column("removed_on")
    return [
        _org_exists(f, s, ctx),
        fail(
            f,
            pl.col("removed_on") <= pl.col("listed_on"),
            removed,
            "removed_after_listed",
            pl.format("移出日期{}不晚于列入日期{}。请核对两个日期。", _v(removed), _v(listed)),
        ),
        not_after_as_of(f, listed, ctx),
        not_after_as_of(f, removed, ctx),
    ]


def _inspection_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    return [_org_exists(f, s, ctx), not_after_as_of(f, s.column("inspected_on"), ctx)]


# ---- The county's programmes ------------------------------------------------------------------


def _of_level(
    f: pl.DataFrame, col: Column, ctx: Context, level: str, rules: tuple[str, str], wrong: str
) -> list[pl.LazyFrame]:
    """A code that must be in the division list (rule rules[0]) and of this level (rules[1],
    message: the label, then the code, then `wrong`)."""
    divs = _divisions(ctx)
    of_level = divs.filter(pl.col("level") == level)["division_code"]
    known = pl.col(col.name).is_in(divs["division_code"].implode())
    return [
        fail(
            f,
            pl.col(col.name).is_not_null() & ~known,
            col,
            rules[0],
            pl.format(f"「{col.label}」{{}}在行政区划表中不存在。请核对代码。", _v(col)),
        ),
        fail(
            f,
            known & ~pl.col(col.name).is_in(of_level.implode()),
            col,
            rules[1],
            pl.format(f"「{col.label}」{{}}{wrong}", _v(col)),
        ),
    ]


def _in_communities(f: pl.DataFrame, col: Column, ctx: Context) -> list[pl.LazyFrame]:
    """A code that must name a community (社区 or 行政村) in the division list."""
    return _of_level(
        f,
        col,
        ctx,
        "community",
        ("community_exists", "is_community"),
        "是乡镇或县的代码，不是社区（村）。请填写社区或行政村的12位代码。",
    )


def _cn_date(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%Y年%-m月%-d日")


def _with_org(f: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """The rows beside their organisation's community and dates (accepted organisations only)."""
    orgs = ctx.accepted["organizations"].select(
        "org_id",
        pl.col("community_code").alias("_org_community"),
        pl.col("name").alias("_org_name"),
        pl.col("established_on").alias("_org_established"),
        pl.col("dissolved_on").alias("_org_dissolved"),
    )
    return f.join(orgs, on="org_id", how="left")


def _micro_project_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    comm, start, end = s.column("community_code"), s.column("start_on"), s.column("end_on")
    status, rate = s.column("status"), s.column("satisfaction_rate")
    joined = _with_org(f, ctx)
    finished = pl.col("status").is_in(["completed", "cancelled"])
    return [
        _org_exists(f, s, ctx),
        *_in_communities(f, comm, ctx),
        # The speech's micro-projects are a community organisation answering its own residents'
        # needs (围绕居民需求…解决社区居民关心关注的实际问题): the project sits in the
        # organisation's community. A different code is a typo in one of the two columns.
        fail(
            joined,
            pl.col("_org_community").is_not_null()
            & pl.col("community_code").is_not_null()
            & (pl.col("community_code") != pl.col("_org_community")),
            comm,
            "community_matches_org",
            pl.format(
                "社区代码「{}」与实施组织「{}」的所属社区「{}」不一致。微项目由社区社会组织在本社区实施，"
                "请核对社区代码或组织编号。",
                _v(comm),
                pl.col("_org_name"),
                pl.col("_org_community"),
            ),
        ),
        fail(
            joined,
            (pl.col("start_on") < pl.col("_org_established"))
            | (pl.col("start_on") >= pl.col("_org_dissolved")),
            start,
            "org_active",
            pl.when(pl.col("start_on") < pl.col("_org_established"))
            .then(
                pl.format(
                    "开始日期{}时实施组织「{}」尚未成立（成立日期{}）。请核对开始日期或组织编号。",
                    _v(start),
                    pl.col("_org_name"),
                    _cn_date("_org_established"),
                )
            )
            .otherwise(
                pl.format(
                    "开始日期{}时实施组织「{}」已注销（注销日期{}）。请核对开始日期或组织编号。",
                    _v(start),
                    pl.col("_org_name"),
                    _cn_date("_org_dissolved"),
                )
            ),
        ),
        not_after_as_of(f, start, ctx),
        fail(
            f,
            pl.col("end_on") < pl.col("start_on"),
            end,
            "end_after_start",
            pl.format("结束日期{}早于开始日期{}。请核对两个日期。", _v(end), _v(start)),
        ),
        fail(
            f,
            (pl.col("status") == "completed")
            & pl.col("end_on").is_null()
            & nz.text(pl.col(raw("end_on"))).is_null(),
            end,
            "end_required",
            pl.lit("状态为「已结项」的项目必须填写结束日期（结项日期）。"),
        ),
        # A project still running may name its planned end; a finished one ended on a real day.
        fail(
            f,
            finished & (pl.col("end_on") > ctx.as_of),
            end,
            "after_as_of",
            pl.format(
                f"状态为「{{}}」，但结束日期{{}}晚于数据截止日期 {ctx.as_of:%Y年%-m月%-d日}。"
                "请核对状态或结束日期。",
                _v(status),
                _v(end),
            ),
        ),
        *non_negative(f, s, ("budget_yuan", "beneficiaries")),
        fail(
            f,
            ~pl.col("satisfaction_rate").is_between(0, 1),
            rate,
            "rate_range",
            pl.format(
                "满意度「{}」换算后为{}%，应在0至100%之间。请填写如 95%、0.95 或 95。",
                _v(rate),
                (pl.col("satisfaction_rate") * 100).round(1).cast(pl.String),
            ),
        ),
    ]


# An 18-character resident ID or a mobile number: real identities, which the ledger must not hold.
_REAL_ID = r"^(\d{17}[\dX]|1[3-9]\d{9})$"


def _pseudonymous(f: pl.DataFrame, col: Column, message: str) -> pl.LazyFrame:
    """A person's number that looks like an ID-card or mobile number: rejected, and masked in
    the reject itself (not even the reject report keeps the number)."""
    return fail(
        f, pl.col(col.name).str.contains(_REAL_ID), col, "pseudonymous", pl.lit(message)
    ).with_columns(pl.col("value").str.replace(r"^(.{3}).*(.{2})$", "${1}****${2}"))


def _points_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    real = _pseudonymous(
        f,
        s.column("resident_id"),
        "居民编号像是身份证号或手机号。积分台账只能使用化名编号（如 JM0001），"
        "请换成社区编的居民编号后再导入，不要上传居民的真实身份信息。",
    )
    return [
        *_in_communities(f, s.column("community_code"), ctx),
        not_after_as_of(f, s.column("earned_on"), ctx),
        *non_negative(f, s, ("points",)),
        real,
    ]


_TRAINING_LEVEL_NAMES = {"county": "县", "township": "乡镇（街道）", "community": "社区（村）"}


def _training_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    div, level = s.column("division_code"), s.column("level")
    orgs, people = s.column("org_count"), s.column("participants")
    levels = _divisions(ctx).select("division_code", pl.col("level").alias("_div_level"))
    joined = f.join(levels, on="division_code", how="left")
    return [
        exists_in(
            f,
            div,
            _divisions(ctx)["division_code"],
            "division_exists",
            "区划代码「{}」在行政区划表中不存在。请核对代码。",
        ),
        fail(
            joined,
            pl.col("_div_level").is_not_null()
            & pl.col("level").is_not_null()
            & (pl.col("_div_level") != pl.col("level")),
            level,
            "level_division",
            pl.format(
                "层级「{}」与区划代码「{}」不一致：该代码是{}。县级培训填县的代码，乡镇级填乡镇（街道）的，"
                "社区级填社区（村）的。",
                _v(level),
                _v(div),
                pl.col("_div_level").replace_strict(_TRAINING_LEVEL_NAMES, default=""),
            ),
        ),
        not_after_as_of(f, s.column("held_on"), ctx),
        *non_negative(f, s, ("participants", "org_count")),
        fail(
            f,
            pl.col("org_count") > pl.col("participants"),
            orgs,
            "orgs_within_participants",
            pl.format(
                "参训组织{}家多于参训人数{}人：每家组织至少有一人参训。请核对这两列。",
                _v(orgs),
                _v(people),
            ),
        ),
    ]


def _award_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    year = s.column("year")
    joined = _with_org(f, ctx)
    return [
        _org_exists(f, s, ctx),
        _year_rule(f, year, ctx),
        fail(
            f,
            pl.col("year") > ctx.as_of.year,
            year,
            "after_as_of",
            pl.format(f"年度{{}}晚于数据截止日期所在的{ctx.as_of.year}年。请核对年度。", _v(year)),
        ),
        fail(
            joined,
            pl.col("_org_established").dt.year() > pl.col("year"),
            year,
            "org_active",
            pl.format(
                "{}年度表彰时组织「{}」尚未成立（成立日期{}）。请核对年度或组织编号。",
                _v(year),
                pl.col("_org_name"),
                _cn_date("_org_established"),
            ),
        ),
    ]


def _lounge_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    stars, lon = s.column("stars"), s.column("lon")
    return [
        *_in_communities(f, s.column("community_code"), ctx),
        fail(
            f,
            ~pl.col("stars").is_between(1, 5),
            stars,
            "stars_range",
            pl.format("星级「{}」超出范围：睦邻客厅星级评定为一星至五星（1至5）。", _v(stars)),
        ),
        not_after_as_of(f, s.column("rated_on"), ctx),
        *non_negative(f, s, ("floor_area_m2",)),
        *_lon_lat_rules(f, s),
        fail(
            f,
            nz.text(pl.col(raw("lon"))).is_null() != nz.text(pl.col(raw("lat"))).is_null(),
            lon,
            "lon_lat_pair",
            pl.lit("经度和纬度要么都填，要么都不填（都不填时地图上按所在社区的位置显示）。"),
        ),
    ]


# ---- 三社联动, party organisations, federations, major matters, disclosures ---------------------


def _in_townships(f: pl.DataFrame, col: Column, ctx: Context) -> list[pl.LazyFrame]:
    """A code that must name a township (乡镇 or 街道) in the division list."""
    return _of_level(
        f,
        col,
        ctx,
        "township",
        ("division_exists", "is_township"),
        "不是乡镇（街道）的代码。请填写乡镇（街道）的12位代码（后三位为000）。",
    )


def _places(ctx: Context, prefix: str) -> pl.DataFrame:
    """Every division's code, name, level and township, as columns named <prefix>_…, to join."""
    return _divisions(ctx).select(
        pl.col("division_code").alias(f"{prefix}_code"),
        pl.col("name").alias(f"{prefix}_name"),
        pl.col("level").alias(f"{prefix}_level"),
        pl.col("township_code").alias(f"{prefix}_town"),
    )


def _blank(col: Column) -> pl.Expr:
    """Nothing typed in the column's cell."""
    return pl.col(col.name).is_null() & ~nz.has_text(pl.col(raw(col.name)))


def _ordered(f: pl.DataFrame, first: Column, then: Column, rule: str) -> pl.LazyFrame:
    """then's date is after first's (leaving after joining, removal after founding)."""
    return fail(
        f,
        pl.col(then.name) <= pl.col(first.name),
        then,
        rule,
        pl.format(
            f"{then.label}{{}}不晚于{first.label}{{}}。请核对两个日期。", _v(then), _v(first)
        ),
    )


def _station_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    town, comm = s.column("township_code"), s.column("community_code")
    joined = f.join(_places(ctx, "_c"), left_on="community_code", right_on="_c_code", how="left")
    joined = joined.join(
        _places(ctx, "_t").select("_t_code", "_t_name"),
        left_on="township_code",
        right_on="_t_code",
        how="left",
    )
    return [
        *_in_townships(f, town, ctx),
        *_in_communities(f, comm, ctx),
        fail(
            joined,
            (pl.col("_c_level") == "community") & (pl.col("_c_town") != pl.col("township_code")),
            comm,
            "community_in_township",
            pl.format(
                "社区代码「{}」（{}）不在所属乡镇「{}」（{}）内。请核对社区代码或所属乡镇代码。",
                _v(comm),
                pl.col("_c_name"),
                _v(town),
                pl.col("_t_name").fill_null("未知乡镇"),
            ),
        ),
        fail(
            f,
            (pl.col("level") == "community") & _blank(comm),
            comm,
            "community_required",
            pl.lit("层级为「村（社区）社工室」的必须填写所在社区（村）的社区代码。"),
        ),
        not_after_as_of(f, s.column("opened_on"), ctx),
    ]


def _org_places(ctx: Context) -> pl.DataFrame:
    """Accepted organisations with their name and township, to look a reference up by org id or
    by credit code (column _tok)."""
    orgs = ctx.accepted["organizations"].join(
        _places(ctx, "_o").select("_o_code", "_o_town"),
        left_on="community_code",
        right_on="_o_code",
        how="left",
    )
    cols: list[pl.Expr] = [
        pl.col("org_id").alias("_org"),
        pl.col("name").alias("_org_name"),
        pl.col("_o_town"),
    ]
    return pl.concat(
        [
            orgs.select(pl.col("org_id").alias("_tok"), *cols),
            orgs.filter(pl.col("credit_code").is_not_null()).select(
                pl.col("credit_code").alias("_tok"), *cols
            ),
        ]
    ).unique("_tok", keep="first", maintain_order=True)


def _org_list_rules(
    f: pl.DataFrame, col: Column, ctx: Context, area: pl.DataFrame
) -> list[pl.LazyFrame]:
    """Each organisation named in a list cell is in the registry (by org id or credit code), and
    in the township of the row (area: ROW, _town, _town_name).

    A name that is a rejected registry row gets the upstream message, like exists_in's."""
    tokens = (
        f.select(ROW, pl.col(col.name).alias("_tok")).explode("_tok").drop_nulls("_tok")
    ).join(_org_places(ctx), on="_tok", how="left")
    rejected = ctx.rejected.get("organizations")
    if rejected is not None and not rejected.is_empty():
        rej = pl.concat(
            [
                rejected.select(pl.col("org_id").alias("_tok"), "_label", ROOT),
                rejected.select(pl.col("credit_code").alias("_tok"), "_label", ROOT),
            ]
        ).drop_nulls("_tok")
        rej = rej.group_by("_tok", maintain_order=True).agg(
            pl.col("_label").str.join("、"), pl.col(ROOT).first()
        )
    else:
        rej = pl.DataFrame(schema={"_tok": pl.String, "_label": pl.String, ROOT: pl.String})
    unknown = (
        tokens.filter(pl.col("_org").is_null())
        .join(rej, on="_tok", how="left")
        .group_by(ROW, maintain_order=True)
        .agg(
            pl.col("_tok").filter(pl.col("_label").is_null()).str.join("、").alias("_unknown"),
            pl.col("_tok").filter(pl.col("_label").is_not_null()).str.join("、").alias("_up"),
            pl.col("_label").drop_nulls().unique(maintain_order=True).str.join("、").alias("_rows"),
            pl.col(ROOT).drop_nulls().unique(maintain_order=True).str.join("、").alias("_root"),
        )
    )
    own = pl.col("_unknown") != ""
    missing = fail(
        f.join(unknown, on=ROW, how="inner"),
        pl.lit(True),
        col,
        "org_exists",
        pl.when(own)
        .then(
            pl.format(
                f"「{col.label}」中的「{{}}」在社会组织名录中找不到（既不是组织编号，也不是统一社会信用代码）。"
                "请核对，多个组织用顿号「、」分隔。",
                pl.col("_unknown"),
            )
        )
        .otherwise(
            pl.format(
                f"「{col.label}」中的「{{}}」对应的社会组织名录行（{{}}）本身被拒收。"
                "请先修正社会组织名录中的那一行。",
                pl.col("_up"),
                pl.col("_rows"),
            )
        ),
        pl.when(~own).then(pl.col("_root")).alias(ROOT),
    )
    elsewhere = (
        tokens.filter(pl.col("_org").is_not_null())
        .join(area, on=ROW, how="inner")
        .filter(pl.col("_town").is_not_null() & (pl.col("_o_town") != pl.col("_town")))
        .group_by(ROW, maintain_order=True)
        .agg(
            pl.format("「{}」（{}）", "_tok", "_org_name").str.join("、").alias("_outside"),
            pl.col("_town_name").first(),
        )
    )
    return [
        missing,
        fail(
            f.join(elsewhere, on=ROW, how="inner"),
            pl.lit(True),
            col,
            "org_in_township",
            pl.format(
                f"「{col.label}」中的{{}}不在该社工所在的{{}}。社工服务本乡镇（街道）的社会组织，"
                "请核对组织编号。",
                pl.col("_outside"),
                pl.col("_town_name"),
            ),
        ),
    ]


def _worker_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    station, comm = s.column("station_id"), s.column("community_code")
    stations = ctx.accepted["social_work_stations"].select(
        "station_id",
        pl.col("name").alias("_st_name"),
        pl.col("level").alias("_st_level"),
        pl.col("township_code").alias("_st_town"),
        pl.col("community_code").alias("_st_comm"),
    )
    joined = f.join(stations, on="station_id", how="left").join(
        _places(ctx, "_c"), left_on="community_code", right_on="_c_code", how="left"
    )
    town_names = _places(ctx, "_t").select(
        pl.col("_t_code").alias("_town"), pl.col("_t_name").alias("_town_name")
    )
    area = joined.select(
        ROW,
        pl.coalesce(
            "_st_town", pl.when(pl.col("_c_level") == "community").then(pl.col("_c_town"))
        ).alias("_town"),
    ).join(town_names, on="_town", how="left")
    both = pl.col("_st_town").is_not_null() & (pl.col("_c_level") == "community")
    return [
        _pseudonymous(
            f,
            s.column("worker_id"),
            "社工编号像是身份证号或手机号。社工名册只能使用化名编号（如 SG0001），"
            "请换成社工站编的人员编号后再导入，不要上传社工的真实身份信息。",
        ),
        fail(
            f,
            _blank(station) & _blank(comm),
            station,
            "station_or_community",
            pl.lit(
                "社工站编号和社区代码至少填写一项：在社工站工作的填社工站编号，驻社区（村）的填社区代码。"
            ),
        ),
        exists_in(
            f,
            station,
            stations["station_id"],
            "station_exists",
            "社工站编号「{}」在社工站表中不存在。请核对编号，或先在社工站表中补录该站。",
            ctx.rejected.get("social_work_stations"),
            "社工站",
        ),
        *_in_communities(f, comm, ctx),
        fail(
            joined,
            both & (pl.col("_c_town") != pl.col("_st_town")),
            comm,
            "community_in_station_area",
            pl.format(
                "社区代码「{}」（{}）不在社工站「{}」所在的乡镇（街道）内。请核对社区代码或社工站编号。",
                _v(comm),
                pl.col("_c_name"),
                pl.col("_st_name"),
            ),
        ),
        fail(
            joined,
            both
            & (pl.col("_st_level") == "community")
            & (pl.col("_c_town") == pl.col("_st_town"))
            & (pl.col("_st_comm") != pl.col("community_code")),
            comm,
            "community_matches_station",
            pl.format(
                "社区代码「{}」（{}）与社工室「{}」所在的社区不一致。驻社工室的社工填该社工室的社区，"
                "或只填社工站编号。",
                _v(comm),
                pl.col("_c_name"),
                pl.col("_st_name"),
            ),
        ),
        not_after_as_of(f, s.column("joined_on"), ctx),
        not_after_as_of(f, s.column("left_on"), ctx),
        _ordered(f, s.column("joined_on"), s.column("left_on"), "left_after_joined"),
        *_org_list_rules(f, s.column("supported_org_ids"), ctx, area),
    ]


def _party_org_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    div = s.column("division_code")
    joined = f.join(_places(ctx, "_d"), left_on="division_code", right_on="_d_code", how="left")
    return [
        exists_in(
            f,
            div,
            _divisions(ctx)["division_code"],
            "division_exists",
            "所属大党委区划代码「{}」在行政区划表中不存在。请核对代码。",
        ),
        fail(
            joined,
            pl.col("_d_level") == "county",
            div,
            "township_or_community",
            pl.format(
                "所属大党委区划代码「{}」是县的代码。社会组织党组织纳入村（社区）或乡镇（街道）的“大党委”，"
                "请填写社区（村）或乡镇（街道）的代码。",
                _v(div),
            ),
        ),
        not_after_as_of(f, s.column("founded_on"), ctx),
        not_after_as_of(f, s.column("dissolved_on"), ctx),
        _ordered(f, s.column("founded_on"), s.column("dissolved_on"), "dissolved_after_founded"),
    ]


def _coverage_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    pid, org, comm = s.column("party_org_id"), s.column("org_id"), s.column("community_code")
    cfrom, until = s.column("covered_from"), s.column("covered_until")
    parties = ctx.accepted["party_organizations"].select(
        "party_org_id",
        pl.col("name").alias("_party"),
        pl.col("kind").alias("_p_kind"),
        pl.col("division_code").alias("_p_div"),
        pl.col("founded_on").alias("_p_founded"),
    )
    orgs = ctx.accepted["organizations"].select(
        "org_id", pl.col("name").alias("_org_name"), pl.col("community_code").alias("_org_comm")
    )
    j = (
        f.join(parties, on="party_org_id", how="left")
        .join(orgs, on="org_id", how="left")
        .with_columns(pl.coalesce("community_code", "_org_comm").alias("_place"))
        .join(_places(ctx, "_x"), left_on="_place", right_on="_x_code", how="left")
        .join(_places(ctx, "_p"), left_on="_p_div", right_on="_p_code", how="left")
    )
    outside = (
        pl.col("_x_level").eq("community")
        & pl.col("_p_level").is_not_null()
        & pl.when(pl.col("_p_level") == "community")
        .then(pl.col("_place") != pl.col("_p_div"))
        .otherwise(pl.col("_x_town") != pl.col("_p_div"))
    )
    area = pl.format("「{}」所属的{}“大党委”", pl.col("_party"), pl.col("_p_name"))
    singles = (
        j.filter((pl.col("_p_kind") == "single_branch") & pl.col("org_id").is_not_null())
        .with_columns(
            pl.col("org_id").n_unique().over("party_org_id").alias("_n_orgs"),
            pl.col(ROW).cast(pl.String).str.join("、").over("party_org_id").alias("_rows"),
        )
        .filter(pl.col("_n_orgs") > 1)
    )
    return [
        exists_in(
            f,
            pid,
            parties["party_org_id"],
            "party_org_exists",
            "党组织编号「{}」在党组织表中不存在。请核对编号，或先在党组织表中补录该党组织。",
            ctx.rejected.get("party_organizations"),
            "党组织",
        ),
        _org_exists(f, s, ctx),
        *_in_communities(f, comm, ctx),
        fail(
            f,
            _blank(org) & _blank(comm),
            org,
            "org_or_community",
            pl.lit(
                "组织编号和社区代码请填写其中一项：覆盖一个社会组织的填组织编号，覆盖一个社区（村）的填社区代码。"
            ),
        ),
        fail(
            f,
            ~_blank(org) & ~_blank(comm),
            comm,
            "org_or_community",
            pl.lit(
                "同一行既填了组织编号又填了社区代码。每行只填一项：覆盖社会组织的填组织编号，"
                "覆盖社区（村）的另起一行只填社区代码。"
            ),
        ),
        fail(
            j,
            outside & pl.col("org_id").is_not_null() & pl.col("community_code").is_null(),
            org,
            "in_party_area",
            pl.format(
                "组织「{}」在{}，不在党组织{}范围内。请核对组织编号或党组织编号。",
                pl.col("_org_name"),
                pl.col("_x_name"),
                area,
            ),
        ),
        fail(
            j,
            outside & pl.col("org_id").is_null() & pl.col("community_code").is_not_null(),
            comm,
            "in_party_area",
            pl.format(
                "社区「{}」不在党组织{}范围内。请核对社区代码或党组织编号。",
                pl.col("_x_name"),
                area,
            ),
        ),
        fail(
            singles,
            pl.lit(True),
            org,
            "single_branch_one_org",
            pl.format(
                "「{}」是单独党支部，只覆盖本组织一家，但在第{}行覆盖了{}家组织。"
                "若是联合党支部，请在党组织表中把组建方式改为「联合党支部」。",
                pl.col("_party"),
                pl.col("_rows"),
                pl.col("_n_orgs"),
            ),
        ),
        fail(
            j,
            pl.col("covered_from") < pl.col("_p_founded"),
            cfrom,
            "covered_after_founded",
            pl.format(
                "纳入日期{}早于党组织「{}」的成立日期{}。请核对纳入日期。",
                _v(cfrom),
                pl.col("_party"),
                _cn_date("_p_founded"),
            ),
        ),
        not_after_as_of(f, cfrom, ctx),
        not_after_as_of(f, until, ctx),
        _ordered(f, cfrom, until, "until_after_from"),
    ]


_FEDERATION_LEVEL_NAMES = {"county": "县", "township": "乡镇（街道）", "community": "社区（村）"}


def _federation_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    div, level = s.column("division_code"), s.column("level")
    joined = f.join(_places(ctx, "_d"), left_on="division_code", right_on="_d_code", how="left")
    return [
        exists_in(
            f,
            div,
            _divisions(ctx)["division_code"],
            "division_exists",
            "所在区划代码「{}」在行政区划表中不存在。请核对代码。",
        ),
        fail(
            joined,
            pl.col("_d_level").is_not_null()
            & pl.col("level").is_not_null()
            & (pl.col("_d_level") != pl.col("level")),
            level,
            "level_division",
            pl.format(
                "层级「{}」与所在区划代码「{}」不一致：该代码是{}。县级联合会填县的代码，乡镇级填乡镇（街道）的。",
                _v(level),
                _v(div),
                pl.col("_d_level").replace_strict(_FEDERATION_LEVEL_NAMES, default=""),
            ),
        ),
        not_after_as_of(f, s.column("founded_on"), ctx),
    ]


def _federation_member_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    fid, org, joined_on = s.column("federation_id"), s.column("org_id"), s.column("joined_on")
    feds = ctx.accepted["federations"].select(
        "federation_id",
        pl.col("name").alias("_f_name"),
        pl.col("level").alias("_f_level"),
        pl.col("division_code").alias("_f_div"),
        pl.col("founded_on").alias("_f_founded"),
    )
    j = (
        _with_org(f, ctx)
        .join(feds, on="federation_id", how="left")
        .join(_places(ctx, "_o"), left_on="_org_community", right_on="_o_code", how="left")
        .join(
            _places(ctx, "_t").select("_t_code", "_t_name"),
            left_on="_f_div",
            right_on="_t_code",
            how="left",
        )
    )
    return [
        exists_in(
            f,
            fid,
            feds["federation_id"],
            "federation_exists",
            "联合会编号「{}」在联合会表中不存在。请核对编号，或先在联合会表中补录该联合会（行业协会）。",
            ctx.rejected.get("federations"),
            "联合会",
        ),
        _org_exists(f, s, ctx),
        fail(
            j,
            (pl.col("_f_level") == "township")
            & pl.col("_o_town").is_not_null()
            & (pl.col("_o_town") != pl.col("_f_div")),
            org,
            "member_in_area",
            pl.format(
                "组织「{}」在{}，不在乡镇级「{}」所在的{}。乡镇级联合会（行业协会）的成员是本乡镇（街道）的"
                "社会组织，请核对组织编号或联合会编号。",
                pl.col("_org_name"),
                pl.col("_o_name"),
                pl.col("_f_name"),
                pl.col("_t_name"),
            ),
        ),
        fail(
            j,
            pl.col("joined_on") < pl.col("_f_founded"),
            joined_on,
            "joined_after_founded",
            pl.format(
                "加入日期{}早于「{}」的成立日期{}。请核对加入日期或联合会编号。",
                _v(joined_on),
                pl.col("_f_name"),
                _cn_date("_f_founded"),
            ),
        ),
        _org_active_on(j, joined_on, "组织"),
        not_after_as_of(f, joined_on, ctx),
        not_after_as_of(f, s.column("left_on"), ctx),
        _ordered(f, joined_on, s.column("left_on"), "left_after_joined"),
    ]


def _org_active_on(joined: pl.DataFrame, day: Column, who: str) -> pl.LazyFrame:
    """The organisation (joined by _with_org) existed on the row's date: established by then
    and not yet dissolved."""
    return fail(
        joined,
        (pl.col(day.name) < pl.col("_org_established"))
        | (pl.col(day.name) >= pl.col("_org_dissolved")),
        day,
        "org_active",
        pl.when(pl.col(day.name) < pl.col("_org_established"))
        .then(
            pl.format(
                f"{day.label}{{}}时{who}「{{}}」尚未成立（成立日期{{}}）。请核对{day.label}或组织编号。",
                _v(day),
                pl.col("_org_name"),
                _cn_date("_org_established"),
            )
        )
        .otherwise(
            pl.format(
                f"{day.label}{{}}时{who}「{{}}」已注销（注销日期{{}}）。请核对{day.label}或组织编号。",
                _v(day),
                pl.col("_org_name"),
                _cn_date("_org_dissolved"),
            )
        ),
    )


def _major_matter_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    matter = s.column("matter_on")
    return [
        _org_exists(f, s, ctx),
        # A matter still to come is on the ledger only when it was reported ahead (事前报告).
        fail(
            f,
            (pl.col("matter_on") > ctx.as_of) & _blank(s.column("reported_on")),
            matter,
            "after_as_of",
            pl.format(
                f"事项日期{{}}晚于数据截止日期 {ctx.as_of:%Y年%-m月%-d日}，又没有报告日期。"
                "尚未发生的事项只有事前已报告的才登记，请核对日期。",
                _v(matter),
            ),
        ),
        not_after_as_of(f, s.column("reported_on"), ctx),
        _org_active_on(_with_org(f, ctx), matter, "组织"),
    ]


def _disclosure_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    year, on = s.column("year"), s.column("disclosed_on")
    joined = _with_org(f, ctx)
    return [
        _org_exists(f, s, ctx),
        _year_rule(f, year, ctx),
        not_after_as_of(f, on, ctx),
        fail(
            f,
            pl.col("disclosed_on").dt.year() < pl.col("year"),
            on,
            "disclosed_in_or_after_year",
            pl.format("公开日期{}早于所公开信息的{}年度。请核对年度或公开日期。", _v(on), _v(year)),
        ),
        fail(
            f,
            (pl.col("item") == "annual_report")
            & (pl.col("disclosed_on").dt.year() == pl.col("year")),
            on,
            "report_after_year",
            pl.format(
                "{}年度的年度工作报告在该年度结束后才能公开，公开日期{}还在年内。"
                "请核对年度（公开的多是上一年度的报告）或公开日期。",
                _v(year),
                _v(on),
            ),
        ),
        fail(
            joined,
            pl.col("_org_established").dt.year() > pl.col("year"),
            year,
            "org_active",
            pl.format(
                "{}年度时组织「{}」尚未成立（成立日期{}）。请核对年度或组织编号。",
                _v(year),
                pl.col("_org_name"),
                _cn_date("_org_established"),
            ),
        ),
    ]


# ---- The leadership's yearly targets (queries/indicators.toml names what may be targeted) -------


def _target_rules(f: pl.DataFrame, s: Source, ctx: Context) -> list[pl.LazyFrame]:
    from queries.indicators import catalogue

    chosen = catalogue().targetable()
    rates = [i.key for i in chosen if i.is_rate]
    whole = [i.key for i in chosen if not i.is_rate and i.digits == 0]
    county_only = [i.key for i in chosen if not i.township_target]
    labels = {i.key: i.label for i in chosen}
    town, indicator, value = (
        s.column("township_code"),
        s.column("indicator"),
        s.column("target_text"),
    )
    label = pl.col("indicator").replace_strict(labels, default=pl.col("indicator"))
    has_value = nz.has_text(pl.col(raw("target_text"))) & pl.col("indicator").is_not_null()
    number = pl.col("target_value")
    # One target per year, place and indicator; a blank township is the county (a null key part,
    # which duplicate_keys would skip).
    place = pl.col("township_code").fill_null("")
    key = [pl.col("year"), place, pl.col("indicator")]
    valid = pl.col("year").is_not_null() & pl.col("indicator").is_not_null()
    sheets = ctx.sheets.get(s.name, [])
    multi = len(sheets) > 1  # rows named as duplicate_keys names them
    row = row_label_expr(pl.col(ROW), sheets) if multi else pl.format("第{}行", pl.col(ROW))
    counted = f.with_columns(
        pl.len().over(key).alias("_n"), row.str.join("、").over(key).alias("_rows")
    )
    return [
        *_in_townships(f, town, ctx),
        fail(
            f,
            has_value & number.is_null(),
            value,
            "target_number",
            pl.format(
                "「目标值」「{}」不是{}的目标值。比例请写成 95%、0.95 或 95，个数写整数（如 30），"
                "平均数写数字（如 10.5）。",
                _v(value),
                label,
            ),
        ),
        fail(
            f,
            pl.col("indicator").is_in(rates) & ((number < 0) | (number > 1)),
            value,
            "target_range",
            pl.format("{}的目标值「{}」不在0%到100%之间。请改为如 95% 的比例。", label, _v(value)),
        ),
        fail(
            f,
            ~pl.col("indicator").is_in(rates) & (number < 0),
            value,
            "target_range",
            pl.format("{}的目标值「{}」是负数。请填写0或更大的数。", label, _v(value)),
        ),
        fail(
            f,
            pl.col("indicator").is_in(whole) & (number != number.round(0)),
            value,
            "target_whole",
            pl.format("{}是个数，目标值「{}」应为整数。请改为整数。", label, _v(value)),
        ),
        fail(
            f,
            pl.col("indicator").is_in(county_only) & pl.col("township_code").is_not_null(),
            town,
            "target_county_only",
            pl.format(
                "{}只能为全县设定目标（按全县编列预算），不能为乡镇（街道）{}设定。"
                "请清空「乡镇（街道）代码」，或删除这一行。",
                label,
                _v(town),
            ),
        ),
        fail(
            counted,
            valid & (pl.col("_n") > 1),
            indicator,
            "duplicate",
            pl.format(
                "{}年{}的{}目标重复出现（{}）。同一年度、同一范围的一个指标只能有一个目标，"
                "请删除或合并重复行。",
                pl.col("year"),
                pl.when(pl.col("township_code").is_null())
                .then(pl.lit("全县"))
                .otherwise(pl.format("乡镇（街道）{}", pl.col("township_code"))),
                label,
                pl.col("_rows"),
            ),
        ),
    ]


RULES: dict[str, Rule] = {
    "divisions": _division_rules,
    "division_boundaries": _boundary_rules,
    "platforms": _platform_rules,
    "organizations": _organization_rules,
    "fund_budgets": _budget_rules,
    "grants": _grant_rules,
    "disbursements": _disbursement_rules,
    "annual_reports": _annual_report_rules,
    "evaluations": _evaluation_rules,
    "credit_ratings": _credit_rating_rules,
    "credit_listings": _credit_listing_rules,
    "inspections": _inspection_rules,
    "micro_projects": _micro_project_rules,
    "points_ledger": _points_rules,
    "trainings": _training_rules,
    "awards": _award_rules,
    "lounges": _lounge_rules,
    "social_work_stations": _station_rules,
    "social_workers": _worker_rules,
    "party_organizations": _party_org_rules,
    "party_org_coverage": _coverage_rules,
    "federations": _federation_rules,
    "federation_members": _federation_member_rules,
    "major_matter_reports": _major_matter_rules,
    "info_disclosures": _disclosure_rules,
    "targets": _target_rules,
}


@dataclass
class Checked:
    source: Source
    file: str
    rows_read: int
    accepted: pl.DataFrame  # typed warehouse columns only
    rejects: pl.DataFrame  # REJECT_SCHEMA, one row per (row, problem)
    # Rows rejected only because the row they refer to upstream (their organisation, community,
    # grant) was rejected: (sheet, row, root) with root the upstream row at the bottom of it
    # (「社会组织名录第45行」). They are in rejects too, but not this file's fault.
    upstream: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"sheet": pl.String, "row": pl.Int64, "root": pl.String}
        )
    )
    sheets: list[str] = field(default_factory=list)  # the workbook's sheets read
    ignored_sheets: list = field(default_factory=list)  # etl.read.IgnoredSheet

    @property
    def rows_rejected(self) -> int:
        """Rows not loaded, whatever the reason (upstream ones included)."""
        if self.rejects.is_empty():
            return 0
        return self.rejects.select(pl.struct("sheet", "row").n_unique()).item()

    @property
    def rows_upstream(self) -> int:
        """Of rows_rejected, those rejected only because of a rejected upstream row."""
        return self.upstream.height

    @property
    def rows_own_rejected(self) -> int:
        """Rows rejected for a fault of this file's own: what its threshold judges."""
        return self.rows_rejected - self.rows_upstream

    @property
    def reject_share(self) -> float:
        """The share of this file's rows rejected for its own faults (upstream ones excluded)."""
        return self.rows_own_rejected / self.rows_read if self.rows_read else 0.0


@dataclass
class Typed:
    """A raw table typed and derived, with its cell rejects: what needs no other source."""

    table: RawTable
    frame: pl.DataFrame
    rejects: pl.LazyFrame


def check(prepared: Typed, ctx: Context) -> Checked:
    """Validate one typed table (its derived columns built by etl/rows.py); record its accepted
    rows in the context. Judges rows only: nothing here computes a column the warehouse keeps."""
    table, typed, rejects = prepared.table, prepared.frame, prepared.rejects
    source = table.source
    sheets = table.sheets
    ctx.sheets[source.name] = sheets
    found = [
        rejects,
        duplicate_keys(typed, source, sheets),
        *RULES[source.name](typed, source, ctx),
    ]
    all_rejects = (
        pl.concat(found, how="diagonal_relaxed")
        .unique(maintain_order=True)
        .sort("row", maintain_order=True)
        .collect()
    )
    if ROOT not in all_rejects.columns:
        all_rejects = all_rejects.with_columns(pl.lit(None, dtype=pl.String).alias(ROOT))
    # A row is upstream's fault when every reject of it names an upstream row; its root is the
    # first of those (a row referring to two rejected rows names both).
    per_row = all_rejects.group_by("row", maintain_order=True).agg(
        pl.col(ROOT).is_not_null().all().alias("_only_upstream"),
        pl.col(ROOT).drop_nulls().first().alias("root"),
    )
    bad_rows = per_row["row"]
    accepted = typed.filter(~pl.col(ROW).is_in(bad_rows.implode())).select(
        ROW, *[c.name for c in source.columns]
    )
    ctx.accepted[source.name] = accepted
    own_label = pl.format("{}{}", pl.lit(source.label), pl.col("_label"))
    ctx.rejected[source.name] = (
        typed.filter(pl.col(ROW).is_in(bad_rows.implode()))
        .with_columns(row_label_expr(pl.col(ROW), sheets).alias("_label"))
        .join(per_row.rename({"row": ROW}), on=ROW, how="left")
        .with_columns(
            pl.when(pl.col("_only_upstream")).then(pl.col("root")).otherwise(own_label).alias(ROOT)
        )
    )
    # Name the column as the clerk's own file heads it ("结果", not our canonical "抽查结果").
    as_written = {source.column(n).label: h for n, h in table.headers.items()}
    sheet = _sheet_expr(pl.col("row"), sheets)
    rejects_out = all_rejects.select(
        pl.lit(table.path.name).alias("file"),
        sheet.alias("sheet"),
        pl.lit(source.name).alias("source"),
        (pl.col("row").cast(pl.Int64) % SHEET_STRIDE).alias("row"),
        pl.col("column").replace(as_written),
        "value",
        "rule",
        "message",
    )
    upstream = per_row.filter("_only_upstream").select(
        sheet.alias("sheet"),
        (pl.col("row").cast(pl.Int64) % SHEET_STRIDE).alias("row"),
        "root",
    )
    return Checked(
        source,
        table.path.name,
        typed.height,
        accepted.drop(ROW),
        rejects_out,
        upstream,
        list(sheets),
        list(table.ignored_sheets),
    )


def _sheet_expr(row: pl.Expr, sheets: list[str]) -> pl.Expr:
    if not sheets:
        return pl.lit(None, dtype=pl.String)
    if len(sheets) == 1:
        return pl.lit(sheets[0], dtype=pl.String)
    return (row // SHEET_STRIDE).replace_strict(
        list(range(len(sheets))), pl.Series(sheets, dtype=pl.String), default=None
    )
