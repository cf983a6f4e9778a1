"""The indicator catalogue (queries/indicators.toml): each indicator's label, unit, note, grain,
mart and threshold, read once; the warehouse's copy of it; and how a value and its progress
against a target are written.

Pages, the map, the 大屏, the report and the ETL's targets source read it from here instead of
restating it (docs/ARCHITECTURE.md). The build writes it into the warehouse (warehouse_ddl), so
the marts take the national floor from there (macro community_floor) and analysts see it as the
table indicator_catalogue.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "indicators.toml"
GRAINS = ("community", "township", "county")
AREAS = ("urban", "rural")  # committee types a threshold is given for; others count as rural
GRAIN_LABELS = {"community": "社区", "township": "乡镇（街道）", "county": "县"}
_FIELDS = {
    "key",
    "label",
    "unit",
    "header_unit",
    "digits",
    "note",
    "higher_is_better",
    "grains",
    "mart",
    "column",
    "map",
    "target",
    "township_target",
    "township_inherits",
    "cumulative",
    "threshold",
    "threshold_label",
    "threshold_basis",
    "default_target",
    "aliases",
}


class CatalogueError(ValueError):
    """The catalogue file says something the code cannot use (names the entry and the field)."""


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str  # "%" for a 0–1 rate
    note: str
    grains: tuple[str, ...]
    mart: str
    column: str
    digits: int = 0
    header_unit: str | None = None
    higher_is_better: bool = True
    map: bool = False
    target: bool = False
    township_target: bool = True
    township_inherits: bool = True
    cumulative: bool = False
    threshold: dict[str, float] | None = None
    threshold_label: str | None = None
    threshold_basis: str | None = None
    default_target: float | None = None
    default_basis: str | None = None  # why default_target is what it is (国家标准（民发…）)
    default_label: str | None = None  # what a sentence calls it instead of 年度目标 (国家标准)
    aliases: tuple[str, ...] = ()
    sort_order: int = 0

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def header(self) -> str:
        """The table header: 社会组织数（家）, 年报报送率（%）, 积分制参与（每千人）."""
        unit = self.unit if self.header_unit is None else self.header_unit
        return f"{self.label}（{unit}）" if unit else self.label

    @property
    def scale(self) -> float:
        """What a table multiplies the stored value by (rates are stored 0–1, shown in %)."""
        return 100.0 if self.is_rate else 1.0

    @property
    def number_format(self) -> str:
        """A printf format for st.column_config of value × scale."""
        return "%d" if self.digits == 0 and not self.is_rate else f"%.{self.digits}f"

    def shown(self, value: float | None) -> str:
        """A value as pages show it: 2,215家, 94.0%, 22.9家, 1.5倍; — for none. A rate keeps one
        decimal at least, whatever its digits (the house style: 100.0% beside 86.7%)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        v = float(value)
        if self.is_rate:
            return f"{v * 100:.{max(self.digits, 1)}f}%"
        if self.digits == 0:
            return f"{round(v):,}{self.unit}"
        return f"{v:,.{self.digits}f}{self.unit}"

    def written(self, value: float | None, as_set: bool = False) -> str | None:
        """A value as a sentence writes it, in the house style of reports/wording.py: a measured
        rate with one decimal (94.2%, 100.0%; a rate just short of 100 % reads 近100%), a target
        as it was set (as_set: 95%, 97.5%), counts with separators (2,216家), 22.9家."""
        if value is None:
            return None
        v = float(value)
        if self.is_rate:
            if as_set:
                return f"{_trim(v * 100, max(self.digits, 1))}%"
            text = f"{_half_up(v * 100, 1):.1f}"
            return "近100%" if v < 1 and text == "100.0" else f"{text}%"
        text = _trim(v, self.digits)
        if "." not in text and abs(v) >= 1000:
            text = f"{int(text):,}"
        return f"{text}{self.unit}"


def _half_up(x: float, digits: int) -> float:
    """Half up, as the bureau rounds (not Python's half to even)."""
    q = 10**digits
    return math.floor(abs(x) * q + 0.5) / q * (1 if x >= 0 else -1)


def _trim(x: float, digits: int) -> str:
    text = f"{_half_up(x, digits):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def progress_phrase(
    ind: Indicator,
    actual: float | None,
    target: float,
    expected_now: float | None = None,
    goal: str = "年度目标",
) -> str:
    """Where an indicator stands against its year's target, as the report and the pages write it:

    「年报报送率94.2%，距年度目标95%差0.8个百分点」, 「党建入章率100%，已达到年度目标100%」; for a
    cumulative one also the share of the year gone: 「…，按时间进度应达67.3%，落后5.4个百分点」.
    The gap is the difference of the two numbers as written, so the sentence adds up. goal names
    the target: 国家标准 for a default target (「平均每个行政村组织数15家，已达到国家标准5家」).
    """
    if actual is None:
        return f"{ind.label}暂无数据（{goal}{ind.written(target, as_set=True)}）"
    status = progress_status(ind, actual, target, expected_now, goal)
    return f"{ind.label}{ind.written(actual)}，{status}"


def progress_status(
    ind: Indicator,
    actual: float | None,
    target: float,
    expected_now: float | None = None,
    goal: str = "年度目标",
) -> str:
    """progress_phrase without the indicator and its value (a table has them in columns):
    「距年度目标95%差0.8个百分点」, 「已达到年度目标100%」."""
    aim = f"{goal}{ind.written(target, as_set=True)}"
    if actual is None:
        return f"暂无数据（{aim}）"
    if is_met(ind, actual, target):
        return f"已达到{aim}"
    text = f"距{aim}差{shortfall(ind, actual, target)}"
    # At the year's end the share of the year gone is all of it: nothing more to say.
    if expected_now is not None and abs(expected_now - target) > 1e-9:
        text += f"，按时间进度应达{ind.written(expected_now)}，"
        text += (
            "进度正常"
            if is_met(ind, actual, expected_now)
            else f"落后{shortfall(ind, actual, expected_now)}"
        )
    return text


def is_met(ind: Indicator, actual: float, target: float) -> bool:
    """As the target_progress mart decides it: at or beyond the target, in the better direction."""
    return actual >= target if ind.higher_is_better else actual <= target


def shortfall(ind: Indicator, actual: float, target: float) -> str:
    """How far actual is from target as the two are written (95% − 94.2% = 0.8个百分点)."""
    scale = 100 if ind.is_rate else 1
    digits = max(ind.digits, 1) if ind.is_rate else ind.digits
    gap = abs(_half_up(target * scale, digits) - _half_up(actual * scale, digits))
    unit = "个百分点" if ind.is_rate else ind.unit
    if _half_up(gap, digits) == 0:  # both round to the same figure, yet it is not reached
        return f"不足{_trim(10**-digits, digits)}{unit}"
    # Percentage points keep their decimal, as every rate does (reports/wording.py points).
    return (
        f"{_half_up(gap, digits):.{digits}f}{unit}"
        if ind.is_rate
        else f"{_trim(gap, digits)}{unit}"
    )


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]

    def __getitem__(self, key: str) -> Indicator:
        for i in self.indicators:
            if i.key == key:
                return i
        raise KeyError(f"no indicator {key!r} in {CATALOGUE.name}")

    def __contains__(self, key: object) -> bool:
        return any(i.key == key for i in self.indicators)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.indicators)

    def on_map(self) -> list[Indicator]:
        """Per-community indicators offered on the map and the community page, in file order."""
        return [i for i in self.indicators if i.map]

    def targetable(self) -> list[Indicator]:
        """Indicators a yearly target can be set for (the targets source, the 目标 page)."""
        return [i for i in self.indicators if i.target]

    @property
    def floor(self) -> dict[str, int]:
        """The national floor per committee type: organisations a community should have."""
        t = self["count_active"].threshold
        assert t is not None
        return {area: int(t[area]) for area in AREAS}

    @property
    def floor_basis(self) -> str:
        return self["count_active"].threshold_basis or ""

    def floor_text(self, rural_noun: str = "农村社区") -> str:
        """「城市社区U家、农村社区R家」 with the floor's numbers (rural_noun: 行政村, …)."""
        f = self.floor
        return f"城市社区{f['urban']}家、{rural_noun}{f['rural']}家"

    def floor_rule(self) -> str:
        """The rule as the bureau's documents state it, with its basis: 「按照城市社区平均不少于
        U个、农村社区平均不少于R个社区社会组织的要求（民发〔2017〕191号）」."""
        f = self.floor
        return (
            f"按照城市社区平均不少于{f['urban']}个、农村社区平均不少于{f['rural']}个"
            f"社区社会组织的要求（{self.floor_basis}）"
        )


def _entry(raw: dict, order: int) -> dict:
    where = f"{CATALOGUE.name} 第{order}个指标（{raw.get('key', '?')}）"
    unknown = set(raw) - _FIELDS
    if unknown:
        raise CatalogueError(f"{where}：不认识的字段 {', '.join(sorted(unknown))}")
    for name in ("key", "label", "unit", "note", "grains", "mart"):
        if name not in raw:
            raise CatalogueError(f"{where}：缺少字段 {name}")
    bad = [g for g in raw["grains"] if g not in GRAINS]
    if bad:
        raise CatalogueError(f"{where}：grains 只能是 {', '.join(GRAINS)}，不是 {', '.join(bad)}")
    if raw.get("map") and "community" not in raw["grains"]:
        raise CatalogueError(f"{where}：map = true 的指标须有 community 粒度")
    if raw.get("target") and not {"township", "county"} & set(raw["grains"]):
        raise CatalogueError(f"{where}：target = true 的指标须有 township 或 county 粒度")
    threshold = raw.get("threshold")
    if threshold is not None and set(threshold) != set(AREAS):
        raise CatalogueError(f"{where}：threshold 须写 urban 和 rural 两个值")
    return raw


@lru_cache(maxsize=4)
def catalogue(path: Path = CATALOGUE) -> Catalogue:
    """The catalogue file, checked; notes have {floor} filled in (floor_text's words)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    raws = [_entry(r, n) for n, r in enumerate(data.get("indicator", []), 1)]
    keys = [r["key"] for r in raws]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise CatalogueError(f"{path.name}：指标 {', '.join(repeated)} 重复")
    by_key = {r["key"]: r for r in raws}
    floor = by_key.get("count_active", {}).get("threshold")
    if floor is None:
        raise CatalogueError(f"{path.name}：count_active 须有 threshold（国家标准）")
    floor_text = f"城市社区{floor['urban']}家、农村社区{floor['rural']}家"
    out = []
    for n, r in enumerate(raws, 1):
        default, basis, name = r.get("default_target"), None, None
        if isinstance(default, str):  # "count_active.threshold.urban"
            other, _, area = default.partition(".threshold.")
            src = by_key.get(other, {})
            if area not in AREAS or "threshold" not in src:
                raise CatalogueError(f"{path.name} {r['key']}：default_target「{default}」无法解析")
            default = src["threshold"][area]
            name = src.get("threshold_label", "标准")
            basis = f"{name}（{src.get('threshold_basis', '')}）"
        out.append(
            Indicator(
                key=r["key"],
                label=r["label"],
                unit=r["unit"],
                note=r["note"].replace("{floor}", floor_text),
                grains=tuple(r["grains"]),
                mart=r["mart"],
                column=r.get("column", r["key"]),
                digits=int(r.get("digits", 0)),
                header_unit=r.get("header_unit"),
                higher_is_better=bool(r.get("higher_is_better", True)),
                map=bool(r.get("map", False)),
                target=bool(r.get("target", False)),
                township_target=bool(r.get("township_target", True)),
                township_inherits=bool(r.get("township_inherits", True)),
                cumulative=bool(r.get("cumulative", False)),
                threshold={k: float(v) for k, v in r["threshold"].items()}
                if "threshold" in r
                else None,
                threshold_label=r.get("threshold_label"),
                threshold_basis=r.get("threshold_basis"),
                default_target=None if default is None else float(default),
                default_basis=basis,
                default_label=name,
                aliases=tuple(r.get("aliases", ())),
                sort_order=n,
            )
        )
    return Catalogue(tuple(out))


# ---------------------------------------------------------------- the warehouse's copy


def _q(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def _num(x: float | None) -> str:
    return "NULL" if x is None else repr(float(x))


CATALOGUE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("key", "VARCHAR PRIMARY KEY", "指标键（页面和宏中的列名）"),
    ("label", "VARCHAR NOT NULL", "指标名称"),
    ("unit", "VARCHAR NOT NULL", "单位（% 为0–1的比例）"),
    ("digits", "INTEGER NOT NULL", "显示的小数位数"),
    ("note", "VARCHAR NOT NULL", "口径：怎样计算"),
    ("higher_is_better", "BOOLEAN NOT NULL", "越高越好"),
    ("grains", "VARCHAR[] NOT NULL", "粒度：community 社区、township 乡镇、county 县"),
    ("mart", "VARCHAR NOT NULL", "定义它的宏（queries/marts/）"),
    ("column_name", "VARCHAR NOT NULL", "宏中的列名"),
    ("on_map", "BOOLEAN NOT NULL", "在地图和社区页上显示"),
    ("is_targetable", "BOOLEAN NOT NULL", "可设定年度目标"),
    ("township_target", "BOOLEAN NOT NULL", "可为乡镇（街道）设定目标"),
    ("township_inherits", "BOOLEAN NOT NULL", "乡镇未设目标时沿用全县目标"),
    ("cumulative", "BOOLEAN NOT NULL", "随年度累计（按时间进度比较）"),
    ("threshold_urban", "DOUBLE", "标准值：城市社区"),
    ("threshold_rural", "DOUBLE", "标准值：农村社区（行政村）"),
    ("threshold_label", "VARCHAR", "标准名称"),
    ("threshold_basis", "VARCHAR", "标准依据（文件）"),
    ("default_target", "DOUBLE", "未设定目标时的默认目标"),
    ("default_basis", "VARCHAR", "默认目标的依据"),
    ("sort_order", "INTEGER NOT NULL", "显示顺序"),
)


def _row(i: Indicator) -> str:
    t = i.threshold or {}
    values = [
        _q(i.key),
        _q(i.label),
        _q(i.unit),
        str(i.digits),
        _q(i.note),
        str(i.higher_is_better).lower(),
        "[" + ", ".join(_q(g) for g in i.grains) + "]",
        _q(i.mart),
        _q(i.column),
        str(i.map).lower(),
        str(i.target).lower(),
        str(i.township_target).lower(),
        str(i.township_inherits).lower(),
        str(i.cumulative).lower(),
        _num(t.get("urban")),
        _num(t.get("rural")),
        _q(i.threshold_label),
        _q(i.threshold_basis),
        _num(i.default_target),
        _q(i.default_basis),
        str(i.sort_order),
    ]
    return "(" + ", ".join(values) + ")"


def warehouse_ddl(cat: Catalogue | None = None) -> list[str]:
    """Statements that put the catalogue into a new build before its marts are made: the table
    indicator_catalogue, and community_floor(area_type), the national floor of a community of
    that committee type, which the marts use instead of writing the numbers themselves."""
    cat = cat or catalogue()
    cols = ",\n    ".join(f"{name} {sql}" for name, sql, _ in CATALOGUE_COLUMNS)
    floor = cat.floor
    out = [
        f"CREATE TABLE indicator_catalogue (\n    {cols}\n)",
        "COMMENT ON TABLE indicator_catalogue IS "
        "'指标目录：每个指标的名称、单位、口径、粒度、所在的宏、标准和默认目标（queries/indicators.toml）'",
        *(
            f"COMMENT ON COLUMN indicator_catalogue.{name} IS {_q(label)}"
            for name, _, label in CATALOGUE_COLUMNS
        ),
        "INSERT INTO indicator_catalogue VALUES " + ",\n".join(_row(i) for i in cat),
        # Inlined where it is used (a macro, not a join): a committee type other than urban
        # (blank, or rural) is held to the rural floor, as the bureau counts villages.
        f"CREATE MACRO community_floor(area_type) AS "
        f"CASE area_type WHEN 'urban' THEN {floor['urban']} ELSE {floor['rural']} END",
    ]
    return out
