"""orgdash sql: an analyst's read-only SQL on the warehouse, through the same sandbox as the 查询 page."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from orgdash.cli import app, db_option, err, out


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _json_value(v: Any) -> Any:
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)  # exact: a float would round money
    if isinstance(v, dt.timedelta | bytes):
        return str(v)
    return v


def _cell(v: Any) -> str:
    return "" if v is None else str(v)


@app.command()
@click.argument(
    "query",
    help="SQL 语句，只读；可写多条，输出最后一条的结果；写 - 从标准输入读 / "
    "read-only SQL (several statements: the last one's rows; - reads stdin)",
)
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(Format),
    default=Format.table,
    help="table（表格）、csv 或 json / output format",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    help="最多输出的行数 / most rows printed",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    help="时间上限（秒），默认取 $ORGDASH_SQL_TIMEOUT 或 orgdash.toml 的 "
    "[sql] max_execution_time_s，否则 10 / time limit in seconds",
)
def sql(query: str, db: Path, fmt: Format, max_rows: int, timeout: float | None) -> None:
    """只读查询数据仓库，与看板“查询”页同一个沙箱：不能写入或读写文件，有时间和内存上限；被拒绝时退出码为 1。 / Run read-only SQL in the sandbox; exit 1 when refused."""
    from queries.sandbox import SandboxError, flat, run_sandboxed

    text = sys.stdin.read() if query == "-" else query
    try:
        res = run_sandboxed(text, db=Path(db), max_rows=max_rows, timeout_s=timeout)
    except SandboxError as exc:
        err.print(f"[bold red]{escape(exc.message)}[/bold red]", soft_wrap=True)
        if exc.detail and exc.detail not in exc.message:
            err.print(escape(exc.detail), soft_wrap=True, style="dim")
        raise SystemExit(1) from None
    frame = res.frame
    if fmt is Format.csv:
        sys.stdout.write(flat(frame).write_csv() if res.columns else "")
    elif fmt is Format.json:
        rows = [{k: _json_value(v) for k, v in r.items()} for r in frame.iter_rows(named=True)]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif res.columns:
        table = Table(show_lines=False)
        for name in frame.columns:
            table.add_column(escape(name), overflow="fold")
        for r in frame.iter_rows():
            table.add_row(*(escape(_cell(v)) for v in r))
        out.print(table)
    sys.stdout.flush()
    more = "以上" if not res.complete else ""
    shown = f"，输出前 {frame.height:,} 行" if res.truncated else ""
    err.print(
        f"共 {res.total_rows:,} 行{more}{shown}，用时 {res.elapsed:.2f} 秒 / "
        f"{res.total_rows:,}{'+' if more else ''} rows, {frame.height:,} shown, {res.elapsed:.2f} s",
        style="dim",
    )
