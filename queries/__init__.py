"""Every line of SQL lives under this folder; run(name, **params) is the one way to ask a question.

A query is a file `queries/<folder>/<name>.sql` whose three top comment lines say what it answers,
its grain and its parameters. Parameters are bound ($as_of, $township), never formatted in.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

SQL_DIR = Path(__file__).resolve().parent
DEFAULT_DB = SQL_DIR.parent / "data" / "warehouse.duckdb"

# Read-only connections for pages and reports: no files, no extensions, bounded resources.
READ_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def db_path() -> Path:
    return Path(os.environ.get("ORGDASH_DB", DEFAULT_DB))


def sql_files(folder: str) -> list[Path]:
    """The .sql files of a folder in name order (marts are numbered where order matters)."""
    return sorted((SQL_DIR / folder).glob("*.sql"))


@lru_cache(maxsize=256)
def _text(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} ({path})")
    return path.read_text(encoding="utf-8")


def params_of(name: str) -> set[str]:
    """The $parameters a named query binds."""
    return set(re.findall(r"\$([a-z_][a-z0-9_]*)", _strip_comments(_text(name))))


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A short-lived read-only connection to the warehouse file (one per question, then closed).

    Opening per call is what lets a reader see a new build after `orgdash load` swapped the file
    (docs/WAREHOUSE.md, "Builds, rollback and uploads"; docs/STACK-NOTES.md): a connection held
    open keeps the old file alive.
    """
    p = path or db_path()
    if not p.exists():
        raise FileNotFoundError(f"数据仓库不存在：{p}。请先运行 orgdash load。")
    return duckdb.connect(str(p), read_only=True, config=dict(READ_CONFIG))


def run(name: str, db: Path | None = None, **params: object) -> pl.DataFrame:
    """Run queries/<name>.sql with bound parameters and return a Polars frame."""
    con = connect(db)
    try:
        return run_on(con, name, **params)
    finally:
        con.close()


def run_on(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """run() on a connection the caller holds: for a job that asks many questions of one build
    (a report asks about 26; opening a connection for each cost half of its SQL time at scale 1),
    and reads one snapshot while it does."""
    sql = _text(name)
    wanted = params_of(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameters: {', '.join(sorted(missing))}")
    bound = {k: v for k, v in params.items() if k in wanted}
    return con.sql(sql, params=bound).pl()


def build_id(db: Path | None = None) -> str:
    """Identifies the warehouse build on disk: changes whenever a load or rollback swaps the
    live pointer (stat follows the symlink to the build file)."""
    p = db or db_path()
    st = p.stat()
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def _home(db: Path | None) -> Path:
    """The folder of the live pointer, also when given a pinned build file under builds/."""
    p = Path(db or db_path()).absolute()
    kept = p.parent.name == "builds" or p.parent.name.endswith(".builds")  # etl/kept_builds.py
    if kept and not (p.parent / "etl_runs.jsonl").exists():
        return p.parent.parent
    return p.parent


def load_attempts(db: Path | None = None) -> pl.DataFrame:
    """Every load attempt from the run log beside the warehouse, newest first.

    A failed load may not touch the warehouse, so attempts after the live build exist only in
    this log (etl_runs.jsonl, written by etl.pipeline); etl_runs in the warehouse has the rest.
    """
    log = _home(db) / "etl_runs.jsonl"
    schema = {
        "run_id": pl.String,
        "started_at": pl.String,
        "status": pl.String,
        "message": pl.String,
    }
    if not log.exists():
        return pl.DataFrame(schema=schema)
    rows = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by a killed loader
            continue
        rows.append({k: (None if rec.get(k) is None else str(rec.get(k))) for k in schema})
    return pl.DataFrame(rows, schema=schema).sort("started_at", descending=True)


def log_id(db: Path | None = None) -> str:
    """Changes whenever a load attempt is logged, failed ones included."""
    log = _home(db) / "etl_runs.jsonl"
    return f"{log.stat().st_mtime_ns}-{log.stat().st_size}" if log.exists() else "none"


def live_file(db: Path | None = None) -> Path:
    """The build file the live pointer names right now, resolved once.

    Pass it as `db` to every query of one page run (or report) so they all read the same build:
    a load or rollback in between swaps the pointer, never the file (etl/kept_builds.py).
    """
    p = db or db_path()
    if not p.exists():
        raise FileNotFoundError(f"数据仓库不存在：{p}。请先运行 orgdash load。")
    return Path(os.path.realpath(p))
