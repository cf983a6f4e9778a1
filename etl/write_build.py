"""Write a checked set of sources into a brand-new DuckDB file, test it, and swap it into place."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from etl.config import EtlConfig
from etl.kept_builds import fsync_dir
from etl.sources import ENUMS, SOURCES, Source
from queries import SQL_DIR, sql_files
from queries import indicators as indicator_catalogue

if TYPE_CHECKING:
    from etl.pipeline import CheckResult
    from etl.validate import Checked


class BuildFailed(Exception):
    pass


TABLE_LABELS: dict[str, str] = {s.name: s.label for s in SOURCES}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_ddl(source: Source) -> list[str]:
    cols = []
    key = set(source.key)
    for c in source.columns:
        not_null = " NOT NULL" if (c.required or c.name in key) and not c.derived else ""
        cols.append(f"    {c.name} {c.sql_type}{not_null}")
    # No PRIMARY KEY: the validator's duplicate rule rejects repeated keys with the rows named,
    # and run_checks re-checks uniqueness on the built tables (key_checks). DuckDB 2.0.1 spent
    # 0.75 s building the key indexes of a province's tables, and the scoped copies copy them.
    stmts = [f"CREATE TABLE {source.table} (\n" + ",\n".join(cols) + "\n)"]
    stmts.append(f"COMMENT ON TABLE {source.table} IS {_q(source.label)}")
    for c in source.columns:
        label = c.label if not c.enum else f"{c.label}（代码，中文见 lookup_{c.enum}）"
        stmts.append(f"COMMENT ON COLUMN {source.table}.{c.name} IS {_q(label)}")
    return stmts


def metadata_ddl() -> str:
    """The build's own tables (warehouse_info, etl_sources, etl_runs, etl_rejects, rule_settings),
    empty: queries/meta/tables.sql, as one script without its last semicolon."""
    return (SQL_DIR / "meta" / "tables.sql").read_text(encoding="utf-8").strip().rstrip(";")


def _lookups(credit_ratings: dict[str, str]) -> list[str]:
    """The code tables: one per enumeration, codes with their Chinese labels in display order."""
    out = []
    for e in ENUMS.values():
        codes = credit_ratings if e.name == "credit_rating" else e.codes
        out.append(
            f"CREATE TABLE lookup_{e.name} (code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, sort_order INTEGER)"
        )
        out.append(f"COMMENT ON TABLE lookup_{e.name} IS {_q(e.label + '代码表')}")
        rows = ", ".join(
            f"({_q(code)}, {_q(label)}, {i})" for i, (code, label) in enumerate(codes.items(), 1)
        )
        if rows:
            out.append(f"INSERT INTO lookup_{e.name} VALUES {rows}")
    return out


def _settings(config: EtlConfig) -> list[str]:
    """rule_settings: the site's rule parameters the marts read (orgdash.toml), one row each.

    Kept in the warehouse so a mart, a page and an analyst's SQL all use the value this build
    was made with. Raises BuildFailed for a value the rules cannot use."""
    scale = list(config.credit_ratings)
    line = config.eligibility_min_rating
    if line not in scale:
        raise BuildFailed(
            f"orgdash.toml [eligibility] min_rating = 「{line}」不是信用等级之一（"
            f"{'、'.join(scale)}）。请改为其中一个后重新导入。"
        )
    rows = [
        ("eligibility_min_rating", line, "资格核查：信用等级不低于", scale.index(line) + 1),
        ("matter_report_days", str(config.matter_report_days), "重大事项报告时限（天）", None),
    ]
    values = ", ".join(
        f"({_q(name)}, {_q(value)}, {_q(label)}, {'NULL' if order is None else order})"
        for name, value, label, order in rows
    )
    return [f"INSERT INTO rule_settings VALUES {values}"]  # the table: metadata_ddl()


def _insert(con: duckdb.DuckDBPyConnection, source: Source, frame: pl.DataFrame) -> int:
    # Sorted by key so the same inputs give the same table whatever order the rows came in. A
    # source without a key (the points ledger) keeps the order of its file: sorting 1.8 million
    # ledger rows by every column took 2 s of a province's load, for an order SQL never sees.
    if source.key:
        frame = frame.sort(list(source.key), nulls_last=True)
    frame = frame.select([c.name for c in source.columns])
    arrow = ArrowStream(frame)  # noqa: F841  (DuckDB scans the local variable by name)
    con.execute(f"INSERT INTO {source.table} BY NAME SELECT * FROM arrow")
    return frame.height


class ArrowStream:
    """A Polars frame that DuckDB scans through the Arrow C stream interface, without pyarrow.

    DuckDB 2.0.1 recognises a Polars DataFrame by its type and converts it with to_arrow(),
    which imports pyarrow: 0.07 s of every load's 1.2 s at county scale, though nothing else
    in a load needs it. Any object with __arrow_c_stream__ is scanned directly instead.
    """

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


def run_sql_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        con.execute(path.read_text(encoding="utf-8"))
    except duckdb.Error as exc:
        raise BuildFailed(f"{path.relative_to(SQL_DIR)}: {exc}") from exc


def mart_sources(path: Path) -> frozenset[str]:
    """The source tables a mart file names (comments aside): it can be built once they are in.

    Other marts it reads are earlier in name order, and marts are built in that order.
    tests/test_load.py rebuilds every mart at the end of a load and compares.
    """
    text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
    return frozenset(s.table for s in SOURCES if re.search(rf"\b{s.table}\b", text))


def key_checks() -> dict[str, str]:
    """One data test per keyed source: the key is unique (NOT NULL is in the DDL)."""
    out = {}
    for s in SOURCES:
        if s.key:
            key = ", ".join(s.key)
            out[f"unique_key_{s.table}"] = (
                f"-- {s.label}的键（{key}）不重复\n"
                f"select {key}, count(*) as copies from {s.table} group by all "
                "having count(*) > 1 limit 5"
            )
    return out


def run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Data tests: each returns the failing rows; any row is a failed build."""
    tests = [*key_checks().items()]
    tests += [(path.stem, path.read_text(encoding="utf-8")) for path in sql_files("checks")]
    # Counted in one query (one plan, run in parallel; one by one the ~20 took 0.04 s of a
    # county's 1 s load), and only a failing one is run again for its example row.
    counts = con.sql(
        "\nUNION ALL\n".join(
            f"SELECT {i} AS test, (SELECT count(*) FROM (\n{sql.strip().rstrip(';')}\n)) AS n"
            for i, (_, sql) in enumerate(tests)
        )
    ).fetchall()
    failed = []
    for i, n in sorted(counts):
        if n:
            name, sql = tests[i]
            rows = con.sql(sql).fetchall()
            first = (sql.splitlines() or ["--"])[0].lstrip("- ")
            failed.append(f"数据检查未通过 {name}（{first}）：{len(rows)} 行，例如 {rows[0]}")
    return failed


class Builder:
    """A new build file, written on a background thread while the sources are still being checked.

    Each source's accepted rows go in as soon as that source is checked (DuckDB releases the GIL,
    so the inserts overlap the validation of the files after it: a province's load took 0.9 s
    less on 2 cores). finish() adds the metadata, marts and data checks, fsyncs and renames the
    file to target; abort() removes it. Nothing here touches the live path: the caller swaps the
    pointer after finish().
    """

    def __init__(self, target: Path) -> None:
        from etl.config import load_config

        self.target = target
        self.tmp = target.with_name(f".{target.name}.building")
        self.rows: dict[str, int] = {}
        # The marts in name order with the sources each reads; the first _built are built.
        self._marts = [(path, mart_sources(path)) for path in sql_files("marts")]
        self._built = 0
        self._con: duckdb.DuckDBPyConnection | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orgdash-build")
        self._jobs: list[Future[None]] = [self._pool.submit(self._create, load_config())]

    def _create(self, config: EtlConfig) -> None:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._remove_tmp()
        self._con = con = duckdb.connect(str(self.tmp))
        # Write the tables into the file as they come (a checkpoint once the log passes 1 MB,
        # on this thread while the files after them are still being checked), not all in
        # finish(): with DuckDB 2.0.1's 16 MB default, a county's whole build was checkpointed
        # at the end (0.04 s of its load).
        con.execute("SET checkpoint_threshold = '1MB'")
        # One script in one transaction: run one by one, each committed, the ~200 statements
        # cost 0.25-0.7 s (DuckDB 2.0.1).
        statements = [*_lookups(config.credit_ratings), metadata_ddl(), *_settings(config)]
        # The indicator catalogue and the floor macro the marts read (queries/indicators.toml).
        statements += indicator_catalogue.warehouse_ddl()
        statements += [stmt for source in SOURCES for stmt in table_ddl(source)]
        con.execute("BEGIN;\n" + ";\n".join(statements) + ";\nCOMMIT;")

    def add(self, checked: Checked) -> None:
        """Queue one checked source's accepted rows for insertion (sources come in SOURCES order)."""
        self._jobs.append(self._pool.submit(self._insert, checked))

    def _insert(self, checked: Checked) -> None:
        from etl.runs import pause_for_tests, pausing

        assert self._con is not None
        self.rows[checked.source.name] = _insert(self._con, checked.source, checked.accepted)
        self._build_marts(ready_only=True)
        if checked.source.name == "organizations" and pausing("build"):
            self._con.execute("CHECKPOINT")  # so a test killing the load here finds a real file
            pause_for_tests("build")

    def _build_marts(self, ready_only: bool) -> None:
        """Build the next marts in name order: all of them, or those whose sources are all in.

        On the building thread, each mart is built as soon as the sources it reads are inserted,
        while the files after them are still being checked; only the marts of the last sources
        are left for finish(). At the end of the load they were 0.05 s of a county's (0.39 s
        of a province's, the boundaries' simplification most of it).
        """
        assert self._con is not None
        while self._built < len(self._marts):
            path, sources = self._marts[self._built]
            if ready_only and not sources <= self.rows.keys():
                return
            run_sql_file(self._con, path)
            self._built += 1

    def finish(
        self, result: CheckResult, run_id: str, started: dt.datetime, history: list[dict]
    ) -> dict[str, int]:
        """Complete, test and name the build file; BuildFailed (and no file) if anything fails."""
        from etl.runs import read_manifest

        try:
            for job in self._jobs:
                job.result()
            con = self._con
            assert con is not None
            for source in SOURCES:
                self.rows.setdefault(source.name, 0)
            con.execute("BEGIN")  # one commit for the metadata and the marts still to build
            _meta(con, result, run_id, started, history, self.rows, read_manifest(result.directory))
            self._build_marts(ready_only=False)
            con.execute("COMMIT")
            failed = run_checks(con)
            if failed:
                raise BuildFailed("；".join(failed))
            con.execute("CHECKPOINT")
            self._close()
            with open(self.tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(self.tmp, self.target)
            fsync_dir(self.target.parent)
        except duckdb.Error as exc:
            raise BuildFailed(f"写入数据仓库失败：{exc}") from exc
        finally:
            self.abort()
        return self.rows

    def abort(self) -> None:
        """Stop writing and remove the unfinished file (a finished one has been renamed away)."""
        self._pool.shutdown(cancel_futures=True)
        self._close()
        self._remove_tmp()

    def _close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def _remove_tmp(self) -> None:
        for leftover in (self.tmp, self.tmp.with_name(self.tmp.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def boundaries_synthetic(manifest: dict) -> bool:
    """Whether the folder's boundaries are schematic (示意), not real outlines: its manifest.toml
    says `boundaries = "synthetic"`, or it is any `orgdash demo` folder's (those carry `seed`; the
    speech's county's files stay as they were, so its manifest has no `boundaries` line)."""
    return manifest.get("boundaries", "synthetic" if "seed" in manifest else None) == "synthetic"


def _meta(
    con: duckdb.DuckDBPyConnection,
    result: CheckResult,
    run_id: str,
    started: dt.datetime,
    history: list[dict],
    rows: dict[str, int],
    manifest: dict,
) -> None:
    county = None
    divisions = next((c.accepted for c in result.checked if c.source.name == "divisions"), None)
    if divisions is not None:
        counties = divisions.filter(pl.col("level") == "county").sort("division_code")
        if counties.height:
            county = counties.row(0, named=True)
    county_name = manifest.get("county_name") or (county["name"] if county else None)
    if divisions is not None and divisions.filter(pl.col("level") == "county").height > 1:
        county_name = (
            manifest.get("region_name")
            or f"{county_name}等{divisions.filter(pl.col('level') == 'county').height}个县"
        )
    con.execute(
        "INSERT INTO warehouse_info VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.as_of,
            started,
            run_id,
            county["division_code"] if county else None,
            county_name,
            str(result.directory.resolve()),
            json.dumps(result.files, ensure_ascii=False, sort_keys=True),
            boundaries_synthetic(manifest),
        ],
    )
    by_source = {c.source.name: c for c in result.checked}
    con.executemany(
        "INSERT INTO etl_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                s.name,
                s.label,
                result.files.get(s.name, {}).get("file"),
                result.files.get(s.name, {}).get("sha256"),
                result.files.get(s.name, {}).get("encoding"),
                by_source[s.name].rows_read if s.name in by_source else 0,
                rows.get(s.name, 0),
                by_source[s.name].rows_rejected if s.name in by_source else 0,
            )
            for s in SOURCES
        ],
    )
    runs = pl.DataFrame(
        [
            {
                "run_id": r.get("run_id"),
                "started_at": r.get("started_at"),
                "finished_at": r.get("finished_at"),
                "status": r.get("status"),
                "as_of_date": r.get("as_of"),
                "source_dir": r.get("source_dir"),
                "rows_read": r.get("rows_read"),
                "rows_loaded": r.get(
                    "rows_loaded", sum(rows.values()) if r.get("run_id") == run_id else None
                ),
                "rows_rejected": r.get("rows_rejected"),
                "reject_report": r.get("reject_report"),
                "message": r.get("message"),
            }
            for r in history
        ],
        schema={
            "run_id": pl.String,
            "started_at": pl.String,
            "finished_at": pl.String,
            "status": pl.String,
            "as_of_date": pl.String,
            "source_dir": pl.String,
            "rows_read": pl.Int64,
            "rows_loaded": pl.Int64,
            "rows_rejected": pl.Int64,
            "reject_report": pl.String,
            "message": pl.String,
        },
    ).unique("run_id", keep="last", maintain_order=True)
    runs_arrow = ArrowStream(runs)  # noqa: F841
    con.execute(
        """INSERT INTO etl_runs SELECT run_id, started_at::TIMESTAMPTZ, finished_at::TIMESTAMPTZ, status,
           as_of_date::DATE, source_dir, rows_read, rows_loaded, rows_rejected, reject_report, message
           FROM runs_arrow"""
    )
    # etl_rejects keeps its columns (file, row, ...): a row of a workbook read from several sheets
    # names its sheet in file, 「名录.xlsx（工作表「城关镇」）」, since row numbers repeat per sheet.
    multi = [c.file for c in result.checked if len(c.sheets) > 1]
    rejects = result.rejects.with_columns(
        pl.when(pl.col("file").is_in(multi) & pl.col("sheet").is_not_null())
        .then(pl.format("{}（工作表「{}」）", pl.col("file"), pl.col("sheet")))
        .otherwise(pl.col("file"))
        .alias("file"),
        pl.lit(run_id).alias("run_id"),
    )
    rejects_arrow = ArrowStream(rejects)  # noqa: F841
    con.execute(
        'INSERT INTO etl_rejects SELECT run_id, file, source, row, "column", value, rule, message FROM rejects_arrow'
    )
