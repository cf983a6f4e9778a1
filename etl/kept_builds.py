"""Kept warehouse builds and the live pointer: list them, swap the pointer, prune, roll back.

Layout beside the live path (data/warehouse.duckdb by default):

    warehouse.duckdb                  symlink -> builds/<run_id>.duckdb (the live build)
    builds/<run_id>.duckdb            one finished, checked build per successful load
    builds/<run_id>.sources/          the source files that build was loaded from

(A live path with another name, say county.duckdb, keeps its builds in county.builds/.)

A build file is never written after it gets its name, so a reader that resolved the pointer once
(queries.live_file) reads one consistent build however many loads or rollbacks happen meanwhile.
Swapping is one rename of a symlink, which is atomic; the old build stays on disk for rollback.

Builds hold personal data in clear: the builds folder, the archived sources and every build file
are the server account's alone (0700 folders, 0600 files), whatever the umask.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path

BUILDS = "builds"
DEFAULT_NAME = "warehouse.duckdb"
SUFFIX = ".duckdb"
SOURCES_SUFFIX = ".sources"
BUILDING = ".building"  # a build being written: `.<run_id>.duckdb.building`
MIN_AGE_S = 60.0  # a build retired less than this ago may still be being opened by a reader
PRIVATE_FILE = 0o600  # what is written beside the warehouse: the server's account only
PRIVATE_DIR = 0o700


class RollbackError(Exception):
    """Nothing to roll back to, or no such build; the message says so in Chinese."""


@dataclass(frozen=True)
class Build:
    run_id: str
    path: Path
    sources: Path | None  # archived source files, None for a build adopted from the old layout
    built_at: dt.datetime | None
    as_of: dt.date | None
    rows: int | None  # rows loaded over all tables
    is_live: bool


def pointer(db_path: Path) -> Path:
    """The live path itself, never followed (Path.resolve would land on the build file)."""
    return Path(db_path).absolute()


def builds_dir(db_path: Path) -> Path:
    """builds/ beside the default warehouse.duckdb; <stem>.builds/ beside any other name.

    Two warehouses in one folder (the benchmark's warehouse-s1 and -s100, tests) must never list,
    prune or roll back to each other's builds.
    """
    p = pointer(db_path)
    return p.parent / (BUILDS if p.name == DEFAULT_NAME else f"{p.stem}.{BUILDS}")


def build_file(db_path: Path, run_id: str) -> Path:
    return builds_dir(db_path) / f"{run_id}{SUFFIX}"


def sources_path(db_path: Path, run_id: str) -> Path:
    return builds_dir(db_path) / f"{run_id}{SOURCES_SUFFIX}"


def building_file(db_path: Path, run_id: str) -> Path:
    return builds_dir(db_path) / f".{run_id}{SUFFIX}{BUILDING}"


def _live_target(db_path: Path) -> Path | None:
    p = pointer(db_path)
    if not p.exists():  # missing, or a dangling link
        return None
    return Path(os.path.realpath(p))


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

# (path, device, inode, size) -> (built_at, as_of, rows); build files never change once named.
_INFO: dict[tuple[str, int, int, int], tuple[dt.datetime | None, dt.date | None, int | None]] = {}


def _info(path: Path) -> tuple[dt.datetime | None, dt.date | None, int | None]:
    import queries

    st = path.stat()
    key = (str(path), st.st_dev, st.st_ino, st.st_size)
    if key not in _INFO:
        try:
            row = queries.run("info/build", db=path).row(0, named=True)
            _INFO[key] = (row["built_at"], row["as_of_date"], row["rows_loaded"])
        except Exception:  # a damaged file is still listed, without its facts
            return (None, None, None)
    return _INFO[key]


def _build(db_path: Path, path: Path, run_id: str, live: Path | None, facts: bool = True) -> Build:
    built_at, as_of, rows = _info(path) if facts else (None, None, None)
    src = sources_path(db_path, run_id)
    return Build(
        run_id=run_id,
        path=path,
        sources=src if src.is_dir() else None,
        built_at=built_at,
        as_of=as_of,
        rows=rows,
        is_live=live is not None and live == Path(os.path.realpath(path)),
    )


def _legacy_id(path: Path) -> str:
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime)
    return f"legacy-{mtime:%Y%m%dT%H%M%S}"


def _started(run_id: str) -> float | None:
    try:
        return dt.datetime.strptime(run_id[:18], "%Y%m%dT%H%M%S%f").astimezone().timestamp()
    except ValueError:
        return None


def list_builds(db_path: Path, facts: bool = True) -> list[Build]:
    """Every kept build, newest first, the live one flagged.

    A live file in the earlier layout (a regular file at the live path) is listed too, under the
    legacy id it will be kept as when the next load replaces it. facts=False leaves out what
    each build file holds (built_at, as_of, rows), which costs opening every file, and orders
    them by when their load started (the run id) instead.
    """
    live = _live_target(db_path)
    found: list[Build] = []
    folder = builds_dir(db_path)
    if folder.is_dir():
        for path in folder.glob(f"*{SUFFIX}"):
            if path.name.startswith(".") or not path.is_file():
                continue
            with contextlib.suppress(FileNotFoundError):  # pruned by another process just now
                found.append(_build(db_path, path, path.name[: -len(SUFFIX)], live, facts))
    if live is not None and not any(b.is_live for b in found):
        with contextlib.suppress(FileNotFoundError):
            found.append(
                replace(_build(db_path, live, _legacy_id(live), live, facts), sources=None)
            )

    def newest(b: Build) -> tuple[float, str]:
        if b.built_at is not None:
            return (b.built_at.timestamp(), b.run_id)
        started = _started(b.run_id)
        if started is not None:  # a load's id is the time it started (etl.pipeline.new_run_id)
            return (started, b.run_id)
        try:
            return (b.path.stat().st_mtime, b.run_id)
        except FileNotFoundError:
            return (0.0, b.run_id)

    return sorted(found, key=newest, reverse=True)


def live_build(db_path: Path) -> Build | None:
    return next((b for b in list_builds(db_path) if b.is_live), None)


def sources_dir(db_path: Path) -> Path | None:
    """The archived source files of the live build (what a partial upload starts from)."""
    live = live_build(db_path)
    return live.sources if live else None


# ---------------------------------------------------------------------------
# Writing (all under the load lock, see etl.pipeline.load_lock)
# ---------------------------------------------------------------------------


def private(path: Path) -> Path:
    """Readable by the server's account only: 0700 for a folder, 0600 for a file.

    Set after the fact, because the mode at creation is not enough: mkdir's and DuckDB's are
    masked by the umask (0644 files under the usual 022), and copy2 copies the source's.
    """
    os.chmod(path, PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)
    return path


def private_dir(folder: Path) -> Path:
    """Make folder (and any missing parents) if need be; folder itself 0700."""
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return private(folder)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_leftovers(db_path: Path) -> list[Path]:
    """Remove what a killed loader left: half-written builds, half-copied sources, a temp link.

    Only ever called with the load lock held, so none of these belongs to a running load.
    """
    removed: list[Path] = []
    p = pointer(db_path)
    candidates = [
        *p.parent.glob(f".{p.name}.*.building*"),  # the earlier layout built beside the live file
        p.with_name(p.name + ".tmp-link"),
    ]
    folder = builds_dir(db_path)
    if folder.is_dir():
        candidates += folder.glob(f".*{BUILDING}*")
        candidates += folder.glob(f".*{SOURCES_SUFFIX}.tmp")
        # Sources are archived before the build file gets its name: sources without a build are
        # from a load that died (or failed) in between.
        candidates += [
            s
            for s in folder.glob(f"*{SOURCES_SUFFIX}")
            if not (folder / (s.name[: -len(SOURCES_SUFFIX)] + SUFFIX)).exists()
        ]
    for c in candidates:
        if c.is_symlink() or c.is_file():
            c.unlink(missing_ok=True)
        elif c.is_dir():
            shutil.rmtree(c, ignore_errors=True)
        else:
            continue
        removed.append(c)
    return removed


def archive_sources(db_path: Path, run_id: str, directory: Path, names: list[str]) -> Path:
    """Copy the files a load reads (and its manifest.toml) next to the build, under their names.

    The load runs this on a thread of its own while it checks the same files; a load that fails
    leaves the copy without a build, and clean_leftovers removes it.
    """
    final = sources_path(db_path, run_id)
    tmp = final.with_name(f".{final.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    private_dir(final.parent)
    tmp.mkdir(mode=PRIVATE_DIR)
    private(tmp)
    names = list(names)
    if (directory / "manifest.toml").is_file():
        names.append("manifest.toml")
    for name in names:
        shutil.copy2(directory / name, tmp / name)
        private(tmp / name)
        with open(tmp / name, "rb") as fh:
            os.fsync(fh.fileno())
    fsync_dir(tmp)
    os.replace(tmp, final)
    fsync_dir(final.parent)
    return final


def _adopt(db_path: Path) -> None:
    """Keep a live file of the earlier layout as a build before the pointer replaces it."""
    p = pointer(db_path)
    if not p.exists():
        return
    target = Path(os.path.realpath(p))
    folder = builds_dir(db_path)
    if target.parent == folder:
        return
    kept = folder / f"{_legacy_id(target)}{SUFFIX}"
    if kept.exists():
        return
    private_dir(folder)
    try:
        os.link(target, kept)  # same inode: readers holding the old file are not disturbed
    except OSError:
        tmp = kept.with_name(f".{kept.name}{BUILDING}")
        shutil.copy2(target, tmp)
        os.replace(tmp, kept)
    private(kept)
    fsync_dir(folder)


def point_to(db_path: Path, build: Path) -> None:
    """Make the live path a symlink to build, atomically (a new link renamed over the old path)."""
    p = pointer(db_path)
    _adopt(db_path)
    # The build file was made by DuckDB with the umask's mode; its folder was private already.
    private(build)
    private(build.parent)
    old = _live_target(db_path)
    link = p.with_name(p.name + ".tmp-link")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(build, p.parent), link)
    os.replace(link, p)
    fsync_dir(p.parent)
    if old is not None and old != Path(os.path.realpath(build)):
        # The retired build's mtime marks when it stopped being live: prune() keeps it at least
        # MIN_AGE_S longer, since a reader may have resolved the pointer just before the swap.
        with contextlib.suppress(OSError):
            os.utime(old)


def prune(db_path: Path, keep: int) -> list[str]:
    """Delete builds beyond the newest `keep`: never the live one, never one retired < 60 s ago."""
    removed = []
    now = time.time()
    # Without facts: opening every kept build to read its date cost a province's load 0.3 s.
    for b in list_builds(db_path, facts=False)[max(1, keep) :]:
        if b.is_live or b.path.parent != builds_dir(db_path):
            continue
        with contextlib.suppress(FileNotFoundError):
            if now - b.path.stat().st_mtime < MIN_AGE_S:
                continue
            b.path.unlink()
        for extra in (b.path.with_name(b.path.name + ".wal"), sources_path(db_path, b.run_id)):
            if extra.is_dir():
                shutil.rmtree(extra, ignore_errors=True)
            else:
                extra.unlink(missing_ok=True)
        # A read-only DuckDB spills big sorts to `<file>.tmp/` beside the file it reads.
        shutil.rmtree(b.path.with_name(b.path.name + ".tmp"), ignore_errors=True)
        removed.append(b.run_id)
    return removed


_CREATES = re.compile(
    r"create\s+(?:or\s+replace\s+)?(?:table|view|macro)\s+(?:if\s+not\s+exists\s+)?(\w+)",
    re.IGNORECASE,
)
# path, device, inode, size -> what the file lacks; build files never change once named.
_MISSING: dict[tuple[str, int, int, int], list[str]] = {}


def missing_objects(path: Path) -> list[str]:
    """Tables, views and macros this version of orgdash builds that the build file lacks.

    A build made by an earlier version (before the map_shapes mart, say) would break the pages
    that read what it lacks, so rollback refuses it and names its sources to load again.
    """
    import queries
    from etl.sources import SOURCES
    from queries import sql_files

    st = path.stat()
    key = (str(path), st.st_dev, st.st_ino, st.st_size)
    if key not in _MISSING:
        wanted = {s.table for s in SOURCES}
        for mart in sql_files("marts"):
            wanted |= {m.lower() for m in _CREATES.findall(mart.read_text(encoding="utf-8"))}
        con = queries.connect(path)
        try:
            have = {n.lower() for n in queries.run_on(con, "info/objects")["name"].to_list()}
        finally:
            con.close()
        _MISSING[key] = sorted(wanted - have)
    return _MISSING[key]


def rollback(db_path: Path, to: str | None = None, user: str | None = None) -> Build:
    """Point the live path back at a kept build: the one before the live one, or `to`.

    Taken under the load lock (LoadBusy while a load runs); logged in etl_runs.jsonl and the audit
    log. Raises RollbackError when there is nothing to roll back to.
    """
    from access import audit
    from etl.runs import append_run, load_lock, new_run_id

    p = pointer(db_path)
    with load_lock(p, doing="回退"):
        started = dt.datetime.now().astimezone()
        builds = list_builds(p)
        live = next((b for b in builds if b.is_live), None)
        if to is None:
            if live is None:
                raise RollbackError(f"还没有在用的数据版本（{p} 不存在），无法回退。请先导入数据。")
            older = builds[builds.index(live) + 1 :]
            if not older:
                raise RollbackError(
                    f"没有比当前版本（{live.run_id}）更早的数据版本可以回退。"
                    f"共保留 {len(builds)} 个版本，可运行 orgdash builds 查看。"
                )
            target = older[0]
        else:
            named = next((b for b in builds if b.run_id == to), None)
            if named is None:
                kept = "、".join(b.run_id for b in builds) or "无"
                raise RollbackError(
                    f"找不到数据版本「{to}」。现有版本：{kept}。可运行 orgdash builds 查看。"
                )
            target = named
            if target.is_live:
                raise RollbackError(f"「{to}」已经是当前在用的数据版本，不需要回退。")
        missing = missing_objects(target.path)
        if missing:
            again = (
                f"它的源文件保存在 {target.sources}：可在「导入」页重新上传这些文件，"
                f"或运行 orgdash load {target.sources}。"
                if target.sources
                else "请重新导入当时的源文件。"
            )
            raise RollbackError(
                f"数据版本「{target.run_id}」由旧版程序生成，缺少当前看板要用的"
                f"「{'」「'.join(missing[:5])}」，回退后页面会出错，因此不能直接回退。{again}"
            )
        point_to(p, target.path)
        from_run = live.run_id if live else None
        append_run(
            p,
            {
                "run_id": new_run_id(started),
                "started_at": started.isoformat(timespec="milliseconds"),
                "finished_at": dt.datetime.now().astimezone().isoformat(timespec="milliseconds"),
                "status": "rolled_back",
                "db_path": str(p),
                "from_run": from_run,
                "to_run": target.run_id,
                "as_of": target.as_of.isoformat() if target.as_of else None,
                "message": f"回退到版本 {target.run_id}（原版本 {from_run or '无'}）",
            },
        )
        audit.record("rollback", user, p, from_run=from_run, to_run=target.run_id)
        return replace(target, is_live=True)
