"""The bureau's real files: every sheet, old formats, office layouts (issue 16, items 1-3), and
rows rejected only because of an upstream row (item 4). Built from files the tests write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from etl.config import EtlConfig
from etl.officefiles import Sheet, write_workbook
from etl.pipeline import check_dir, write_reject_report
from etl.read import ROW, read
from etl.sources import SOURCES_BY_NAME
from tests import minidata

ORGS = SOURCES_BY_NAME["organizations"]
LENIENT = EtlConfig(max_reject_share=1.0)

# The mini set's register as typed values (what the plain CSV loads to), for comparisons.
ORG_HEAD = [c.label for c in ORGS.file_columns()]
ORG_ROWS = [line.split(",") for line in minidata.FILES["社会组织名录.csv"].splitlines()[1:]]


def accepted(folder: Path, source: str = "organizations") -> pl.DataFrame:
    result = check_dir(folder, config=LENIENT)
    assert result.ok, result.failures
    checked = next(c for c in result.checked if c.source.name == source)
    return checked.accepted.sort(checked.accepted.columns[0])


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> pl.DataFrame:
    return accepted(minidata.write(tmp_path_factory.mktemp("plain")))


def office_sheet(name: str, rows: list[list[str]], *, total: bool = True) -> Sheet:
    """A register sheet as an office template has it: a title, 填报单位/填报日期, a 序号 column,
    a two-row header grouped by merged cells, columns in another order, a 小计 row."""
    order = [1, 0, *range(2, len(ORG_HEAD))]  # 组织名称 before 组织编号
    head = [ORG_HEAD[i] for i in order]
    width = len(head) + 2  # 序号 and 备注
    top: list[str | int | float | dt.date | None] = [None] * width
    top[0], top[1], top[3], top[11] = "序号", "基本信息", "登记信息", "负责人信息"
    lower: list = [None, *head, "备注"]
    # 组织名称 and 组织编号 merged down both rows (their name is in the upper row only).
    top[1], top[2] = head[0], head[1]
    lower[1], lower[2] = None, None
    body = [[str(i + 1), *[r[k] for k in order], ""] for i, r in enumerate(rows)]
    out: list[list] = [
        ["Xx县社区社会组织名录"] + [None] * (width - 1),
        ["填报单位：城关街道（盖章）", None, None, None, None, "填报日期：2025年12月31日"],
        top,
        lower,
        *body,
    ]
    if total:
        out.append([None, "小计", None, None, None, None, None, None, None, None, None, None, "21"])
    merges = [(0, 0, 0, width - 1), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 2, 10)]
    return Sheet(name, out, merges=merges)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_office_register_in_every_workbook_format_loads_like_the_csv(tmp_path, plain, suffix):
    folder = minidata.write(tmp_path / "set", replace={"社会组织名录.csv": ""})
    write_workbook(
        folder / f"社会组织名录{suffix}",
        [
            Sheet("填表说明", [["填表说明：每个乡镇一张表。"], ["登记类型填 登记 或 备案。"]]),
            office_sheet("城关街道", ORG_ROWS[:2]),
            office_sheet("河口镇", ORG_ROWS[2:]),
            Sheet("空表", []),
        ],
    )
    result = check_dir(folder, config=LENIENT)
    assert result.ok, result.failures
    orgs = next(c for c in result.checked if c.source.name == "organizations")
    assert orgs.sheets == ["城关街道", "河口镇"]
    assert orgs.rows_read == 3 and orgs.rejects.is_empty(), orgs.rejects.to_dicts()
    assert orgs.accepted.sort("org_id").equals(plain)
    # The sheet that is not a register is listed by name; the empty one needs no word.
    assert [(s.sheet, s.file) for s in result.ignored_sheets] == [
        ("填表说明", f"社会组织名录{suffix}")
    ]
    assert any("「填表说明」未读入" in n for n in result.notes)
    assert any("序号" in n and "备注" in n and "未识别的列已忽略" in n for n in result.notes)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_reject_names_file_sheet_and_the_excel_row(tmp_path, suffix):
    rows = [list(r) for r in ORG_ROWS]
    rows[2][6] = "341100001099"  # 丙队: an unknown community, on the second sheet's 1st data row
    folder = minidata.write(tmp_path / "set", replace={"社会组织名录.csv": ""})
    write_workbook(
        folder / f"名录{suffix}".replace("名录", "社会组织名录"),
        [office_sheet("城关街道", rows[:2]), office_sheet("河口镇", rows[2:])],
    )
    result = check_dir(folder, config=LENIENT)
    got = result.rejects.filter(source="organizations").select("sheet", "row", "rule").to_dicts()
    # Rows 1-4 are the title, 填报单位 and the two header rows: data starts on Excel row 5.
    assert got == [{"sheet": "河口镇", "row": 5, "rule": "community_exists"}]
    report = write_reject_report(result.rejects, result.failures, tmp_path / "r" / "拒收报告")
    assert report is not None
    csv = pl.read_csv(report.with_suffix(".csv"), infer_schema=False)
    assert csv.filter(pl.col("数据") == "社会组织名录")["工作表"].to_list() == ["河口镇"]


def test_leading_empty_rows_keep_excel_row_numbers_in_xls_and_ods(tmp_path):
    for suffix in (".xls", ".ods"):
        path = tmp_path / f"资金预算{suffix}"
        write_workbook(
            path,
            [
                Sheet(
                    "预算",
                    [
                        [],
                        [],
                        [None, "资金预算表"],
                        ["年度", "资金来源", "预算金额"],
                        [2024, "县级专项资金", 2000000],
                        [2025, "上级补助", "30万元"],
                    ],
                )
            ],
        )
        table = read(path, SOURCES_BY_NAME["fund_budgets"])
        assert table.header_row == 4, suffix
        assert table.frame[ROW].to_list() == [5, 6], suffix


def test_hidden_rows_and_columns_are_read_hidden_sheets_are_listed(tmp_path):
    path = tmp_path / "资金预算.xlsx"
    write_workbook(
        path,
        [
            Sheet(
                "预算",
                [
                    ["年度", "资金来源", "预算金额", "旧数"],
                    ["2024", "县级专项资金", "2,000,000", "1"],
                    ["2025", "上级补助", "300000", "2"],
                ],
                hidden_rows={1},
                hidden_cols={2},
            ),
            Sheet(
                "旧表", [["年度", "资金来源", "预算金额"], ["2020", "上级补助", "1"]], hidden=True
            ),
        ],
    )
    table = read(path, SOURCES_BY_NAME["fund_budgets"])
    assert table.frame["budget_yuan"].to_list() == ["2,000,000", "300000"]
    assert [(s.sheet, s.reason[:6]) for s in table.ignored_sheets] == [("旧表", "隐藏的工作表")]


SPELLINGS = [
    # (column, cell as written, typed value)
    ("成立日期", 45000, dt.date(2023, 3, 15)),  # an Excel serial number
    ("成立日期", "2023.5.6", dt.date(2023, 5, 6)),
    ("成立日期", "2023年5月6日", dt.date(2023, 5, 6)),
    ("成立日期", dt.date(2023, 5, 6), dt.date(2023, 5, 6)),  # a date cell
    ("成立日期", "２０２３－０５－０６", dt.date(2023, 5, 6)),  # full-width
    ("成员数", "15人", 15),
    ("成员数", "1,500", 1500),
    ("成员数", "１５", 15),
    ("成员数", " 15\u3000", 15),
]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
@pytest.mark.parametrize(("column", "cell", "value"), SPELLINGS)
def test_office_spellings_of_dates_and_numbers(tmp_path, suffix, column, cell, value):
    row: list = list(ORG_ROWS[1])
    row[ORG_HEAD.index(column)] = cell
    folder = minidata.write(tmp_path / "set", replace={"社会组织名录.csv": ""})
    write_workbook(folder / f"社会组织名录{suffix}", [Sheet("名录", [ORG_HEAD, ORG_ROWS[0], row])])
    frame = accepted(folder)
    name = {"成立日期": "established_on", "成员数": "members"}[column]
    assert frame.filter(org_id="O2")[name].item() == value


AMOUNTS = [
    ("12万元", "120000.00"),
    ("3000元", "3000.00"),
    ("¥1,234.50", "1234.50"),
    (12000, "12000.00"),
]


@pytest.mark.parametrize(("cell", "value"), AMOUNTS)
def test_amounts_as_text_with_units(tmp_path, cell, value):
    folder = minidata.write(tmp_path / "set", replace={"资金预算.csv": ""})
    write_workbook(
        folder / "资金预算.xls",
        [Sheet("预算", [["年度", "资金来源", "预算金额（元）"], ["2025", "县级专项资金", cell]])],
    )
    frame = accepted(folder, "fund_budgets")
    assert str(frame["budget_yuan"].item()) == value


def test_total_row_with_blank_first_cell_is_not_data(tmp_path):
    path = tmp_path / "资金预算.xlsx"
    write_workbook(
        path,
        [
            Sheet(
                "预算",
                [
                    ["序号", "年度", "资金来源", "预算金额"],
                    ["1", "2024", "县级专项资金", "100"],
                    [None, "合计", None, "100"],
                ],
            )
        ],
    )
    table = read(path, SOURCES_BY_NAME["fund_budgets"])
    assert table.frame.height == 1 and table.dropped_rows == 1


def test_every_nonempty_sheet_is_read_or_listed(tmp_path):
    """Nothing is skipped silently: each non-empty sheet of every workbook in a folder is either
    read for its source or listed by name."""
    folder = minidata.write(tmp_path / "set", replace={"社会组织名录.csv": "", "资金预算.csv": ""})
    write_workbook(
        folder / "社会组织名录.xls",
        [
            office_sheet("城关街道", ORG_ROWS[:2]),
            Sheet("代码表", [["代码", "名称"], ["1", "登记"]]),
            office_sheet("河口镇", ORG_ROWS[2:]),
            Sheet("旧版", [ORG_HEAD, ORG_ROWS[0]], hidden=True),
        ],
    )
    write_workbook(
        folder / "资金预算.ods",
        [
            Sheet("2025", [["年度", "资金来源", "预算金额"], ["2025", "县级专项资金", "2000000"]]),
            Sheet("图表", [["见上"]]),
        ],
    )
    result = check_dir(folder, config=LENIENT)
    assert result.ok, result.failures
    read_sheets = {(c.file, s) for c in result.checked for s in c.sheets}
    listed = {(s.file, s.sheet) for s in result.ignored_sheets}
    for path in folder.iterdir():
        if path.suffix not in (".xls", ".ods"):
            continue
        reader = fastexcel.read_excel(path)
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, header_row=None, dtypes="string")
            if sheet.height:
                assert (path.name, name) in read_sheets | listed, (path.name, name)
    assert listed == {
        ("社会组织名录.xls", "代码表"),
        ("社会组织名录.xls", "旧版"),
        ("资金预算.ods", "图表"),
    }


def test_a_sheet_of_the_source_missing_a_required_column_fails_naming_it(tmp_path):
    folder = minidata.write(tmp_path / "set", replace={"社会组织名录.csv": ""})
    short = [h for h in ORG_HEAD if h != "服务领域"]
    write_workbook(
        folder / "社会组织名录.xlsx",
        [Sheet("甲", [ORG_HEAD, ORG_ROWS[0]]), Sheet("乙", [short, ORG_ROWS[1][:-1]])],
    )
    result = check_dir(folder, config=LENIENT)
    assert any("工作表「乙」" in f.message and "服务领域" in f.message for f in result.failures)


def test_wps_et_file_calamine_reads(tmp_path, plain):
    folder = minidata.write(tmp_path / "set", replace={"社会组织名录.csv": ""})
    xls = write_workbook(tmp_path / "x.xls", [Sheet("名录", [ORG_HEAD, *ORG_ROWS])])
    (folder / "社会组织名录.et").write_bytes(xls.read_bytes())  # WPS saves BIFF under .et
    assert accepted(folder).equals(plain)


def test_an_unreadable_format_says_what_to_do(tmp_path):
    folder = minidata.write(tmp_path / "set", replace={"社会组织名录.csv": ""})
    (folder / "社会组织名录.et").write_bytes(b"\xd0\xcf\x11\xe0 wps own format")
    result = check_dir(folder, config=LENIENT)
    msgs = [f.message for f in result.failures if f.source == "organizations"]
    assert msgs and "另存为" in msgs[0] and ".xlsx" in msgs[0]


# ---------------------------------------------------------------- item 4: upstream rejects


def test_one_bad_registry_row_does_not_fail_the_load_and_names_the_root(tmp_path):
    """Rows rejected only because their organisation was rejected are counted apart: they never
    push a file over the threshold, and the note names the registry row at the root."""
    rows = dict(minidata.FILES)
    bad_org = "O1"
    extra = {
        # A second credit rating and two more listings for O1: every row of these files is O1's.
        "信用评价.csv": "O1,2024,B\n",
        "异常名录.csv": "O1,严重违法失信名单,2025-01-01,,失信\n",
    }
    folder = minidata.write(tmp_path / "set", extra_rows=extra)
    # O1's community becomes unknown: the registry rejects row 2 (1 of 3 rows, over 5 % alone,
    # so allow that file's own share for this test but not the others').
    text = (
        rows["社会组织名录.csv"]
        .replace("O1,甲协会", "O1,甲协会")
        .replace("为民服务,341100001001,2020/1/5", "为民服务,341100001099,2020/1/5")
    )
    (folder / "社会组织名录.csv").write_text(text, encoding="utf-8")
    result = check_dir(folder, config=EtlConfig(max_reject_share=0.34))
    assert result.ok, [f.message for f in result.failures]
    by = {c.source.name: c for c in result.checked}
    assert by["organizations"].rows_own_rejected == 1
    assert by["credit_ratings"].rows_rejected == 2 and by["credit_ratings"].rows_upstream == 2
    assert by["credit_ratings"].reject_share == 0.0
    assert by["credit_listings"].rows_upstream == 2
    assert result.rows_upstream >= 4
    note = next(n for n in result.upstream_notes if n.startswith("社会组织名录第2行被拒收"))
    assert "信用评价" in note and "异常名录" in note and "引用该组织" in note
    assert bad_org  # the organisation whose row was rejected
    assert note in result.notes


def test_a_file_with_its_own_fault_and_upstream_rows_counts_only_its_own(tmp_path):
    folder = minidata.write(
        tmp_path / "set",
        extra_rows={"信用评价.csv": "O2,2025,Z\n"},  # its own fault: rating Z
    )
    text = minidata.FILES["社会组织名录.csv"].replace(
        "为民服务,341100001001,2020/1/5", "为民服务,341100001099,2020/1/5"
    )
    (folder / "社会组织名录.csv").write_text(text, encoding="utf-8")
    result = check_dir(folder, config=EtlConfig(max_reject_share=0.34))
    ratings = next(c for c in result.checked if c.source.name == "credit_ratings")
    assert ratings.rows_rejected == 2 and ratings.rows_own_rejected == 1
    # 1 own of 2 rows is 50 %: this file fails on its own fault, and says so.
    failure = next(f for f in result.failures if f.source == "credit_ratings")
    assert "有 1 行（50.0%）不合格" in failure.message


def test_a_chain_of_upstream_rejects_names_the_first_row(tmp_path):
    # The organisation of grant G1 is rejected, so G1 is, so are its payments B1 and B2.
    text = minidata.FILES["社会组织名录.csv"].replace(
        "为民服务,341100001001,2020/1/5", "为民服务,341100001099,2020/1/5"
    )
    folder = minidata.write(tmp_path / "set")
    (folder / "社会组织名录.csv").write_text(text, encoding="utf-8")
    result = check_dir(folder, config=EtlConfig(max_reject_share=0.34))
    pays = next(c for c in result.checked if c.source.name == "disbursements")
    assert pays.rows_upstream == 2
    assert set(pays.upstream["root"]) == {"社会组织名录第2行"}
    note = next(n for n in result.upstream_notes if n.startswith("社会组织名录第2行"))
    assert "资金拨付" in note and "资金安排" in note


# ---------------------------------------------------------------- reject report formulas


def test_reject_report_neutralises_formulas(tmp_path):
    rejects = pl.DataFrame(
        {
            "file": ["社会组织名录.csv"] * 3,
            "sheet": [None] * 3,
            "source": ["organizations"] * 3,
            "row": [5, 6, 7],
            "column": ["组织名称"] * 3,
            "value": ['=HYPERLINK("http://x","y")', "-5", "@SUM(A1)"],
            "rule": ["required"] * 3,
            "message": ["「组织名称」=HYPERLINK(...)", "+1 不是", "ok"],
        }
    )
    stem = tmp_path / "报告"
    xlsx = write_reject_report(rejects, [], stem)
    assert xlsx is not None
    text = stem.with_suffix(".csv").read_text(encoding="utf-8-sig")
    assert '\'=HYPERLINK(""http://x"",""y"")' in text
    assert "'@SUM(A1)" in text and "'+1 不是" in text
    assert ",-5," in text  # a number is not a formula
    import openpyxl

    ws = openpyxl.load_workbook(xlsx)["拒收的行"]
    cells = [c.value for c in ws["F"]]  # 原值
    assert cells[1] == '=HYPERLINK("http://x","y")'
    assert ws["F2"].data_type == "s"  # text, not a formula


def test_a_date_cell_is_shown_as_the_date_typed(tmp_path):
    """calamine hands a date cell over as "2030-01-01 00:00:00"; the clerk typed a date."""
    rows = [list(r) for r in ORG_ROWS]
    col = ORG_HEAD.index("成立日期")
    body: list[list] = [ORG_HEAD, *rows]
    body[1] = [*rows[0][:col], dt.date(2030, 1, 1), *rows[0][col + 1 :]]  # after the as-of date
    folder = minidata.write(tmp_path / "set", replace={"社会组织名录.csv": ""})
    write_workbook(folder / "社会组织名录.xlsx", [Sheet("名录", body)])
    result = check_dir(folder, config=LENIENT)
    got = result.rejects.filter(source="organizations", column="成立日期")
    assert got["value"].to_list() == ["2030-01-01"], got.to_dicts()
