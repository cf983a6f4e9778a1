"""The year's targets as pages show them: the 总览's table, the township league's columns, the 大屏's
box, and the community page's table of every catalogue indicator. Plain frames in, frames or text
out (no Streamlit), so they are tested without a page.

The words come from queries/indicators.py (progress_status, progress_phrase), so the 总览, the 大屏
and the report say the same thing of the same figures.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from queries.indicators import Indicator, catalogue, is_met, progress_status, shortfall
from reports import wording as w

# Where a target comes from (target_progress.target_basis).
BASIS = {"own": "设定的目标", "county": "沿用全县目标"}


def _entry(row: dict) -> Indicator:
    return catalogue()[row["indicator"]]


def basis(row: dict) -> str:
    """「设定的目标」, 「沿用全县目标」 or the default's basis 「国家标准（民发〔2017〕191号）」."""
    if row["target_basis"] == "default":
        return row.get("default_basis") or "默认目标"
    return BASIS.get(row["target_basis"], "")


def done(row: dict) -> float | None:
    """How much of the target is reached, 0–1 (for a progress bar); None without data."""
    actual, target = row["actual"], row["target"]
    if actual is None:
        return None
    if not row["higher_is_better"]:
        return 1.0 if actual <= target else max(0.0, target / actual) if actual else 1.0
    if target <= 0:
        return 1.0
    return max(0.0, min(1.0, actual / target))


def goal(row: dict) -> str:
    """What the target is called: 年度目标, or 国家标准 for a default one."""
    if row["target_basis"] == "default":
        return _entry(row).default_label or "默认目标"
    return "年度目标"


def status(row: dict) -> str:
    """「距年度目标95%差0.8个百分点」, 「已达到国家标准10家」 (with 按时间进度 for 资金执行率)."""
    ind = _entry(row)
    return progress_status(ind, row["actual"], row["target"], row.get("expected_now"), goal(row))


def place_rows(progress: pl.DataFrame, township: str | None) -> list[dict]:
    """The target_progress rows of one place: the county (None) or a township."""
    if progress.is_empty():
        return []
    if township is None:
        return progress.filter(pl.col("is_county")).to_dicts()
    return progress.filter(pl.col("township_code") == township).to_dicts()


def summary(rows: list[dict]) -> str:
    """「年度目标7项，已达成3项（设定的目标5项，国家标准2项）」."""
    met = sum(1 for r in rows if r["met"])
    kinds: dict[str, int] = {}
    for r in rows:
        name = "国家标准" if r["target_basis"] == "default" else BASIS.get(r["target_basis"], "")
        kinds[name] = kinds.get(name, 0) + 1
    parts = "，".join(f"{k}{n}项" for k, n in kinds.items())
    return f"年度目标{len(rows)}项，已达成{met}项（{parts}）"


def table(rows: list[dict]) -> pl.DataFrame:
    """The 总览's table: indicator, actual, target, share reached (94%), where it stands, the
    basis; all text, as st.table shows it."""
    schema = {
        "指标": pl.String,
        "实际": pl.String,
        "目标": pl.String,
        "完成度": pl.String,
        "进度": pl.String,
        "目标来源": pl.String,
    }
    out = []
    for r in rows:
        ind = _entry(r)
        share = done(r)
        out.append(
            {
                "指标": ind.label,
                "实际": ind.written(r["actual"]) or "—",
                "目标": ind.written(r["target"], as_set=True),
                "完成度": w.percent(share) or "—",  # 99.2%, 100.0% (the house style of rates)
                "进度": status(r),
                "目标来源": basis(r),
            }
        )
    return pl.DataFrame(out, schema=schema)


def league(progress: pl.DataFrame, townships: pl.DataFrame) -> pl.DataFrame:
    """Per township (frame: queries/overview/townships): goals_met 「2/3」 (targets met of its
    targets) and goals_missed 「年报报送率差11.3个百分点；…」. Default targets (the national
    floor's averages) count like set ones."""
    codes = townships["township_code"].to_list()
    rows = progress.filter(~pl.col("is_county")).to_dicts() if progress.height else []
    by_town: dict[str, list[dict]] = {}
    for r in rows:
        by_town.setdefault(r["township_code"], []).append(r)
    met, missed = [], []
    for code in codes:
        mine = by_town.get(code, [])
        met.append(f"{sum(1 for r in mine if r['met'])}/{len(mine)}" if mine else "—")
        missed.append(
            "；".join(
                f"{_entry(r).label}{'暂无数据' if r['actual'] is None else '差' + short(r)}"
                for r in mine
                if not r["met"]
            )
            or ("全部达成" if mine else "—")
        )
    return pl.DataFrame(
        {"township_code": codes, "goals_met": met, "goals_missed": missed},
        schema={"township_code": pl.String, "goals_met": pl.String, "goals_missed": pl.String},
    )


def short(row: dict) -> str:
    """How far short of its target a row is, as written (0.8个百分点, 28家)."""
    return shortfall(_entry(row), row["actual"], row["target"])


def screen_items(rows: list[dict]) -> list[tuple[str, str]]:
    """The 大屏's 年度目标 box: (indicator and value, target and where it stands) per target,
    those not met first."""
    ordered = sorted(rows, key=lambda r: (bool(r["met"]), r["sort_order"]))
    out = []
    for r in ordered:
        ind = _entry(r)
        goal = f"目标{ind.written(r['target'], as_set=True)}"
        if r["actual"] is None:
            detail = f"{goal} · 暂无数据"
        elif r["met"]:
            detail = f"{goal} · 已达成"
        else:
            detail = f"{goal} · 差{short(r)}"
            expected = r.get("expected_now")
            if expected is not None and abs(expected - r["target"]) > 1e-9:  # not at year end
                pace = is_met(ind, r["actual"], r["expected_now"])
                detail += " · 进度正常" if pace else " · 落后于时间进度"
        out.append((f"{ind.label} {ind.written(r['actual']) or '—'}", detail))
    return out


def community_table(values: dict[str, Any], area_type: str | None) -> pl.DataFrame:
    """Every per-community indicator of the catalogue (`map = true`), in its order: the
    community's value, its standard where the catalogue gives one, and how it is computed.

    values: the community's row of each mart, keyed by column (community_indicators and
    community_programmes merged); an indicator whose column is missing shows —.
    """
    area = "urban" if area_type == "urban" else "rural"
    out = []
    for ind in catalogue().on_map():
        value = values.get(ind.column)
        standard = ""
        if ind.threshold is not None:
            floor = ind.threshold[area]
            reached = "" if value is None else ("，已达标" if value >= floor else "，未达标")
            standard = f"{ind.threshold_label or '标准'}{ind.written(floor, as_set=True)}{reached}"
        out.append(
            {"指标": ind.label, "本社区": ind.shown(value), "标准": standard, "口径": ind.note}
        )
    return pl.DataFrame(
        out, schema={"指标": pl.String, "本社区": pl.String, "标准": pl.String, "口径": pl.String}
    )
