"""Every normaliser on the spellings clerks actually type, and on what must be refused."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import polars as pl
import pytest

from etl import normalize as nz
from etl.sources import ENUMS


def one(expr_fn, value):  # type: ignore[no-untyped-def]
    return pl.select(expr_fn(pl.lit(value, dtype=pl.String))).item()


D = dt.date(2023, 5, 6)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-05-06", D),
        ("2023/5/6", D),
        ("2023/05/06", D),
        ("2023年5月6日", D),
        ("2023年05月06日", D),
        ("20230506", D),
        ("2023.5.6", D),
        ("45052", D),  # Excel serial number
        ("45052.0", D),  # Excel serial read from a numeric cell
        ("2023-05-06 00:00:00", D),  # Excel date cell read as text
        ("２０２３－０５－０６", D),  # full-width digits and dash
        (" 2023-05-06\u3000", D),  # stray ASCII and full-width spaces
        ("2023年5月6日 ", D),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("2023-02-29", None),  # not a leap year
        ("2025年13月5日", None),
        ("2023-5", None),
        ("5/6/2023", None),  # month/day order is ambiguous: refuse, never guess
        ("19990", None),  # a serial outside the plausible range is not a date
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_date(raw, expected):
    assert one(nz.date, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", Decimal("1234.00")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("1，234.5", Decimal("1234.50")),  # Chinese comma as thousands separator
        ("¥1234.5", Decimal("1234.50")),
        ("￥1,000", Decimal("1000.00")),
        ("1000元", Decimal("1000.00")),
        ("12.5万", Decimal("125000.00")),
        ("12.5万元", Decimal("125000.00")),
        ("１２３", Decimal("123.00")),
        (" 100 ", Decimal("100.00")),
        ("0", Decimal("0.00")),
        ("1.234", None),  # three decimals: not a yuan amount (or a European thousands dot)
        ("abc", None),
        ("12.5千", None),
        ("", None),
    ],
)
def test_amount(raw, expected):
    assert one(nz.amount, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True), ("否", False), ("√", True), ("×", False), ("Y", True), ("N", False),
        ("y", True), ("n", False), ("1", True), ("0", False), ("1.0", True), ("yes", True),
        ("No", False), ("TRUE", True), ("有", True), ("无", False), ("Ｙ", True), (" 是 ", True),
        ("maybe", None), ("2", None), ("", None),
    ],
)  # fmt: skip
def test_boolean(raw, expected):
    assert one(nz.boolean, raw) == expected


# Codes built with the GB 32100-2015 check character; the first has check character 0.
VALID_CODES = ["51341122MJ1234590" + nz.credit_check_char("51341122MJ1234590")]


def _code_with_check(target: str) -> str:
    for n in range(100000):
        body = f"52341122MJ{n:07d}"
        if nz.credit_check_char(body) == target:
            return body + target
    raise AssertionError(target)


CODE_0 = _code_with_check("0")
CODE_LETTER = _code_with_check("X")
FULLWIDTH = str.maketrans(
    "0123456789ABCDEFGHJKLMNPQRTUWXY",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
)


@pytest.mark.parametrize(
    ("raw", "normalised", "valid"),
    [
        (CODE_0, CODE_0, True),
        (CODE_LETTER, CODE_LETTER, True),
        (CODE_LETTER.lower(), CODE_LETTER, True),
        (CODE_LETTER.translate(FULLWIDTH), CODE_LETTER, True),
        (f" {CODE_0[:6]} {CODE_0[6:]} ", CODE_0, True),
        (f"{CODE_0[:8]}-{CODE_0[8:]}", CODE_0, True),
        (CODE_0[:-1] + ("1" if CODE_0[-1] != "1" else "2"), None, False),  # wrong check char
        (CODE_0[:-1], None, None),  # 17 characters
        (CODE_0[:5] + "I" + CODE_0[6:], None, None),  # I is not in the alphabet
        ("", None, None),
    ],
)
def test_credit_code(raw, normalised, valid):
    code = one(nz.credit_code, raw)
    if valid is None:
        assert code is None
        return
    assert len(code) == 18
    if valid:
        assert code == normalised
    assert pl.select(nz.credit_code_valid(pl.lit(code))).item() is valid


def test_check_char_agrees_with_python_stdnum():
    # An independent implementation of GB 32100-2015 as the reference, on codes of every shape.
    from stdnum.cn import uscc

    rng = random.Random(7)
    codes = []
    for _ in range(500):
        body = (
            "5"
            + rng.choice("1239")
            + "341122"
            + "".join(rng.choice(nz.CREDIT_ALPHABET) for _ in range(9))
        )
        code = body + nz.credit_check_char(body)
        assert uscc.is_valid(code), code
        codes.append(code)
    # The vectorised check the loader uses, on all of them at once.
    valid = pl.select(nz.credit_code_valid(pl.Series(codes))).to_series()
    assert valid.to_list() == [True] * len(codes)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("341122001001", "341122001001"),
        ("341122001001.0", "341122001001"),  # from a numeric Excel cell
        ("３４１１２２００１００１", "341122001001"),
        (" 341122 001001 ", "341122001001"),
        ("34112200100", None),  # 11 digits
        ("3.41122E+11", None),  # Excel's scientific display lost the digits: refuse
        ("34112200100A", None),
    ],
)
def test_division_code(raw, expected):
    assert one(nz.division_code, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5A", 5),
        ("3A", 3),
        ("AAA", 3),
        ("３Ａ", 3),
        ("4a", 4),
        ("2A级", 2),
        ("6A", None),
        ("A+", None),
        ("", None),
    ],
)
def test_grade(raw, expected):
    assert one(nz.grade, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023", 2023),
        ("2023年", 2023),
        ("2023年度", 2023),
        ("２０２３", 2023),
        ("2023.0", 2023),
        ("23", None),
    ],
)
def test_year(raw, expected):
    assert one(nz.year, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,200", 1200), ("１２００", 1200), ("35人", 35), ("12.0", 12), ("12.5", None), ("x", None)],
)
def test_integer(raw, expected):
    assert one(nz.integer, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("0551-12345678", "055112345678"),
        ("12345", None),
    ],
)
def test_phone(raw, expected):
    assert one(nz.phone, raw) == expected


@pytest.mark.parametrize(
    ("enum", "raw", "expected"),
    [
        ("field", "为民服务", "resident_services"),
        ("field", "文体", "culture_sports"),
        ("field", " 邻里互助 ", "mutual_aid"),
        ("field", "culture_sports", "culture_sports"),
        ("field", "养老", None),
        ("org_status", "登记", "registered"),
        ("org_status", "备案", "filed"),
        ("legal_form", "民办非企业单位", "social_service_agency"),
        ("area_type", "居委会", "urban"),
        ("area_type", "村委会", "rural"),
        ("division_level", "乡镇", "township"),
        ("platform_level", "村级", "village"),
        ("fund_source", "县级专项资金", "county_special_fund"),
        ("grant_purpose", "人员培训", "training"),
        ("report_result", "基本合格", "basic_pass"),
        ("list_type", "严重违法失信名单", "dishonest"),
        ("inspection_result", "整改", "rectify"),
    ],
)
def test_enum(enum, raw, expected):
    assert one(lambda e: nz.enum(e, ENUMS[enum].accepted()), raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  东门社区 ", "东门社区"),
        ("\u3000张三\u3000", "张三"),
        ("（测试）协会", "（测试）协会"),
        ("   ", None),
    ],
)
def test_text_keeps_writing_but_trims(raw, expected):
    assert one(nz.text, raw) == expected


def test_text_trims_exactly_what_the_space_pattern_matches():
    # text() strips a spelled-out character list (faster than a regex); has_text() decides
    # presence with a regex. Both must agree with _WS, the pattern the other normalisers use,
    # for every character up to the ideographic range and the BOM.
    chars = [chr(c) for c in range(0x3100) if not 0xD800 <= c < 0xE000] + ["\ufeff"]
    frame = pl.DataFrame({"c": chars}).with_columns(
        nz.text(pl.lit("x") + pl.col("c")).alias("right"),
        nz.text(pl.col("c") + pl.lit("x")).alias("left"),
        nz.has_text(pl.col("c")).alias("present"),
        pl.col("c").str.contains(f"^{nz._WS}$").alias("space"),
    )
    spaces = frame.filter("space")
    assert 20 < spaces.height < 40
    assert (spaces["right"] == "x").all() and (spaces["left"] == "x").all()
    assert not spaces["present"].any()
    others = frame.filter(~pl.col("space"))
    assert (others["right"] == "x" + others["c"]).all()
    assert others["present"].all()
    assert pl.select(nz.has_text(pl.lit(None, pl.String))).item() is False


# Spellings per kind: as the normaliser's canonical output, as clerks vary them, and wrong.
SPELLINGS = {
    "id": [
        "SZ3401290001",
        "sz3401290001",
        " SZ3401290002 ",
        "ＳＺ３４０１",
        "12345.0",
        "A-1_2",
        "编号1",
    ],
    "phone": [
        "13812345678",
        "138-1234-5678",
        "+86 13812345678",
        "05511234567",
        "1234567",
        "12",
        "电话",
    ],
    "division_code": [
        "341122001001",
        "341122001001.0",
        "３４１１２２００１００１",
        "34112200100",
        "x",
    ],
    "credit_code": [
        "91341122MA2N0XXX1Q",
        "91341122ma2n0xxx1q",
        "9134-1122-MA2N-0XXX-1Q",
        "91341122MA2N0XXXIQ",
    ],
    "date": [
        "2023-05-06",
        "2023/5/6",
        "2023年5月6日",
        "20230506",
        "45000",
        "2023-13-05",
        "2023-02-30",
        "昨天",
    ],
    "amount": [
        "12500",
        "12500.5",
        "12,500.00",
        "1.25万",
        "-3",
        "12.345",
        "9999999999999",
        "¥8",
        "多",
    ],
    "int": ["12", "-4", "1,200", "35人", "12.0", "12.5", "99999999999999999999", "许多"],
    "float": ["12.5", "-0.25", "120平方米", "1,200.5", "1e3", "九"],
    "lon": ["117.2345", "117.2345°", "１１７.２３", "-117", "东经117"],
    "lat": ["31.4567", "31.4567度", "31", "北纬31"],
}


@pytest.mark.parametrize("kind", sorted(SPELLINGS))
def test_typing_distinct_and_as_written_values_agrees_with_typing_every_row(kind):
    # validate._typed_column takes shortcuts on large files (values as written, or once per
    # distinct value); they must give exactly what the normaliser gives row by row.
    from etl.config import EtlConfig
    from etl.sources import Column
    from etl.validate import Context, _typed, _typed_column

    rng = random.Random(7)
    values = [rng.choice([*SPELLINGS[kind], None]) for _ in range(5000)]
    values += (
        [f"SZ{i:08d}" if kind == "id" else f"139{i:08d}" for i in range(3000)]
        if kind
        in (
            "id",
            "phone",
        )
        else []
    )
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    col = Column("v", "值", kind)
    ctx = Context(dt.date(2025, 12, 31), EtlConfig())
    fast = frame.select(_typed_column(col, frame["v"], ctx).alias("v"))["v"]
    slow = frame.select(_typed(col, pl.col("v"), ctx).alias("v"))["v"]
    assert fast.dtype == slow.dtype or slow.dtype == pl.Null
    assert fast.to_list() == slow.cast(fast.dtype).to_list()
    assert fast.null_count() < len(values)  # something was read
