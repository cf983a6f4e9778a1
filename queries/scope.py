"""Row-level access by construction: per-build copies of the warehouse that hold only what a user may see.

A township-scoped account reads a copy with only its township's rows; everyone but the admin reads
a copy whose personal data (负责人 names, phone numbers) is masked. Pages, downloads, reports and
the SQL workbench all read the same copy, so no query (an analyst's own SQL included) can reach
the rows or the clear values that were never copied. Copies are made once per build on first use.

A copy is made in two steps. COPY FROM DATABASE (which keeps tables, comments, views and macros)
fills a scratch file where rows are deleted, personal data masked and server paths scrubbed; then
the scratch is copied again into a fresh file. Pruning in place is not enough: DuckDB keeps
deleted rows in their row groups and the old values in each segment's zone-map statistics, and
`pragma_storage_info` shows both (a township copy listed 2,373 organisations in storage with 172
visible, other townships' codes and unmasked phone numbers as min/max). The fresh file's blocks
and statistics are written from the kept, masked rows alone.

Copies and their folders are private to the server's account (0600 / 0700, whatever the umask).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from pathlib import Path

import duckdb

from queries import SQL_DIR, build_id, run_on

# Tables every scope keeps whole: code lists and facts about the load itself.
SHARED_TABLES = (
    "warehouse_info",
    "etl_runs",
    "etl_sources",
    "rule_settings",
    "indicator_catalogue",
)
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
    _private_dir(folder)
    with _locked(folder / ".lock"):
        if target.exists():  # another session made it while this one waited
            return target
        _prune(views_dir(pointer), keep=folder)
        # Under the lock no other copy of this build is being made: what a killed process left
        # (a scratch file holds clear data) goes now, not when the build is retired.
        for left in folder.glob(".*.tmp*.duckdb*"):
            left.unlink(missing_ok=True)
        tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.duckdb")
        _make(live, tmp, township, masked)
        os.replace(tmp, target)
    return target


def _build_key(live: Path) -> str:
    return f"{Path(live).stem}-{build_id(Path(live))}"


def _make(live: Path, out: Path, township: str | None, masked: bool) -> None:
    scratch = out.with_name(f"{out.stem}.scratch.duckdb")
    _remove(scratch)
    con = duckdb.connect(str(scratch))
    try:
        _private(scratch)
        con.execute(f"attach '{_quote(live)}' as src (read_only)")
        work = _quote_ident(con.sql("select current_database()").fetchall()[0][0])
        con.execute("pragma disable_checkpoint_on_shutdown")  # the scratch is thrown away
        con.execute(f'copy from database src to "{work}"')
        con.execute("detach src")
        if township is not None:
            for statement in _statements("township"):
                con.execute(statement, {"township": township} if "$township" in statement else {})
            named = township_tables()
            objects = run_on(con, "info/objects")
            for table in objects.filter(objects["kind"] == "table")["name"].to_list():
                shared = table in SHARED_TABLES or table.startswith(SHARED_PREFIXES)
                if table not in named and not shared:
                    con.execute(f'delete from "{_quote_ident(table)}"')
        if masked:
            for statement in _statements("mask"):
                con.execute(statement)
        for statement in _statements("scrub"):
            con.execute(statement)
        # The second copy reads only the rows left, as they are now: nothing deleted or unmasked
        # reaches the final file's blocks or statistics.
        con.execute(f"attach '{_quote(out)}' as final")
        _private(out)
        con.execute(f'copy from database "{work}" to final')
        # Explicitly: the pragma above also stops the checkpoint on detach, which would leave the
        # rows in final's write-ahead log (lost when the file is renamed).
        con.execute("checkpoint final")
        con.execute("detach final")
    finally:
        con.close()
        _remove(scratch)
    _private(out)


def _remove(db: Path) -> None:
    """A DuckDB file and its write-ahead log."""
    for path in (db, db.with_name(db.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _private(path: Path) -> None:
    """Only the server's account may read a copy or its folder. DuckDB creates files with the
    umask's mode (often 0644), and mkdir's mode is masked too, so the bits are set afterwards."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        os.chmod(wal, 0o600)


def _private_dir(folder: Path) -> None:
    """Make folder (and views/ above it) if need be, 0700."""
    for f in (folder.parent, folder):
        f.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(f, 0o700)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _quote_ident(name: str) -> str:
    return name.replace('"', '""')


@contextlib.contextmanager
def _locked(lock: Path):  # type: ignore[no-untyped-def]
    with os.fdopen(os.open(lock, os.O_WRONLY | os.O_CREAT, 0o600), "w") as fh:
        os.fchmod(fh.fileno(), 0o600)  # a lock file made before copies were private
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
