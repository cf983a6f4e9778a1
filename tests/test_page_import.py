"""导入 page: an admin uploads a corrected file, reads the check, confirms, sees the new data,
then rolls back; bad uploads say what happened. On a warehouse of its own (it is changed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl import kept_builds
from etl.pipeline import load_dir
from tests import conftest
from tests.dbutil import sql
from tests.test_staging import corrected_orgs

PAGE = "views/import_data.py"


@pytest.fixture
def site(demo_dir: Path, users_file: Path, tmp_path: Path, monkeypatch) -> Path:
    db = tmp_path / "site" / "warehouse.duckdb"
    load_dir(demo_dir, db)
    monkeypatch.setenv("ORGDASH_DB", str(db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    return db


def open_as(user: str, page: str = PAGE, **params: str) -> AppTest:
    return conftest.open_as(user, page, **params)


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="imp_files").set_value([(n, b, "text/csv") for n, b in files])
    at.button(key="FormSubmitter:imp_upload-上传并校验").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_upload_check_confirm_then_every_page_sees_it_and_rollback(site, demo_dir):
    data, org_id = corrected_orgs(demo_dir, site)
    before = kept_builds.live_build(site).run_id
    at = open_as("admin")
    upload(at, ("名录（更正）.csv", data))

    # The check comes first: counts, where each file came from, and nothing loaded yet.
    check = next(d.value for d in at.dataframe if "来源" in d.value.columns)
    row = check[check["数据"] == "社会组织名录"].iloc[0]
    assert row["来源"] == "本次上传" and row["拒收行数"] == 0
    assert set(check["来源"]) == {"本次上传", "沿用当前版本"}
    rejected = int(check["拒收行数"].sum())
    assert {m.label: m.value for m in at.metric}["拒收"] == f"{rejected:,}行"
    assert kept_builds.live_build(site).run_id == before

    at.button(key="imp_confirm").click().run()
    assert any("导入成功" in s.value for s in at.success)
    after = kept_builds.live_build(site).run_id
    assert after != before
    renamed = sql(site, "select name from organizations where org_id = $o", o=org_id)[0][0]
    assert renamed.endswith("（已更正）")
    # The same session's next page shows the new build without a restart.
    org_page = open_as("admin", "views/organizations.py", org=org_id)
    assert any(renamed in h.value for h in org_page.subheader)

    # Roll back from the page: the previous build is live again, the name is the old one.
    at = open_as("admin")
    versions = next(d.value for d in at.dataframe if "版本" in d.value.columns)
    assert list(versions["版本"])[:2] == [after, before]
    at.selectbox(key="imp_target").set_value(before)
    at.checkbox(key="imp_sure").check()
    at.button(key="FormSubmitter:imp_rollback-回退").click().run()
    assert any(f"已回退到版本 {before}" in s.value for s in at.success)
    assert kept_builds.live_build(site).run_id == before
    assert not sql(site, "select name from organizations where org_id = $o", o=org_id)[0][
        0
    ].endswith("（已更正）")


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("备忘.csv", "甲,乙\n1,2\n".encode(), "认不出这是哪一种数据"),
        ("空.csv", b"", "空"),
    ],
)
def test_bad_uploads_say_what_happened(site, name, body, says):
    before = kept_builds.live_build(site).run_id
    at = upload(open_as("admin"), (name, body))
    errors = [e.value for e in at.error]
    assert errors and name in errors[0] and says in errors[0]
    assert kept_builds.live_build(site).run_id == before


def test_a_file_over_the_limit_names_the_limit(site, demo_dir, tmp_path, monkeypatch):
    config = tmp_path / "orgdash.toml"
    config.write_text("[etl]\nmax_upload_mb = 0.01\n", encoding="utf-8")
    monkeypatch.setenv("ORGDASH_CONFIG", str(config))
    data, _ = corrected_orgs(demo_dir, site)
    at = upload(open_as("admin"), ("名录.csv", data))
    # As the admin reads it: the message is Markdown-escaped (it carries the file's name).
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]
    assert any("超过上传上限 10 KB" in e and "max_upload_mb" in e for e in errors), errors


def test_only_admins_import(site):
    at = open_as("analyst")
    assert any("无权使用「导入」" in e.value for e in at.error)
    assert not at.get("file_uploader")
