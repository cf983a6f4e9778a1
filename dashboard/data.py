"""Cached access to the warehouse for pages: named queries, keyed on the build on disk."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

import polars as pl
import streamlit as st

import queries
from access.accounts import Account
from queries import scope

_PINNED = "_pinned_db"


class NoWarehouse(Exception):
    pass


MAX_RESULTS = 512  # query results kept per process, least recently used dropped first

_lock = threading.Lock()
_results: OrderedDict[Hashable, bytes] = OrderedDict()
_running: dict[Hashable, threading.Event] = {}


def _frozen(value: object) -> Hashable:
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


def _key(params: dict[str, object]) -> tuple[tuple[str, object], ...]:
    """Parameters as part of a cache key: sorted by name, lists as tuples."""
    return tuple(sorted((k, _frozen(v)) for k, v in params.items()))


def _run(name: str, db: str, build: str, params: tuple[tuple[str, object], ...]) -> pl.DataFrame:
    """The query's result, run once per build, scope file and parameters in this process.

    build is part of the key only: a new load changes it, so pages see the new data at once.
    db is the file this user's scope reads (a township's copy, a masked copy or the live one).
    """
    return _once((name, db, build, params), lambda: _ask(name, db, params))


def _frozen_frame(frame: pl.DataFrame) -> bytes:
    """A frame as an Arrow IPC stream with LZ4. Against DataFrame.serialize (Polars 2.1): about
    half the time to write (the province's organisation list of 237,000 rows: 98 ms, 40 % of the
    cold 组织 page), as fast to read for the small results most pages ask for (17 µs for ten
    rows), and a fifth of the memory (12 MB instead of 59 MB for that list). Not the IPC *file*
    format: pl.read_ipc costs 0.4-0.6 ms even for ten rows, which a warm 总览 paid thirty
    times."""
    out = io.BytesIO()
    frame.write_ipc_stream(out, compression="lz4")
    return out.getvalue()


def _thawed(stored: bytes) -> pl.DataFrame:
    return pl.read_ipc_stream(io.BytesIO(stored))


def _once(key: Hashable, make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """make()'s frame, made once per key in this process and handed to every later call.

    Kept as bytes (_frozen_frame), and each call reads its own frame from them: with one frame
    shared by every session (st.cache_resource), twenty browser sessions hung the server (once in
    two runs), two page threads waiting inside Polars 2.1.0 for good (docs/DASHBOARD.md). This replaced
    st.cache_data, which keeps pickles too but, in Streamlit 1.67, inspects the function's
    signature and hashes every argument on every call: 15 % of a warm 总览's server time when
    twenty sessions opened it at once (issue 15). Ten sessions asking for the same missing
    frame at once make it once; the others wait for it.
    """
    waiting: threading.Event | None = None
    with _lock:
        stored = _results.get(key)
        if stored is not None:
            _results.move_to_end(key)
        else:
            waiting = _running.get(key)
            if waiting is None:
                _running[key] = threading.Event()
    if stored is not None:
        return _thawed(stored)
    if waiting is not None:
        waiting.wait(timeout=120)
        with _lock:
            stored = _results.get(key)
        if stored is not None:
            return _thawed(stored)
        return make()  # the first one failed: make our own
    try:
        frame = make()
        with _lock:
            _results[key] = _frozen_frame(frame)
            while len(_results) > MAX_RESULTS:
                _results.popitem(last=False)
        return frame
    finally:
        with _lock:
            _running.pop(key).set()


# One read-only connection for the questions of one page run, opened at its first cache miss and
# closed when the run ends (release(), from app.py). Opening the warehouse file costs 14-25 ms
# (DuckDB 2.0 reads its catalogue again) and a cold page asks twenty to thirty questions: the
# province's 项目 page spent 0.4 s of its 2.1 s opening the file (issue 15). Closed at the end of
# the run, not kept: a connection held open keeps the file's database open in this process, and
# DuckDB then refuses any connection to it with other settings (docs/STACK-NOTES.md), and a warm
# run opens none at all. Only the run's own thread uses it: a download made after a click, on
# another thread, asks with a connection of its own as before.
_this_run = threading.local()


def release() -> None:
    """Close this run's connection, if it opened one (app.py, when the page run ends)."""
    con = getattr(_this_run, "con", None)
    _this_run.con, _this_run.db = None, None
    if con is not None:
        con.close()


def _ask(name: str, db: str, params: tuple[tuple[str, object], ...]) -> pl.DataFrame:
    if getattr(_this_run, "db", None) != db:  # not this run's file, or not a page run's thread
        return queries.run(name, Path(db), **dict(params))
    if _this_run.con is None:
        _this_run.con = queries.connect(Path(db))
    return queries.run_on(_this_run.con, name, **dict(params))


def clear() -> None:
    """Forget every cached result (the bench's cold runs; a new build needs no call)."""
    with _lock:
        _results.clear()


def pin(account: Account) -> None:
    """Fix, for this whole run, the build and the copy of it this account may read.

    Called once per run before the page: every question of the run then reads one file, so a
    load finishing mid-run cannot show half old and half new figures.
    """
    pointer = queries.db_path()
    try:
        live = queries.live_file(pointer)
        built = queries.build_id(live)
    except FileNotFoundError:
        raise NoWarehouse(str(pointer)) from None
    masked = not account.can("personal_data")
    if scope.view_ready(pointer, live, account.township, masked):
        db = scope.view_file(pointer, live, account.township, masked)
    else:  # the first page after a load waits for this account's copy (about 0.5 s per 100 MB)
        with st.spinner("正在准备新导入的数据……"):
            db = scope.view_file(pointer, live, account.township, masked)
    release()  # a rerun on the same thread starts again
    _this_run.con, _this_run.db = None, str(db)
    st.session_state[_PINNED] = (str(db), built, str(live))


def db() -> Path:
    """The file this run reads (see pin); reports and the SQL workbench use it too."""
    return Path(st.session_state[_PINNED][0])


def report_db(account: Account) -> Path:
    """The file meeting reports read. A township account's report is about its township only
    (the scope is fixed on the page), but its sentences compare with the county (全县平均水平,
    占全县总数的…): county totals, not other townships' rows. So reports read the county copy,
    masked as for any non-admin, never the township copy, whose 全县 would be the township."""
    if account.township is None:
        return db()
    pointer = queries.db_path()
    live = Path(st.session_state[_PINNED][2])
    return scope.view_file(pointer, live, None, masked=not account.can("personal_data"))


def newer_build() -> bool:
    """Whether a load or rollback has swapped another build in since this run pinned its own
    (a page that stays open, like the 大屏, asks this to know when to rerun)."""
    try:
        live = queries.live_file()
    except FileNotFoundError:  # between a rollback's steps: keep what is shown
        return False
    return str(live) != st.session_state[_PINNED][2]


def build() -> str:
    """Identifies the build this run reads: cache keys include it."""
    path, built, _ = st.session_state[_PINNED]
    return f"{built}:{path}"


def run(name: str, **params: object) -> pl.DataFrame:
    """A named query's result, cached per warehouse build, scope and parameter values."""
    path, built, _ = st.session_state[_PINNED]
    return _run(name, path, built, _key(params))


def derived(name: str, make: Callable[[], pl.DataFrame], **params: object) -> pl.DataFrame:
    """A frame a page computes from query results, made once per build, scope file and params
    and shared like run()'s results: twenty people opening the 总览 read the same build with the
    same filters, and a province's league goals (1,200 townships' targets, in Python) were half
    of every session's 总览 (issue 15). `make` may read only queries run with these params and
    what the build holds: anything else it depends on must be in params."""
    path, built, _ = st.session_state[_PINNED]
    return _once(("derived", name, path, built, _key(params)), make)


def by_period(frame: pl.DataFrame) -> tuple[dict, dict]:
    """The two rows of a query with a `period` column (overview/headline, overview/report_rate,
    overview/fund_execution, overview/programmes, projects/summary): 'current', to the date, and
    'previous', to the same day a year earlier, as dicts."""
    rows = {r["period"]: r for r in frame.iter_rows(named=True)}
    return rows["current"], rows["previous"]


def warehouse() -> dict:
    """as_of_date, built_at, etl_run_id, county_name of the live build."""
    return run("info/as_of").row(0, named=True)


def as_of() -> dt.date:
    return warehouse()["as_of_date"]


@st.cache_data(max_entries=8, show_spinner=False)
def _attempts(log: str) -> pl.DataFrame:
    return queries.load_attempts()


def failed_since_build() -> pl.DataFrame:
    """Load attempts that failed after the live build was made (newest first)."""
    built = warehouse()["etl_run_id"]
    attempts = _attempts(queries.log_id())
    newer = attempts.filter(attempts["run_id"] > built) if attempts.height else attempts
    return newer.filter(newer["status"] == "failed")
