"""Normalisers: turn the spellings clerks type into typed values, as vectorised Polars expressions.

Every normaliser takes a string expression and returns a typed expression that is null where the
input cannot be read unambiguously. The validator compares input and output: a value that was
present but came out null is a rejected cell.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# Excel's day zero for serial dates (the 1900 leap-year bug makes it Dec 30, not Dec 31).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers accepted as Excel dates: 1954-10-03 .. 2119-01-26. Anything else is not a date.
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 20000, 80000

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}

_WS = r"[\s\u3000\u00a0\ufeff]+"


# What _WS matches, spelled out for strip_chars: Unicode White_Space (the regex \s) and the BOM.
SPACES = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def text(e: pl.Expr) -> pl.Expr:
    """Trim ordinary and full-width spaces; empty becomes null. Keeps the writing as typed."""
    # strip_chars, not a regex replace: a quarter of the time over a province's files.
    out = e.str.strip_chars(SPACES)
    return pl.when(out == "").then(None).otherwise(out)


def has_text(e: pl.Expr) -> pl.Expr:
    """True where text(e) would not be null: something other than spaces was typed."""
    return e.str.contains(r"[^\s\ufeff]").fill_null(False)


# Full-width forms and the ideographic space: the only characters NFKC needs to touch here.
_FULLWIDTH = r"[\uff01-\uff5e\u3000]"


def halfwidth(e: pl.Expr) -> pl.Expr:
    """NFKC, but only on values that hold full-width characters.

    NFKC over every Chinese string cost 0.4 s per 240,000 values (Polars 2.1); guarded by a cheap
    regex test it costs almost nothing when, as usual, few cells are typed in full width.
    """
    return pl.when(e.str.contains(_FULLWIDTH)).then(e.str.normalize("NFKC")).otherwise(e)


def compact(e: pl.Expr) -> pl.Expr:
    """NFKC (full-width digits and letters to ASCII) and no whitespace at all; empty -> null."""
    out = halfwidth(e).str.replace_all(_WS, "")
    return pl.when(out == "").then(None).otherwise(out)


def _strip_float_zero(e: pl.Expr) -> pl.Expr:
    # Excel hands numeric cells over as "341122001001.0"; the ".0" is not part of the code.
    return e.str.replace(r"^(\d+)\.0+$", "${1}")


def identifier(e: pl.Expr) -> pl.Expr:
    """An id such as an organisation number: NFKC, no spaces, upper case."""
    return _strip_float_zero(compact(e)).str.to_uppercase()


def division_code(e: pl.Expr) -> pl.Expr:
    """A 12-digit statistical division code; null if it is anything else."""
    c = _strip_float_zero(compact(e))
    return pl.when(c.str.contains(r"^\d{12}$")).then(c).otherwise(None)


def credit_code(e: pl.Expr) -> pl.Expr:
    """Unified social credit code, normalised (NFKC, no spaces or dashes, upper case).

    Returns the cleaned 18-character string if it is made of the code alphabet, else null. Use
    credit_code_valid for the checksum so the two failures get different messages.
    """
    c = compact(e).str.replace_all(r"[-_]", "").str.to_uppercase()
    return pl.when(c.str.contains(rf"^[{CREDIT_ALPHABET}]{{18}}$")).then(c).otherwise(None)


def credit_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters (for generators and tests)."""
    total = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_valid(e: pl.Expr) -> pl.Expr:
    """True when an already-normalised 18-character code carries the right check character."""
    total = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(CREDIT_WEIGHTS):
        total = total + _credit_value(e.str.slice(i, 1)) * w
    return ((31 - total % 31) % 31) == _credit_value(e.str.slice(17, 1))


def _credit_value(ch: pl.Expr) -> pl.Expr:
    """A code character's value: its base-36 value less the letters the alphabet skips.

    Arithmetic instead of a per-character lookup table (replace_strict took 3 s per 240,000
    codes). The skipped letters are I (18), O (24), S (28) and V (31); callers have already
    checked that only alphabet characters are present.
    """
    v = ch.str.to_integer(base=36, strict=False)
    return (
        v
        - (v > 18).cast(pl.Int64)
        - (v > 24).cast(pl.Int64)
        - (v > 28).cast(pl.Int64)
        - (v > 31).cast(pl.Int64)
    )


def _number_text(e: pl.Expr) -> pl.Expr:
    # Thousands separators (ASCII and Chinese comma), currency signs and the unit 元 go away.
    return compact(e).str.replace_all(r"[,，¥￥]|元$", "")


def amount(e: pl.Expr) -> pl.Expr:
    """Money in yuan as Decimal(14,2). Accepts 1,234.50 / ¥1234.5 / 12.5万 / 12.5万元."""
    t = _number_text(e).str.replace(r"元$", "")
    wan = t.str.ends_with("万")
    digits = t.str.strip_suffix("万")
    ok = digits.str.contains(r"^-?\d+(\.\d+)?$")
    value = digits.cast(pl.Decimal(20, 6), strict=False)
    value = pl.when(wan).then(value * 10000).otherwise(value)
    # More than two decimals after scaling is not a yuan amount a clerk meant.
    rounded = value.cast(pl.Decimal(14, 2), strict=False)
    exact = rounded.cast(pl.Decimal(20, 6)) == value
    return pl.when(ok & exact).then(rounded).otherwise(None)


def integer(e: pl.Expr) -> pl.Expr:
    """A whole number (counts, population); accepts thousands separators and a trailing .0."""
    t = _strip_float_zero(_number_text(e)).str.replace(r"[人户家个]$", "")
    return pl.when(t.str.contains(r"^-?\d+$")).then(t.cast(pl.Int64, strict=False)).otherwise(None)


def year(e: pl.Expr) -> pl.Expr:
    """A year such as 2023, 2023年 or 2023年度."""
    t = _strip_float_zero(compact(e)).str.replace(r"年度?$", "")
    ok = t.str.contains(r"^(19|20)\d{2}$")
    return pl.when(ok).then(t.cast(pl.Int32, strict=False)).otherwise(None)


def decimal_number(e: pl.Expr) -> pl.Expr:
    """A measurement such as an area or a score; accepts separators and a unit suffix."""
    t = _number_text(e).str.replace(r"(平方米|㎡|m2|分)$", "")
    return (
        pl.when(t.str.contains(r"^-?\d+(\.\d+)?$"))
        .then(t.cast(pl.Float64, strict=False))
        .otherwise(None)
    )


def rate(e: pl.Expr) -> pl.Expr:
    """A share as a 0–1 number from what clerks type: 95%, 95 %, 0.95, 95 or 95.5.

    A bare number above 1 is a percentage (nobody writes a satisfaction of 95 meaning 9500 %);
    one of 1 or below is already a fraction. Range checks are validation rules.
    """
    t = compact(e).str.replace(r"(％|%)$", "%")
    pct = t.str.ends_with("%")
    digits = t.str.strip_suffix("%")
    ok = digits.str.contains(r"^-?\d+(\.\d+)?$")
    value = digits.cast(pl.Float64, strict=False)
    # Rounded: Polars 2.1 divides by multiplying with 0.01, so 95 % came out as 0.9500000000000001.
    scaled = pl.when(pct | (value > 1)).then(value / 100).otherwise(value).round(6)
    return pl.when(ok).then(scaled).otherwise(None)


_CN_DIGITS = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6"}


def stars(e: pl.Expr) -> pl.Expr:
    """A star rating as a whole number: 4, 4星, 4星级, 四星, 四星级, ★★★★ (range is a rule)."""
    t = compact(e).str.replace(r"星级?$", "")
    for cn, digit in _CN_DIGITS.items():
        t = t.str.replace(f"^{cn}$", digit)
    t = _strip_float_zero(t)
    drawn = (
        pl.when(t.str.contains(r"^[★☆]+$"))
        .then(t.str.count_matches("★"))
        .otherwise(None)
        .cast(pl.Int8)
    )
    number = (
        pl.when(t.str.contains(r"^\d{1,2}$")).then(t.cast(pl.Int8, strict=False)).otherwise(None)
    )
    return pl.coalesce(number, drawn)


def coordinate(e: pl.Expr) -> pl.Expr:
    """A decimal-degree coordinate (range checks are validation rules, not parsing)."""
    return decimal_number(e.str.replace(r"[°度]$", ""))


_TRUE = ("是", "√", "✓", "✔", "y", "yes", "1", "true", "t", "有", "已", "对")
_FALSE = ("否", "×", "✗", "✘", "x", "n", "no", "0", "false", "f", "无", "未", "错")
BOOL_SPELLINGS: dict[str, bool] = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def boolean(e: pl.Expr) -> pl.Expr:
    """是/否, √/×, Y/N, 1/0, yes/no, true/false (and 有/无)."""
    t = _strip_float_zero(compact(e)).str.to_lowercase()
    return t.replace_strict(BOOL_SPELLINGS, default=None, return_dtype=pl.Boolean)


def enum(e: pl.Expr, accepted: dict[str, str]) -> pl.Expr:
    """Map a Chinese label, English code or known variant to the English code (null if unknown).

    `accepted` keys must be NFKC-normalised and lower-case (Enum.accepted() is).
    """
    t = compact(e).str.to_lowercase()
    return t.replace_strict(accepted, default=None, return_dtype=pl.String)


def grade(e: pl.Expr) -> pl.Expr:
    """Evaluation grade 1A..5A (also AAA, 3A级, ３Ａ) as an integer 1..5."""
    t = compact(e).str.to_uppercase().str.replace(r"级$", "")
    digit = t.str.extract(r"^([1-5])A$", 1).cast(pl.Int8, strict=False)
    letters = (
        pl.when(t.str.contains(r"^A{1,5}$")).then(t.str.len_chars().cast(pl.Int8)).otherwise(None)
    )
    return pl.coalesce(digit, letters)


def phone(e: pl.Expr) -> pl.Expr:
    """A phone number with separators removed: 11-digit mobile or a landline with area code."""
    t = compact(e).str.replace_all(r"[-()（）+]", "").str.replace(r"^86(1\d{10})$", "${1}")
    ok = t.str.contains(r"^(1[3-9]\d{9}|0\d{9,11}|\d{7,8})$")
    return pl.when(ok).then(t).otherwise(None)


_DATE_PATTERNS = (
    # 2023-05-06, 2023/5/6, 2023.5.6, 2023年5月6日 (optionally followed by a time of day)
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$",
    # 20230506
    r"^(\d{4})(\d{2})(\d{2})$",
)


def date(e: pl.Expr) -> pl.Expr:
    """A calendar date from any of the spellings docs/DOMAIN.md lists, or an Excel serial number."""
    t = compact_keep_space(e)
    parts = []
    for pattern in _DATE_PATTERNS:
        # One regex pass per pattern (extract_groups), not one per part: dates are most of the
        # typing time of a province-sized organisations file.
        g = t.str.extract_groups(pattern)
        y, m, d = (g.struct.field(str(i)) for i in (1, 2, 3))
        # pl.date would raise on 2025-13-05; build the ISO text and parse it non-strictly instead.
        iso = pl.format("{}-{}-{}", y, m.str.zfill(2), d.str.zfill(2))
        parts.append(iso.str.to_date("%Y-%m-%d", strict=False))
    serial = _strip_float_zero(t).cast(pl.Int64, strict=False)
    from_serial = (
        pl.when(serial.is_between(EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX) & ~t.str.contains(r"^\d{8}$"))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
        .otherwise(None)
    )
    return pl.coalesce(*parts, from_serial).cast(pl.Date)


def compact_keep_space(e: pl.Expr) -> pl.Expr:
    """NFKC and trimmed, single inner spaces kept (a date may carry a time after a space)."""
    out = halfwidth(e).str.replace_all(_WS, " ").str.strip_chars()
    return pl.when(out == "").then(None).otherwise(out)


# What separates the organisations named in one cell (after halfwidth: ，；／ are , ; /): the
# enumeration comma 、 clerks use, commas, semicolons, slashes, spaces and line breaks.
_LIST_SEPARATORS = r"[、,;/\s\u3000\u00a0]+"
# A cell saying "none": an empty list, not a reference to look up.
LIST_NONE = ("无", "暂无", "没有", "-", "—", "/", "无结对")


def org_list(e: pl.Expr) -> pl.Expr:
    """Organisation ids or credit codes named in one cell (A、B，C), each as identifier() makes it,
    repeats dropped, in the order written; 无 (or 暂无, —) is an empty list, a blank cell null."""
    t = halfwidth(e).str.strip_chars(SPACES)
    tokens = (
        t.str.replace_all(_LIST_SEPARATORS, "\x1f")
        .str.split("\x1f")
        .list.eval(identifier(pl.element()))
        .list.drop_nulls()
        .list.unique(maintain_order=True)
    )
    return (
        pl.when(t.is_null() | (t == ""))
        .then(pl.lit(None, dtype=pl.List(pl.String)))
        .when(t.is_in(list(LIST_NONE)))
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(tokens)
    )
