"""orgdash bench: the benchmark of issue 7 from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from orgdash.cli import app


@app.command()
def bench(
    scale: Annotated[
        list[int] | None,
        typer.Option("--scale", help="规模（县的个数），可重复 / scale, repeatable"),
    ] = None,
    sessions: Annotated[
        int, typer.Option(help="测内存时打开的会话数 / sessions for the memory figure")
    ] = 20,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="只测其中几项，可重复：etl pages reports sql server / only these parts, repeatable",
        ),
    ] = None,
) -> None:
    """测量导入、页面、报告、查询和内存，并与目标比较。 / Measure ETL, pages, reports, SQL and memory against the goals."""
    from perf.bench import PARTS, run

    unknown = set(only or ()) - set(PARTS)
    if unknown:
        raise typer.BadParameter(
            f"未知的项目 unknown: {', '.join(sorted(unknown))}", param_hint="--only"
        )
    run(scale or [1, 100], sessions=sessions, parts=only or list(PARTS))
