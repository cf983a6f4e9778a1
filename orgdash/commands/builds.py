"""orgdash builds / orgdash rollback: the kept warehouse builds, and switching back to one."""

from __future__ import annotations

from pathlib import Path

import click
from rich import box
from rich.markup import escape
from rich.table import Table

from orgdash.cli import app, db_option, err, out


@app.command()
@db_option
def builds(db: Path) -> None:
    """列出保留的数据版本，标出在用的一个。 / List the kept warehouse builds, the live one marked."""
    from etl.kept_builds import list_builds

    kept = list_builds(db)
    if not kept:
        err.print(
            f"没有任何数据版本：{db}。请先运行 orgdash load。 / No builds at {db}; run orgdash load."
        )
        raise SystemExit(1)
    # Simple box, bilingual headers on two lines, nothing wrapped: the run id is copied into --to.
    table = Table(
        title=f"数据版本 / builds of {escape(str(db))}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for h in (
        "在用\nlive",
        "版本\nrun",
        "生成\nbuilt",
        "截止\nas of",
        "行数\nrows",
        "源文件\nsources",
    ):
        table.add_column(h, no_wrap=True)
    for b in kept:
        table.add_row(
            "✔" if b.is_live else "",
            b.run_id,
            "—" if b.built_at is None else f"{b.built_at.astimezone():%Y-%m-%d %H:%M}",
            b.as_of.isoformat() if b.as_of else "—",
            "—" if b.rows is None else str(b.rows),
            "✔" if b.sources else "—",
        )
    out.print(table)


@app.command()
@db_option
@click.option(
    "--to",
    help="回退到的版本号（见 orgdash builds），默认为上一个版本 / run id to roll back to "
    "(default: the build before the live one)",
)
def rollback(db: Path, to: str | None) -> None:
    """把在用的数据切回以前保留的版本。 / Point the live warehouse back at a kept build."""
    from access.audit import cli_user
    from etl.kept_builds import RollbackError
    from etl.kept_builds import rollback as roll_back
    from etl.pipeline import LoadBusy

    try:
        build = roll_back(db, to, user=cli_user())
    except (RollbackError, LoadBusy) as exc:
        err.print(
            f"[bold red]不能回退 / cannot roll back[/bold red]：{escape(str(exc))}", soft_wrap=True
        )
        raise SystemExit(1) from None
    as_of = build.as_of.isoformat() if build.as_of else "—"
    out.print(
        f"已回退到版本 {build.run_id}（数据截止 {as_of}）。看板刷新后即显示这一版本。\n"
        f"Rolled back to {build.run_id} (as of {as_of}); the dashboard shows it on the next refresh.",
        soft_wrap=True,
    )
