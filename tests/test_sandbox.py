"""The analysts' SQL sandbox: every attack refused by the engine, ordinary analytics accepted, limits hold."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from queries import sandbox
from queries.sandbox import SandboxError, run_sandboxed

AS_OF = "2025-12-31"
READ_ONLY = "查询只能读取数据仓库，不能写入或访问外部文件"
LOCKED = "查询不能修改数据库设置"

# (sql, outcome with the statement check, outcome on the engine's fence alone).
# {out} is a temporary folder a COPY or EXPORT aims at; {db} the warehouse file itself.
# refused / locked: the Chinese refusal of a write or file access / of a setting; error: the
# engine refuses in its own words (a Chinese lead, DuckDB's detail); harmless: the engine runs it
# and nothing outside the warehouse is read or changed (the untouched fixture checks).
ATTACKS: list[tuple[str, str, str]] = [
    ("insert into organizations (org_id) values ('x')", "refused", "refused"),
    ("update organizations set name = 'x'", "refused", "refused"),
    ("delete from organizations", "refused", "refused"),
    (
        "merge into organizations o using (select 'x' as org_id) s on o.org_id = s.org_id "
        "when matched then delete",
        "refused",
        "refused",
    ),
    ("create table t as select 1", "refused", "refused"),
    ("create view v as select 1", "refused", "refused"),
    ("create macro m() as 1", "refused", "refused"),
    ("create sequence s", "refused", "refused"),
    ("drop table organizations", "refused", "refused"),
    ("drop view organizations_active", "refused", "refused"),
    ("alter table organizations add column x int", "refused", "refused"),
    ("alter table organizations rename to o2", "refused", "refused"),
    ("copy organizations to '{out}/orgs.csv'", "refused", "refused"),
    ("copy (select 1) to '{out}/one.parquet' (format parquet)", "refused", "refused"),
    ("copy organizations from '{out}/orgs.csv'", "refused", "refused"),
    ("copy (select 1) to '{db}'", "refused", "refused"),
    ("copy (select 1) to '{db}.wal'", "refused", "refused"),
    ("export database '{out}/dump'", "refused", "refused"),
    ("import database '{out}/dump'", "refused", "refused"),
    ("attach '{out}/new.duckdb' as n", "refused", "refused"),
    ("attach ':memory:' as m", "refused", "refused"),
    ("attach '{db}' as again (read_only)", "refused", "harmless"),
    ("detach w", "refused", "error"),
    ("install httpfs", "refused", "refused"),
    ("force install spatial", "refused", "refused"),
    ("load httpfs", "refused", "refused"),
    ("load json", "refused", "harmless"),
    ("set threads = 8", "locked", "locked"),
    ("set max_execution_time = 0", "locked", "locked"),
    ("set memory_limit = '100GB'", "locked", "locked"),
    ("set enable_external_access = true", "locked", "locked"),
    ("set lock_configuration = false", "locked", "locked"),
    ("reset max_execution_time", "locked", "locked"),
    ("reset lock_configuration", "locked", "locked"),
    ("set temp_directory = '{out}'", "locked", "locked"),
    ("set profiling_output = '{out}/profile.json'", "locked", "locked"),
    ("set log_query_path = '{out}/queries.log'", "locked", "locked"),
    ("pragma enable_profiling = 'json'", "locked", "locked"),
    ("pragma memory_limit = '10GB'", "locked", "locked"),
    ("pragma threads = 4", "locked", "locked"),
    ("select * from read_csv('/etc/passwd')", "refused", "refused"),
    # The engine lets a connection read its own database file (allowed_paths holds it and its
    # WAL, and cannot be set before start): the warehouse's own bytes, nothing outside it.
    ("select * from read_csv_auto('{db}')", "error", "error"),
    ("select count(*) from read_text('{db}')", "harmless", "harmless"),
    ("select * from read_csv('https://example.com/x.csv')", "refused", "refused"),
    ("select * from read_text('/etc/hostname')", "refused", "refused"),
    ("select * from read_blob('/etc/hostname')", "refused", "refused"),
    ("select * from read_parquet('{out}/one.parquet')", "refused", "refused"),
    ("select * from read_json('/etc/passwd')", "refused", "refused"),
    ("select * from glob('/etc/*')", "refused", "refused"),
    ("select * from sniff_csv('/etc/passwd')", "refused", "refused"),
    ("select * from 'https://example.com/a.parquet'", "refused", "refused"),
    ("select * from parquet_metadata('{out}/one.parquet')", "refused", "refused"),
    ("select 1; drop table organizations", "refused", "refused"),
    ("select 1; copy organizations to '{out}/hidden.csv'", "refused", "refused"),
    ("create temp table x as select 1; delete from organizations", "refused", "refused"),
]

# (sql, rows expected: an int, or SQL counting them straight on the warehouse file).
LEGIT: list[tuple[str, int | str]] = [
    ("select 1", 1),
    ("select count(*) from organizations", 1),
    (
        "with active as (select * from organizations where dissolved_on is null) "
        "select field, count(*) from active group by field",
        "select count(distinct field) from organizations where dissolved_on is null",
    ),
    (
        "with recursive r(n) as (select 1 union all select n + 1 from r where n < 100) "
        "select * from r",
        100,
    ),
    (
        "select org_id, rank() over (partition by field order by established_on) as r "
        "from organizations qualify r <= 3",
        "select count(*) from (select row_number() over (partition by field order by "
        "established_on, org_id) as n from organizations) where n <= 3",
    ),
    (
        "describe organizations",
        "select count(*) from duckdb_columns() where table_name = 'organizations'",
    ),
    (
        "summarize organizations",
        "select count(*) from duckdb_columns() where table_name = 'organizations'",
    ),
    ("explain select * from organizations", 1),
    (
        "pragma table_info('grants')",
        "select count(*) from duckdb_columns() where table_name = 'grants'",
    ),
    (
        "show tables",
        "select (select count(*) from duckdb_tables() where not internal)"
        " + (select count(*) from duckdb_views() where not internal)",
    ),
    (f"select * from headline(date '{AS_OF}')", 1),
    (
        "select * from community_density((select as_of_date from warehouse_info)) where not meets_floor",
        "select count(*) from (select d.division_code, d.area_type, count(o.org_id) as n "
        "from divisions d left join organizations o on o.community_code = d.division_code "
        f"and o.established_on <= date '{AS_OF}' "
        f"and (o.dissolved_on is null or o.dissolved_on > date '{AS_OF}') "
        "where d.level = 'community' group by all) "
        "where n < case area_type when 'urban' then 10 else 5 end",
    ),
    ("create temp table scratch as select * from lookup_field; select * from scratch", 7),
    ("select 1 as a, 2 as a", 1),
    ("select interval 3 day as i, union_value(k := 1) as u, [1, 2] as l", 1),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(*folders: Path) -> dict[str, list[str]]:
    return {
        str(f): sorted(str(p.relative_to(f)) for p in f.rglob("*")) if f.exists() else []
        for f in folders
    }


def count_directly(db: Path, sql: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture(scope="module", autouse=True)
def worker_cwd(tmp_path_factory: pytest.TempPathFactory):
    """Workers started by this module run in an empty folder, so a file written to the current
    directory would show."""
    here = tmp_path_factory.mktemp("cwd")
    old = Path.cwd()
    sandbox._POOL.close()
    os.chdir(here)
    yield here
    sandbox._POOL.close()
    os.chdir(old)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "target"
    folder.mkdir()
    return folder


@pytest.fixture
def untouched(demo_db: Path, out: Path, worker_cwd: Path):
    """The warehouse file's hash and the files in its folder, the workers' current folder and the
    target folder do not change during the test."""
    folders = (demo_db.parent, worker_cwd, out)
    before, files = sha256(demo_db), listing(*folders)
    yield
    assert sha256(demo_db) == before
    assert listing(*folders) == files


@pytest.mark.parametrize("check", [True, False], ids=["checked", "engine_only"])
@pytest.mark.parametrize(
    ("sql", "with_check", "engine_only"), ATTACKS, ids=[a[0][:50] for a in ATTACKS]
)
def test_attack_is_refused_and_changes_nothing(
    sql, with_check, engine_only, check, demo_db, out, untouched
):
    text = sql.format(out=out, db=demo_db)
    expected = with_check if check else engine_only
    if expected == "harmless":
        # The engine alone runs these (LOAD of a built-in extension, ATTACH of the warehouse
        # itself, read-only): nothing outside the warehouse is read and nothing changes.
        run_sandboxed(text, demo_db, check_statements=check)
        return
    with pytest.raises(SandboxError) as caught:
        run_sandboxed(text, demo_db, check_statements=check)
    err = caught.value
    if expected == "refused":
        assert err.kind == "refused" and READ_ONLY in err.message, err.message
    elif expected == "locked":
        assert err.kind == "locked" and LOCKED in err.message, err.message
    else:
        assert err.message  # DETACH of the default database: the engine's own refusal
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message)  # a Chinese message


@pytest.mark.parametrize(("sql", "expected"), LEGIT, ids=[q[0][:50] for q in LEGIT])
def test_ordinary_analytics_are_accepted(sql, expected, demo_db, untouched):
    result = run_sandboxed(sql, demo_db)
    want = expected if isinstance(expected, int) else count_directly(demo_db, expected)
    assert result.total_rows == result.frame.height == want
    assert result.complete and not result.truncated
    assert result.frame.columns == sandbox._unique(result.columns)


def test_types_polars_cannot_hold_arrive_as_text(demo_db):
    frame = run_sandboxed(
        "select interval 3 day as i, interval '14 months 1 hour' as j, union_value(k := 1) as u,"
        " 1 as a, 2 as a",
        demo_db,
    ).frame
    assert frame.columns == ["i", "j", "u", "a", "a_1"]
    assert frame.schema["i"] == pl.String and frame.schema["u"] == pl.String
    assert frame.row(0) == ("3 days", "1 year 2 months 01:00:00", "1", 1, 2)


def test_empty_and_broken_sql_get_chinese_messages(demo_db):
    for text, kind, words in [
        ("   ", "syntax", "请输入"),
        ("selec 1", "syntax", "语法"),
        ("select * from no_such_table", "catalog", "找不到"),
        ("select cast('x' as integer)", "error", "转换"),
    ]:
        with pytest.raises(SandboxError) as caught:
            run_sandboxed(text, demo_db)
        assert caught.value.kind == kind and words in caught.value.message, text


def test_no_warehouse_says_so(tmp_path):
    with pytest.raises(SandboxError, match="数据仓库不存在"):
        run_sandboxed("select 1", tmp_path / "missing.duckdb")


# ---------------------------------------------------------------- limits


@pytest.mark.parametrize(
    "sql",
    [
        "select count(*) from range(1000000000000)",
        "select count(*) from organizations a, organizations b, organizations c",
        "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r",
        # One long expression: DuckDB 2.0.1 checks neither max_execution_time nor interrupt()
        # inside it; the worker process is killed instead. Levenshtein of two 150,000-character
        # strings runs ~35 s in ~80 MB. (It was list_sort(range(0, 50000000)): 400 MB a copy,
        # which a worker grown by earlier queries met as its address-space cap before the time
        # limit, so the same test said "memory" or "timeout" by the order the tests ran in.)
        "select levenshtein(repeat('a', 150000), repeat('b', 150000))",
    ],
    ids=["range_1e12", "cross_join", "recursion", "one_long_expression"],
)
def test_runaway_query_stops_at_the_time_limit(sql, demo_db, untouched):
    started = time.monotonic()
    with pytest.raises(SandboxError) as caught:
        run_sandboxed(sql, demo_db, timeout_s=1)
    assert caught.value.kind == "timeout"
    assert "超过了 1 秒的时间上限" in caught.value.message
    assert time.monotonic() - started < 15  # generous: 1 s limit, 2 s grace, a new worker
    assert run_sandboxed("select 42 as x", demo_db).frame.item() == 42  # the pool recovers


def test_endless_rows_keep_the_first_ones_and_say_the_count_is_unfinished(demo_db):
    result = run_sandboxed(
        "select * from range(1000000000000) t(n)", demo_db, max_rows=500, timeout_s=1
    )
    assert not result.complete and result.truncated
    assert result.frame.height == 500 and result.frame["n"].to_list() == list(range(500))
    assert result.total_rows > 500


def test_rows_past_max_rows_are_counted_not_kept(demo_db):
    result = run_sandboxed("select * from range(123457)", demo_db, max_rows=1000)
    assert result.complete and result.truncated
    assert result.total_rows == 123457 and result.frame.height == 1000


def test_memory_past_the_limit_is_refused(demo_db, untouched):
    with pytest.raises(SandboxError) as caught:
        run_sandboxed("select sum(length(repeat('x', 3000000000)))", demo_db, memory_limit="512MB")
    assert caught.value.kind == "memory" and "内存超过了上限（512MB）" in caught.value.message


def _worker_cpu() -> dict[int, float]:
    """CPU seconds used so far by each sandbox worker (children of this process), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"queries.sandbox" in cmdline:
            out[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def test_one_users_temp_table_never_reaches_another(demo_db):
    mine = "create temp table mine as select 7 as secret; select * from mine"
    assert run_sandboxed(mine, demo_db).frame.item() == 7
    with pytest.raises(SandboxError) as caught:
        run_sandboxed("select * from mine", demo_db)
    assert caught.value.kind == "catalog"

    # The same while the first user's query is still running in another worker. Two workers are
    # started first, so the second user's queries do not wait for one to start.
    warm = [threading.Thread(target=run_sandboxed, args=("select 1", demo_db)) for _ in range(2)]
    for t in warm:
        t.start()
    for t in warm:
        t.join()
    slow = {}

    def first_user() -> None:
        try:
            run_sandboxed(
                "create temp table held as select 1 as x; "
                "select count(*) from range(1000000000000), held",
                demo_db,
                timeout_s=4,
            )
        except SandboxError as exc:
            slow["kind"] = exc.kind

    before = _worker_cpu()
    thread = threading.Thread(target=first_user)
    thread.start()
    try:
        # Wait for the event the assert needs: the first user's script is past its CREATE and
        # scanning (a worker burns CPU), so `held` exists over there. (A fixed half-second sleep
        # let the assert below pass for the wrong reason when the table was not made yet.)
        deadline = time.monotonic() + 20
        while not any(cpu - before.get(pid, 0.0) > 0.3 for pid, cpu in _worker_cpu().items()):
            assert time.monotonic() < deadline, "the first user's query never started"
            time.sleep(0.02)
        assert thread.is_alive()
        with pytest.raises(SandboxError) as caught:
            run_sandboxed("select * from held", demo_db)
        assert caught.value.kind == "catalog"
        # And the second user is answered while the first one's runaway is still running.
        assert run_sandboxed("select count(*) from lookup_field", demo_db).frame.item() == 7
        assert thread.is_alive()
    finally:
        thread.join()
    assert slow["kind"] == "timeout"


def test_the_pool_keeps_at_most_its_workers_and_stops_idle_ones(demo_db, monkeypatch):
    for _ in range(5):
        sandbox.prewarm()
    users = [
        threading.Thread(
            target=run_sandboxed, args=("select count(*) from range(1000000)", demo_db)
        )
        for _ in range(5)
    ]
    for t in users:
        t.start()
    for t in users:
        t.join()
    idle = list(sandbox._POOL._idle)
    assert 1 <= len(idle) <= sandbox.MAX_WORKERS and all(w.alive() for w in idle)
    monkeypatch.setattr(sandbox, "IDLE_S", 0.0)
    sandbox.prewarm()  # finds them idle too long: stops them, starts one fresh
    assert not any(w.alive() for w in idle)
    assert len(sandbox._POOL._idle) == 1


def test_a_new_build_is_seen_by_the_next_query(demo_db, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    before = run_sandboxed("select etl_run_id from warehouse_info", db).frame.item()
    fresh = tmp_path / "fresh.duckdb"
    con = duckdb.connect(str(fresh))
    con.sql("create table warehouse_info as select 'new-build' as etl_run_id")
    con.close()
    os.replace(fresh, db)  # what orgdash load does
    assert run_sandboxed("select etl_run_id from warehouse_info", db).frame.item() == "new-build"
    assert before != "new-build"


def test_default_time_limit_is_configurable(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGDASH_SQL_TIMEOUT", raising=False)
    monkeypatch.setenv("ORGDASH_CONFIG", str(tmp_path / "absent.toml"))
    assert sandbox.default_timeout() == 10
    toml = tmp_path / "orgdash.toml"
    toml.write_text("[sql]\nmax_execution_time_s = 7\n", encoding="utf-8")
    monkeypatch.setenv("ORGDASH_CONFIG", str(toml))
    assert sandbox.default_timeout() == 7
    monkeypatch.setenv("ORGDASH_SQL_TIMEOUT", "2.5")
    assert sandbox.default_timeout() == 2.5  # the environment wins
    monkeypatch.setenv("ORGDASH_SQL_TIMEOUT", "soon")
    assert sandbox.default_timeout() == 7  # nonsense is ignored


def test_the_configured_limit_is_the_one_applied(demo_db, monkeypatch):
    monkeypatch.setenv("ORGDASH_SQL_TIMEOUT", "1.5")
    result = run_sandboxed("select current_setting('max_execution_time') as ms", demo_db)
    assert result.frame.item() == 1500


def test_engine_config_locks_last_and_turns_everything_off():
    config = sandbox.engine_config(2.5, "1GB", 1)
    assert list(config)[-1] == "lock_configuration" and config["lock_configuration"] is True
    assert config["max_execution_time"] == 2500
    for key in (
        "enable_external_access",
        "autoinstall_known_extensions",
        "autoload_known_extensions",
        "allow_persistent_secrets",
        "python_enable_replacements",
    ):
        assert config[key] is False
    assert config["temp_directory"] == ""


def test_memory_units():
    assert sandbox.memory_bytes("1GB") == 10**9
    assert sandbox.memory_bytes("512MB") == 512 * 10**6
    assert sandbox.memory_bytes("2GiB") == 2 * 2**30


# ---------------------------------------------------------------- saved examples


def test_every_example_has_a_title_a_description_and_runs(demo_db, untouched):
    examples = sandbox.examples()
    assert len(examples) >= 8
    assert len({e.title for e in examples}) == len(examples)
    for e in examples:
        assert e.title and e.title != e.name and e.description, e.name
        result = run_sandboxed(e.sql, demo_db)
        assert result.complete and result.total_rows > 0, e.name
        assert all(
            any("\u4e00" <= ch <= "\u9fff" for ch in c) or c == "division_code"
            for c in result.columns
        ), (e.name, result.columns)


def test_below_floor_example_matches_a_direct_count(demo_db):
    example = next(e for e in sandbox.examples() if e.title == "未达到国家标准的社区")
    frame = run_sandboxed(example.sql, demo_db).frame
    rows = (
        duckdb.connect(str(demo_db), read_only=True)
        .sql(
            f"""
        select d.division_code, count(o.org_id) as n, case d.area_type when 'urban' then 10 else 5 end as floor
        from divisions d
        left join organizations o on o.community_code = d.division_code
         and o.established_on <= date '{AS_OF}'
         and (o.dissolved_on is null or o.dissolved_on > date '{AS_OF}')
        where d.level = 'community'
        group by d.division_code, d.area_type
        having count(o.org_id) < floor
        """
        )
        .fetchall()
    )
    assert sorted(frame["division_code"].to_list()) == sorted(r[0] for r in rows)
    assert frame.height == 6
    assert (frame["差距"] == frame["标准"] - frame["组织数"]).all()


# ---------------------------------------------------------------- downloads of odd types


def test_flat_frames_write_to_csv_and_excel(demo_db):
    from dashboard import downloads

    frame = run_sandboxed(
        "select [1, 2] as l, {'a': 1} as s, 'x'::blob as b, null as n, "
        "timestamptz '2025-01-01 08:00:00+08' as t, 1.25::decimal(10, 2) as d, '组织' as 中文",
        demo_db,
    ).frame
    csv_bytes = downloads.csv_bytes(sandbox.flat(frame))
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    assert "中文" in csv_bytes.decode("utf-8-sig")
    xlsx = downloads.xlsx_bytes(sandbox.flat(frame, excel=True), "查询结果")
    assert xlsx[:2] == b"PK"


# ---------------------------------------------------------------- the command line


@pytest.fixture
def cli():
    from orgdash.cli import app

    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["sql", *args])

    return invoke


def test_cli_table(cli, demo_db):
    done = cli("select code, label from lookup_field order by sort_order", "--db", str(demo_db))
    assert done.exit_code == 0, done.output
    assert "resident_services" in done.stdout and "为民服务" in done.stdout
    assert "共 7 行" in done.stderr


def test_cli_csv(cli, demo_db):
    done = cli(
        "select code, label from lookup_field order by sort_order",
        "--db",
        str(demo_db),
        "--format",
        "csv",
    )
    assert done.exit_code == 0
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["code", "label"] and rows[1] == ["resident_services", "为民服务"]
    assert len(rows) == 8


def test_cli_json(cli, demo_db):
    done = cli(
        f"select year, sum(budget_yuan) as budget from fund_execution(date '{AS_OF}') "
        "group by year order by year",
        "--db",
        str(demo_db),
        "--format",
        "json",
    )
    assert done.exit_code == 0
    rows = json.loads(done.stdout)
    expected = (
        duckdb.connect(str(demo_db), read_only=True)
        .sql("select year, sum(budget_yuan) from fund_budgets group by year order by year")
        .fetchall()
    )
    assert [(r["year"], r["budget"]) for r in rows] == [(y, str(b)) for y, b in expected]


def test_cli_max_rows_and_stdin(cli, demo_db):
    from orgdash.cli import app

    done = CliRunner().invoke(
        app,
        ["sql", "-", "--db", str(demo_db), "--format", "csv", "--max-rows", "5"],
        input="select * from range(100) t(n)",
    )
    assert done.exit_code == 0
    assert done.stdout.splitlines() == ["n", "0", "1", "2", "3", "4"]
    assert "共 100 行" in done.stderr and "输出前 5 行" in done.stderr


def test_cli_refusal_exits_1_with_the_chinese_message(cli, demo_db, untouched, out):
    done = cli(f"copy organizations to '{out}/x.csv'", "--db", str(demo_db))
    assert done.exit_code == 1
    assert READ_ONLY in done.stderr and done.stdout == ""


def test_cli_runs_as_a_program(demo_db):
    done = subprocess.run(
        [sys.executable, "-m", "orgdash", "sql", "drop table grants", "--db", str(demo_db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and READ_ONLY in done.stderr and "DROP" in done.stderr
