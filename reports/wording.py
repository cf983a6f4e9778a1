"""The house style of numbers, for pages, reports and downloads alike (issue 20):

- counts with thousands separators: 2,216家, 12,864人次 (GB/T 15835-2011 4.1.3's 千分撇);
- rates with one decimal, always: 94.2%, 100.0%, 42.0% (a rate just short of a whole 100 % reads
  近100%, a tiny one 不足0.1%); changes of rates in 个百分点, one decimal;
- money in 万元 from ten thousand yuan, in 元 below, at most two decimals with trailing zeros
  dropped (250万元, 14.9万元, 302.98万元, 9,800元, 3.1元); tables keep two decimals in a column;
- a change's sign as a real minus (−, U+2212) where a sign is written; in prose 增加/减少;
- averages the way the speech rounds them in prose (近23 / 超过23 / 15).

dashboard/formats.py writes page figures with these functions; the report's sentences too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

Number = int | float | Decimal

NUMERALS = "一二三四五六七八九十"


def count(n: int) -> str:
    """A count with thousands separators (2,216家; 156家)."""
    return f"{int(n):,}"


def big(n: int) -> str:
    """A count for a figure's tile: exact below 100,000 (2,216), in 万 from it on, two decimals with
    trailing zeros dropped (22.16万, 156.75万): a province's totals would not fit a tile."""
    if abs(int(n)) >= 100_000:
        return f"{_trim(int(n) / 10_000, 2)}万"
    return count(n)


def _nearest(v: float) -> int:
    # Half up, not Python's half-to-even: 22.5 is "近23", never "超过22".
    return math.floor(v + 0.5)


def average(value: Number | None) -> str | None:
    """An average the way a speech rounds it: 22.9 → 近23, 23.0 → 23, 23.4 → 超过23.

    Whole when it shows as .0 at one decimal (1186 / 79 = 15.01 → 15); otherwise 近 the next whole
    number from below, 超过 the whole number it exceeds; under one, 不足1.
    """
    if value is None:
        return None
    v = float(value)
    if round(v, 1) == _nearest(v):
        return str(_nearest(v))
    if v < 1:
        return "不足1"
    n = _nearest(v)
    return f"近{n}" if v < n else f"超过{n}"


def percent(rate: Number | None) -> str | None:
    """A 0–1 rate as a percentage with one decimal, always (100.0%, 41.2%, 42.0%): side by side
    in a table or a sentence, 100 beside 86.7 or 42% beside 41.2% read as different precisions.

    A rate just short of 100 % never rounds up to a full 100 % (nor a tiny one down to 0 %).
    """
    if rate is None:
        return None
    r = float(rate)
    text = f"{r * 100:.1f}"
    if r < 1 and text == "100.0":
        return "近100%"
    if r > 0 and text == "0.0":
        return "不足0.1%"
    return text + "%"


def points(rate_a: Number, rate_b: Number) -> str:
    """The difference of two 0–1 rates in percentage points, unsigned, one decimal (1.0个百分点)."""
    diff = abs(float(rate_a) - float(rate_b)) * 100
    return f"{diff:.1f}个百分点"


def _trim(x: float, digits: int) -> str:
    text = f"{x:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def money(yuan: Number | None) -> str | None:
    """An amount in 亿元 from a hundred million yuan up (a province's totals), in 万元 from ten
    thousand, in 元 below, at most two decimals with trailing zeros dropped: 3.26亿元, 250万元,
    14.9万元, 302.98万元, 9,800元, 3.1元."""
    if yuan is None:
        return None
    y = float(yuan)
    if abs(y) >= 100_000_000:
        return f"{_trim(y / 100_000_000, 2)}亿元"
    if abs(y) >= 10_000:
        return f"{_trim(y / 10_000, 2)}万元"
    return f"{_trim(y, 2)}元"


def join(items: Iterable[str], etc: bool = False) -> str:
    """Items joined with 、 (为民服务、公益慈善), with 等 when the list stops short of everything."""
    text = "、".join(items)
    return f"{text}等" if etc and text else text


def change(current: Number, previous: Number, unit: str = "家") -> str:
    """比上年增加56家 / 比上年减少3家 / 与上年持平."""
    diff = float(current) - float(previous)
    if unit.endswith("元"):
        amount = money(abs(diff)) or ""
        if round(diff, 2) == 0:
            return "与上年持平"
        return f"比上年{'增加' if diff > 0 else '减少'}{amount}"
    if round(diff, 1) == 0:
        return "与上年持平"
    shown = _trim(abs(diff), 1)
    return f"比上年{'增加' if diff > 0 else '减少'}{shown}{unit}"


def rate_change(current: Number, previous: Number) -> str:
    """比上年提高1.2个百分点 / 比上年下降0.5个百分点 / 与上年持平 (both 0–1 rates)."""
    if round((float(current) - float(previous)) * 100, 1) == 0:
        return "与上年持平"
    word = "提高" if current > previous else "下降"
    return f"比上年{word}{points(current, previous)}"


def compare(value: Number, reference: Number, digits: int = 1) -> str:
    """高于 / 低于 / 持平 (at the shown precision), for a township against the county."""
    a, b = round(float(value), digits), round(float(reference), digits)
    if a > b:
        return "高于"
    if a < b:
        return "低于"
    return "持平于"


def date(d: dt.date) -> str:
    """2025年12月31日."""
    return f"{d.year}年{d.month}月{d.day}日"


def as_of(d: dt.date, then: str | None = None) -> str:
    """「截至2025年12月31日」, and with `then` the sentence it opens: 「截至2025年12月31日，全县…」.

    The report's sentences and the pages' captions state the date a figure stands at this one way."""
    lead = f"截至{date(d)}"
    return lead if then is None else f"{lead}，{then}"


def ordinal(i: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (section numbers)."""
    if i <= 10:
        return NUMERALS[i - 1]
    if i < 20:
        return "十" + NUMERALS[i - 11]
    tens, ones = divmod(i, 10)
    return NUMERALS[tens - 1] + "十" + (NUMERALS[ones - 1] if ones else "")


def items(pairs: Sequence[tuple[str, Number]], unit: str = "家", keep_zero: bool = False) -> str:
    """'登记156家、备案2060家' from (label, n) pairs; zero entries dropped unless keep_zero."""
    parts = []
    for label, n in pairs:
        if n or keep_zero:
            shown = money(n) if unit.endswith("元") else f"{count(int(n))}{unit}"
            parts.append(f"{label}{shown}")
    return join(parts)


# Whole numbers that name something rather than count it are written plain, never 2,025年.
_PLAIN_COLUMN = re.compile(r"年$|年度|年份|代码|编号|行号|序号|批次|year|code|_id$|^row$|port")


def plain_column(name: str) -> bool:
    """Whether a table column of whole numbers names things (years, codes, row numbers) and is
    written without thousands separators; every other whole-number column gets them."""
    return bool(_PLAIN_COLUMN.search(name))
