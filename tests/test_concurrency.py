"""Readers in other processes while loads and a rollback swap the live build; a load killed -9."""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

import queries
from etl import kept_builds
from etl.kept_builds import list_builds, rollback
from etl.pipeline import LoadBusy, load_dir
from etl.read import decode
from tests.dbutil import sql

READERS = 4


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def live_run(db: Path) -> str:
    return sql(db, "select etl_run_id from warehouse_info")[0][0]


def count_active(db: Path, as_of: object) -> int:
    frame = queries.run(
        "overview/headline", db=db, as_of=as_of, township=None, area=None, fields=None
    )
    return int(frame.filter(period="current")["count_active"][0])


def _reader(db: str, stop, ready, out) -> None:  # type: ignore[no-untyped-def]
    """What one page run does: pin the live build once, then ask all its questions of that file."""
    seen: dict[str, set[int]] = {}
    errors: list[str] = []
    n = 0
    while not stop.is_set():
        try:
            pinned = queries.live_file(Path(db))
            first = queries.run("info/as_of", db=pinned).row(0, named=True)
            active = count_active(pinned, first["as_of_date"])
            last = queries.run("info/as_of", db=pinned).row(0, named=True)
            if first["etl_run_id"] != last["etl_run_id"]:
                errors.append(
                    f"mixed builds in one run: {first['etl_run_id']} {last['etl_run_id']}"
                )
            seen.setdefault(first["etl_run_id"], set()).add(active)
        except Exception as exc:  # any error at all is a failure: lock, missing file, ...
            errors.append(repr(exc))
        n += 1
        if n == 1:
            ready.put(os.getpid())
        time.sleep(0.01)  # a person clicking, not a busy loop starving the loader of CPU
    out.put(({k: sorted(v) for k, v in seen.items()}, errors[:20], n))


@pytest.fixture
def db(demo_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "site" / "warehouse.duckdb"
    load_dir(demo_dir, path)
    return path


def dissolve_some(demo_dir: Path, folder: Path, n: int = 40) -> Path:
    """The demo with n more organisations dissolved mid-2025: fewer active at the as-of date."""
    shutil.copytree(demo_dir, folder)
    path = folder / "社会组织名录.csv"
    text, encoding = decode(path, path.read_bytes())
    rows = list(csv.reader(io.StringIO(text)))
    header = next(i for i, r in enumerate(rows) if "注销日期" in r)
    col = rows[header].index("注销日期")
    open_ones = [r for r in rows[header + 1 :] if len(r) > col and not r[col]]
    for r in open_ones[:n]:
        r[col] = "2025-06-30"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return folder


def test_readers_see_the_old_or_the_new_build_never_a_mix(demo_dir, db, tmp_path):
    other = dissolve_some(demo_dir, tmp_path / "other")
    first = live_run(db)
    ctx = mp.get_context("spawn")
    stop, ready, out = ctx.Event(), ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_reader, args=(str(db), stop, ready, out)) for _ in range(READERS)]
    # A spawned child re-runs the parent's __main__ script first; after an AppTest in the same
    # worker that is dashboard/app.py, which then fails in the child and no reader ever starts.
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for p in procs:
            p.start()
    finally:
        sys.modules["__main__"] = main
    try:
        for _ in procs:
            ready.get(timeout=120)  # every reader is querying before the first swap
        second = load_dir(other, db).run_id
        time.sleep(1.0)
        third = load_dir(demo_dir, db).run_id
        time.sleep(1.0)
        rollback(db, user="test")  # back to `second`
        time.sleep(1.0)
    finally:
        stop.set()
        results = [out.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(timeout=60)
    assert live_run(db) == second

    # What each build answers, asked of each build file directly after the fact.
    expected = {}
    for run in (first, second, third):
        f = kept_builds.build_file(db, run)
        expected[run] = count_active(f, queries.run("info/as_of", db=f)["as_of_date"][0])
    assert expected[first] == expected[third] != expected[second]  # the data really changed

    everyone: set[str] = set()
    for seen, errors, n in results:
        assert errors == [], errors
        assert n >= 10
        assert len(seen) >= 2  # each reader saw a swap
        for run, actives in seen.items():
            # One build, one answer: a mix would pair one build's id with another's figures.
            assert actives == [expected[run]], (run, actives, expected)
        everyone |= set(seen)
    assert everyone == {first, second, third}


@pytest.mark.parametrize("stage", ["build", "swap"])
def test_a_load_killed_midway_leaves_the_live_warehouse_intact(demo_dir, db, tmp_path, stage):
    link, live_bytes = os.readlink(db), digest(db)
    before = [b.run_id for b in list_builds(db)]
    folder = kept_builds.builds_dir(db)
    marker = tmp_path / "paused"
    env = {
        **os.environ,
        "ORGDASH_TEST_PAUSE_AT": stage,
        "ORGDASH_TEST_PAUSE_FILE": str(marker),
        "ORGDASH_TEST_PAUSE_S": "300",
    }
    loader = subprocess.Popen(
        [sys.executable, "-m", "orgdash", "load", str(demo_dir), "--db", str(db)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert loader.poll() is None, loader.stderr.read().decode() if loader.stderr else ""
            assert time.monotonic() < deadline, "the load never reached the pause"
            time.sleep(0.1)
        half = list(folder.glob(".*.building"))
        if stage == "build":
            assert len(half) == 1 and half[0].stat().st_size > 0  # mid-write
        # While it runs: readers read the live build, and a second load is refused.
        assert live_run(db) == before[0]
        with pytest.raises(LoadBusy):
            load_dir(demo_dir, db)
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait(timeout=60)
    assert loader.returncode == -signal.SIGKILL

    assert os.readlink(db) == link and digest(db) == live_bytes
    listed = list_builds(db)
    if stage == "build":
        assert [b.run_id for b in listed] == before  # no half build listed
        assert list(folder.glob(".*.building")) == half  # the dead loader's file is still there
    else:
        # Killed after its build was finished and checked, before the swap: a whole build that
        # never went live; it may be rolled back to like any other.
        assert len(listed) == len(before) + 1 and listed[0].run_id not in before
        assert not listed[0].is_live
    for b in listed:
        assert sql(b.path, "select count(*) from warehouse_info") == [(1,)]
        assert b.sources is not None and any(b.sources.iterdir())

    after = load_dir(demo_dir, db)  # not refused: the OS dropped the dead loader's lock
    assert live_run(db) == after.run_id
    assert not list(folder.glob(".*"))  # stale temp files and half-copied sources cleaned up
    assert not db.with_name(db.name + ".tmp-link").exists()
