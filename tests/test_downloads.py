"""Downloads open cleanly in Chinese Excel/WPS: CSV with a UTF-8 BOM, real xlsx with Chinese headers."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import polars as pl

from dashboard.downloads import csv_bytes, xlsx_bytes

FRAME = pl.DataFrame(
    {
        "社区": ["东门社区", "河口村（𠮷祥）"],
        "组织数（家）": [23, 5],
        "批复金额（元）": [Decimal("12500.50"), Decimal("0.00")],
        "报送率": [0.942, None],
    }
)


def test_csv_has_a_bom_and_round_trips():
    data = csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")  # without it Excel on Chinese Windows reads GBK
    back = pl.read_csv(io.BytesIO(data[3:]))
    assert back.columns == FRAME.columns
    assert back["社区"].to_list() == ["东门社区", "河口村（𠮷祥）"]


def test_xlsx_has_chinese_headers_and_numbers_as_numbers():
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(FRAME, "社区名单")))
    ws = wb["社区名单"]
    assert [c.value for c in ws[1]] == FRAME.columns
    assert ws["B2"].value == 23 and isinstance(ws["C2"].value, float | int)
    assert ws["A3"].value == "河口村（𠮷祥）"


def test_long_sheet_names_are_cut_to_excels_limit():
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(FRAME, "很长的名字" * 10)))
    assert len(wb.sheetnames[0]) <= 31


HOSTILE = pl.DataFrame(
    {
        "组织名称": ['=HYPERLINK("http://x","y")', "+86 138", "@SUM(A1)", "-", "正常名称"],
        "备注": ["\tcmd", "-5", "-2+3", None, "ok"],
        "组织数": [1, -2, 3, 4, 5],
    }
)


def test_csv_keeps_formula_like_text_as_text():
    """A name typed as =HYPERLINK(...) opened as a live link in Excel (CSV injection)."""
    back = pl.read_csv(io.BytesIO(csv_bytes(HOSTILE)[3:]), infer_schema=False)
    assert back["组织名称"].to_list() == [
        '\'=HYPERLINK("http://x","y")',
        "'+86 138",
        "'@SUM(A1)",
        "-",
        "正常名称",
    ]
    assert back["备注"].to_list() == ["'\tcmd", "-5", "'-2+3", None, "ok"]
    assert back["组织数"].to_list() == ["1", "-2", "3", "4", "5"]  # numbers untouched


def test_xlsx_keeps_formula_like_text_as_text():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HOSTILE))).active
    assert sheet is not None
    cell = sheet["A2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_excel_download_writes_counts_with_separators_and_years_plain():
    """House style (reports/wording.py): 18,578 but 2025, never 2,025."""
    import io

    import openpyxl
    import polars as pl

    from dashboard.downloads import xlsx_bytes

    frame = pl.DataFrame({"年度": [2025], "区划代码": [340129105000], "读取行数": [18578]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    formats = {sheet.cell(1, i + 1).value: sheet.cell(2, i + 1).number_format for i in range(3)}
    assert formats["年度"] == formats["区划代码"] == "0"
    assert formats["读取行数"].startswith("#,##0")
