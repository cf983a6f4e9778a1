"""Number formats in Chinese conventions: 家, 万元, %, and the date as the bureau writes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def count(n: int | None, unit: str = "家") -> str:
    return "—" if n is None else f"{n:,}{unit}"


def yuan(amount: float | Decimal | None) -> str:
    """Amounts of 10,000 yuan and more in 万元, smaller ones in 元."""
    if amount is None:
        return "—"
    a = float(amount)
    if abs(a) >= 10_000:
        return f"{a / 10_000:,.2f}万元"
    return f"{a:,.0f}元"


def rate(r: float | None, digits: int = 1) -> str:
    return "—" if r is None else f"{r * 100:.{digits}f}%"


def cn_date(d: dt.date | None) -> str:
    return "—" if d is None else f"{d.year}年{d.month}月{d.day}日"


def delta(
    current: float | None, previous: float | None, unit: str = "家", digits: int = 0
) -> str | None:
    """'比上年 +12家' style change for a metric tile, None when there is nothing to compare."""
    if current is None or previous is None:
        return None
    diff = round(current - previous, digits)
    sign = "+" if diff >= 0 else "−"
    return f"比上年 {sign}{abs(diff):,.{digits}f}{unit}"


def unique_labels(codes: list[str], names: list[str]) -> dict[str, str]:
    """code -> label for a picker, the code added where a name repeats (every county of a province
    has its 城关镇). Streamlit 1.67 keeps a selectbox's choice by its label, so two options that read
    the same silently switch to the other one on the next rerun."""
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return {c: (n if seen[n] == 1 else f"{n}（{c}）") for c, n in zip(codes, names, strict=True)}
