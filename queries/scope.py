"""Row-level access by construction: per-build copies of the warehouse that hold only what a user may see.

A township-scoped account reads a copy with only its township's rows; everyone but the admin reads
a copy whose personal data (负责人 names, phone numbers) is masked. Pages, downloads, reports and
the SQL workbench all read the same copy, so no query (an analyst's own SQL included) can reach
the rows or the clear values that were never copied. Copies are made once per build on first use
(COPY FROM DATABASE keeps tables, comments, views and macros), then masked and pruned in place.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from pathlib import Path

import duckdb

from queries import SQL_DIR, build_id

# Tables every scope keeps whole: code lists and facts about the load itself.
SHARED_TABLES = ("warehouse_info", "etl_runs", "etl_sources")
SHARED_PREFIXES = ("lookup_",)


def _statements(name: str) -> list[str]:
    text = (SQL_DIR / "scope" / f"{name}.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


def township_tables() -> set[str]:
    """Tables the township rules name; every other table is emptied in a township copy."""
    return {
        m.group(1)
        for s in _statements("township")
        for m in [re.match(r"delete\s+from\s+(\w+)", s, re.I)]
        if m
    }


def views_dir(pointer: Path) -> Path:
    return Path(pointer).absolute().parent / "views"


def _target(pointer: Path, live: Path, township: str | None, masked: bool) -> Path:
    folder = views_dir(pointer) / _build_key(live)
    return folder / f"{township or 'county'}-{'masked' if masked else 'clear'}.duckdb"


def view_ready(pointer: Path, live: Path, township: str | None, masked: bool) -> bool:
    """Whether view_file would return at once (no copy to make)."""
    return (township is None and not masked) or _target(pointer, live, township, masked).exists()


def view_file(pointer: Path, live: Path, township: str | None, masked: bool) -> Path:
    """The file a user with this scope reads for the build `live` (the live file itself for an admin
    without a township); made on first use, then reused until the build changes."""
    if township is None and not masked:
        return live
    target = _target(pointer, live, township, masked)
    folder = target.parent
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / ".lock"):
        if target.exists():  # another session made it while this one waited
            return target
        _prune(views_dir(pointer), keep=folder)
        tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.duckdb")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        _make(live, tmp, township, masked)
        os.replace(tmp, target)
    return target


def _build_key(live: Path) -> str:
    return f"{Path(live).stem}-{build_id(Path(live))}"


def _make(live: Path, out: Path, township: str | None, masked: bool) -> None:
    con = duckdb.connect(str(out))
    try:
        con.execute(f"attach '{_quote(live)}' as src (read_only)")
        catalog = con.sql("select current_database()").fetchall()[0][0]
        con.execute(f'copy from database src to "{_quote_ident(catalog)}"')
        con.execute("detach src")
        if township is not None:
            for statement in _statements("township"):
                con.execute(statement, {"township": township} if "$township" in statement else {})
            named = township_tables()
            for (table,) in con.sql(
                "select table_name from duckdb_tables() where not internal"
            ).fetchall():
                shared = table in SHARED_TABLES or table.startswith(SHARED_PREFIXES)
                if table not in named and not shared:
                    con.execute(f'delete from "{_quote_ident(table)}"')
        if masked:
            for statement in _statements("mask"):
                con.execute(statement)
        con.execute("checkpoint")
    finally:
        con.close()


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _quote_ident(name: str) -> str:
    return name.replace('"', '""')


@contextlib.contextmanager
def _locked(lock: Path):  # type: ignore[no-untyped-def]
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _prune(root: Path, keep: Path) -> None:
    """Copies of builds that are no longer on disk are of no use: remove their folders."""
    for folder in root.iterdir() if root.exists() else []:
        if folder == keep or not folder.is_dir():
            continue
        stem = folder.name.rsplit("-", 3)[0]
        build_files = list(root.parent.glob(f"{stem}.duckdb")) + list(
            root.parent.glob(f"builds/{stem}.duckdb")
        )
        current = [f for f in build_files if folder.name == f"{f.stem}-{build_id(f)}"]
        if not current:
            shutil.rmtree(folder, ignore_errors=True)
