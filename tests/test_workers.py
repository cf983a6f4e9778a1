"""`orgdash serve --workers 2`: two Streamlit workers behind nginx. Browsers are dealt both in turn and
each sticks to its own (websocket and upload PUTs alike), the sign-in cookie works on either, a new
load or a rollback reaches both, a killed worker comes back, and SIGTERM stops everything."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orgdash.workers import find_nginx
from tests.conftest import chromium
from tests.wire import upload_put, watch_session_ids

ROOT = Path(__file__).resolve().parent.parent
NGINX = find_nginx()

pytestmark = pytest.mark.browser

if chromium() is None or NGINX is None:
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI must run the workers test: install Debian's chromium and nginx (.ci/run)"
        )
    pytest.skip("chromium or nginx is not installed", allow_module_level=True)

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, COOKIE, PLOTLY, _free_port, sign_in  # noqa: E402

ROUTE = "orgdash_route"
WORKER = "x-orgdash-worker"


@dataclass
class Front:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def said(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def site(demo_dir: Path, tmp_path: Path) -> Path:
    """A warehouse of its own (the test loads and rolls back), built as `orgdash load` does."""
    from etl.pipeline import load_dir

    db = tmp_path / "site" / "warehouse.duckdb"
    load_dir(demo_dir, db)
    return db


@pytest.fixture
def front(site: Path, users_file: Path, tmp_path: Path) -> Iterator[Front]:
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "ORGDASH_DB": str(site), "ORGDASH_USERS": str(users_file)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orgdash", "serve", "--workers", "2", "--port", str(port),
             "--db", str(site)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    served = Front(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + 90
        while not _healthy(served.url):  # nginx starts once both workers answer
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"orgdash serve --workers 2 did not start:\n{served.said()}")
            time.sleep(0.2)
        yield served
    finally:
        if proc.poll() is None:  # the test failed before its own SIGTERM: let serve clean up
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return bool(r.read() == b"ok")
    except OSError:
        return False


def _put(url: str, session_id: str, cookies: dict[str, str], data: bytes) -> int:
    """PUT one file to a session with the browser's cookies (XSRF, and the route to a worker)."""
    return upload_put(url, session_id, cookies, data)[0]


def _slow_read(url: str, path: str) -> tuple[int, int]:
    """(Content-Length, bytes received) of a GET whose reader pauses after the first 64 KB, as a
    busy browser does: nginx's memory buffers fill and it would spill the rest to a temp file."""
    where = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=30)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        want, got = int(r.headers["Content-Length"]), len(r.read(65536))
        time.sleep(1.5)
        try:
            got += len(r.read())
        except http.client.IncompleteRead as cut:
            got += len(cut.partial)
        return want, got
    finally:
        conn.close()


def test_a_large_file_to_a_slow_browser_arrives_whole(front: Front) -> None:
    """Regression: started as root, nginx's workers run as nobody, could not write the temp file
    of a response a slow reader was behind on, and cut Plotly's 4.7 MB bundle short; no chart
    was drawn (reproduced with this reader: 4,169,411 of 4,715,877 bytes)."""
    import streamlit

    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    bundle = max(js.glob("*.js"), key=lambda f: f.stat().st_size)
    want, got = _slow_read(front.url, f"/static/js/{bundle.name}")
    assert got == want == bundle.stat().st_size


def shows_build(tab, run_id: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for the overview drawn from build `run_id`: its hidden build marker (bigscreen.build_marker;
    people read the data date and import day, the page carries the batch id for machines)."""
    tab.locator(f'[data-build="{run_id}"]').wait_for(state="attached", timeout=45_000)


def test_two_workers_behind_nginx(front: Front, site: Path, demo_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    from etl.kept_builds import rollback
    from etl.pipeline import load_dir
    from tests.dbutil import sql

    url = front.url
    first_run = sql(site, "select etl_run_id from warehouse_info")[0][0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Fresh browsers are dealt the workers in turn (the route cookie then names theirs):
            # four browsers opened one after another, two on each.
            opened: list[tuple[Any, Any, str]] = []  # (context, tab, worker)
            for _ in range(4):
                ctx = browser.new_context(locale="zh-CN")
                tab = ctx.new_page()
                response = tab.goto(url, wait_until="domcontentloaded")
                assert response is not None
                opened.append((ctx, tab, response.headers[WORKER]))
            workers = sorted({w for _, _, w in opened})
            assert len(workers) == 2, f"{len(opened)} browsers, all on {workers}"
            assert [w for _, _, w in opened].count(workers[0]) == 2, [w for _, _, w in opened]
            route: dict[str, str] = {}  # worker -> a route cookie that reaches it
            for ctx, tab, worker in opened:
                cookie = next(c for c in ctx.cookies() if c["name"] == ROUTE)
                assert cookie["httpOnly"] and cookie["value"] == worker  # names its worker
                route.setdefault(worker, cookie["value"])
                for _ in range(2):  # ... and each stays on its own across reloads
                    again = tab.reload(wait_until="domcontentloaded")
                    assert again is not None and again.headers[WORKER] == worker
                    assert "set-cookie" not in again.headers  # the route is kept, not re-dealt
            keep = {w: next(o for o in opened if o[2] == w) for w in workers}
            for o in opened:
                if o not in keep.values():
                    o[0].close()

            # Sign in on worker A; the session's websocket and its upload PUTs reach A only.
            a, b = workers
            ctx_a, tab_a, _ = keep[a]
            ids = watch_session_ids(tab_a)
            assert tab_a.reload(wait_until="domcontentloaded").headers[WORKER] == a  # type: ignore[union-attr]
            sign_in(tab_a, "admin")
            shows_build(tab_a, first_run)
            assert ids, "no session id seen on the websocket"
            cookies = {c["name"]: c["value"] for c in ctx_a.cookies()}
            assert _put(url, ids[-1], cookies, os.urandom(50_000)) == 204
            # The control: sent to worker B, the same PUT finds no such signed-in session there,
            # and the gate's refusal comes through nginx (it reads and drops a body up to one
            # file's size before answering; without that nginx said 502 from 50 KB up).
            assert _put(url, ids[-1], {**cookies, ROUTE: route[b]}, os.urandom(2_000_000)) == 403

            # The sign-in cookie made on A signs a browser pinned to B in without the form.
            tab_a.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=15_000)
            state = ctx_a.storage_state()
            for c in state["cookies"]:
                if c["name"] == ROUTE:
                    c["value"] = route[b]
            ctx_b = browser.new_context(locale="zh-CN", storage_state=state)
            tab_b = ctx_b.new_page()
            assert tab_b.goto(url, wait_until="domcontentloaded").headers[WORKER] == b  # type: ignore[union-attr]
            shows_build(tab_b, first_run)
            assert tab_b.locator('[data-testid="stForm"]').count() == 0
            # Drawn, not only run: Plotly's bundle (4 MB) came through nginx. Regression: started
            # as root, nginx's unprivileged workers could not write its temp file; no chart.
            tab_b.wait_for_selector(PLOTLY, timeout=45_000)
            tab_a.wait_for_selector(PLOTLY, timeout=45_000)

            # A new load, then a rollback: each is what both workers show at the next page load.
            second_run = load_dir(demo_dir, site).run_id
            for expected in (second_run, first_run):
                if expected == first_run:
                    assert rollback(site, to=first_run).run_id == first_run
                for tab, worker in ((tab_a, a), (tab_b, b)):
                    assert tab.reload(wait_until="domcontentloaded").headers[WORKER] == worker  # type: ignore[union-attr]
                    shows_build(tab, expected)
            for ctx in (ctx_a, ctx_b, keep[b][0]):
                ctx.close()
        finally:
            browser.close()

    # A worker that dies is reported and restarted on its port.
    port_a = int(a.rsplit(":", 1)[1])
    pid = int(re.search(rf"{port_a}（pid (\d+)）", front.said()).group(1))  # type: ignore[union-attr]
    os.kill(pid, signal.SIGKILL)
    # Meanwhile a browser pinned to A is dealt B (it reconnects there; its sign-in cookie resumes).
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"{ROUTE}={a}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.headers[WORKER] == b
        assert any(c.startswith(f"{ROUTE}={b};") for c in r.headers.get_all("Set-Cookie"))
    deadline = time.monotonic() + 60
    while "已重启" not in front.said() or not _healthy(f"http://{a}"):
        assert time.monotonic() < deadline, front.said()
        time.sleep(0.2)

    # SIGTERM stops nginx and every worker, and `orgdash serve` exits cleanly.
    front.proc.send_signal(signal.SIGTERM)
    assert front.proc.wait(timeout=30) == 0, front.said()
    for gone in (url, f"http://{a}", f"http://{b}"):
        assert not _healthy(gone), gone
    assert "已停止" in front.said()


def test_workers_racing_for_the_session_secret_share_one(tmp_path: Path) -> None:
    """Every worker signs and checks sign-in cookies with data/.session_secret; on a first start
    they (and the sessions of each, in threads) may all create it at once. Regression: threads of
    one process shared a temporary file, and two of eight held different secrets."""
    import multiprocessing
    import threading

    from access import sessions

    users = tmp_path / "users.toml"
    got: list[bytes] = []
    start = threading.Barrier(8)

    def one() -> None:
        start.wait()
        got.append(sessions._secret(users))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and len(set(got)) == 1 and len(got[0]) == 32

    users = tmp_path / "other" / "users.toml"
    fork = multiprocessing.get_context("fork")
    gate, queue = fork.Barrier(6), fork.Queue()
    procs = [fork.Process(target=_race, args=(gate, users, queue)) for _ in range(6)]
    for p in procs:
        p.start()
    secrets = {queue.get(timeout=30) for _ in procs}
    for p in procs:
        p.join()
    assert len(secrets) == 1
    assert list(users.parent.iterdir()) == [users.with_name(".session_secret")]  # no leftovers


def _race(gate, users: Path, queue) -> None:  # type: ignore[no-untyped-def]
    from access import sessions

    gate.wait()
    queue.put(sessions._secret(users))
