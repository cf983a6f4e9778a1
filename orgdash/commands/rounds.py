"""orgdash round open|status|close|load|list|submit: township submission rounds (etl.rounds)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich import box
from rich.markup import escape
from rich.table import Table

from orgdash.cli import Group, app, db_option, err, out

round_app = Group(
    "round",
    help="乡镇（街道）上报轮次：开启、查看进度、关闭、导入全县数据仓库。\n\n"
    "Township submission rounds: open, progress, close, load into the county warehouse.",
    no_args_is_help=True,
)
app.add_command(round_app)

round_argument = click.argument("round_id", help="轮次编号，如 2026Q1 / round id, e.g. 2026Q1")


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{what}应写成 YYYY-MM-DD / {what} must be YYYY-MM-DD: {value}"
        ) from None


def _fail(exc: Exception, what: str) -> SystemExit:
    err.print(f"[bold red]{what}[/bold red]：{escape(str(exc))}", soft_wrap=True)
    return SystemExit(1)


@round_app.command("open")
@round_argument
@click.option("--due", required=True, help="截止日期 / due date YYYY-MM-DD")
@click.option("--title", help="名称，季度编号可省略 / title (default for 2026Q1: 2026年第1季度)")
@click.option(
    "--as-of", help="数据截止日期，季度编号默认为季末 / as-of date (default: quarter end)"
)
@db_option
def open_round(round_id: str, due: str, title: str | None, as_of: str | None, db: Path) -> None:
    """开启上报轮次，各乡镇（街道）即可报送。 / Open a round: townships may submit."""
    from access.audit import cli_user
    from etl.rounds import RoundError
    from etl.rounds import open_round as open_

    due_day = _date(due, "截止日期")
    assert due_day is not None
    try:
        r = open_(
            db, round_id, due_day, cli_user(), title=title, as_of=_date(as_of, "数据截止日期")
        )
    except RoundError as exc:
        raise _fail(exc, "不能开启 / cannot open") from None
    out.print(
        f"已开启「{r.title}」（{r.id}），截止 {r.due.isoformat()}，数据截止 {r.as_of.isoformat()}。\n"
        f"Opened {r.id}: due {r.due.isoformat()}, as of {r.as_of.isoformat()}.",
        soft_wrap=True,
    )


def _pick(db: Path, round_id: str | None):  # type: ignore[no-untyped-def]
    from etl.rounds import RoundError, get_round, list_rounds

    if round_id:
        return get_round(db, round_id)
    rounds = list_rounds(db)
    if not rounds:
        raise RoundError("还没有任何上报轮次。用 orgdash round open 2026Q1 --due 2026-04-10 开启。")
    return next((r for r in rounds if r.is_open), rounds[0])


@round_app.command("status")
@click.argument(
    "round_id",
    required=False,
    help="轮次编号，默认为开放中的轮次 / round id (default: the open one)",
)
@click.option("--day", help="按哪一天统计，默认今天 / as of day YYYY-MM-DD")
@db_option
def status(round_id: str | None, day: str | None, db: Path) -> None:
    """各乡镇（街道）的报送进度。 / Progress per township."""
    from etl.rounds import RoundError
    from etl.rounds import status as round_status

    try:
        r = _pick(db, round_id)
        rows = round_status(db, r.id, _date(day, "日期"))
    except RoundError as exc:
        raise _fail(exc, "无法查看 / cannot show") from None
    state = "开放中 open" if r.is_open else f"已关闭 closed {r.closed_at:%Y-%m-%d}"
    table = Table(
        title=f"{escape(r.title)}（{r.id}）截止 due {r.due.isoformat()} · {state}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    # Narrow headers: 80 columns (a pipe, a small terminal) must show the township and status whole.
    table.add_column("乡镇\ntown", no_wrap=True)
    table.add_column("状态\nstatus", no_wrap=True)
    for h in ("接收\nrows", "拒收\nrej.", "次数\ntimes"):
        table.add_column(h, justify="right", no_wrap=True)
    table.add_column("最近报送\nlast")
    for s in rows:
        last = f"{s.last.user} {s.last.at:%m-%d %H:%M}" if s.last else "—"
        table.add_row(
            s.name,
            s.label,
            str(s.rows_accepted),
            str(s.rows_rejected),
            str(s.submissions),
            escape(last),
        )
    out.print(table)
    done = sum(s.state in ("on_time", "late") for s in rows)
    overdue = sum(s.state == "overdue" for s in rows)
    out.print(
        f"已报送 {done} 个，逾期未报 {overdue} 个，未报送 {len(rows) - done - overdue} 个。 / "
        f"{done} submitted, {overdue} overdue, {len(rows) - done - overdue} pending.",
        soft_wrap=True,
    )


@round_app.command("close")
@round_argument
@db_option
def close(round_id: str, db: Path) -> None:
    """关闭上报轮次：不能再报送，已报送的数据保留。 / Close a round: no more submissions."""
    from access.audit import cli_user
    from etl.rounds import RoundError, close_round

    try:
        r = close_round(db, round_id, cli_user())
    except RoundError as exc:
        raise _fail(exc, "不能关闭 / cannot close") from None
    out.print(
        f"已关闭「{r.title}」（{r.id}）。用 orgdash round load {r.id} 导入全县数据仓库。\n"
        f"Closed {r.id}; load it with orgdash round load {r.id}.",
        soft_wrap=True,
    )


@round_app.command("load")
@round_argument
@db_option
def load(round_id: str, db: Path) -> None:
    """把各乡镇最近一次通过的报送并入全县数据并导入。 / Load each township's latest accepted
    submission on top of the live data."""
    from access.audit import cli_user
    from etl.pipeline import LoadFailed
    from etl.rounds import RoundError, load_round
    from orgdash.cli import progress_bar

    try:
        with progress_bar("导入") as cb:
            done = load_round(db, round_id, cli_user(), progress=cb)
    except (RoundError, LoadFailed) as exc:
        raise _fail(exc, "导入失败，原数据仓库未改动 / load failed, warehouse unchanged") from None
    result = done.result
    towns = "、".join(f"{s.township_name}（第{s.seq}次）" for s in done.used.values())
    out.print(
        f"已导入「{done.round.title}」：版本 {result.run_id}，{sum(result.rows_loaded.values())} 行，"
        f"拒收 {result.check.rows_rejected} 行。采用的报送：{towns}。\n"
        f"Loaded {done.round.id} as build {result.run_id} from {len(done.used)} township(s); "
        "roll back with orgdash rollback.",
        soft_wrap=True,
    )
    if result.report:
        out.print(f"拒收报告 / reject report: {result.report}")


@round_app.command("list")
@db_option
def list_(db: Path) -> None:
    """列出全部上报轮次。 / List every round."""
    from etl.rounds import list_rounds

    rounds = list_rounds(db)
    if not rounds:
        out.print("还没有任何上报轮次。 / No rounds yet.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for h in ("轮次\nround", "名称\ntitle", "截止\ndue", "状态\nstate", "导入\nloads"):
        table.add_column(h, no_wrap=True)
    for r in rounds:
        state = "开放中 open" if r.is_open else f"已关闭 closed {r.closed_at:%Y-%m-%d}"
        table.add_row(r.id, escape(r.title), r.due.isoformat(), state, str(len(r.loads)))
    out.print(table)


@round_app.command("submit")
@round_argument
@click.option("--township", required=True, help="乡镇（街道）12位区划代码 / township code")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
    help="报送的文件 / files to submit",
)
@db_option
def submit(round_id: str, township: str, files: tuple[Path, ...], db: Path) -> None:
    """代乡镇（街道）报送文件（如收到的邮件附件）。 / Submit files on behalf of a township."""
    from access.audit import cli_user
    from etl.rounds import RoundError
    from etl.rounds import submit as submit_files
    from etl.staging import UploadError

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise _fail(FileNotFoundError("、".join(missing)), "找不到文件 / no such file")
    try:
        sub = submit_files(
            db, round_id, township, [(f.name, f.read_bytes()) for f in files], cli_user()
        )
    except (RoundError, UploadError) as exc:
        raise _fail(exc, "不能报送 / cannot submit") from None
    verdict = "通过 accepted" if sub.accepted else "未通过 not accepted"
    out.print(
        f"{sub.township_name} 第{sub.seq}次报送：{verdict}，接收 {sub.rows_accepted} 行，"
        f"拒收 {sub.rows_rejected} 行。",
        soft_wrap=True,
    )
    for f in sub.failures:
        err.print(f"[red]{escape(f)}[/red]", soft_wrap=True)
    if sub.report:
        out.print(f"拒收报告 / reject report: {sub.report}")
    if not sub.accepted:
        raise SystemExit(1)
