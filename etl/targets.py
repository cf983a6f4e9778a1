"""The leadership's yearly targets as the 目标 page writes them: a new targets file, checked by the
load's rules and loaded as a new build, exactly as an uploaded file (etl/staging.py).

A save rebuilds the targets file from the live build's targets with the change applied, stages it
on the live build's other sources and confirms it: the same rules, the same kept builds (roll
back on the 导入 page), the same lock. A change the rules reject is not loaded and nothing
changes; the problems come back with file, row, column and rule. Every save is audited
(`targets_set`, beside the load's own `load`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

import queries
from etl import staging
from etl.pipeline import LoadResult
from etl.sources import ENUMS, SOURCES_BY_NAME

FILE_NAME = "年度目标.csv"
SOURCE = SOURCES_BY_NAME["targets"]


@dataclass(frozen=True)
class Target:
    year: int
    township_code: str | None  # None: the whole county
    indicator: str  # a key of queries/indicators.toml with target = true
    text: str  # the value as typed: 95%, 0.95, 30
    note: str = ""

    @property
    def key(self) -> tuple[int, str | None, str]:
        return (self.year, self.township_code, self.indicator)


class TargetRejected(Exception):
    """The targets file the change makes breaks a rule: nothing was loaded. `problems` is the
    rejects of the targets file (file, row, column, value, rule, message)."""

    def __init__(self, problems: pl.DataFrame) -> None:
        self.problems = problems
        first = problems.row(0, named=True) if problems.height else {}
        super().__init__(
            f"{first.get('file', FILE_NAME)}第{first.get('row', '?')}行「{first.get('column', '')}」："
            f"{first.get('message', '目标未通过校验')}"
        )


def current(db: Path | None = None) -> list[Target]:
    """The targets of the live build, every year (what the next save starts from)."""
    frame = queries.run("targets/set", queries.live_file(db))
    return [
        Target(r["year"], r["township_code"], r["indicator"], r["target_text"], r["note"] or "")
        for r in frame.iter_rows(named=True)
    ]


def csv_bytes(targets: list[Target]) -> bytes:
    """The targets file as an office would keep it: UTF-8 with BOM, Chinese headers, the
    indicator by its Chinese name, a blank township for the county."""
    labels = ENUMS["target_indicator"].codes
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow([c.label for c in SOURCE.file_columns()])
    for t in sorted(targets, key=lambda t: (t.year, t.township_code or "", t.indicator)):
        row = {
            "year": str(t.year),
            "township_code": t.township_code or "",
            "indicator": labels.get(t.indicator, t.indicator),
            "target_text": t.text,
            "note": t.note,
        }
        out.writerow([row[c.name] for c in SOURCE.file_columns()])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def save(db: Path, targets: list[Target], user: str | None, change: str) -> LoadResult:
    """Load `targets` as the targets file of a new build; TargetRejected (and nothing loaded) if
    a rule rejects a row of it. Raises staging.UploadError, LoadBusy or LoadFailed as an upload's
    confirm does (another load meanwhile, a failed build)."""
    from access import audit

    staged = staging.stage(db, [(FILE_NAME, csv_bytes(targets))], user=user)
    try:
        check = staged.check
        problems = check.rejects.filter(pl.col("source") == SOURCE.name).select(
            "file", "row", "column", "value", "rule", "message"
        )
        # A problem with the file as a whole, when no row says why (a rejected row also trips
        # the reject-share limit of so short a file: the row is the cause to show).
        whole = [f for f in check.failures if f.source == SOURCE.name]
        if whole and not problems.height:
            problems = pl.DataFrame(
                [
                    {"file": f.file, "row": None, "column": "", "value": "", "rule": f.rule,
                     "message": f.message}
                    for f in whole
                ],
                schema=problems.schema,
            )  # fmt: skip
        if problems.height:
            audit.record("targets_set", user, db, change=change, ok=False, problems=problems.height)
            raise TargetRejected(problems)
        result = staging.confirm(db, staged, user)
    finally:
        staging.discard(staged)
    audit.record("targets_set", user, db, change=change, ok=True, run_id=result.run_id)
    return result


def set_target(db: Path, target: Target, user: str | None) -> LoadResult:
    """Add a target, or replace the one of the same year, place and indicator."""
    kept = [t for t in current(db) if t.key != target.key]
    place = target.township_code or "全县"
    change = f"{target.year}年{place} {target.indicator} = {target.text}"
    return save(db, [*kept, target], user, change)


def remove_target(db: Path, key: tuple[int, str | None, str], user: str | None) -> LoadResult:
    """Drop the target of that year, place and indicator (a default target applies again)."""
    kept = [t for t in current(db) if t.key != key]
    year, township, indicator = key
    return save(db, kept, user, f"删除 {year}年{township or '全县'} {indicator}")
