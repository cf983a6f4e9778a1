"""Uploads staged on the live build's sources: checked and reported first, loaded only on confirm."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import polars as pl
import pytest

from access import audit
from etl import kept_builds
from etl.pipeline import load_dir
from etl.read import decode
from etl.staging import UploadError, confirm, discard, stage, staging_root
from tests.dbutil import sql


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(demo_dir: Path, tmp_path: Path) -> Path:
    """A live warehouse of its own, loaded from the demo like `orgdash load`."""
    path = tmp_path / "site" / "warehouse.duckdb"
    load_dir(demo_dir, path)
    return path


def orgs_file(demo_dir: Path) -> Path:
    return demo_dir / "社会组织名录.csv"


def corrected_orgs(demo_dir: Path, db: Path) -> tuple[bytes, str]:
    """The organisations file with its rejected rows taken out and one organisation renamed."""
    data = orgs_file(demo_dir).read_bytes()
    text, encoding = decode(orgs_file(demo_dir), data)
    bad_rows = {r[0] for r in sql(db, "select row from etl_rejects where source = 'organizations'")}
    assert bad_rows, "the demo plants mistakes in the organisations file"
    lines = text.splitlines(keepends=True)
    kept = [line for i, line in enumerate(lines, start=1) if i not in bad_rows]
    org_id, name = sql(db, "select org_id, name from organizations order by org_id limit 1")[0]
    fixed = "".join(kept).replace(f"{org_id},{name},", f"{org_id},{name}（已更正）,", 1)
    assert fixed != "".join(kept)
    out = ("\ufeff" if encoding == "utf-8-sig" else "") + fixed
    return out.encode("gb18030" if encoding == "gb18030" else "utf-8"), org_id


def test_a_corrected_file_is_checked_and_reported_then_loaded_on_confirm(demo_dir, db):
    live_before = digest(db)
    run_before = kept_builds.live_build(db).run_id
    rejected_before = sql(
        db, "select source, count(*) from etl_rejects group by source order by source"
    )
    data, org_id = corrected_orgs(demo_dir, db)

    staged = stage(db, [("名录（更正）.csv", data)], user="录入员甲")

    assert staged.replaced == [("organizations", "名录（更正）.csv")]
    assert staged.base_run == run_before
    assert staged.check.ok and staged.check.as_of.isoformat() == "2025-12-31"
    counts = {c.source.name: (c.rows_read, c.rows_rejected) for c in staged.check.checked}
    assert counts["organizations"][1] == 0  # the corrected file has no rejects left
    others = {s: n for s, n in rejected_before if s != "organizations"}
    assert {s: counts[s][1] for s in others} == others  # the rest is the live build's files
    # The report is the load's format, in the staging folder, without the organisations rows.
    assert staged.report == staged.dir / "report" / "拒收报告.xlsx" and staged.report.exists()
    report = pl.read_csv(staged.report.with_suffix(".csv"))
    assert report.height == staged.check.rows_rejected > 0
    assert "社会组织名录" not in set(report["数据"])
    # Staging changed nothing live.
    assert digest(db) == live_before
    assert kept_builds.live_build(db).run_id == run_before
    assert len(kept_builds.list_builds(db)) == 1

    result = confirm(db, staged, user="管理员乙")

    live = kept_builds.live_build(db)
    assert live.run_id == result.run_id != run_before
    assert digest(db) != live_before
    assert sql(db, "select name from organizations where org_id = $id", id=org_id)[0][0].endswith(
        "（已更正）"
    )
    assert sql(db, "select count(*) from etl_rejects where source = 'organizations'") == [(0,)]
    assert not staged.dir.exists()  # the staged files now live on as the build's sources
    archived = {p.name for p in live.sources.iterdir()}
    assert "社会组织名录.csv" not in archived and any("名录（更正）" in n for n in archived)
    events = [(e["event"], e["user"]) for e in audit.read(db)]
    assert ("upload_checked", "录入员甲") in events and events[-1] == ("load", "管理员乙")


def test_a_file_named_any_way_is_recognised_by_its_header(demo_dir, db):
    data = (demo_dir / "行政区划.xlsx").read_bytes()
    staged = stage(db, [("导出数据(3).xlsx", data)])
    assert staged.replaced == [("divisions", "导出数据(3).xlsx")]
    assert staged.check.ok
    assert staged.check.files["divisions"]["file"].endswith("导出数据(3).xlsx")
    discard(staged)
    assert not staged.dir.exists()


def test_discarding_leaves_the_live_build_alone(demo_dir, db):
    before = digest(db)
    staged = stage(db, [("社会组织名录.csv", orgs_file(demo_dir).read_bytes())])
    discard(staged)
    assert digest(db) == before and len(kept_builds.list_builds(db)) == 1
    with pytest.raises(UploadError, match="已过期或已被放弃"):
        confirm(db, staged, user=None)


BAD_UPLOADS = [
    ("会议纪要.docx", b"PK\x03\x04 not a table", "不支持的文件类型「.docx」"),
    ("社会组织名录.xls", b"\xd0\xcf\x11\xe0 old excel", "Excel 文件无法打开"),
    ("社会组织名录.et", b"\xd0\xcf\x11\xe0 wps", "请在 WPS 中打开后「另存为」"),
    ("社会组织名录.csv", b"", "文件是空的"),
    ("社会组织名录.csv", b"  \r\n", "文件是空的"),
    ("统计表.csv", "序号,姓名,电话\n1,张三,13800000000\n".encode(), "认不出这是哪一种数据"),
    ("社会组织名录.xlsx", b"this is not a workbook at all", "Excel 文件无法打开"),
    ("边界.geojson", b'{"type": "FeatureCollection", "features"', "不是有效的 GeoJSON"),
]


@pytest.mark.parametrize(("name", "data", "says"), BAD_UPLOADS, ids=[b[2] for b in BAD_UPLOADS])
def test_an_upload_that_cannot_be_used_says_which_file_and_why(db, name, data, says):
    with pytest.raises(UploadError) as exc:
        stage(db, [(name, data)])
    assert exc.value.file == name
    assert name in str(exc.value) and says in str(exc.value)
    leftovers = list(staging_root(db).iterdir()) if staging_root(db).exists() else []
    assert not leftovers  # nothing half-staged is left


def test_the_unrecognised_message_lists_the_sources_and_points_at_the_docs(db):
    with pytest.raises(UploadError) as exc:
        stage(db, [("统计表.csv", b"a,b\n1,2\n")])
    assert "社会组织名录" in exc.value.message and "资金拨付" in exc.value.message
    assert "docs/SOURCES.md" in exc.value.message


def test_a_file_over_the_size_limit_names_the_limit(demo_dir, db):
    data = orgs_file(demo_dir).read_bytes()
    with pytest.raises(UploadError) as exc:
        stage(db, [("社会组织名录.csv", data)], max_bytes=100 * 1024)
    assert exc.value.file == "社会组织名录.csv"
    assert "超过上传上限 100 KB" in exc.value.message and "CSV" in exc.value.message


def test_the_size_limit_defaults_to_orgdash_toml(demo_dir, db, tmp_path, monkeypatch):
    toml = tmp_path / "orgdash.toml"
    toml.write_text("[etl]\nmax_upload_mb = 0.1\n", encoding="utf-8")
    monkeypatch.setenv("ORGDASH_CONFIG", str(toml))
    big = orgs_file(demo_dir).read_bytes()
    assert len(big) > 0.1 * 1024 * 1024
    with pytest.raises(UploadError, match="超过上传上限"):
        stage(db, [("社会组织名录.csv", big)])


def test_two_uploads_of_one_source_are_refused(demo_dir, db):
    data = orgs_file(demo_dir).read_bytes()
    with pytest.raises(UploadError) as exc:
        stage(db, [("社会组织名录.csv", data), ("名录副本.csv", data)])
    assert exc.value.file == "名录副本.csv"
    assert "「社会组织名录.csv」和「名录副本.csv」都是社会组织名录" in exc.value.message


def test_without_a_live_build_only_a_complete_set_can_be_staged(demo_dir, tmp_path):
    db = tmp_path / "new" / "warehouse.duckdb"
    with pytest.raises(UploadError) as exc:
        stage(db, [("社会组织名录.csv", orgs_file(demo_dir).read_bytes())])
    assert "社会组织名录.csv" in str(exc.value)
    assert "请一次上传全部数据文件" in exc.value.message and "行政区划" in exc.value.message

    files = [(p.name, p.read_bytes()) for p in sorted(demo_dir.iterdir()) if p.suffix != ".toml"]
    staged = stage(db, files, as_of=None)
    assert staged.base_run is None and staged.check.ok
    assert len(staged.replaced) == len(files)
    result = confirm(db, staged, user=None)
    assert kept_builds.live_build(db).run_id == result.run_id


def test_confirm_is_refused_when_the_live_build_changed_since_staging(demo_dir, db):
    staged = stage(db, [("社会组织名录.csv", orgs_file(demo_dir).read_bytes())])
    other = load_dir(demo_dir, db)  # someone else loaded meanwhile
    with pytest.raises(UploadError, match="校验之后在用的数据已经变了"):
        confirm(db, staged, user=None)
    assert kept_builds.live_build(db).run_id == other.run_id


def test_a_given_as_of_is_checked_and_loaded(demo_dir, db):
    import datetime as dt

    staged = stage(
        db,
        [("社会组织名录.csv", orgs_file(demo_dir).read_bytes())],
        as_of=dt.date(2026, 3, 31),
    )
    assert staged.check.as_of == dt.date(2026, 3, 31)
    confirm(db, staged, user=None)
    assert sql(db, "select as_of_date::varchar from warehouse_info") == [("2026-03-31",)]


def test_staging_folders_older_than_a_day_are_cleaned(demo_dir, db):
    old = staging_root(db) / "20200101T000000-abcdef"
    old.mkdir(parents=True)
    (old / "社会组织名录.csv").write_bytes(b"x")
    t = time.time() - 2 * 24 * 3600
    os.utime(old, (t, t))
    recent = stage(db, [("社会组织名录.csv", orgs_file(demo_dir).read_bytes())])
    assert not old.exists() and recent.dir.exists()
