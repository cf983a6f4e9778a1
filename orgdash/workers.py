"""`orgdash serve --workers N`: N Streamlit server processes on loopback ports behind nginx (Debian's
package, run as a child with a generated config in a private runtime folder), with sticky sessions
by a route cookie (deploy/nginx.conf.template says why not ip_hash). Workers that die are reported
and restarted; Ctrl-C or SIGTERM stops nginx, then every worker.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
BODY_MARGIN_MB = 1  # multipart boundary and part headers around an upload of max_upload_mb
START_TIMEOUT = 90.0  # seconds for a worker to answer /_stcore/health (two cold starts on 2 cores)
QUICK_DEATH = 15.0  # a worker that dies sooner after its start than this counts as failing to start
MAX_QUICK_DEATHS = 3  # ... and after this many in a row it is not restarted again


def find_nginx() -> str | None:
    """$ORGDASH_NGINX, nginx on the PATH, or Debian's /usr/sbin/nginx (not on a user's PATH)."""
    configured = os.environ.get("ORGDASH_NGINX")
    if configured:
        return configured
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    """A loopback port nobody listens on now (the worker binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render_config(
    runtime: Path, address: str, port: int, worker_ports: Sequence[int], body_mb: int
) -> str:
    """deploy/nginx.conf.template with this server's runtime folder, listen address and workers."""
    host = f"[{address}]" if ":" in address else address  # an IPv6 address
    # max_fails=0: nginx never marks a worker down. With max_fails=1, every upload the gate
    # refused (it answers and closes before reading the body, nginx's send fails) took the worker
    # out for fail_timeout, so anyone could push all browsers off it with refused PUTs. A dead or
    # restarting worker refuses connections, and nginx then tries the next one for that request.
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in worker_ports)
    # The route cookie names a worker by the address nginx reports for it ($upstream_addr).
    routes = "\n".join(f'        "127.0.0.1:{p}" 127.0.0.1:{p};' for p in worker_ports)
    kept = "\n".join(f'        "127.0.0.1:{p}" "";' for p in worker_ports)
    values = {
        "runtime": str(runtime),
        "listen": f"{host}:{port}",
        "servers": servers,
        "routes": routes,
        "kept": kept,
        "body_mb": str(body_mb),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return bool(r.read() == b"ok")
    except OSError:
        return False


def _child_setup() -> None:
    """In each child before exec: if `orgdash serve` itself is killed (even kill -9), the kernel
    sends the child SIGTERM, so no worker or nginx is left behind holding a port."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)


def _spawn(args: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    # Its own process group: a Ctrl-C in the terminal reaches `orgdash serve` alone, which stops
    # nginx first and then the workers, instead of everything at once in any order.
    return subprocess.Popen(list(args), cwd=ROOT, env=env, process_group=0, preexec_fn=_child_setup)


@dataclass
class Worker:
    index: int
    port: int
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_deaths: int = 0
    given_up: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Supervisor:
    """Starts the workers, then nginx; watches them until a signal; stops them all."""

    address: str
    port: int
    count: int
    body_mb: int
    worker_args: Callable[[int], list[str]]  # the command line of a worker on a loopback port
    env: dict[str, str]
    say: Callable[[str], None]
    workers: list[Worker] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None
    runtime: Path | None = None
    stop_signal: int = 0

    def run(self) -> int:
        nginx = find_nginx()
        if nginx is None:
            self.say(
                "[red]找不到 nginx：多个工作进程需要它（apt-get install nginx）。[/red]\n"
                "nginx not found: `--workers N` needs it (apt-get install nginx, or set ORGDASH_NGINX)."
            )
            return 2
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        base = os.environ.get("XDG_RUNTIME_DIR")
        self.runtime = Path(tempfile.mkdtemp(prefix=f"orgdash-serve-{self.port}-", dir=base))
        try:
            return self._run(nginx)
        finally:
            self._stop_all()
            shutil.rmtree(self.runtime, ignore_errors=True)
            if self.stop_signal:
                self.say("看板已停止（nginx 和全部工作进程）。/ Stopped nginx and every worker.")

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stop_signal = signum

    def _run(self, nginx: str) -> int:
        assert self.runtime is not None
        self.workers = [Worker(i + 1, free_port()) for i in range(self.count)]
        for w in self.workers:
            self._start(w)
        deadline = time.monotonic() + START_TIMEOUT
        waiting = list(self.workers)
        while waiting:
            if self.stop_signal:
                return 0
            for w in list(waiting):
                if w.proc is not None and w.proc.poll() is not None:
                    self.say(
                        f"[red]工作进程 {w.index}（端口 {w.port}）启动失败，退出码 {w.proc.returncode}。[/red]\n"
                        f"Worker {w.index} exited while starting (code {w.proc.returncode})."
                    )
                    return 1
                if healthy(w.url):
                    waiting.remove(w)
            if time.monotonic() > deadline:
                self.say(
                    f"[red]工作进程 {waiting[0].index} 在 {START_TIMEOUT:.0f} 秒内没有就绪。[/red]"
                )
                return 1
            time.sleep(0.2)

        conf = self.runtime / "nginx.conf"
        conf.write_text(
            render_config(
                self.runtime, self.address, self.port, [w.port for w in self.workers], self.body_mb
            ),
            encoding="utf-8",
        )
        # -e: the error log before the config is read (else /var/log/nginx, not writable here).
        self.nginx = _spawn(
            [nginx, "-p", str(self.runtime), "-c", str(conf), "-e", str(self.runtime / "error.log")]
        )
        front = _front(self.address)
        deadline = time.monotonic() + 15
        while not healthy(f"{front}:{self.port}"):
            if self.stop_signal:
                return 0
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                self.say(
                    f"[red]nginx 没有启动（退出码 {self.nginx.poll()}）：[/red]\n{self._nginx_log()}"
                )
                return 1
            time.sleep(0.1)
        ports = "、".join(f"{w.port}（pid {w.proc.pid if w.proc else '?'}）" for w in self.workers)
        self.say(
            f"看板已启动：{front}:{self.port}（nginx，{self.count} 个工作进程，端口 {ports}；"
            f"nginx 日志 {self.runtime}）\n"
            f"Serving on {front}:{self.port}: nginx in front of {self.count} workers."
        )
        return self._watch()

    def _watch(self) -> int:
        assert self.nginx is not None
        while not self.stop_signal:
            time.sleep(0.25)
            if self.nginx.poll() is not None:
                self.say(
                    f"[red]nginx 意外退出（退出码 {self.nginx.returncode}），看板停止。[/red]\n"
                    f"{self._nginx_log()}"
                )
                return 1
            for w in self.workers:
                if w.given_up or w.proc is None or w.proc.poll() is None:
                    continue
                lived = time.monotonic() - w.started
                w.quick_deaths = w.quick_deaths + 1 if lived < QUICK_DEATH else 0
                if w.quick_deaths >= MAX_QUICK_DEATHS:
                    w.given_up = True
                    self.say(
                        f"[red]工作进程 {w.index}（端口 {w.port}）连续 {w.quick_deaths} 次启动后即退出，"
                        "不再重启；其余工作进程继续服务。[/red]\n"
                        f"Worker {w.index} keeps dying; not restarted again."
                    )
                    if all(x.given_up for x in self.workers):
                        return 1
                    continue
                code = w.proc.returncode
                self._start(w)
                self.say(
                    f"[yellow]工作进程 {w.index}（端口 {w.port}）退出，退出码 {code}，运行了 {lived:.0f} 秒；"
                    f"已重启（pid {w.proc.pid}）。它上面的浏览器会自动重新连接（登录不丢失，未确认的上传需重新上传）。[/yellow]\n"
                    f"Worker {w.index} exited (code {code}) after {lived:.0f} s; restarted."
                )
        return 0

    def _start(self, w: Worker) -> None:
        w.proc = _spawn(self.worker_args(w.port), self.env)
        w.started = time.monotonic()

    def _stop_all(self) -> None:
        """nginx first (no new requests), then the workers; SIGKILL after 10 s."""
        if self.nginx is not None:
            _stop([self.nginx])
        _stop([w.proc for w in self.workers if w.proc is not None])

    def _nginx_log(self) -> str:
        assert self.runtime is not None
        log = self.runtime / "error.log"
        lines = (
            log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
        )
        return "\n".join(lines[-10:])


def _front(address: str) -> str:
    """How this machine reaches nginx on the listen address (any-address means loopback)."""
    if address in ("", "0.0.0.0"):
        return "http://127.0.0.1"
    if address == "::":
        return "http://[::1]"
    return f"http://[{address}]" if ":" in address else f"http://{address}"


def _stop(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                p.terminate()  # nginx: fast shutdown; streamlit: stops its server
    deadline = time.monotonic() + 10
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
