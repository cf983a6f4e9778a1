"""Number formats of the pages: the house style of reports/wording.py (one rule for pages,
reports and downloads), with the unit and an em dash for a missing value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reports import wording as w


def count(n: int | None, unit: str = "家") -> str:
    """2,216家; from 100,000 on in 万 (22.16万家, wording.big), as a province's totals are read."""
    return "—" if n is None else f"{w.big(n)}{unit}"


def yuan(amount: float | Decimal | None) -> str:
    """Amounts of 10,000 yuan and more in 万元, smaller ones in 元 (wording.money)."""
    return w.money(amount) or "—"


def rate(r: float | None) -> str:
    """A 0–1 rate, one decimal (wording.percent)."""
    return w.percent(r) or "—"


def cn_date(d: dt.date | None) -> str:
    """2025年12月31日 (wording.date), — for none."""
    return "—" if d is None else w.date(d)


def delta(
    current: float | None, previous: float | None, unit: str = "家", digits: int = 0
) -> str | None:
    """'比上年 +12家' style change for a metric tile, None when there is nothing to compare."""
    if current is None or previous is None:
        return None
    diff = round(current - previous, digits)
    return since(diff, f"{abs(diff):,.{digits}f}{unit}")


def since(diff: float, size: str) -> str:
    """'比上年 +35.00万元' / '比上年 −2家': the change's sign (a real minus, U+2212, as every page
    writes it) before its size, already formatted without a sign."""
    return f"比上年 {'+' if diff >= 0 else '−'}{size}"


def pp(rate: float | None) -> float | None:
    """A 0–1 rate in percentage points, for a tile's change written in 个百分点."""
    return None if rate is None else rate * 100


def points(diff: float | None) -> str | None:
    """A change of a rate in percentage points, signed: '比上年 −24.2个百分点'."""
    return None if diff is None else since(round(diff, 3), f"{abs(diff) * 100:.1f}个百分点")


def unique_labels(codes: list[str], names: list[str]) -> dict[str, str]:
    """code -> label for a picker, the code added where a name repeats (every county of a province
    has its 城关镇). Streamlit 1.67 keeps a selectbox's choice by its label, so two options that read
    the same silently switch to the other one on the next rerun."""
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return {c: (n if seen[n] == 1 else f"{n}（{c}）") for c, n in zip(codes, names, strict=True)}
