"""Tables as every page draws them: whole-number columns with thousands separators (18,578),
years, codes and row numbers plain, a column headed （%） with one decimal (100.0 beside 86.7,
never 100 beside 86.7) (reports/wording.py, the house style of numbers).

Streamlit 1.67 draws an integer column of st.dataframe without separators unless its
column_config says "%,d" (the "," flag is Streamlit's own extension of sprintf).
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from reports import wording as w

COUNT = "%,d"  # whole numbers
ONE = "%,.1f"  # averages
MONEY = "%,.2f"  # 万元, 元 per person
RATE = "%.1f%%"  # a rate already times 100
PERCENT_COLUMN = "%.1f"  # a column headed （%）: the header carries the sign


def wan(col: str) -> pl.Expr:
    """An amount in yuan as 万元 with two decimals, for a column headed （万元）."""
    return (pl.col(col).cast(pl.Float64) / 10_000).round(2)


def pct(col: str) -> pl.Expr:
    """A 0–1 rate as a percentage with one decimal, for a column headed （%） and its download."""
    return (pl.col(col) * 100).round(1)


def iso(col: str) -> pl.Expr:
    """A date column as text (2025-12-31), empty where missing (filters and downloads read it)."""
    return pl.col(col).cast(pl.Utf8).fill_null("")


def number_config(frame: pl.DataFrame, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """`config` with the house format for every whole-number column and every column headed （%）
    that it does not configure."""
    out = dict(config or {})
    if not isinstance(frame, pl.DataFrame):  # a pandas frame or a dict: drawn as given
        return out
    for name, dtype in frame.schema.items():
        if dtype.is_integer() and not w.plain_column(name):
            number = COUNT
        elif dtype.is_float() and ("（%）" in name or "(%)" in name):
            number = PERCENT_COLUMN
        else:
            continue
        given = out.get(name)
        if given is None or isinstance(given, str):  # not configured, or only renamed
            out[name] = st.column_config.NumberColumn(given or name, format=number)
    return out


def show(frame: pl.DataFrame, **kwargs: Any) -> Any:
    """st.dataframe with the house number formats filled in (returns what st.dataframe does).

    The frame goes in as an Arrow table: Streamlit 1.67 writes a pyarrow table as it is, while a
    Polars frame takes a trip through pandas first (DataFrame.to_pandas, then pandas to Arrow),
    which was a sixth of the 总览's server time per session (issue 15, docs/PERFORMANCE.md)."""
    kwargs["column_config"] = number_config(frame, kwargs.get("column_config"))
    return st.dataframe(frame.to_arrow(), **kwargs)
