"""导入 and 上报 name every sheet they did not read, and the sheet of every rejected row (issue 16:
nothing is ever skipped silently), on the pages where clerks upload."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from etl import rounds
from etl.officefiles import Sheet, write_workbook
from etl.read import decode
from tests import conftest, test_page_import
from tests.test_page_failures import upload
from tests.test_rounds import org_ids, raw_rows
from tests.test_staging import corrected_orgs

site = test_page_import.site  # the fixture: a warehouse of its own ($ORGDASH_DB)
NOTES = Sheet("填表说明", [["填表说明：每个乡镇一张表。"], ["登记类型填 登记 或 备案。"]])


def workbook(path: Path, rows: list[list[str]], sheet: str) -> bytes:
    write_workbook(path, [NOTES, Sheet(sheet, rows)])
    return path.read_bytes()


def test_import_page_lists_the_sheets_it_did_not_read(site: Path, demo_dir: Path, tmp_path: Path):
    data, _ = corrected_orgs(demo_dir, site)
    text, _ = decode(Path("x.csv"), data)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    body = workbook(tmp_path / "名录.xlsx", rows, "全县名录")
    at = conftest.open_as("admin", "views/import_data.py")
    upload(at, "imp", "上传并校验", "社会组织名录.xlsx", body)
    assert not at.exception, [e.message for e in at.exception]
    ignored = next(d.value for d in at.dataframe if "原因" in d.value.columns)
    assert list(ignored["工作表"]) == ["填表说明"]
    assert list(ignored["文件"]) == ["社会组织名录.xlsx"]
    check = next(d.value for d in at.dataframe if "来源" in d.value.columns)
    assert check[check["数据"] == "社会组织名录"].iloc[0]["工作表"] == "全县名录"
    assert any("没有读入" in w.value for w in at.warning)
    rejects = next(d.value for d in at.dataframe if "问题及处理办法" in d.value.columns)
    assert rejects["工作表"].notna().all()  # blank for a CSV, never "None" on the page


def test_submit_page_lists_the_sheets_it_did_not_read(
    site: Path, demo_dir: Path, demo_township: str, tmp_path: Path
):
    rounds.open_round(site, "2026Q1", dt.date(2026, 4, 10), "admin", now=dt.datetime(2026, 3, 25))
    frame = raw_rows(
        demo_dir, "organizations", "社会组织名录.csv", "org_id", org_ids(site, demo_township)
    )
    rows = [frame.columns, *[[str(v or "") for v in r] for r in frame.iter_rows()]]
    body = workbook(tmp_path / "名录.xlsx", rows, "本街道")
    at = conftest.open_as("town", "views/submit.py")
    upload(at, "sub", "上传并报送", "社会组织名录.xlsx", body)
    assert not at.exception, [e.message for e in at.exception]
    assert any("填表说明" in w.value and "没有读入" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]


def test_a_carried_submission_keeps_its_workbooks_sheets(
    site: Path, demo_dir: Path, demo_township: str, tmp_path: Path
):
    """Rows carried from an earlier multi-sheet submission are still placed on their sheets."""
    from tests.test_rounds import as_csv_gb18030

    rounds.open_round(site, "2026Q1", dt.date(2026, 4, 10), "admin", now=dt.datetime(2026, 3, 25))
    ids = org_ids(site, demo_township)
    frame = raw_rows(demo_dir, "organizations", "社会组织名录.csv", "org_id", ids)
    rows = [[str(v or "") for v in r] for r in frame.iter_rows()]
    half = len(rows) // 2
    write_workbook(
        tmp_path / "名录.xlsx",
        [
            Sheet("一社区", [frame.columns, *rows[:half]]),
            Sheet("二社区", [frame.columns, *rows[half:]]),
        ],
    )
    first = rounds.submit(
        site,
        "2026Q1",
        demo_township,
        [("社会组织名录.xlsx", (tmp_path / "名录.xlsx").read_bytes())],
        "t",
    )
    assert first.accepted, first.failures
    assert first.sources["organizations"].sheets == ("一社区", "二社区")
    reports = raw_rows(demo_dir, "annual_reports", "年报.csv", "org_id", ids)
    second = rounds.submit(
        site,
        "2026Q1",
        demo_township,
        [("年报.csv", as_csv_gb18030(reports, "annual_reports", "年报"))],
        "t",
    )
    carried = second.sources["organizations"]
    assert carried.origin == "earlier" and carried.sheets == ("一社区", "二社区")
    reread = rounds.submissions(site, "2026Q1", demo_township)[-1]
    assert reread.sources["organizations"].sheets == ("一社区", "二社区")
