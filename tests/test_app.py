"""The app as a whole: a new build is picked up without a restart; no warehouse is explained."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.dbutil import sql


def _drop_one_active_org(src: Path, dst: Path, db: Path) -> None:
    shutil.copytree(src, dst)
    org = sql(
        db,
        "select org_id from organizations where status = 'filed' and dissolved_on is null order by org_id limit 1",
    )[0][0]
    path = dst / "社会组织名录.csv"
    text = path.read_bytes().decode("gb18030")
    kept = [line for line in text.splitlines(keepends=True) if not line.startswith(org + ",")]
    path.write_bytes("".join(kept).encode("gb18030"))


def test_a_new_build_is_picked_up_without_restart(app, demo_dir, demo_db, tmp_path, monkeypatch):
    from etl.pipeline import load_dir

    db = tmp_path / "live.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("ORGDASH_DB", str(db))
    at = app()
    assert {m.label: m.value for m in at.metric}["登记备案社区社会组织"] == "2,216家"

    _drop_one_active_org(demo_dir, tmp_path / "raw", db)
    load_dir(tmp_path / "raw", db)  # swapped in while the session is open
    at.run()
    assert {m.label: m.value for m in at.metric}["登记备案社区社会组织"] == "2,215家"


def test_no_warehouse_says_how_to_make_one(app, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import signed_in

    monkeypatch.setenv("ORGDASH_DB", str(tmp_path / "missing.duckdb"))
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=60
    )
    signed_in(at, "admin")  # the app fixture set ORGDASH_USERS; sign-in comes before the data
    at.run()
    assert not at.exception
    assert "数据仓库尚未生成" in at.error[0].value and "make run" in at.error[0].value
