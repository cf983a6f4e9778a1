"""数据 page on the demo warehouse: the build, the source files, the rejects with their messages, the runs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.dbutil import sql

PAGE = "views/data_status.py"


def unescape(text: str) -> str:
    """st.table cells are Markdown, so the page escapes them; read them back as typed."""
    return re.sub(r"\\(.)", r"\1", text)


def test_build_and_totals(app, demo_db, demo_dir):
    at = app(PAGE)
    run_id, read, loaded, rejected = sql(
        demo_db,
        "select (select etl_run_id from warehouse_info), sum(rows_read), sum(rows_loaded),"
        " sum(rows_rejected) from etl_sources",
    )[0]
    shown = {m.label: m.value for m in at.metric}
    assert shown["读取"] == f"{read:,}行"
    assert shown["入库"] == f"{loaded:,}行"
    # Eight planted mistakes in the original sources, two in the programme files (DEMO_ERRORS).
    assert shown["拒收"] == f"{rejected:,}行" == "10行"
    files = [p for p in demo_dir.iterdir() if p.name != "manifest.toml"]
    assert shown["源文件"] == f"{len(files)}个"
    header = " ".join(m.value for m in at.markdown)
    assert "数据截止** 2025年12月31日" in header
    assert run_id in header


def test_source_table_lists_every_file(app, demo_db):
    at = app(PAGE)
    table = at.dataframe[0].value
    expected = sql(
        demo_db,
        "select label, file_name, rows_read, rows_loaded, rows_rejected from etl_sources order by rowid",
    )
    assert list(table.columns)[:6] == ["数据", "文件名", "编码", "读取行数", "入库行数", "拒收行数"]
    assert [
        tuple(r) for r in table[["数据", "文件名", "读取行数", "入库行数", "拒收行数"]].values
    ] == [tuple(r) for r in expected]
    # Encodings in words a clerk knows, never the codec's name alone.
    assert set(table["编码"]) <= {
        "UTF-8",
        "UTF-8（带BOM）",
        "GB18030（GBK）",
        "Excel 工作簿",
        "GeoJSON",
    }


def test_the_ten_demo_rejects_with_their_chinese_messages(app, demo_db):
    at = app(PAGE)
    rejects = at.table[0].value
    expected = sql(
        demo_db,
        'select file, row, "column", value, message from etl_rejects order by file, row',
    )
    assert len(expected) == 10
    shown = sorted(
        (unescape(f), int(r), unescape(c), unescape(v), unescape(m))
        for f, r, c, v, m in rejects[["文件", "行号", "列", "原值", "问题及处理办法"]].values
    )
    assert shown == sorted(expected)
    assert all(re.search(r"[\u4e00-\u9fff]", m) for *_, m in shown)
    assert "共 10 行未入库" in " ".join(c.value for c in at.caption)


def test_source_picker_narrows_the_rejects(app, demo_db):
    at = app(PAGE)
    picker = at.selectbox(key="ds_source")
    with_rejects = [
        s
        for (s,) in sql(
            demo_db, "select source from etl_sources where rows_rejected > 0 order by rowid"
        )
    ]
    assert picker.options[1:] == [
        label
        for (label,) in sql(
            demo_db, "select label from etl_sources where rows_rejected > 0 order by rowid"
        )
    ]
    picker.set_value(with_rejects[0]).run()
    table = at.table[0].value
    (message,) = sql(
        demo_db, "select message from etl_rejects where source = $s", s=with_rejects[0]
    )[0]
    assert len(table) == 1 and unescape(table["问题及处理办法"][0]) == message


@pytest.fixture(scope="module")
def db_after_a_failed_load(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A failed load (organisations file missing), then a good one: the warehouse records both."""
    from etl.pipeline import LoadFailed, load_dir

    broken = tmp_path_factory.mktemp("broken")
    for f in demo_dir.iterdir():
        if "社会组织名录" not in f.name:
            shutil.copy(f, broken / f.name)
    db = tmp_path_factory.mktemp("reloaded") / "warehouse.duckdb"
    with pytest.raises(LoadFailed):
        load_dir(broken, db)
    load_dir(demo_dir, db)
    return db


def test_runs_show_the_failed_load_with_its_message(app, db_after_a_failed_load, monkeypatch):
    monkeypatch.setenv("ORGDASH_DB", str(db_after_a_failed_load))
    at = app(PAGE)
    runs = at.table[-1].value
    assert list(runs["结果"]) == ["成功", "失败"]  # newest first
    (message,) = sql(
        db_after_a_failed_load, "select message from etl_runs where status = 'failed'"
    )[0]
    assert "社会组织名录" in message
    shown = unescape(runs["说明"][1])
    assert message.startswith(shown.removesuffix("……（完整说明请下载）"))
    assert runs["说明"][0] == "—"


def test_no_rejects_says_so(app, demo_db, tmp_path, monkeypatch):
    # A copy of the warehouse with the rejects cleared: the page must say nothing was rejected.
    db = tmp_path / "clean.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    con.execute("delete from etl_rejects")
    con.execute("update etl_sources set rows_rejected = 0")
    con.close()
    monkeypatch.setenv("ORGDASH_DB", str(db))
    at = app(PAGE)
    assert "没有拒收任何行" in " ".join(i.value for i in at.info)
    assert at.selectbox(key="ds_source").options == ["全部数据"]


def test_a_load_that_failed_after_the_live_build_is_announced(app, demo_dir, tmp_path, monkeypatch):
    from etl.pipeline import LoadFailed, load_dir

    db = tmp_path / "warehouse.duckdb"
    load_dir(demo_dir, db)
    monkeypatch.setenv("ORGDASH_DB", str(db))
    assert not app(PAGE).error  # nothing failed yet

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LoadFailed):
        load_dir(empty, db)  # the warehouse is untouched, so only the run log knows
    errors = [e.value for e in app(PAGE).error]
    assert len(errors) == 1
    assert "失败" in errors[0] and "上一次成功导入" in errors[0] and "缺少" in errors[0]


def test_an_analyst_sees_no_server_folder_nor_a_command_they_cannot_run(app, demo_db):
    """Issue 20: the 数据 page showed analysts the server's folder and `orgdash load`."""
    source_dir = sql(demo_db, "select source_dir from warehouse_info")[0][0]
    assert source_dir.startswith("/")

    def page_text(at) -> str:  # type: ignore[no-untyped-def]
        return " ".join(e.value for e in [*at.markdown, *at.caption])

    analyst = page_text(app(PAGE, user="analyst"))
    assert "数据仓库" in analyst and "系统管理员" in analyst
    assert not re.search(r"(^|[\s（(「])/[\w.-]+/", analyst), analyst
    assert "orgdash" not in analyst
    admin = page_text(app(PAGE))
    assert source_dir in admin and "orgdash load" in admin
