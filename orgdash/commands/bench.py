"""orgdash bench: the benchmark of issue 7 from the command line."""

from __future__ import annotations

import click

from orgdash.cli import app


@app.command()
@click.option(
    "--scale", type=int, multiple=True, help="规模（县的个数），可重复 / scale, repeatable"
)
@click.option(
    "--sessions", default=20, help="测内存时打开的会话数 / sessions for the memory figure"
)
@click.option(
    "--only",
    multiple=True,
    help="只测其中几项，可重复：etl pages reports sql server meeting / only these parts, repeatable",
)
def bench(scale: tuple[int, ...], sessions: int, only: tuple[str, ...]) -> None:
    """测量导入、页面、报告、查询、内存和多人同时打开，并与目标比较。 / Measure ETL, pages, reports, SQL, memory and many sessions at once against the goals."""
    from perf.bench import PARTS, run

    unknown = set(only) - set(PARTS)
    if unknown:
        raise click.BadParameter(
            f"未知的项目 unknown: {', '.join(sorted(unknown))}", param_hint="--only"
        )
    run(list(scale) or [1, 100], sessions=sessions, parts=list(only) or list(PARTS))
