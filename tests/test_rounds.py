"""Township submission rounds: open, submit (own rows only), status per township, resubmit, close,
and the county load from the latest accepted submissions; the CLI and both pages."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from access import audit, roles
from etl import kept_builds, rounds
from etl import normalize as nz
from etl.pipeline import load_dir
from etl.read import read
from etl.sources import SOURCES_BY_NAME
from etl.staging import UploadError
from tests import conftest
from tests.dbutil import sql

DUE = dt.date(2026, 4, 10)
ORGS = SOURCES_BY_NAME["organizations"]
REPORTS = SOURCES_BY_NAME["annual_reports"]


# ---------------------------------------------------------------- a site and township files


@pytest.fixture(scope="module")
def base_site(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("rounds") / "site" / "warehouse.duckdb"
    load_dir(demo_dir, db)
    return db


@pytest.fixture
def db(base_site: Path, tmp_path: Path) -> Path:
    """A live warehouse of its own (rounds, loads and rollbacks change it), copied from one load."""
    shutil.copytree(base_site.parent, tmp_path / "site", symlinks=True)
    return tmp_path / "site" / "warehouse.duckdb"


@pytest.fixture(scope="module")
def towns(base_site: Path) -> list[tuple[str, str]]:
    return sql(
        base_site, "select division_code, name from divisions where level = 'township' order by 1"
    )


def org_ids(db: Path, township: str) -> list[str]:
    """The organisations the live build places in a township (its rejected rows are not there)."""
    return [
        r[0]
        for r in sql(
            db,
            "select org_id from organizations o join divisions d on d.division_code = o.community_code "
            "where d.township_code = $t order by org_id",
            t=township,
        )
    ]


def raw_rows(demo_dir: Path, source: str, file: str, key: str, ids: list[str]) -> pl.DataFrame:
    """The demo's raw rows (as clerks typed them) whose key is one of ids, in file order."""
    frame = read(demo_dir / file, SOURCES_BY_NAME[source]).frame
    return frame.filter(nz.identifier(pl.col(key)).is_in(ids)).drop("_row")


def as_xlsx_english(frame: pl.DataFrame, title: str) -> bytes:
    """A workbook with a title row and English headers (org_id, name, ...)."""
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf) as wb:
        ws = wb.add_worksheet("名录")
        ws.write_row(0, 0, [title])
        ws.write_row(1, 0, frame.columns)
        for i, row in enumerate(frame.iter_rows(), start=2):
            ws.write_row(i, 0, ["" if v is None else v for v in row])
    return buf.getvalue()


def as_csv_gb18030(frame: pl.DataFrame, source: str, title: str) -> bytes:
    """A GB18030 CSV with a title row and the Chinese headers, as WPS saves it."""
    src = SOURCES_BY_NAME[source]
    body = frame.rename({c: src.column(c).label for c in frame.columns}).write_csv()
    return (f"{title}\n" + body).encode("gb18030")


def renamed(frame: pl.DataFrame, org: str, name: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(nz.identifier(pl.col("org_id")) == org)
        .then(pl.lit(name))
        .otherwise(pl.col("name"))
        .alias("name")
    )


NEW_ORG = "SZ34012999901"


def township_a_file(demo_dir: Path, db: Path, a: str, rename_to: str = "（一季度更正）") -> bytes:
    """Township A's register as xlsx with English headers: one organisation renamed, one new."""
    ids = org_ids(db, a)
    frame = renamed(
        raw_rows(demo_dir, "organizations", "社会组织名录.csv", "org_id", ids),
        ids[0],
        f"{ids[0]}{rename_to}",
    )
    community = sql(
        db,
        "select min(division_code) from divisions where township_code = $t and level = 'community'",
        t=a,
    )[0][0]
    new = pl.DataFrame(
        [
            {
                "org_id": NEW_ORG,
                "name": "新成立的邻里互助队",
                "status": "备案",
                "field": "邻里互助",
                "community_code": community,
                "established_on": "2026-02-01",
            }
        ]
    )
    return as_xlsx_english(pl.concat([frame, new], how="diagonal"), "城关街道社区社会组织名录")


def township_file(demo_dir: Path, db: Path, town: str, stray_from: str | None = None) -> bytes:
    """A township's register as clerks send it (GB18030 CSV, title row), optionally with one row
    of another township at the end."""
    frame = raw_rows(demo_dir, "organizations", "社会组织名录.csv", "org_id", org_ids(db, town))
    if stray_from is not None:
        other = org_ids(db, stray_from)[:1]
        frame = pl.concat(
            [frame, raw_rows(demo_dir, "organizations", "社会组织名录.csv", "org_id", other)]
        )
    return as_csv_gb18030(frame, "organizations", "社区社会组织名录")


def open_q1(db: Path) -> rounds.Round:
    return rounds.open_round(db, "2026Q1", DUE, "admin", now=dt.datetime(2026, 3, 25, 9))


def on(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


# ---------------------------------------------------------------- opening


def test_open_a_quarter_round_and_the_refusals(db):
    r = open_q1(db)
    assert (r.title, r.due, r.as_of, r.is_open) == (
        "2026年第1季度",
        DUE,
        dt.date(2026, 3, 31),
        True,
    )
    assert (db.parent / "rounds" / "2026Q1" / "round.toml").is_file()
    assert rounds.current_round(db) == r and [x.id for x in rounds.list_rounds(db)] == ["2026Q1"]
    with pytest.raises(rounds.RoundError, match="还没有关闭"):
        rounds.open_round(db, "2026Q2", dt.date(2026, 7, 10), "admin")
    with pytest.raises(rounds.RoundError, match="不可用"):
        rounds.open_round(db, "2026 一季度", DUE, "admin")
    rounds.close_round(db, "2026Q1", "admin")
    with pytest.raises(rounds.RoundError, match="请给出轮次名称"):
        rounds.open_round(db, "special", DUE, "admin")
    with pytest.raises(rounds.RoundError, match="已经存在"):
        rounds.open_round(db, "2026Q1", DUE, "admin")
    special = rounds.open_round(
        db, "2026-ad-hoc", DUE, "admin", title="专项核查", as_of=dt.date(2026, 4, 1)
    )
    assert (special.title, special.as_of) == ("专项核查", dt.date(2026, 4, 1))
    events = [(e["event"], e.get("round")) for e in audit.read(db)]
    assert ("round_open", "2026Q1") in events and ("round_close", "2026Q1") in events


# ---------------------------------------------------------------- two townships submit


def test_two_townships_submit_one_with_rejects_one_late_and_the_status(demo_dir, db, towns):
    (a, a_name), (b, b_name) = towns[0], towns[1]
    open_q1(db)
    n_a = len(org_ids(db, a))
    sub_a = rounds.submit(
        db, "2026Q1", a, [("城关名录.xlsx", township_a_file(demo_dir, db, a))], "clerk_a",
        at=on(DUE - dt.timedelta(days=3)),
    )  # fmt: skip
    assert sub_a.accepted and sub_a.seq == 1
    assert (sub_a.rows_accepted, sub_a.rows_rejected) == (n_a + 1, 0)
    assert sub_a.sources["organizations"].origin == "upload"

    # B: its own register as GB18030 CSV, one row with a field nobody knows, and one row of A.
    ids_b = org_ids(db, b)
    frame_b = raw_rows(demo_dir, "organizations", "社会组织名录.csv", "org_id", ids_b)
    frame_b = frame_b.with_columns(
        pl.when(nz.identifier(pl.col("org_id")) == ids_b[1])
        .then(pl.lit("不知道"))
        .otherwise(pl.col("field"))
        .alias("field")
    )
    stray = raw_rows(demo_dir, "organizations", "社会组织名录.csv", "org_id", org_ids(db, a)[:1])
    data_b = as_csv_gb18030(pl.concat([frame_b, stray]), "organizations", "经开街道名录")
    late = DUE + dt.timedelta(days=2)
    sub_b = rounds.submit(db, "2026Q1", b, [("经开名录.csv", data_b)], "clerk_b", at=on(late))
    assert sub_b.accepted  # one bad row is within the share a load allows
    assert frame_b.height == len(ids_b)
    assert (sub_b.rows_accepted, sub_b.rows_rejected) == (len(ids_b) - 1, 2)
    report = sub_b.rejects()
    rejects = report.filter(pl.col("文件") == "经开名录.csv")
    # Row numbers as in B's own file: title row, header row, B's rows, then A's row.
    stray_row = 3 + frame_b.height
    bad_row = 3 + frame_b["org_id"].str.strip_chars().to_list().index(ids_b[1])
    assert sorted(rejects["行号"].to_list()) == [bad_row, stray_row]
    message = rejects.filter(pl.col("行号") == stray_row)["问题及处理办法"][0]
    assert f"第{stray_row}行「所属社区代码」" in message
    assert f"属于{a_name}" in message and f"本乡镇（{b_name}）" in message
    assert f"这一行应由{a_name}报送" in message
    assert rejects.filter(pl.col("行号") == bad_row)["列"][0] == "服务领域"
    # The rejected organisation's reports, ratings... in the county's files are rejected with it:
    # said apart, pointing at the row of B's own file, and not counted as B's rows.
    knock = report.filter(pl.col("文件") != "经开名录.csv")
    assert sub_b.knock_on == knock.select("文件", "行号").unique().height > 0
    assert all(
        m.startswith("县里现有的这一行（不在本次报送的文件中）") for m in knock["问题及处理办法"]
    )
    assert any(f"社会组织名录行（第{bad_row}行）本身被拒收" in m for m in knock["问题及处理办法"])
    assert sub_b.report is not None and sub_b.report.exists()

    # Before the due date nobody is late; after it, B was late by 2 days, the rest are overdue.
    before = {s.township: s for s in rounds.status(db, "2026Q1", DUE - dt.timedelta(days=1))}
    assert before[a].label == "已报送" and before[b].label == "未报送"
    assert before[towns[2][0]].state == "pending"
    after = {s.township: s for s in rounds.status(db, "2026Q1", DUE + dt.timedelta(days=3))}
    assert len(after) == len(towns) == 12
    assert (after[a].label, after[a].rows_accepted, after[a].rows_rejected) == (
        "已报送",
        n_a + 1,
        0,
    )
    assert (after[b].label, after[b].state, after[b].days_late) == ("已报送（逾期2天）", "late", 2)
    assert (after[b].rows_accepted, after[b].rows_rejected) == (len(ids_b) - 1, 2)
    assert after[b].last is not None and after[b].last.user == "clerk_b"
    assert after[b].last.at.date() == late
    for code, _ in towns[2:]:
        assert (after[code].label, after[code].submissions) == ("逾期3天", 0)
    events = [e for e in audit.read(db) if e["event"] == "submission"]
    assert [(e["township"], e["accepted"]) for e in events] == [(a, True), (b, True)]


def test_a_file_of_another_township_is_refused_and_nothing_recorded(demo_dir, db, towns):
    (a, _), (b, b_name) = towns[0], towns[1]
    open_q1(db)
    with pytest.raises(UploadError) as exc:
        rounds.submit(db, "2026Q1", b, [("名录.xlsx", township_a_file(demo_dir, db, a))], "b")
    assert exc.value.file == "名录.xlsx"
    assert f"没有本乡镇（{b_name}）的任何一行" in exc.value.message
    assert "行属于其他乡镇（街道）" in exc.value.message
    assert rounds.submissions(db, "2026Q1", b) == []
    # The county's own sources are not submitted by townships.
    budgets = (demo_dir / "资金预算.xlsx").read_bytes()
    with pytest.raises(UploadError, match="资金预算由县民政局统一维护"):
        rounds.submit(db, "2026Q1", b, [("资金预算.xlsx", budgets)], "b")


def test_reports_of_another_townships_organisation_are_rejected_naming_both(demo_dir, db, towns):
    (a, a_name), (b, b_name) = towns[0], towns[1]
    open_q1(db)
    b_org = sql(
        db,
        "select min(org_id) from annual_reports where org_id in "
        "(select org_id from organizations o join divisions d on d.division_code = o.community_code "
        "where d.township_code = $t)",
        t=b,
    )[0][0]
    reports = raw_rows(demo_dir, "annual_reports", "年报.csv", "org_id", [*org_ids(db, a), b_org])
    data = as_csv_gb18030(reports, "annual_reports", "年报")
    sub = rounds.submit(db, "2026Q1", a, [("年报.csv", data)], "a")
    foreign = sub.rejects().filter(pl.col("规则") == "other_township")
    n_b = reports.filter(nz.identifier(pl.col("org_id")) == b_org).height
    assert foreign.height == n_b > 0 and sub.sources["annual_reports"].foreign == n_b
    assert all(
        f"{b_org} 是{b_name}的组织，不是本乡镇（{a_name}）的数据" in m
        for m in foreign["问题及处理办法"]
    )
    assert set(foreign["列"]) == {"组织编号"}


def test_a_closed_round_refuses_submissions(demo_dir, db, towns):
    a = towns[0][0]
    open_q1(db)
    closed = rounds.close_round(db, "2026Q1", "admin", now=on(DUE + dt.timedelta(days=1)))
    assert closed.closed_by == "admin" and not rounds.get_round(db, "2026Q1").is_open
    # A township that never submitted stays late by the days up to the close, not beyond.
    later = {s.township: s for s in rounds.status(db, "2026Q1", DUE + dt.timedelta(days=30))}
    assert later[a].label == "逾期1天"
    with pytest.raises(rounds.RoundError, match=r"上报已于.*关闭，不能再报送"):
        rounds.submit(db, "2026Q1", a, [("名录.xlsx", township_a_file(demo_dir, db, a))], "a")
    with pytest.raises(rounds.RoundError, match="已于"):
        rounds.close_round(db, "2026Q1", "admin")
    assert rounds.current_round(db) is None


# ---------------------------------------------------------------- resubmission and the county load


def names_in(db: Path, township: str) -> list[tuple]:
    return sql(
        db,
        "select o.org_id, o.name, o.community_code, o.established_on, o.field from organizations o "
        "join divisions d on d.division_code = o.community_code where d.township_code = $t "
        "order by o.org_id",
        t=township,
    )


def test_load_uses_each_townships_latest_accepted_and_keeps_the_others(demo_dir, db, towns):
    (a, _), (b, _) = towns[0], towns[1]
    open_q1(db)
    first_a = org_ids(db, a)[0]
    before_run = kept_builds.live_build(db)
    assert before_run is not None
    others_before = {code: names_in(db, code) for code, _ in towns[2:]}

    v1 = township_a_file(demo_dir, db, a, rename_to="（第一版）")
    v2 = township_a_file(demo_dir, db, a, rename_to="（第二版）")
    rounds.submit(db, "2026Q1", a, [("城关名录.xlsx", v1)], "a", at=on(DUE - dt.timedelta(5)))
    rounds.submit(db, "2026Q1", a, [("城关名录.xlsx", v2)], "a", at=on(DUE - dt.timedelta(4)))
    # A third try that fails the share of rejects a load allows is recorded but not used.
    broken = read(demo_dir / "社会组织名录.csv", ORGS).frame.drop("_row")
    broken = broken.filter(nz.identifier(pl.col("org_id")).is_in(org_ids(db, a)))
    broken = broken.with_columns(pl.lit("不知道").alias("field"))
    bad = rounds.submit(
        db, "2026Q1", a, [("名录.csv", as_csv_gb18030(broken, "organizations", "名录"))], "a"
    )
    assert not bad.accepted and "超过允许的" in bad.failures[0]
    ids_b = org_ids(db, b)
    frame_b = renamed(
        raw_rows(demo_dir, "organizations", "社会组织名录.csv", "org_id", ids_b[1:]),
        ids_b[1],
        "经开街道改名",
    )  # B drops its first organisation
    rounds.submit(
        db, "2026Q1", b, [("经开.csv", as_csv_gb18030(frame_b, "organizations", "t"))], "b"
    )

    now = {s.township: s for s in rounds.status(db, "2026Q1", DUE + dt.timedelta(days=365))}
    assert (now[a].submissions, now[a].resubmissions) == (3, 2)
    assert now[a].used is not None and now[a].used.seq == 2
    assert now[a].label == "已报送"  # on time: the first accepted came before the due date
    rounds.close_round(db, "2026Q1", "admin")

    done = rounds.load_round(db, "2026Q1", "county_admin")

    live = kept_builds.live_build(db)
    assert live is not None and live.run_id == done.result.run_id != before_run.run_id
    assert {t: s.seq for t, s in done.used.items()} == {a: 2, b: 1}
    # A: the second version, with its new organisation.
    names_a = {r[0]: r[1] for r in names_in(db, a)}
    assert names_a[first_a] == f"{first_a}（第二版）"
    assert NEW_ORG in names_a and len(names_a) == len(org_ids(before_run.path, a)) + 1
    # B: its submission, the dropped organisation gone.
    names_b = {r[0]: r[1] for r in names_in(db, b)}
    assert ids_b[0] not in names_b and names_b[ids_b[1]] == "经开街道改名"
    assert set(names_b) == set(ids_b[1:])
    # Every other township keeps its live rows exactly; sources nobody submitted stay whole.
    assert {code: names_in(db, code) for code, _ in towns[2:]} == others_before
    annual = sql(db, "select count(*) from annual_reports where org_id <> $o", o=ids_b[0])
    assert annual == sql(
        before_run.path, "select count(*) from annual_reports where org_id <> $o", o=ids_b[0]
    )
    assert live.sources is not None and (live.sources / "社会组织名录.csv").is_file()
    # The load is an ordinary build: audited, recorded with the round, and it rolls back.
    assert audit.read(db)[-1]["event"] == "load"
    assert rounds.get_round(db, "2026Q1").loads[-1].run_id == live.run_id
    assert rounds.get_round(db, "2026Q1").loads[-1].submissions == (f"{a}/002", f"{b}/001")
    back = kept_builds.rollback(db, user="admin")
    assert back.run_id == before_run.run_id
    assert (
        sql(db, "select name from organizations where org_id = $o", o=first_a)[0][0]
        == (
            sql(before_run.path, "select name from organizations where org_id = $o", o=first_a)[0][
                0
            ]
        )
    )


def test_a_resubmission_without_a_file_carries_it_from_the_last_accepted(demo_dir, db, towns):
    a = towns[0][0]
    open_q1(db)
    ids = org_ids(db, a)
    reports = raw_rows(demo_dir, "annual_reports", "年报.csv", "org_id", ids)
    org = reports.select(nz.identifier(pl.col("org_id")))[0, 0]  # one with reports
    reports = reports.with_columns(
        pl.when(nz.identifier(pl.col("org_id")) == org)
        .then(pl.lit("不合格"))
        .otherwise(pl.col("result"))
        .alias("result")
    )
    orgs_file = ("城关名录.xlsx", township_a_file(demo_dir, db, a))
    reports_file = ("城关年报.csv", as_csv_gb18030(reports, "annual_reports", "年报"))
    first = rounds.submit(db, "2026Q1", a, [orgs_file, reports_file], "a")
    assert list(first.sources) == ["organizations", "annual_reports"]
    second = rounds.submit(db, "2026Q1", a, [orgs_file], "a")
    carried = second.sources["annual_reports"]
    assert (carried.origin, carried.from_seq, carried.file) == ("earlier", 1, "城关年报.csv")
    assert carried.rows == first.sources["annual_reports"].rows
    rounds.load_round(db, "2026Q1", "admin")
    got = sql(db, "select distinct result from annual_reports where org_id = $o", o=org)
    assert got == [("fail",)]


def test_merging_reads_every_format_and_writes_canonical_csv(demo_dir, db, towns, tmp_path):
    """The merged file of a source holds the live rows of every other township as the reader
    read them, whatever the archived file's encoding, title rows and headers were."""
    a = towns[0][0]
    open_q1(db)
    rounds.submit(db, "2026Q1", a, [("城关名录.xlsx", township_a_file(demo_dir, db, a))], "a")
    out = tmp_path / "merged"
    rounds.merge_round(db, "2026Q1", out)
    merged = read(out / "社会组织名录.csv", ORGS)
    assert merged.encoding == "utf-8-sig" and merged.header_row == 1
    assert merged.headers == {c.name: c.label for c in ORGS.file_columns()}
    # The archive's file is GB18030 with a title row; A's rows in it are by its community code.
    live = read(demo_dir / "社会组织名录.csv", ORGS).frame
    in_a = nz.division_code(pl.col("community_code")).str.starts_with(a[:9]).fill_null(False)
    cols = [c.name for c in ORGS.file_columns()]
    ids_a = [*org_ids(db, a), NEW_ORG]
    got = merged.frame.filter(~nz.identifier(pl.col("org_id")).is_in(ids_a)).select(cols)
    want = live.filter(~in_a).select(cols)
    assert got.height == want.height > 2000
    assert got.sort(cols, nulls_last=True).equals(want.sort(cols, nulls_last=True))
    mine = merged.frame.filter(nz.identifier(pl.col("org_id")).is_in(ids_a))
    assert mine.height == len(ids_a)
    # Untouched sources are copied as archived (xlsx stays xlsx).
    assert (out / "资金安排.xlsx").is_file() and not (out / "资金安排.csv").exists()


# ---------------------------------------------------------------- the command line


def test_round_commands(demo_dir, db, towns, monkeypatch):
    from orgdash.cli import app

    monkeypatch.setenv("COLUMNS", "120")
    (a, a_name), (b, b_name) = towns[0], towns[1]
    runner = CliRunner()
    res = runner.invoke(app, ["round", "open", "2026Q1", "--due", "2026-04-10", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "已开启「2026年第1季度」" in res.output and "2026-03-31" in res.output
    rounds.submit(
        db, "2026Q1", a, [("城关名录.xlsx", township_a_file(demo_dir, db, a))], "a", at=on(DUE)
    )
    # B's file handed to the county, submitted from the command line today.
    ids_b = org_ids(db, b)
    csv_b = db.parent / "经开名录.csv"
    csv_b.write_bytes(
        as_csv_gb18030(
            raw_rows(demo_dir, "organizations", "社会组织名录.csv", "org_id", ids_b),
            "organizations",
            "名录",
        )
    )
    res = runner.invoke(
        app, ["round", "submit", "2026Q1", "--township", b, str(csv_b), "--db", str(db)]
    )
    assert res.exit_code == 0, res.output
    assert f"{b_name} 第1次报送：通过 accepted，接收 {len(ids_b)} 行，拒收 0 行" in res.output

    today = dt.date.today()
    res = runner.invoke(app, ["round", "status", "--day", today.isoformat(), "--db", str(db)])
    assert res.exit_code == 0, res.output
    lines = {line.split()[0]: line.split() for line in res.output.splitlines() if line.strip()}
    late = (today - DUE).days
    assert lines[a_name][1:5] == ["已报送", str(len(org_ids(db, a)) + 1), "0", "1"]
    assert lines[b_name][1] == (f"已报送（逾期{late}天）" if late > 0 else "已报送")
    assert lines[towns[2][1]][1:5] == [f"逾期{late}天" if late > 0 else "未报送", "0", "0", "0"]
    assert "已报送 2 个" in res.output

    res = runner.invoke(app, ["round", "close", "2026Q1", "--db", str(db)])
    assert res.exit_code == 0 and "已关闭「2026年第1季度」" in res.output
    res = runner.invoke(app, ["round", "close", "2026Q1", "--db", str(db)])
    assert res.exit_code == 1
    before = kept_builds.live_build(db)
    res = runner.invoke(app, ["round", "load", "2026Q1", "--db", str(db)])
    assert res.exit_code == 0, res.output
    live = kept_builds.live_build(db)
    assert live is not None and before is not None and live.run_id != before.run_id
    assert f"已导入「2026年第1季度」：版本 {live.run_id}" in res.output
    assert f"{a_name}（第1次）、{b_name}（第1次）" in res.output
    res = runner.invoke(app, ["round", "list", "--db", str(db)])
    assert "2026Q1" in res.output and "已关闭" in res.output
    res = runner.invoke(app, ["round", "status", "2027Q9", "--db", str(db)])
    assert res.exit_code == 1 and "没有上报轮次「2027Q9」" in res.output


# ---------------------------------------------------------------- the pages


@pytest.fixture
def site(db: Path, users_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ORGDASH_DB", str(db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    return db


def open_as(user: str, page: str) -> AppTest:
    return conftest.open_as(user, page)


def frame_with(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_submit_page_as_a_township_account(site, demo_dir, demo_township, towns):
    at = open_as("town", "views/submit.py")
    assert any("目前没有开放的上报轮次" in i.value for i in at.info)
    assert not at.get("file_uploader")
    open_q1(site)

    at = open_as("town", "views/submit.py")
    town_name = dict(towns)[demo_township]
    assert at.title[0].value == f"数据上报 · {town_name}"
    assert any("2026年4月10日" in m.value for m in at.markdown)
    assert any("本轮还没有报送" in i.value for i in at.info)
    # One row of another township in the upload: accepted with it rejected and explained.
    n_mine = len(org_ids(site, demo_township))
    data = township_file(demo_dir, site, demo_township, stray_from=towns[1][0])
    at.file_uploader(key="sub_files").set_value([("名录.csv", data, "text/csv")])
    at.button(key="FormSubmitter:sub_upload-上传并报送").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("报送成功" in s.value for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"报送": f"{n_mine + 1:,}行", "接收": f"{n_mine:,}行", "拒收": "1行"}
    sources = frame_with(at, "本乡镇行数")
    assert sources.iloc[0].to_dict() == {
        "数据": "社会组织名录",
        "文件": "名录.csv",
        "来源": "本次上传",
        "本乡镇行数": n_mine,
        "接收行数": n_mine,
        "拒收行数": 0,
        "其他乡镇或县级的行": 1,
    }
    rejects = frame_with(at, "问题及处理办法")
    assert len(rejects) == 1 and f"这一行应由{towns[1][1]}报送" in rejects["问题及处理办法"][0]
    assert at.get("download_button")  # the Excel report

    # A second submission: both listed, the newest is the one the county takes.
    at.file_uploader(key="sub_files").set_value([("名录.csv", data, "text/csv")])
    at.button(key="FormSubmitter:sub_upload-上传并报送").click().run()
    history = frame_with(at, "县里采用")
    assert list(history["次序"]) == ["第 2 次", "第 1 次"]
    assert list(history["县里采用"]) == ["✓", ""] and list(history["报送人"]) == ["town", "town"]

    # After the close the page says so and nothing more can be sent.
    rounds.close_round(site, "2026Q1", "admin")
    at = open_as("town", "views/submit.py")
    assert any("目前没有开放的上报轮次" in i.value for i in at.info)


def test_submit_page_says_why_a_file_is_refused(site, demo_dir, towns, demo_township):
    open_q1(site)
    at = open_as("town", "views/submit.py")
    data = township_file(demo_dir, site, towns[1][0])
    at.file_uploader(key="sub_files").set_value([("别人的名录.csv", data, "text/csv")])
    at.button(key="FormSubmitter:sub_upload-上传并报送").click().run()
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith("别人的名录.csv：文件中没有本乡镇")
    assert rounds.submissions(site, "2026Q1", demo_township) == []


def test_progress_page_opens_follows_closes_and_loads(site, demo_dir, towns):
    today = dt.date.today()
    at = open_as("admin", "views/rounds.py")
    assert any("还没有上报轮次" in i.value for i in at.info)
    at.text_input(key="rnd_id").set_value("2026Q1")
    at.date_input(key="rnd_due").set_value(today + dt.timedelta(days=10))
    at.button(key="FormSubmitter:rnd_open-开启上报").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("已开启「2026年第1季度」" in s.value for s in at.success)
    progress = frame_with(at, "状态")
    assert len(progress) == 12 and set(progress["状态"]) == {"未报送"}

    a, a_name = towns[0]
    rounds.submit(site, "2026Q1", a, [("城关名录.xlsx", township_a_file(demo_dir, site, a))], "甲")
    at = open_as("admin", "views/rounds.py")
    progress = frame_with(at, "状态").set_index("乡镇（街道）")
    assert progress.loc[a_name, "状态"] == "已报送"
    assert progress.loc[a_name, "接收行数"] == len(org_ids(site, a)) + 1
    assert (
        progress.loc[a_name, "最近报送人"] == "甲" and progress.loc[a_name, "县里采用"] == "第 1 次"
    )
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已报送"] == "1个" and metrics["未报送"] == "11个"

    at.checkbox(key="rnd_sure_close").check()
    at.button(key="FormSubmitter:rnd_close-关闭上报").click().run()
    assert any("已关闭「2026年第1季度」" in s.value for s in at.success)
    assert rounds.current_round(site) is None

    before = kept_builds.live_build(site)
    at.checkbox(key="rnd_sure_load").check()
    at.button(key="FormSubmitter:rnd_load-导入").click().run()
    assert not at.exception, [e.message for e in at.exception]
    live = kept_builds.live_build(site)
    assert live is not None and before is not None and live.run_id != before.run_id
    assert any(f"版本 {live.run_id}" in s.value for s in at.success)
    assert NEW_ORG in {r[0] for r in sql(site, "select org_id from organizations")}
    # The 导入 page lists the new build first and can roll back to the one before.
    imp = open_as("admin", "views/import_data.py")
    versions = frame_with(imp, "版本")
    assert list(versions["版本"])[:2] == [live.run_id, before.run_id]


@pytest.mark.parametrize(
    ("user", "page", "title"),
    [
        ("leader", "views/submit.py", "上报"),
        ("leader", "views/rounds.py", "上报进度"),
        ("admin", "views/submit.py", "上报"),  # county-wide: no township to submit for
        ("town", "views/rounds.py", "上报进度"),
        ("analyst", "views/rounds.py", "上报进度"),
    ],
)
def test_who_may_not_open_the_round_pages(app, user, page, title):
    at = app(user=user)
    at.switch_page(page).run()
    role = roles.label("analyst" if user == "town" else user)
    assert [e.value for e in at.error if "无权使用" in e.value] == [
        f"您的账户（{role}）无权使用「{title}」页面。如需使用，请联系管理员调整权限。"
    ]
    assert not at.get("file_uploader") and not at.dataframe
