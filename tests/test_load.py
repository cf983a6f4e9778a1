"""Demo county -> orgdash load -> warehouse: headline figures, broken inputs, atomic swap."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl.config import EtlConfig
from etl.pipeline import LoadFailed, load_dir, read_runs
from etl.sources import SOURCES
from tests.dbutil import sql

AS_OF = "DATE '2025-12-31'"


def one(db: Path, query: str):  # type: ignore[no-untyped-def]
    return sql(db, query)[0][0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the headline figures of docs/DOMAIN.md, straight from the tables (not through the marts) -------

ACTIVE = f"established_on <= {AS_OF} and (dissolved_on is null or dissolved_on > {AS_OF})"


def test_active_registered_filed(demo_db):
    assert one(demo_db, f"select count(*) from organizations where {ACTIVE}") == 2216
    assert (
        one(demo_db, f"select count(*) from organizations where {ACTIVE} and status = 'registered'")
        == 156
    )
    assert (
        one(demo_db, f"select count(*) from organizations where {ACTIVE} and status = 'filed'")
        == 2060
    )


def test_urban_rural_split_and_averages(demo_db):
    rows = dict(
        sql(
            demo_db,
            f"""select d.area_type, count(*) from organizations o join divisions d
                on d.division_code = o.community_code where {ACTIVE} group by 1""",
        )
    )
    assert rows == {"urban": 1030, "rural": 1186}
    communities = dict(
        sql(
            demo_db,
            "select area_type, count(*) from divisions where level = 'community' group by 1",
        )
    )
    assert communities == {"urban": 45, "rural": 79}
    urban_avg = 1030 / communities["urban"]
    assert 22.5 <= urban_avg < 23.0  # "平均每个社区近23家"
    assert round(1186 / communities["rural"]) == 15  # "平均每个行政村15家"


def test_townships_and_platforms(demo_db):
    assert one(demo_db, "select count(*) from divisions where level = 'township'") == 12
    assert one(demo_db, "select count(*) from divisions where level = 'county'") == 1
    levels = dict(sql(demo_db, "select level, count(*) from platforms group by 1"))
    assert levels == {"county": 1, "township": 12, "village": 180}


def test_charters_are_all_written_in(demo_db):
    rates = sql(
        demo_db,
        f"""select avg(party_in_charter::int), avg(integrity_in_charter::int)
            from organizations where {ACTIVE}""",
    )[0]
    assert rates == (1.0, 1.0)


def test_special_fund_every_year(demo_db):
    budgets = dict(
        sql(
            demo_db,
            "select year, budget_yuan from fund_budgets where fund_source = 'county_special_fund'",
        )
    )
    assert sorted(budgets) == [2021, 2022, 2023, 2024, 2025]
    assert all(b >= 2_000_000 for b in budgets.values())


def test_marts_agree_with_the_tables(demo_db):
    h = sql(
        demo_db,
        f"select count_active, count_registered, count_filed, count_urban, count_rural from headline({AS_OF})",
    )
    assert h == [(2216, 156, 2060, 1030, 1186)]
    assert one(demo_db, "select count(*) from organizations_active") == 2216
    below = one(demo_db, f"select count(*) from community_density({AS_OF}) where not meets_floor")
    assert below >= 1  # the demo has communities below the national floor, as real counties do


def test_marts_built_during_the_load_equal_marts_built_at_the_end(demo_db, tmp_path):
    """The load builds each mart as soon as the sources it names are in (etl.write_build.mart_sources),
    while later files are still being checked. Rebuilt from the finished warehouse, every mart
    table must come out the same: one built too early, before a source it reads, would not.
    (Views and macros are computed when read, whenever they were created.)"""
    from etl.write_build import mart_sources
    from queries import sql_files

    copy = tmp_path / "rebuilt.duckdb"
    shutil.copy(demo_db, copy)
    loaded = {s.table for s in SOURCES}
    assert any(mart_sources(p) < loaded for p in sql_files("marts"))  # some are built early
    con = duckdb.connect(str(copy))
    try:
        before = {t for (t,) in con.sql("select table_name from duckdb_tables()").fetchall()}
        marts = sorted(before - loaded - {"warehouse_info", "etl_sources", "etl_runs"})
        marts = [t for t in marts if not t.startswith(("lookup_", "etl_"))]
        assert "map_shapes" in marts  # the other marts are views and macros, read when queried
        con.execute("create schema early")
        for t in marts:
            con.execute(f"create table early.{t} as select * from main.{t}")
        for path in sql_files("marts"):
            con.execute(path.read_text(encoding="utf-8"))
        for t in marts:
            differ = con.sql(
                f"select count(*) from ((select * from early.{t} except all select * from main.{t})"
                f" union all (select * from main.{t} except all select * from early.{t}))"
            ).fetchall()
            rows = con.sql(f"select count(*) from main.{t}").fetchall()
            assert differ == [(0,)], f"{t}: built during the load differs from rebuilt"
            assert rows[0][0] > 0, f"{t} is empty on the demo"
    finally:
        con.close()


def test_the_build_checks_pass_on_the_demo_and_catch_repeated_keys_and_dangling_references(
    demo_db, tmp_path
):
    # Keys are not PRIMARY KEY constraints (etl/write_build.py says why): the build's data checks
    # must catch what the constraint would have. NOT NULL stays in the DDL.
    from etl.write_build import key_checks, run_checks

    assert {"unique_key_organizations", "unique_key_grants"} <= set(key_checks())
    copy = tmp_path / "copy.duckdb"
    shutil.copy(Path(demo_db).resolve(), copy)
    with duckdb.connect(str(copy)) as con:
        assert run_checks(con) == []
        con.execute("insert into organizations select * from organizations limit 1")
        con.execute("insert into grants select * from grants limit 1")
        # and a dangling reference: a training held by a division that is not loaded
        con.execute("update trainings set division_code = '349999999999' where rowid = 0")
        failed = run_checks(con)
    assert "unique_key_organizations" in failed[0] and "社会组织名录的键（org_id）" in failed[0]
    assert "'SZ" in failed[0]  # the repeated id, for whoever reads the failed load's message
    assert "unique_key_grants" in failed[1]
    assert not any("unique_key_divisions" in f for f in failed)
    dangling = [f for f in failed if "references_resolve" in f]
    assert len(dangling) == 1 and "trainings.division_code" in dangling[0]


def test_five_years_of_everything(demo_db):
    for table, col in [
        ("grants", "year"),
        ("annual_reports", "report_year + 1"),
        ("credit_ratings", "year"),
        ("fund_budgets", "year"),
    ]:
        years = {r[0] for r in sql(demo_db, f"select distinct {col} from {table}")}
        assert {2021, 2022, 2023, 2024, 2025} <= years, table
    assert one(demo_db, "select count(*) from evaluations") > 0
    assert one(demo_db, "select count(*) from credit_listings") > 0
    assert one(demo_db, "select count(*) from inspections") > 0
    # Every township and community has a polygon.
    assert (
        one(
            demo_db,
            "select count(*) from divisions d anti join division_boundaries b using (division_code)",
        )
        == 0
    )


def test_enumerations_are_codes_with_chinese_lookups(demo_db):
    fields = dict(sql(demo_db, "select code, label from lookup_field"))
    assert fields["culture_sports"] == "文体活动"
    assert {r[0] for r in sql(demo_db, "select distinct field from organizations")} <= set(fields)
    comment = one(
        demo_db,
        "select comment from duckdb_columns() where table_name = 'organizations' and column_name = 'credit_code'",
    )
    assert comment == "统一社会信用代码"


def test_the_demo_mistakes_are_rejected_with_excel_rows(demo_db):
    rejects = pl.DataFrame(
        sql(demo_db, 'select file, row, "column", rule, message from etl_rejects'),
        schema=["file", "row", "column", "rule", "message"],
        orient="row",
    )
    assert rejects.height >= 5
    assert rejects["row"].min() >= 2  # Excel rows: the header is at least row 1
    assert all(not m.isascii() for m in rejects["message"])
    info = sql(demo_db, "select as_of_date::varchar, county_name from warehouse_info")[0]
    assert info == ("2025-12-31", "Xx县")


# --- broken inputs: each is a reject or a failure, and a failure changes nothing -------------


@pytest.fixture
def live(demo_dir: Path, demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo warehouse to be the 'live' file a bad load must not touch."""
    db = tmp_path / "live" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(demo_db, db)
    return db


def broken_copy(demo_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    shutil.copytree(demo_dir, folder)
    return folder


def _file(folder: Path, label: str) -> Path:
    return next(p for p in folder.iterdir() if p.stem == label)


def _rewrite_csv(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    enc = (
        "utf-8-sig"
        if data.startswith(b"\xef\xbb\xbf")
        else ("utf-8" if _is_utf8(data) else "gb18030")
    )
    path.write_bytes(edit(data.decode(enc)).encode(enc))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _fails_and_leaves_live_unchanged(folder: Path, live: Path, rule_text: str) -> LoadFailed:
    before = digest(live)
    with pytest.raises(LoadFailed) as exc:
        load_dir(folder, live)
    assert rule_text in str(exc.value)
    assert digest(live) == before  # byte-for-byte
    assert not list(live.parent.rglob(".*.building*"))  # no half-built file, builds/ included
    # The sources are copied while they are checked: a failed load keeps no copy either.
    kept = {p.name.split(".")[0] for p in live.parent.rglob("*.duckdb") if p.parent != live.parent}
    orphans = [p for p in live.parent.rglob("*.sources*") if p.name.split(".")[0] not in kept]
    assert orphans == []
    assert read_runs(live)[-1]["status"] == "failed"
    return exc.value


def test_missing_column_fails_the_load(demo_dir, live, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    path = _file(folder, "资金拨付")
    _rewrite_csv(path, lambda t: t.replace("拨付金额", "金额备注"))
    _fails_and_leaves_live_unchanged(folder, live, "缺少必填列「拨付金额」")


def test_undecodable_bytes_fail_the_load(demo_dir, live, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    path = _file(folder, "专项抽查")
    path.write_bytes(path.read_bytes()[:200] + b"\xff\xff\xff" + path.read_bytes()[200:])
    _fails_and_leaves_live_unchanged(folder, live, "文件编码无法识别")


def test_truncated_file_fails_the_load(demo_dir, live, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    path = _file(folder, "资金拨付")
    data = path.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 12  # a dozen bytes into a row: cut mid-row
    path.write_bytes(data[:cut])
    _fails_and_leaves_live_unchanged(folder, live, "文件似乎被截断了")


def test_a_half_missing_list_points_downstream_rejects_at_it(demo_dir, live, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    path = _file(folder, "社会组织名录")
    _rewrite_csv(path, lambda t: "".join(t.splitlines(keepends=True)[: len(t.splitlines()) // 2]))
    _fails_and_leaves_live_unchanged(folder, live, "请先检查名录文件是否完整")


def test_empty_file_fails_the_load(demo_dir, live, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    _file(folder, "专项抽查").write_bytes(b"")
    _fails_and_leaves_live_unchanged(folder, live, "文件是空的")


def test_missing_file_fails_the_load(demo_dir, live, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    _file(folder, "年报").unlink()
    _fails_and_leaves_live_unchanged(folder, live, "缺少「年报」文件")


def test_too_many_rejects_fail_the_load(demo_dir, live, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    path = _file(folder, "专项抽查")
    _rewrite_csv(path, lambda t: t.replace("合规", "待定"))  # most inspection results unknown
    err = _fails_and_leaves_live_unchanged(folder, live, "超过允许的 5%")
    assert err.report is not None and err.report.exists()


@pytest.mark.parametrize(
    ("label", "edit", "rule"),
    [
        # an unknown community: the first organisation moves to a community code nobody has
        (
            "社会组织名录",
            lambda t, c: t.replace(c["community"], c["community"][:-3] + "398", 1),
            "community_exists",
        ),
        # a duplicate key: the first filed organisation's row appears twice
        ("社会组织名录", lambda t, c: _duplicate_line(t, c["org"]), "duplicate"),
        # a bad checksum on a registered organisation's credit code
        (
            "社会组织名录",
            lambda t, c: t.replace(c["credit"], c["credit"][:-1] + c["bad_check"], 1),
            "credit_code_checksum",
        ),
        # a payment that takes a grant over its approval
        (
            "资金拨付",
            lambda t, c: t.rstrip("\n") + f'\nBF-TEST-1,{c["grant"]},2025-12-30,"9,999,999.00"\n',
            "paid_over_approved",
        ),
    ],
    ids=["unknown community", "duplicate key", "bad checksum", "payments over approval"],
)
def test_row_rule_rejects_and_the_rest_loads(demo_dir, demo_db, tmp_path, label, edit, rule):
    folder = broken_copy(demo_dir, tmp_path)
    ctx = _demo_facts(demo_db)
    path = _file(folder, label)
    _rewrite_csv(path, lambda t: edit(t, ctx))
    db = tmp_path / "w.duckdb"
    result = load_dir(folder, db)
    rejects = result.check.rejects.filter(file=path.name, rule=rule)
    assert rejects.height >= 1, result.check.rejects.to_dicts()
    assert one(db, f"select count(*) from etl_rejects where rule = '{rule}'") >= 1
    loaded = one(db, f"select count(*) from {next(s.table for s in SOURCES if s.label == label)}")
    assert loaded > 0


def _demo_facts(db: Path) -> dict[str, str]:
    org = sql(
        db,
        "select org_id, community_code from organizations where status = 'filed' order by org_id limit 1",
    )[0]
    # A registered organisation that is on no small list, so rejecting it cascades only into
    # large files and no file crosses the 5 % threshold because of it.
    credit = one(
        db,
        """select credit_code from organizations o where status = 'registered'
           and not exists (select 1 from credit_listings l where l.org_id = o.org_id)
           and not exists (select 1 from evaluations e where e.org_id = o.org_id)
           order by org_id limit 1""",
    )
    grant = one(db, "select grant_id from grants order by grant_id limit 1")
    return {
        "org": org[0],
        "community": org[1],
        "credit": credit,
        "bad_check": "0" if credit[-1] != "0" else "1",
        "grant": grant,
    }


def _duplicate_line(text: str, key: str) -> str:
    lines = text.splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.startswith(key + ","))
    return "".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])


def test_a_county_without_a_points_ledger_still_loads(demo_dir, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    _file(folder, "积分台账").unlink()
    db = tmp_path / "w.duckdb"
    result = load_dir(folder, db)
    assert any("「积分台账」文件（可选）" in n for n in result.check.notes)
    assert one(db, "select count(*) from points_ledger") == 0
    assert one(db, "select file_name from etl_sources where source = 'points_ledger'") is None
    assert one(db, "select count(*) from micro_projects") > 0  # the other programmes load


# --- same inputs, same warehouse; load beside a reader ----------------------------------------

DATA_TABLES = [s.table for s in SOURCES]


def _table_digests(db: Path) -> dict[str, str]:
    out = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        for t in DATA_TABLES:
            rows = con.sql(f"select * from {t}").fetchall()
            out[t] = hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        con.close()
    return out


def test_loading_twice_gives_the_same_warehouse(demo_dir, demo_db, tmp_path):
    again = tmp_path / "again.duckdb"
    load_dir(demo_dir, again)
    assert _table_digests(again) == _table_digests(demo_db)
    assert one(again, "select count(*) from etl_rejects") == one(
        demo_db, "select count(*) from etl_rejects"
    )


def test_load_while_a_reader_holds_the_warehouse_open(demo_dir, demo_db, tmp_path):
    db = tmp_path / "busy.duckdb"
    shutil.copy(demo_db, db)
    old_run = one(db, "select etl_run_id from warehouse_info")
    reader = duckdb.connect(str(db), read_only=True)  # the dashboard, mid-query
    try:
        assert reader.sql("select count(*) from organizations").fetchall()[0][0] > 0
        result = load_dir(demo_dir, db)  # must not fail with "Could not set lock on file"
        assert (
            reader.sql("select count(*) from organizations").fetchall()[0][0] > 0
        )  # old file still readable
    finally:
        reader.close()
    assert one(db, "select etl_run_id from warehouse_info") == result.run_id != old_run


def test_a_second_concurrent_load_is_refused(demo_dir, tmp_path):
    from etl.pipeline import LoadBusy, load_lock

    db = tmp_path / "w.duckdb"
    with load_lock(db), pytest.raises(LoadBusy, match="另一个导入正在进行"):
        load_dir(demo_dir, db)


def test_runs_are_recorded_failed_ones_included(demo_dir, tmp_path):
    db = tmp_path / "w.duckdb"
    load_dir(demo_dir, db)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LoadFailed):
        load_dir(empty, db)
    load_dir(demo_dir, db)
    statuses = [r[0] for r in sql(db, "select status from etl_runs order by started_at, run_id")]
    assert statuses.count("succeeded") == 2 and statuses.count("failed") == 1


def test_reject_share_is_configurable(demo_dir, tmp_path):
    folder = broken_copy(demo_dir, tmp_path)
    _rewrite_csv(_file(folder, "专项抽查"), lambda t: t.replace("合规", "待定"))
    result = load_dir(folder, tmp_path / "w.duckdb", config=EtlConfig(max_reject_share=1.0))
    # By name: inspections is no longer the last source checked (the programmes come after it).
    inspections = next(c for c in result.check.checked if c.source.name == "inspections")
    assert result.rows_loaded["inspections"] < inspections.rows_read


# --- the command line ---------------------------------------------------------------------------


def orgdash(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orgdash", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_check_exits_1_on_rejects_and_names_them(demo_dir):
    done = orgdash("check", str(demo_dir))
    assert done.returncode == 1
    assert "第" in done.stdout and "行" in done.stdout  # "… 第614行「拨付日期」…"


def test_cli_load_and_info(demo_dir, tmp_path):
    db = tmp_path / "cli.duckdb"
    done = orgdash("load", str(demo_dir), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "社会组织名录" in done.stdout
    assert "reject report" in done.stdout  # the demo has planted mistakes
    info = orgdash("info", "--db", str(db))
    assert info.returncode == 0 and "2025-12-31" in info.stdout and "organizations" in info.stdout


def test_cli_failed_load_exits_nonzero_and_says_unchanged(tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    done = orgdash("load", str(empty), "--db", str(tmp_path / "w.duckdb"))
    assert done.returncode == 1
    assert "原数据仓库未改动" in done.stderr


BLOCKED_AT_LOAD = ("pyarrow",)


def test_the_cli_load_imports_nothing_it_does_not_need(demo_dir, tmp_path):
    """pyarrow's import was 0.07 s of a county's 1.2 s load (DuckDB scans the frames through the
    Arrow C stream instead). The load must work, reject report and all, with it unimportable."""
    db = tmp_path / "lean.duckdb"
    blocked = "".join(f"sys.modules[{name!r}] = None; " for name in BLOCKED_AT_LOAD)
    script = f"import sys; {blocked}sys.argv[0] = 'orgdash'; from orgdash.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", script, "load", str(demo_dir), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "reject report" in done.stdout
    assert one(db, "select count(*) from organizations") == one(
        db, "select rows_loaded from etl_sources where source = 'organizations'"
    )
    assert next((db.parent / "rejects").glob("*.xlsx")).stat().st_size > 0


def test_cli_help_is_bilingual():
    done = orgdash("--help")
    assert "社区社会组织" in done.stdout and "community social organisations" in done.stdout


def test_check_rejects_exactly_the_demo_mistakes(tmp_path):
    from demo.synthetic import generate
    from etl.pipeline import check_dir

    demo = generate(tmp_path / "raw", scale=1)
    result = check_dir(demo.out_dir)
    assert result.ok, result.failures
    got = {(r["source"], r["row"], r["rule"]) for r in result.rejects.iter_rows(named=True)}
    planted = {(err.source, row, err.rule) for err, row in demo.error_rows}
    assert got == planted


def test_clean_demo_loads_without_rejects(tmp_path):
    from demo.synthetic import generate
    from etl.pipeline import check_dir

    demo = generate(tmp_path / "raw", scale=1, errors=False)
    result = check_dir(demo.out_dir)
    assert result.ok and result.rejects.is_empty()
    # What was accepted is exactly the generator's ground truth, table by table.
    for checked in result.checked:
        truth = demo.frames[checked.source.name]
        if checked.source.geojson:
            assert checked.accepted.height == truth.height
            continue
        key = list(checked.source.key) or list(truth.columns)
        assert checked.accepted.sort(key).equals(
            truth.select(checked.accepted.columns).sort(key)
        ), checked.source.name


def test_runs_started_within_one_second_keep_their_order(demo_dir, tmp_path):
    # Regression: ids and times in whole seconds let a failed load and its retry swap places.
    from etl.pipeline import new_run_id

    t = dt.datetime(2026, 1, 5, 9, 30, 0, 120_000)
    ids = [
        new_run_id(t),
        new_run_id(t + dt.timedelta(milliseconds=1)),
        new_run_id(t + dt.timedelta(milliseconds=900)),
    ]
    assert sorted(ids) == ids
    db = tmp_path / "w.duckdb"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LoadFailed):
        load_dir(empty, db)
    load_dir(demo_dir, db)
    statuses = [
        r[0] for r in sql(db, "select status from etl_runs order by started_at desc, run_id desc")
    ]
    assert statuses == ["succeeded", "failed"]
