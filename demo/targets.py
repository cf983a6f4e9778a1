"""Demo data for the leadership's yearly targets (年度目标, the targets source).

A few targets as a county writes them at the start of the year: for the whole county the 年报报送率,
资金执行率, every community at the national floor, organisations rated 4A or above and 党建入章; for
two townships one each. demo/synthetic.py calls `sources()` once per county; only the first county of a
demo has targets (a province's "全县" row is the whole region's). Nothing here draws randomness,
so the other sources never change.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# source -> (format, encoding) at scale 1, as demo/synthetic.py's _FORMATS
FORMATS: dict[str, tuple[str, str]] = {"targets": ("xlsx", "")}

NOTE = "县委常委会年初确定"
# (township position among the county's townships, or None for the county; indicator; as typed)
TARGETS: tuple[tuple[int | None, str, str, str], ...] = (
    (None, "report_submission_rate", "95%", NOTE),
    (None, "fund_execution_rate", "90%", "12月31日前完成"),
    (None, "share_meeting_floor", "100%", "每个城乡社区都达到国家标准"),
    (None, "count_4a_plus", "30", NOTE),
    (None, "party_in_charter_rate", "100%", NOTE),
    (0, "report_submission_rate", "98%", "城区街道"),
    (1, "count_active", "260", "乡镇（街道）自定"),
)


def _value(text: str) -> float:
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def sources(
    frames: dict[str, pl.DataFrame], first: bool, as_of: dt.date
) -> dict[str, pl.DataFrame]:
    """{"targets": rows}: the year's targets of the first county, none for the others."""
    schema = {
        "year": pl.Int32(),
        "township_code": pl.String(),
        "indicator": pl.String(),
        "target_text": pl.String(),
        "target_value": pl.Float64(),
        "note": pl.String(),
    }
    if not first:
        return {"targets": pl.DataFrame(schema=schema)}
    towns = sorted(
        frames["divisions"].filter(pl.col("level") == "township")["division_code"].to_list()
    )
    rows = [
        {
            "year": as_of.year,
            "township_code": None if at is None else towns[at],
            "indicator": key,
            "target_text": text,
            "target_value": _value(text),
            "note": note,
        }
        for at, key, text, note in TARGETS
        if at is None or at < len(towns)
    ]
    return {"targets": pl.DataFrame(rows, schema=schema)}


def titles(source: str, region: str) -> tuple[list[str], list[str]]:
    """Rows above the header and below the data, as the office's template has them."""
    if source == "targets":
        return [f"{region}社区社会组织工作年度目标", ""], [
            "注：乡镇（街道）代码为空的是全县目标；比例可写成 95% 或 0.95。"
        ]
    return [], []
