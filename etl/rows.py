"""The stage that builds the warehouse's rows from a typed table: the columns the ETL computes
and references a clerk may write two ways made one.

The validator (etl/validate.py) types cells and judges rows; it computes nothing the warehouse
keeps. This module does, on each side of it:

    prepare()  typed cells (validate.typed_frame), then derive(): a division's parent and
               township from its code, a target's number from its text and indicator
    resolve()  after the rules, once the rows they name are known: a social worker's
               organisations named by credit code become org ids

Nothing here rejects a row; a value it cannot compute stays null and a rule says why.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from etl import normalize as nz
from etl.read import ROW, RawTable
from etl.sources import Source
from etl.validate import Checked, Context, Typed, typed_frame
from queries.indicators import catalogue


def prepare(table: RawTable, ctx: Context) -> Typed:
    """Typed and derived: what needs no other source (reads only ctx.as_of and ctx.config, so
    the load runs it ahead on the reading thread while the sources before are being checked)."""
    typed, rejects = typed_frame(table, ctx)
    return Typed(table, derive(typed, table.source), rejects)


def derive(frame: pl.DataFrame, source: Source) -> pl.DataFrame:
    """Columns the ETL computes (etl/sources.py marks them `derived`): a division's township, a
    blank parent from the code itself; a target's number from its text and indicator."""
    if source.name == "targets":
        return frame.with_columns(
            target_number(pl.col("indicator"), pl.col("target_text")).alias("target_value")
        )
    if source.name != "divisions":
        return frame
    code = pl.col("division_code")
    implied_parent = (
        pl.when(pl.col("level") == "community")
        .then(code.str.slice(0, 9) + "000")
        .when(pl.col("level") == "township")
        .then(code.str.slice(0, 6) + "000000")
        .otherwise(None)
    )
    frame = frame.with_columns(
        pl.coalesce(pl.col("parent_code"), implied_parent).alias("parent_code")
    )
    return frame.with_columns(
        pl.when(pl.col("level") == "township")
        .then(code)
        .when(pl.col("level") == "community")
        .then(code.str.slice(0, 9) + "000")
        .otherwise(None)
        .alias("township_code"),
        # The committee type only means something for communities.
        pl.when(pl.col("level") == "community")
        .then(pl.col("area_type"))
        .otherwise(None)
        .alias("area_type"),
    )


def target_number(indicator: pl.Expr, text: pl.Expr) -> pl.Expr:
    """目标值 as a number for its indicator: a rate as 0–1 (95%, 95 and 0.95 are 0.95), any other
    value as written, a unit after it allowed (30家, 22.5家). Null where it is not a number; the
    rule `target_number` rejects that row."""
    rates = [i.key for i in catalogue().targetable() if i.is_rate]
    plain = nz.compact(text).str.replace(r"(家|个|人|元|倍|项)$", "")
    return (
        pl.when(indicator.is_in(rates))
        .then(nz.rate(text))
        .otherwise(nz.decimal_number(plain))
        .cast(pl.Float64)
    )


def _resolve_org_list(f: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """A worker's organisations named by credit code become their org ids (the warehouse keeps
    one spelling), repeats dropped."""
    orgs = ctx.accepted["organizations"].filter(pl.col("credit_code").is_not_null())
    if orgs.is_empty():
        return f
    to_id = dict(zip(orgs["credit_code"].to_list(), orgs["org_id"].to_list(), strict=True))
    return f.with_columns(
        pl.col("supported_org_ids")
        .list.eval(pl.element().replace(to_id))
        .list.unique(maintain_order=True)
    )


# Per source: references a clerk may write two ways, made one once the rows they name are known.
RESOLVE: dict[str, Callable[[pl.DataFrame, Context], pl.DataFrame]] = {
    "social_workers": _resolve_org_list,
}


def resolve(checked: Checked, ctx: Context) -> Checked:
    """The accepted rows with their references in one spelling, in the result and in the
    context the later sources are checked against."""
    fix = RESOLVE.get(checked.source.name)
    if fix is None:
        return checked
    # Resolved once: the result's rows are the context's without their row numbers (check()).
    resolved = fix(ctx.accepted[checked.source.name], ctx)
    ctx.accepted[checked.source.name] = resolved
    checked.accepted = resolved.drop(ROW)
    return checked
