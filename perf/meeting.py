"""The meeting figure of `make bench`: N signed-in sessions open the 总览 at the same instant.

A session here is Streamlit's own websocket protocol, not a browser: twenty Chromium renderers on
the same two cores swamp the server they are meant to measure (docs/DEPLOY.md). Each client
opens ws://host/_stcore/stream with the sign-in cookie and no route cookie (so nginx deals each
a worker as it deals a browser's first request), waits until every client is connected, then all
send the BackMsg `rerun_script` the frontend sends when a page opens, and read ForwardMsgs until
`script_finished`. Two times per session, reported separately:

- **script**: the page's script run on the server (dashboard/timing.py, the span the page bench
  times; sign-in and pinning the build before it are not in it), written by the server to the
  file named by ORGDASH_TIMING_LOG and matched to the client by session id;
- **messages**: from sending the rerun until `script_finished` arrived, i.e. every message of the
  page received (what a browser waits for before it has drawn, without its own rendering);
- **drawn**: what a participant sees. One participant of every meeting is a real Chromium with the
  app open on another page; at the instant the others send their reruns it clicks 总览 in the menu
  (the issue's "warm (click in the menu)"), and the time runs until Streamlit says the script is
  done, the 总览's title is there and both its charts are drawn. The other participants render on
  their own phones and laptops in a meeting, so they are protocol sessions here; this browser
  renders on the server's own two cores, which makes its figure pessimistic, not kind.

The servers are started the supported way, `orgdash serve --workers N`. Goals are printed, never
asserted: the 2-core machine also runs the clients and, often, someone else's tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = "总览"
SESSION_COOKIE = "orgdash_session"  # dashboard/auth.py COOKIE (not imported: it imports Streamlit)
SESSION_TIMEOUT = 300.0  # seconds one session may take from its rerun to script_finished
# Goals of issue 15: p95 of N sessions at once against one session alone, per scale.
GOALS: dict[int, dict[int, float]] = {1: {10: 2.0, 20: 3.0}, 100: {10: 3.0}}
SIZES = {1: (1, 5, 10, 20), 100: (1, 10)}
# With 2 workers (one per core of the bench machine, as docs/DEPLOY.md advises for a meeting);
# N = 1 is each server's own one-session figure.
WORKER_SIZES = {1: (1, 10, 20), 100: (1, 10)}
ROUNDS = 3
ALONE_ROUNDS = 5  # N = 1 is cheap and the baseline of every goal
DRAWN_ROUNDS = 8  # meetings with the browser as one participant, per size: one time each


@dataclass
class Opened:
    """One session's open of the page."""

    session_id: str = ""
    messages_s: float | None = None  # rerun sent → script_finished received
    script_s: float | None = None  # the server's own script time (sum over its runs)
    runs: int = 0  # script runs the server logged for this open (1 unless the page reran)
    finished: bool = False  # script_finished seen, finished successfully
    page: str = ""  # the page the server ran (Navigation), expected 总览
    worker: str = ""  # X-Orgdash-Worker of the websocket's handshake (nginx only)
    deltas: int = 0
    received_bytes: int = 0
    error: str = ""


@dataclass
class Server:
    url: str
    timing_log: Path
    workers: int


@contextlib.contextmanager
def serve(db: Path, workers: int = 1, timeout: float = 120.0) -> Iterator[Server]:
    """`orgdash serve --workers N` on a free loopback port, logging script times to a file."""
    from orgdash.workers import free_port, healthy

    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="orgdash-meeting-"))
    log = folder / "timing.jsonl"
    env = {**os.environ, "ORGDASH_DB": str(db), "ORGDASH_TIMING_LOG": str(log)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "orgdash", "serve", "--workers", str(workers),
         "--address", "127.0.0.1", "--port", str(port), "--db", str(db)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"orgdash serve --workers {workers} did not start")
            time.sleep(0.2)
        yield Server(url, log, workers)
    finally:
        proc.send_signal(signal.SIGTERM)  # nginx first, then every worker (orgdash/workers.py)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _rerun_request() -> bytes:
    """The BackMsg a browser sends when it opens the app's default page (the 总览)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = ""  # the default page, as for a bare URL
    msg.rerun_script.context_info.timezone = "Asia/Shanghai"
    msg.rerun_script.context_info.timezone_offset = -480
    msg.rerun_script.context_info.locale = "zh-CN"
    return bytes(msg.SerializeToString())


async def _open(url: str, token: str, connected: asyncio.Queue[None], go: asyncio.Event) -> Opened:
    import websockets
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = Opened()
    host = url.removeprefix("http://")
    headers = {
        # No route cookie: nginx deals the session a worker as it deals a browser's first request.
        "Cookie": f"{SESSION_COOKIE}={token}",
        "Origin": url,  # Streamlit compares it with Host
    }
    try:
        async with websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=[websockets.Subprotocol("streamlit")],
            additional_headers=headers,
            max_size=None,
            open_timeout=SESSION_TIMEOUT,
            ping_interval=None,  # a busy server may not answer a ping in time; not our question
        ) as ws:
            if ws.response is not None:
                out.worker = ws.response.headers.get("X-Orgdash-Worker", "")
            connected.put_nowait(None)
            await go.wait()
            start = time.perf_counter()
            await ws.send(_rerun_request())
            async with asyncio.timeout(SESSION_TIMEOUT):
                while True:
                    frame = await ws.recv()
                    data = frame.encode() if isinstance(frame, str) else frame
                    out.received_bytes += len(data)
                    msg = ForwardMsg.FromString(data)
                    kind = msg.WhichOneof("type")
                    if kind == "new_session":
                        out.session_id = msg.new_session.initialize.session_id
                    elif kind == "navigation":
                        current = msg.navigation.page_script_hash
                        out.page = next(
                            (p.page_name for p in msg.navigation.app_pages
                             if p.page_script_hash == current), "",
                        )  # fmt: skip
                    elif kind == "delta":
                        out.deltas += 1
                        element = msg.delta.new_element
                        if msg.delta.WhichOneof("type") == "new_element" and (
                            element.WhichOneof("type") == "exception"
                        ):
                            out.error = out.error or f"exception: {element.exception.message[:80]}"
                    elif kind == "script_finished":
                        status = msg.script_finished
                        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            continue  # the page asked for a rerun: wait for that one's end
                        out.messages_s = time.perf_counter() - start
                        out.finished = status == ForwardMsg.FINISHED_SUCCESSFULLY
                        if not out.finished:
                            out.error = out.error or f"script_finished status {status}"
                        return out
    except Exception as exc:  # a session that fails is a result of the meeting, not a crash
        out.error = out.error or f"{type(exc).__name__}: {str(exc)[:80]}"
        with contextlib.suppress(asyncio.QueueFull):
            connected.put_nowait(None)  # do not keep the others waiting for this one
    return out


async def _meeting(url: str, token: str, n: int, start: Start | None = None) -> list[Opened]:
    connected: asyncio.Queue[None] = asyncio.Queue()
    go = asyncio.Event()
    tasks = [asyncio.create_task(_open(url, token, connected, go)) for _ in range(n)]
    for _ in range(n):  # every websocket open (or failed) before anyone asks for the page
        await connected.get()
    if start is not None:  # the browser's thread clicks when this one says go
        start.ready.set()
        await asyncio.get_running_loop().run_in_executor(None, start.go.wait)
    go.set()
    return list(await asyncio.gather(*tasks))


@dataclass
class Start:
    """The instant a meeting starts, shared by the protocol sessions' thread and the browser's."""

    ready: threading.Event = field(default_factory=threading.Event)  # sessions connected
    go: threading.Event = field(default_factory=threading.Event)  # everyone asks now


def _script_times(log: Path, opened: list[Opened], since: float, wait: float = 5.0) -> None:
    """Fill in each session's script time from the server's log (lines written at `since` or
    later). The server writes its line before it sends script_finished; a short wait covers a
    line still being appended by another worker."""
    wanted = {o.session_id: o for o in opened if o.session_id and o.finished}
    deadline = time.monotonic() + wait
    while True:
        totals: dict[str, list[float]] = {}
        if log.exists():
            for line in log.read_text(encoding="utf-8").splitlines():
                with contextlib.suppress(ValueError):
                    rec = json.loads(line)
                    if rec.get("name") == "script" and rec["at"] >= since:
                        totals.setdefault(rec["session"], []).append(float(rec["seconds"]))
        if all(sid in totals for sid in wanted) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for sid, o in wanted.items():
        if sid in totals:
            o.script_s, o.runs = sum(totals[sid]), len(totals[sid])


def _sessions(
    server: Server, token: str, n: int, start: Start | None = None
) -> tuple[threading.Thread, list[Opened]]:
    """N protocol sessions opening the 总览, started on a thread of their own (Playwright's sync
    API keeps an event loop running on this one); their list fills when the thread ends."""
    opened: list[Opened] = []
    thread = threading.Thread(
        target=lambda: opened.extend(asyncio.run(_meeting(server.url, token, n, start)))
    )
    thread.start()
    return thread, opened


def open_at_once(server: Server, token: str, n: int) -> list[Opened]:
    """N sessions open the 总览 at the same instant; each one's times."""
    since = time.time()
    meeting, opened = _sessions(server, token, n)
    meeting.join()
    _script_times(server.timing_log, opened, since)
    return opened


# Streamlit marks its root with the script's state (data-test-script-state, Streamlit 1.67).
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const title = document.querySelector('[data-testid="stMain"] h1');
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(c => c.querySelector('.main-svg'));
  return !!app && app.dataset.testScriptState === 'notRunning' && !!title
    && title.textContent.includes('总览') && charts.length >= 2;
}"""
AWAY = "sql"  # where the browser waits between meetings: a page without charts or 总览 in its title
AWAY_DONE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const title = document.querySelector('[data-testid="stMain"] h1');
  return !!app && app.dataset.testScriptState === 'notRunning' && !!title
    && !title.textContent.includes('总览')
    && !document.querySelector('[data-testid="stPlotlyChart"]');
}"""


class Participant:
    """A signed-in Chromium with the app open, which clicks 总览 in the menu when told."""

    def __init__(self, server: Server, token: str) -> None:
        from playwright.sync_api import sync_playwright

        self._play = sync_playwright().start()
        self._browser = self._play.chromium.launch(
            executable_path=shutil.which("chromium") or None, args=["--no-sandbox"]
        )
        context = self._browser.new_context(
            locale="zh-CN", viewport={"width": 1400, "height": 1000}
        )
        context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": server.url}])
        self.tab = context.new_page()
        self.url = server.url

    def away(self) -> None:
        """To the page between meetings, and wait until it is drawn (not timed)."""
        if "/" + AWAY not in self.tab.url:
            self.tab.goto(f"{self.url}/{AWAY}", wait_until="domcontentloaded")
        self.tab.wait_for_function(AWAY_DONE, timeout=SESSION_TIMEOUT * 1000)

    def open_overview(self) -> float:
        """Click 总览 in the menu; seconds until it is drawn."""
        link = self.tab.locator('[data-testid="stSidebar"] a', has_text="总览").first
        start = time.perf_counter()
        link.click()
        self.tab.wait_for_function(DRAWN, polling="raf", timeout=SESSION_TIMEOUT * 1000)
        drawn = time.perf_counter() - start
        link = self.tab.locator('[data-testid="stSidebar"] a', has_text=_away_label()).first
        link.click()  # back, for the next meeting
        self.tab.wait_for_function(AWAY_DONE, timeout=SESSION_TIMEOUT * 1000)
        return drawn

    def close(self) -> None:
        self._browser.close()
        self._play.stop()


def _away_label() -> str:
    from dashboard.nav import BY_KEY

    return BY_KEY[AWAY].title


def browser_available() -> str | None:
    """Why the meeting cannot have a browser participant here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright 未安装（pip install -e '.[dev]'）"
    if not shutil.which("chromium"):
        return "没有 chromium（apt-get install chromium）"
    return None


def meeting_with_browser(
    server: Server, token: str, n: int, browser: Participant
) -> tuple[list[Opened], float]:
    """N participants open the 总览 at once: N − 1 protocol sessions and the browser, which clicks
    at the instant the others send their reruns. Their times, and the browser's click → drawn."""
    since = time.time()
    start = Start()
    others, opened = _sessions(server, token, n - 1, start)
    start.ready.wait(SESSION_TIMEOUT)  # on a timeout the sessions failed: their errors say so
    start.go.set()
    drawn = browser.open_overview()
    others.join()
    _script_times(server.timing_log, opened, since)
    return opened, drawn


def warm(server: Server, token: str, tries: int = 20) -> None:
    """Open the page one session at a time until every worker has run it twice (its caches
    filled): the meeting is measured warm, as the issue's figures are."""
    seen: dict[str, int] = {}
    for _ in range(tries):
        for o in open_at_once(server, token, 1):
            seen[o.worker] = seen.get(o.worker, 0) + 1
        if len(seen) >= server.workers and min(seen.values()) >= 2:
            return


@dataclass
class Figure:
    """One meeting size on one server: every session of every round."""

    workers: int
    sessions: int
    opened: list[Opened] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)  # 1-minute load average before each round
    splits: list[list[int]] = field(default_factory=list)  # sessions per worker, each round
    drawn: list[float] = field(default_factory=list)  # the browser's click → drawn, each round
    drawn_failed: int = 0  # protocol sessions that failed in the browser's meetings

    def times(self, what: str) -> list[float]:
        if what == "drawn_s":
            return list(self.drawn)
        values = [getattr(o, what) for o in self.opened if o.finished]
        return [v for v in values if v is not None]

    @property
    def failed(self) -> int:
        protocol = sum(1 for o in self.opened if not o.finished or o.script_s is None)
        return protocol + self.drawn_failed


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(values: list[float]) -> tuple[float, float, float]:
    return (
        percentile(values, 0.5),
        percentile(values, 0.95),
        max(values) if values else float("nan"),
    )


def measure(
    db: Path, token: str, sizes: tuple[int, ...], workers: int = 1, rounds: int = ROUNDS
) -> list[Figure]:
    """Start a server, warm it, then for each size `rounds` meetings of that many sessions."""
    figures = []
    with serve(db, workers) as server:
        warm(server, token)
        browser = None if browser_available() else Participant(server, token)
        try:
            if browser is not None:
                browser.away()
                browser.open_overview()  # its own first time (scripts, fonts) is not a meeting's
            for n in sizes:
                fig = Figure(workers, n)
                for _ in range(ALONE_ROUNDS if n == 1 else rounds):
                    time.sleep(1.0)  # the previous round's stragglers have closed
                    fig.loads.append(os.getloadavg()[0])
                    opened = open_at_once(server, token, n)
                    fig.opened += opened
                    by_worker = [o.worker for o in opened]
                    fig.splits.append(sorted(by_worker.count(w) for w in set(by_worker)))
                for _ in range(DRAWN_ROUNDS if browser is not None else 0):
                    time.sleep(1.0)
                    fig.loads.append(os.getloadavg()[0])
                    others, drawn = meeting_with_browser(server, token, n, browser)  # type: ignore[arg-type]
                    fig.drawn.append(drawn)
                    # A session that failed left the browser a lighter server: count it.
                    fig.drawn_failed += sum(1 for o in others if not o.finished or o.error)
                figures.append(fig)
        finally:
            if browser is not None:
                browser.close()
    return figures


def bench_meeting(res: Any, scale: int, db: Path, account: Any, row: Any) -> None:
    """The meeting rows of `make bench`: res is perf.bench.Results, account the bench's own
    (perf.bench.bench_account, which points ORGDASH_USERS at its file), row perf.bench.Row
    (passed in: perf/bench.py imports this module, never the other way)."""
    from access import sessions

    Row = row
    token = sessions.issue(account)
    missing = browser_available()
    if missing:
        print(f"  会议 meeting: no browser participant, so no 画完 drawn figures: {missing}")
    figures = measure(db, token, SIZES.get(scale, (1, 10)))
    figures += measure(db, token, WORKER_SIZES.get(scale, (1, 10)), workers=2)
    goals = GOALS.get(scale, {})
    # The issue's goals are of time to drawn (its figures: navigation until every chart is drawn);
    # without a browser here, of all messages received, the nearest the protocol can see.
    judged = "messages_s" if missing else "drawn_s"
    for fig in figures:
        alone = next(f for f in figures if f.workers == fig.workers and f.sessions == 1)
        load = f"load {min(fig.loads):.1f}–{max(fig.loads):.1f}"
        for what, label in (
            ("script_s", "脚本 server script"),
            ("messages_s", "收齐 all messages"),
            ("drawn_s", "画完 drawn in a browser"),
        ):
            if not fig.times(what):
                continue  # no browser here (browser_available says why, once)
            p50, p95, top = summary(fig.times(what))
            one = percentile(alone.times(what), 0.5)
            ratio = goals.get(fig.sessions) if what == judged else None
            note = f"p50 {p50:.3g} / max {top:.3g} s; {load}"
            if fig.failed:
                note += f"; {fig.failed} of {len(fig.opened)} failed"
            res.add(
                Row(
                    "会议 meeting",
                    f"{PAGE} {fig.sessions} 个会话同时 at once, {fig.workers} worker"
                    f"{'s' if fig.workers > 1 else ''}, {label} p95",
                    scale,
                    p95,
                    "s",
                    one if fig.sessions > 1 else None,
                    f"≤ {ratio:g}× one" if ratio else "",
                    (p95 <= ratio * one and not fig.failed) if ratio else None,
                    note,
                )
            )
    print(table(figures, scale))


def table(figures: list[Figure], scale: int) -> str:
    """The meeting side by side: 1 vs 2 workers, script vs messages, p50 / p95 / max."""
    goals = GOALS.get(scale, {})
    lines = [
        f"\n  会议 meeting, scale {scale}: {PAGE} opened by N sessions at once (seconds, p50 / p95 / max)",
        "  | workers | N | server script | all messages | drawn in a browser | p95 / one "
        "(messages) | p95 / one (drawn) | goal | load 1 min | sessions per worker |",
        "  |---|---|---|---|---|---|---|---|---|---|",
    ]
    for fig in figures:
        alone = next(f for f in figures if f.workers == fig.workers and f.sessions == 1)
        cells = []
        for what in ("script_s", "messages_s", "drawn_s"):
            values = fig.times(what)
            cells.append(" / ".join(f"{v:.2f}" for v in summary(values)) if values else "—")
        ratios = [
            percentile(fig.times(what), 0.95) / percentile(alone.times(what), 0.5)
            for what in ("messages_s", "drawn_s")
        ]
        goal = f"≤ {goals[fig.sessions]:g}×" if fig.sessions in goals else ""
        lines.append(
            f"  | {fig.workers} | {fig.sessions} | {cells[0]} | {cells[1]} | {cells[2]} | "
            + " | ".join(f"{r:.1f}×" if r == r else "—" for r in ratios)  # nan: no browser
            + f" | {goal} | "
            f"{min(fig.loads):.1f}–{max(fig.loads):.1f} | "
            f"{' '.join('/'.join(map(str, s)) for s in fig.splits) if fig.workers > 1 else ''} |"
        )
    return "\n".join(lines)
