"""Kept builds behind a live symlink: kept and pruned, rolled back, listed; audited; the CLI."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import queries
from access import audit
from etl import kept_builds
from etl.config import EtlConfig
from etl.kept_builds import RollbackError, list_builds, live_build, rollback, sources_dir
from etl.pipeline import LoadBusy, LoadFailed, load_dir, load_lock, read_runs
from tests.dbutil import sql


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def live_run(db: Path) -> str:
    return sql(db, "select etl_run_id from warehouse_info")[0][0]


def age(path: Path, seconds: float) -> None:
    """Pretend a build file was retired `seconds` ago."""
    t = time.time() - seconds
    os.utime(path, (t, t))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "site" / "warehouse.duckdb"


def test_each_load_keeps_its_build_and_the_live_path_points_at_the_newest(demo_dir, db):
    first = load_dir(demo_dir, db)
    id_first = queries.build_id(db)
    second = load_dir(demo_dir, db)

    assert db.is_symlink()
    assert os.readlink(db) == f"builds/{second.run_id}.duckdb"  # relative: the folder can move
    kept = list_builds(db)
    assert [b.run_id for b in kept] == [second.run_id, first.run_id]
    assert [b.is_live for b in kept] == [True, False]
    assert kept[0].as_of.isoformat() == "2025-12-31"
    assert kept[0].rows == sql(db, "select sum(rows_loaded) from etl_sources")[0][0] > 0
    assert live_build(db) == kept[0]

    # Readers through the pointer see the new build; the build id changed with the swap.
    assert live_run(db) == second.run_id
    assert queries.run("info/as_of", db=db)["etl_run_id"][0] == second.run_id
    assert queries.build_id(db) != id_first
    assert queries.live_file(db) == kept_builds.build_file(db, second.run_id)
    assert queries.live_file(db).resolve() == db.resolve()

    # The files each build came from are kept beside it, byte for byte, manifest included.
    archived = sources_dir(db)
    assert archived == db.parent / "builds" / f"{second.run_id}.sources"
    originals = {p.name for p in demo_dir.iterdir() if p.is_file()}
    assert {p.name for p in archived.iterdir()} == originals
    assert "manifest.toml" in originals
    for name in originals:
        assert (archived / name).read_bytes() == (demo_dir / name).read_bytes(), name


def test_builds_are_pruned_to_keep_builds_but_never_the_live_or_a_just_retired_one(demo_dir, db):
    config = EtlConfig(keep_builds=2)
    r1 = load_dir(demo_dir, db, config=config)
    r2 = load_dir(demo_dir, db, config=config)
    for b in list_builds(db):
        age(b.path, 120)
    r3 = load_dir(demo_dir, db, config=config)
    ids = [b.run_id for b in list_builds(db)]
    assert ids == [r3.run_id, r2.run_id]
    assert not kept_builds.build_file(db, r1.run_id).exists()
    assert not kept_builds.sources_path(db, r1.run_id).exists()  # its sources go with it

    # r2 stopped being live a moment ago: a reader may have just resolved the pointer to it.
    r4 = load_dir(demo_dir, db, config=config)
    assert [b.run_id for b in list_builds(db)] == [r4.run_id, r3.run_id, r2.run_id]
    age(kept_builds.build_file(db, r2.run_id), 120)
    assert kept_builds.prune(db, 2) == [r2.run_id]

    # After a rollback the live build is older than the newest N: it stays all the same.
    rollback(db, to=r3.run_id)
    for b in list_builds(db):
        age(b.path, 120)
    assert kept_builds.prune(db, 1) == []
    assert [(b.run_id, b.is_live) for b in list_builds(db)] == [
        (r4.run_id, False),
        (r3.run_id, True),
    ]


def test_keep_builds_is_read_from_orgdash_toml(tmp_path, monkeypatch):
    from etl.config import load_config

    toml = tmp_path / "orgdash.toml"
    toml.write_text("[etl]\nkeep_builds = 3\nmax_upload_mb = 10\n", encoding="utf-8")
    monkeypatch.setenv("ORGDASH_CONFIG", str(toml))
    assert (load_config().keep_builds, load_config().max_upload_mb) == (3, 10.0)
    assert EtlConfig().keep_builds == 5 and EtlConfig().max_upload_mb == 50.0


def test_rollback_to_the_previous_build_and_to_a_named_one(demo_dir, db):
    r1 = load_dir(demo_dir, db)
    r2 = load_dir(demo_dir, db)
    r3 = load_dir(demo_dir, db)

    back = rollback(db, user="管理员甲")
    assert back.run_id == r2.run_id and back.is_live
    assert live_run(db) == r2.run_id
    assert os.readlink(db) == f"builds/{r2.run_id}.duckdb"

    back = rollback(db, to=r1.run_id)
    assert live_run(db) == r1.run_id
    forward = rollback(db, to=r3.run_id)  # "rollback" to a newer build undoes a rollback
    assert forward.run_id == r3.run_id and live_run(db) == r3.run_id
    assert len(list_builds(db)) == 3  # a rollback deletes nothing

    logged = [r for r in read_runs(db) if r["status"] == "rolled_back"]
    assert [(r["from_run"], r["to_run"]) for r in logged] == [
        (r3.run_id, r2.run_id),
        (r2.run_id, r1.run_id),
        (r1.run_id, r3.run_id),
    ]
    events = [e for e in audit.read(db) if e["event"] == "rollback"]
    assert events[0]["user"] == "管理员甲"
    assert (events[0]["from_run"], events[0]["to_run"]) == (r3.run_id, r2.run_id)
    # The warehouse's own etl_runs lists load attempts only.
    assert {r[0] for r in sql(db, "select distinct status from etl_runs")} == {"succeeded"}


def test_rollback_with_nothing_to_roll_back_says_so(demo_dir, db):
    with pytest.raises(RollbackError, match="还没有在用的数据版本"):
        rollback(db)
    only = load_dir(demo_dir, db)
    with pytest.raises(RollbackError, match=f"没有比当前版本（{only.run_id}）更早的数据版本"):
        rollback(db)
    with pytest.raises(RollbackError, match="找不到数据版本「20200101T000000000-abcdef」"):
        rollback(db, to="20200101T000000000-abcdef")
    with pytest.raises(RollbackError, match="已经是当前在用的数据版本"):
        rollback(db, to=only.run_id)
    assert live_run(db) == only.run_id
    assert not [r for r in read_runs(db) if r["status"] == "rolled_back"]


def test_rollback_is_refused_while_a_load_runs(demo_dir, db):
    load_dir(demo_dir, db)
    load_dir(demo_dir, db)
    before = os.readlink(db)
    with load_lock(db), pytest.raises(LoadBusy, match="另一个导入正在进行中，请等它完成后再回退"):
        rollback(db)
    assert os.readlink(db) == before


def test_the_first_load_keeps_a_warehouse_of_the_old_layout_for_rollback(demo_dir, demo_db, db):
    db.parent.mkdir(parents=True)
    shutil.copy(demo_db, db)  # a regular file, as loads wrote it before builds/ existed
    old_bytes = digest(db)
    old_run = live_run(db)
    listed = list_builds(db)
    assert len(listed) == 1 and listed[0].is_live and listed[0].run_id.startswith("legacy-")

    new = load_dir(demo_dir, db)
    assert db.is_symlink() and live_run(db) == new.run_id
    legacy = [b for b in list_builds(db) if b.run_id.startswith("legacy-")]
    assert len(legacy) == 1 and legacy[0].sources is None
    assert digest(legacy[0].path) == old_bytes

    rollback(db)
    assert live_run(db) == old_run and digest(db) == old_bytes


def test_loads_and_failures_are_audited(demo_dir, db, tmp_path):
    ok = load_dir(demo_dir, db, user="录入员乙")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LoadFailed):
        load_dir(empty, db, user="录入员乙")
    with load_lock(db), pytest.raises(LoadBusy):
        load_dir(demo_dir, db, user="录入员丙")
    events = audit.read(db)
    assert [e["event"] for e in events] == ["load", "load_failed", "load_failed"]
    assert events[0]["user"] == "录入员乙" and events[0]["run_id"] == ok.run_id
    assert events[0]["rows_loaded"] == sum(ok.rows_loaded.values())
    assert events[0]["rows_rejected"] == ok.check.rows_rejected > 0
    assert "缺少" in events[1]["message"]
    assert events[2]["user"] == "录入员丙" and "另一个导入正在进行" in events[2]["message"]
    assert (db.parent / "audit.jsonl").exists()  # beside the pointer, not inside builds/


# --- the command line ---------------------------------------------------------------------------


def cli(*args: str):  # type: ignore[no-untyped-def]
    from orgdash.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_builds_lists_them_with_the_live_one_marked(demo_dir, db):
    r1 = load_dir(demo_dir, db)
    r2 = load_dir(demo_dir, db)
    done = cli("builds", "--db", str(db))
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    live_line = next(line for line in lines if r2.run_id in line)
    old_line = next(line for line in lines if r1.run_id in line)
    assert "✔" in live_line.split(r2.run_id)[0]  # the live mark sits before the id
    assert "✔" not in old_line.split(r1.run_id)[0]
    assert "2025-12-31" in live_line


def test_cli_builds_without_a_warehouse_says_what_to_do(db):
    done = cli("builds", "--db", str(db))
    assert done.exit_code == 1
    assert "请先运行 orgdash load" in done.stderr


def test_cli_rollback_previous_then_named_then_refused(demo_dir, db):
    r1 = load_dir(demo_dir, db)
    r2 = load_dir(demo_dir, db)
    done = cli("rollback", "--db", str(db))
    assert done.exit_code == 0, done.output
    assert f"已回退到版本 {r1.run_id}" in done.stdout
    assert live_run(db) == r1.run_id
    assert audit.read(db)[-1]["user"] == audit.cli_user()

    again = cli("rollback", "--db", str(db))
    assert again.exit_code == 1
    assert "没有比当前版本" in again.stderr and live_run(db) == r1.run_id

    named = cli("rollback", "--db", str(db), "--to", r2.run_id)
    assert named.exit_code == 0 and live_run(db) == r2.run_id

    with load_lock(db):
        busy = cli("rollback", "--db", str(db))
    assert busy.exit_code == 1 and "另一个导入正在进行中" in busy.stderr
    assert live_run(db) == r2.run_id


def test_cli_help_of_the_new_commands_is_bilingual():
    for command in ("builds", "rollback"):
        done = cli(command, "--help")
        assert done.exit_code == 0
        assert "版本" in done.stdout and "build" in done.stdout


def test_two_warehouses_in_one_folder_keep_their_builds_apart(demo_dir, tmp_path):
    a = tmp_path / "bench" / "warehouse-s1.duckdb"
    b = tmp_path / "bench" / "warehouse-s2.duckdb"
    a1 = load_dir(demo_dir, a)
    b1 = load_dir(demo_dir, b)
    assert os.readlink(a) == f"warehouse-s1.builds/{a1.run_id}.duckdb"
    assert [x.run_id for x in list_builds(a)] == [a1.run_id]
    assert [x.run_id for x in list_builds(b)] == [b1.run_id]
    with pytest.raises(RollbackError, match="没有比当前版本"):
        rollback(b)  # a's build is not b's to roll back to
    assert queries.load_attempts(queries.live_file(a)).height == 2  # the folder's run log


def test_a_build_from_an_earlier_version_is_not_rolled_back_to(demo_dir, db):
    # A build made before a mart existed (map_shapes came with the province map) would break the
    # pages that read it: rollback says so and names its sources instead of swapping it in.
    import duckdb

    old = load_dir(demo_dir, db)
    new = load_dir(demo_dir, db)
    assert kept_builds.missing_objects(kept_builds.build_file(db, new.run_id)) == []
    with duckdb.connect(str(kept_builds.build_file(db, old.run_id))) as con:
        con.execute("drop table map_shapes")
    with pytest.raises(RollbackError) as exc:
        rollback(db)
    assert "由旧版程序生成" in str(exc.value) and "map_shapes" in str(exc.value)
    assert str(kept_builds.sources_path(db, old.run_id)) in str(exc.value)
    assert live_run(db) == new.run_id  # nothing swapped
