"""`orgdash demo --layout office` (the demo county as offices keep their files) loads to the same
warehouse as the plain demo, table for table (issue 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import fastexcel
import pytest

from demo.office import write_office
from etl.pipeline import check_dir, load_dir
from etl.sources import SOURCES
from tests.dbutil import sql


@pytest.fixture(scope="module")
def office_dir(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(demo_dir, tmp_path_factory.mktemp("office") / "raw")


def _write(demo_dir: Path, out: Path) -> Path:
    write_office(demo_dir, out, "Xx县")
    return out


def test_office_demo_is_office_shaped(office_dir: Path):
    suffixes = {p.suffix for p in office_dir.iterdir()}
    assert {".xls", ".xlsx", ".ods"} <= suffixes
    reader = fastexcel.read_excel(office_dir / "社会组织名录.xlsx")
    assert len(reader.sheet_names) > 5 and "填表说明" in reader.sheet_names


def test_office_demo_loads_to_the_plain_warehouse_table_for_table(
    office_dir: Path, demo_db: Path, tmp_path: Path
):
    db = tmp_path / "office.duckdb"
    result = load_dir(office_dir, db)
    assert result.check.ok
    for source in SOURCES:
        query = f"select * from {source.name} order by all"
        assert sql(db, query) == sql(demo_db, query), source.name
    # The same rows rejected, for the same reasons (a date cell reads with its time of day).
    reasons = "select source, rule, replace(value, ' 00:00:00', '') from etl_rejects order by all"
    assert sql(db, reasons) == sql(demo_db, reasons)


def test_office_demo_lists_every_sheet_not_read(office_dir: Path):
    result = check_dir(office_dir)
    listed = {(s.file, s.sheet) for s in result.ignored_sheets}
    read = {(c.file, s) for c in result.checked for s in c.sheets}
    for path in office_dir.iterdir():
        if path.suffix not in (".xls", ".xlsx", ".ods"):
            continue
        reader = fastexcel.read_excel(path)
        for name in reader.sheet_names:
            if reader.load_sheet(name, header_row=None, dtypes="string").height:
                assert (path.name, name) in listed | read, (path.name, name)
    assert ("社会组织名录.xlsx", "填表说明") in listed


def test_orgdash_demo_layout_office_command(tmp_path: Path):
    out = tmp_path / "office"
    done = subprocess.run(
        [sys.executable, "-m", "orgdash", "demo", "--out", str(out), "--layout", "office"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "年报.xls").is_file() and (out / "manifest.toml").is_file()
    checked = subprocess.run(
        [sys.executable, "-m", "orgdash", "check", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "工作表「填表说明」未读入" in checked.stdout
    assert "读入了" in checked.stdout and "个工作表" in checked.stdout


def test_one_bad_registry_row_in_the_demo_still_loads(demo_dir: Path, tmp_path: Path):
    """Issue 16's case: one wrong community code in the register rejects that organisation and
    its rows in the credit and abnormal-list files; the load goes ahead and says why."""
    import shutil

    import polars as pl

    folder = tmp_path / "raw"
    shutil.copytree(demo_dir, folder)
    listings = check_dir(demo_dir).checked
    listed = next(c for c in listings if c.source.name == "credit_listings").accepted
    org = listed["org_id"][0]
    path = folder / "社会组织名录.csv"
    lines = path.read_bytes().decode("gb18030").split("\r\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{org},") or f",{org}," in line)
    code = next(c for c in lines[at].split(",") if c.startswith("340129") and len(c) == 12)
    lines[at] = lines[at].replace(code, "340129999999", 1)
    path.write_bytes("\r\n".join(lines).encode("gb18030"))

    result = load_dir(folder, tmp_path / "w.duckdb")
    by = {c.source.name: c for c in result.check.checked}
    assert by["organizations"].rows_own_rejected == by["organizations"].rows_rejected
    assert by["credit_listings"].rows_upstream >= 1
    root = f"社会组织名录第{at + 1}行"
    note = next(n for n in result.check.notes if n.startswith(f"{root}被拒收"))
    assert "异常名录" in note and "引用该组织" in note
    loaded = sql(
        tmp_path / "w.duckdb", "select count(*) from organizations where org_id = $o", o=org
    )
    assert loaded == [(0,)]
    assert isinstance(by["credit_listings"].upstream, pl.DataFrame)
