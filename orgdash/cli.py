"""The orgdash command line: demo data, check, load and warehouse info (中文 / English)."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from etl.config import DEFAULT_DB


class Group(click.Group):
    """A click group whose help lists the commands in the order they were added (demo, check,
    load, info, ...: the order a newcomer uses them), the groups (round, user) last; click
    8.5.1's Group.list_commands sorts them by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands, key=lambda name: isinstance(self.commands[name], click.Group))


app = Group(
    "orgdash",
    help="orgdash：县民政局社区社会组织数据工具。\n\norgdash: data tool for a county's community social organisations.",
    no_args_is_help=True,
    # click shows no defaults unless asked; set here, every sub-command's context inherits it.
    context_settings={"show_default": True},
)
out = Console()
err = Console(stderr=True)

db_option = click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=DEFAULT_DB,
    help="数据仓库文件 / warehouse file",
)
# Argument(help=...) is new in click 8.5.0: the help lists them under "Positional arguments".
directory_argument = click.argument(
    "directory", type=click.Path(path_type=Path), help="源文件所在文件夹 / folder of source files"
)
as_of_option = click.option("--as-of", help="数据截止日期 / as-of date YYYY-MM-DD")


@contextmanager
def progress_bar(title: str) -> Iterator:
    """A progress callback (what, done, total) drawn as a bar on stderr; quiet when not a tty."""
    if not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(f"{title} [bold]{{task.description}}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=1)

        def update(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield update


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"日期应写成 YYYY-MM-DD / date must be YYYY-MM-DD: {value}"
        ) from None


@app.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="输出文件夹 / output folder",
)
@click.option(
    "--scale",
    type=click.IntRange(min=1),
    default=1,
    help="县的个数（100 约等于一个省）/ number of counties",
)
@click.option("--seed", default=20251231, help="随机种子，同一种子生成相同文件 / random seed")
@click.option(
    "--errors/--no-errors", default=True, help="加入几行典型填报错误 / include a few clerk mistakes"
)
@click.option(
    "--layout",
    type=click.Choice(["plain", "office"]),
    default="plain",
    help="office：按科室、乡镇的实际表格样式（多工作表、.xls/.ods、标题行、合并表头、小计行）"
    " / office: as offices keep them (several sheets, .xls/.ods, titles, merged headers, totals)",
)
@click.option(
    "--county",
    metavar="CODE",
    default=None,
    help="按真实县的乡镇、村（社区）名称和代码生成（如 530427 新平彝族傣族自治县；边界为示意）"
    " / draw the demo on a real county's townships and communities (boundaries schematic)",
)
def demo(
    out_dir: Path, scale: int, seed: int, errors: bool, layout: str, county: str | None
) -> None:
    """生成演示县的原始数据文件。 / Write the demo county's raw source files."""
    import tempfile

    from demo.synthetic import generate

    if county is not None:
        from demo.real_county import UnknownCounty, extract

        if scale != 1:
            raise click.UsageError(
                "--county 只生成一个县，不能与 --scale 同用。 / --county draws one county."
            )
        try:
            extract(county)
        except UnknownCounty as exc:
            raise click.BadParameter(str(exc), param_hint="--county") from None
    with progress_bar("生成") as cb:
        if layout == "office":
            from demo.office import write_office

            with tempfile.TemporaryDirectory(prefix="orgdash-demo-") as tmp:
                result = generate(
                    Path(tmp),
                    scale=scale,
                    seed=seed,
                    errors=errors,
                    progress=_text_progress(cb),
                    county=county,
                )
                files = write_office(Path(tmp), out_dir, result.counties[0].name)
            n = len(files)
        else:
            result = generate(
                out_dir,
                scale=scale,
                seed=seed,
                errors=errors,
                progress=_text_progress(cb),
                county=county,
            )
            n = len(result.paths)
    out.print(f"已生成 {n} 个文件到 {out_dir} / wrote {n} files to {out_dir}")


def _text_progress(cb):  # type: ignore[no-untyped-def]
    """Adapt a (what, done, total) bar to the generator's (what) callback."""
    if cb is None:
        return None
    state = {"n": 0}

    def step(what: str) -> None:
        state["n"] += 1
        cb(what, state["n"], max(state["n"], 14))

    return step


def _print_check(result) -> None:  # type: ignore[no-untyped-def]
    table = Table(title=f"数据截止 {result.as_of:%Y-%m-%d} / as of", show_lines=False)
    for h in ("数据 source", "文件 file", "编码 encoding", "读入 read", "拒收 rejected"):
        table.add_column(h)
    for c in result.checked:
        enc = result.files.get(c.source.name, {}).get("encoding", "")
        table.add_row(
            f"{c.source.label} {c.source.name}", c.file, enc, str(c.rows_read), str(c.rows_rejected)
        )
    out.print(table)
    for note in result.notes:
        out.print(f"[yellow]提示[/yellow] {note}")
    rejects = result.rejects
    if rejects.height:
        out.print(f"[bold]拒收 {rejects['row'].len()} 处问题 / problems:[/bold]")
        for r in rejects.iter_rows(named=True):
            sheet = f" 工作表「{r['sheet']}」" if r.get("sheet") else ""
            out.print(
                escape(
                    f"  {r['file']}{sheet} 第{r['row']}行「{r['column']}」[{r['rule']}] "
                    f"{r['message']}"
                ),
                soft_wrap=True,
            )
    if result.rows_upstream:
        out.print(
            f"其中 {result.rows_upstream} 行只因所引用的上游行被拒收而未导入，不计入各文件的不合格比例。"
            " / rows rejected only because an upstream row was rejected (not counted against their file)."
        )
    for f in result.failures:
        err.print(
            f"[bold red]不能导入[/bold red] {escape(f.file)}：{escape(f.message)}", soft_wrap=True
        )


@app.command()
@directory_argument
@as_of_option
def check(directory: Path, as_of: str | None) -> None:
    """只校验不导入，列出全部问题；有任何拒收则退出码为 1。 / Validate without loading; exit 1 on any reject."""
    from etl.pipeline import check_dir

    with progress_bar("校验") as cb:
        result = check_dir(directory, _as_of(as_of), progress=cb)
    _print_check(result)
    if not result.ok or result.rejects.height:
        raise SystemExit(1)
    out.print("[green]全部通过，可以导入。 / All rows pass.[/green]")


@app.command()
@directory_argument
@db_option
@as_of_option
def load(directory: Path, db: Path, as_of: str | None) -> None:
    """校验并导入到新的数据仓库文件，成功后原子替换。 / Validate, build a new warehouse and swap it in."""
    from access.audit import cli_user
    from etl.pipeline import LoadFailed, load_dir
    from etl.sources import SOURCES_BY_NAME

    try:
        with progress_bar("导入") as cb:
            result = load_dir(directory, db, _as_of(as_of), progress=cb, user=cli_user())
    except LoadFailed as exc:
        if exc.result is not None:
            _print_check(exc.result)
        err.print(
            f"[bold red]导入失败，原数据仓库未改动。 / Load failed; the warehouse is unchanged.[/bold red]\n{exc}"
        )
        if exc.report:
            err.print(f"拒收报告 / reject report: {exc.report}")
        raise SystemExit(1) from None
    table = Table(title=f"已导入 {result.db_path} / loaded (批次 run {result.run_id})")
    for h in ("数据 source", "导入 loaded", "拒收 rejected"):
        table.add_column(h)
    checked = {c.source.name: c for c in result.check.checked}
    for name, n in result.rows_loaded.items():
        c = checked.get(name)
        table.add_row(
            f"{SOURCES_BY_NAME[name].label} {name}", str(n), str(c.rows_rejected if c else 0)
        )
    out.print(table)
    for note in result.check.notes:
        out.print(f"[yellow]提示[/yellow] {note}")
    if result.report:
        out.print(f"拒收 {result.check.rows_rejected} 行，报告 / reject report: {result.report}")
    else:
        out.print("没有拒收的行。 / No rows rejected.")


@app.command()
@db_option
def info(db: Path) -> None:
    """数据截止日期、生成时间、各表行数和最近的导入。 / As-of date, build time, row counts, recent runs."""
    import queries

    if not db.exists():
        err.print(
            f"数据仓库不存在：{db}。请先运行 orgdash load。 / No warehouse at {db}; run orgdash load."
        )
        raise SystemExit(1)
    meta = queries.run("info/warehouse", db=db)
    for k, v in meta.row(0, named=True).items():
        out.print(f"{k}: {v}")
    counts = queries.run("info/row_counts", db=db)
    table = Table(title="各表行数 / rows per table")
    for h in ("数据 source", "表 table", "行数 rows", "拒收 rejected", "文件 file"):
        table.add_column(h)
    for r in counts.iter_rows(named=True):
        table.add_row(
            r["label"],
            r["source"],
            str(r["rows_loaded"]),
            str(r["rows_rejected"]),
            r["file_name"] or "",
        )
    out.print(table)
    runs = queries.run("info/recent_runs", db=db, limit=10)
    table = Table(title="最近的导入 / recent runs")
    for h in (
        "批次 run",
        "开始 started",
        "状态 status",
        "读入 read",
        "拒收 rejected",
        "说明 message",
    ):
        table.add_column(h)
    for r in runs.iter_rows(named=True):
        table.add_row(
            r["run_id"],
            str(r["started_at"])[:19],
            r["status"],
            str(r["rows_read"]),
            str(r["rows_rejected"]),
            (r["message"] or "")[:60],
        )
    out.print(table)


def _load_commands() -> None:
    """Import orgdash/commands/*.py so each registers its sub-command on app."""
    import importlib
    import pkgutil

    from orgdash import commands

    for mod in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"orgdash.commands.{mod.name}")


_load_commands()


def main() -> None:
    # Everything orgdash writes beside the warehouse (builds, copies, uploads, logs) is the
    # server account's alone, including files DuckDB creates itself.
    os.umask(0o077)
    try:
        app.main(prog_name="orgdash")  # standalone mode: always ends in SystemExit
    except SystemExit as exc:
        _leave(exc.code)
    except Exception as exc:
        # click leaves a bug's exception to Python's traceback; show it as before (typer did
        # this): drawn by rich, from the command's own frame, without click's frames above it.
        from rich.traceback import Traceback

        click_dir = str(Path(click.__file__).parent)
        tb = exc.__traceback__
        while tb is not None and (
            tb.tb_frame.f_code is main.__code__
            or tb.tb_frame.f_code.co_filename.startswith(click_dir)
        ):
            tb = tb.tb_next
        err.print(Traceback.from_exception(type(exc), exc, tb, code_width=None, word_wrap=True))
        _leave(1)


def _leave(code: object) -> NoReturn:
    """End the process as soon as the command is done, without the interpreter's teardown.

    Python 3.11 tears down every loaded module one by one at exit: with polars, duckdb and numpy
    loaded that took 0.07 s after each command (a county's `orgdash load` is 1 s), for memory
    and files the OS releases anyway. What a normal exit does that matters is done first:
    worker threads are joined (threading's own exit hook, which also wakes idle executor
    workers), atexit hooks run, and stdout/stderr are flushed. Every connection the commands
    open is closed in a finally block, so no DuckDB file is left with a write-ahead log.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        err.print(str(code))
        status = 1
    shutdown = getattr(threading, "_shutdown", None)  # what Py_FinalizeEx calls first
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
