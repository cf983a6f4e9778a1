"""Reading files as offices hand them over: encodings, title and note rows, Excel row numbers."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from etl.read import ROW, FileProblem, decode, find_sources, identify, read
from etl.sources import SOURCES_BY_NAME

BUDGETS = SOURCES_BY_NAME["fund_budgets"]
ORGS = SOURCES_BY_NAME["organizations"]

BODY = '年度,资金来源,预算金额\n2024,县级专项资金,2000000\n2025,上级补助,"300,000"\n'


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030")],
)
def test_csv_encodings_are_detected_not_guessed(tmp_path, encoding, name):
    path = tmp_path / "资金预算.csv"  # same name for every encoding: detection reads the bytes
    path.write_bytes(BODY.encode(encoding))
    table = read(path, BUDGETS)
    assert table.encoding == name
    assert table.frame["fund_source"].to_list() == ["县级专项资金", "上级补助"]


def test_characters_only_gb18030_has(tmp_path):
    # 𠮷 (U+20BB7) and 䶮 (U+4DAE) are in GB18030 but not in GBK: decoding as GBK would fail.
    text = "组织编号,组织名称\nO1,𠮷祥邻里互助队\nO2,䶮字文体队\n"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    decoded, enc = decode(tmp_path / "x.csv", data)
    assert enc == "gb18030" and "𠮷祥" in decoded and "䶮" in decoded


def test_title_row_blank_row_note_and_total_rows_keep_excel_row_numbers(tmp_path):
    text = (
        "Xx县2025年社区社会组织专项资金预算表,,\n"
        ",,\n"
        "年度,资金来源,预算金额（元）\n"
        "2024,县级专项资金,2000000\n"
        ",,\n"
        "2025,上级补助,300000\n"
        "合计,,2300000\n"
        "注：金额单位为元。,,\n"
        "填表人：张三,,\n"
    )
    path = tmp_path / "资金预算.csv"
    path.write_text(text, encoding="utf-8")
    table = read(path, BUDGETS)
    assert table.header_row == 3
    assert table.frame[ROW].to_list() == [4, 6]  # the rows as Excel numbers them
    assert table.dropped_rows == 3  # total and the two notes


def test_english_headers_and_stray_spaces_in_headers(tmp_path):
    path = tmp_path / "budgets.csv"
    path.write_text(" year , fund_source ,budget_yuan\n2024,县级专项资金,5\n", encoding="utf-8")
    table = read(path, BUDGETS)
    assert table.frame["budget_yuan"].to_list() == ["5"]


def test_xlsx_with_leading_blank_rows_dates_and_numbers(tmp_path):
    path = tmp_path / "资金预算.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("预算")
    ws.merge_range(2, 0, 2, 2, "Xx县资金预算表")  # title on Excel row 3 after two empty rows
    ws.write_row(4, 0, ["年度", "资金来源", "预算金额"])  # header on row 5
    ws.write_number(5, 0, 2024)
    ws.write(5, 1, "县级专项资金")
    ws.write_number(5, 2, 2000000)
    ws.write_number(6, 0, 2025)
    ws.write(6, 1, "福彩公益金")
    ws.write_datetime(6, 2, dt.datetime(2025, 1, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    wb.close()
    table = read(path, BUDGETS)
    assert table.header_row == 5
    assert table.frame[ROW].to_list() == [6, 7]
    assert table.frame["year"].to_list() == ["2024", "2025"]


def test_missing_required_column_names_it(tmp_path):
    path = tmp_path / "资金预算.csv"
    path.write_text("年度,资金来源\n2024,县级专项资金\n", encoding="utf-8")
    with pytest.raises(FileProblem) as exc:
        read(path, BUDGETS)
    assert exc.value.rule == "missing_column" and "预算金额" in exc.value.message


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "empty_file"),
        (b"  \n\n", "empty_file"),
        (b"\xff\xfe\x00\x00\x81\x00garbage", "encoding"),  # bytes neither UTF-8 nor GB18030
        (
            "年度,资金来源,预算金额\n2024,县级专项资金,20".encode()[:-9] + b"\xe9",
            "encoding",
        ),  # cut mid-character
    ],
)
def test_unreadable_csv_is_a_file_problem(tmp_path, content, rule):
    path = tmp_path / "资金预算.csv"
    path.write_bytes(content)
    with pytest.raises(FileProblem) as exc:
        read(path, BUDGETS)
    assert exc.value.rule == rule
    assert "资金预算.csv" in str(exc.value)


def test_old_xls_and_broken_xlsx_are_refused_with_advice(tmp_path):
    xls = tmp_path / "资金预算.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0 old")
    with pytest.raises(FileProblem, match=r"另存为 \.xlsx"):
        read(xls, BUDGETS)
    broken = tmp_path / "资金预算.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FileProblem) as exc:
        read(broken, BUDGETS)
    assert exc.value.rule == "unreadable"


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("社会组织名录.csv", "organizations"),
        ("2025年第四季度社会组织名录（汇总）.xlsx", "organizations"),
        ("资金安排.xlsx", "grants"),
        ("资金拨付明细.csv", "disbursements"),
        ("行政区划.xlsx", "divisions"),
        ("边界.geojson", "division_boundaries"),
        ("行政区划边界.geojson", "division_boundaries"),
        ("organizations.csv", "organizations"),
        ("会议纪要.docx", None),
    ],
)
def test_files_are_identified_by_name(tmp_path, name, source):
    found = identify(tmp_path / name)
    assert (found.name if found else None) == source


def test_two_files_for_one_source_is_refused(tmp_path):
    (tmp_path / "资金预算.csv").write_text(BODY, encoding="utf-8")
    (tmp_path / "资金预算(1).csv").write_text(BODY, encoding="utf-8")
    with pytest.raises(FileProblem) as exc:
        find_sources(tmp_path)
    assert exc.value.rule == "duplicate_file"
