"""orgdash serve: the one way the dashboard starts (behind the upload gate, with the product's
upload limit), and never with demo accounts on an address others can reach."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from access import accounts
from access.network import is_loopback
from orgdash.cli import app


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", False),
        ("", False),
        (None, False),
        ("192.168.1.20", False),
        ("::", False),
        ("example.org", False),
    ],
)
def test_loopback_addresses(address: str | None, loopback: bool) -> None:
    assert is_loopback(address) is loopback


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("ORGDASH_USERS", str(tmp_path / "users.toml"))
    return db


def _started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda _exe, args, _env: calls.append(list(args)))
    monkeypatch.setattr("os.chdir", lambda _p: None)
    return calls


def test_serve_refuses_demo_accounts_beyond_loopback(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.demo_accounts(None, accounts.users_path(site))
    calls = _started(monkeypatch)
    res = CliRunner().invoke(app, ["serve", "--address", "0.0.0.0", "--db", str(site)])
    assert res.exit_code == 2 and not calls
    said = " ".join(res.output.split())  # rich wraps long lines at the terminal's width
    assert "演示账户" in said and "orgdash user remove" in said
    res = CliRunner().invoke(app, ["serve", "--address", "127.0.0.1", "--db", str(site)])
    assert res.exit_code == 0 and calls


def test_serve_starts_the_gated_app_with_the_products_upload_limit(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.add("chief", "admin", "a-real-password-1", path=accounts.users_path(site))
    config = tmp_path / "orgdash.toml"
    config.write_text("[etl]\nmax_upload_mb = 20\n", encoding="utf-8")
    monkeypatch.setenv("ORGDASH_CONFIG", str(config))
    calls = _started(monkeypatch)
    res = CliRunner().invoke(app, ["serve", "--address", "0.0.0.0", "--db", str(site)])
    assert res.exit_code == 0, res.output
    args = calls[0]
    assert args[args.index("run") + 1].endswith("dashboard/server.py")
    assert args[args.index("--server.maxUploadSize") + 1] == "20"
    assert args[args.index("--server.address") + 1] == "0.0.0.0"


def test_the_server_keeps_compiled_pages_when_the_last_session_leaves(tmp_path: Path) -> None:
    """Streamlit empties its script cache when no session is left; the served app keeps it (the
    next visitor would compile app.py and the page again: a third of opening the 总览 alone)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    probe = (
        "import dashboard.server\n"
        "from streamlit.runtime.scriptrunner.script_cache import ScriptCache\n"
        "cache = ScriptCache()\n"
        f"cache.get_bytecode({str(root / 'dashboard' / 'app.py')!r})\n"
        "cache.clear()  # what Streamlit calls when the last session disconnects\n"
        "print(len(cache._cache))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "1", out.stderr


def test_the_server_sends_without_waiting_for_acks() -> None:
    """A connection accepted on a socket bound the way Streamlit binds it (proto 0) has Nagle's
    algorithm off in the served app: with it on, a page's last messages waited 35-40 ms for the
    browser's delayed ACK after every script run."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    probe = """
import asyncio, socket, sys
if sys.argv[1] == "served":
    import dashboard.server

async def main():
    loop = asyncio.get_running_loop()
    listening = socket.socket(family=socket.AF_INET)  # proto 0, as Streamlit 1.67 binds it
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    listening.setblocking(False)
    made = loop.create_future()

    class Peer(asyncio.Protocol):
        def connection_made(self, transport):
            sock = transport.get_extra_info("socket")
            made.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server = await loop.create_server(Peer, sock=listening)
    _, writer = await asyncio.open_connection(*listening.getsockname())
    print(1 if await made else 0)
    writer.close()
    server.close()

asyncio.run(main())
"""

    def nodelay(how: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", probe, how], cwd=root, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()

    assert nodelay("plain") == "0"  # the control: asyncio alone leaves Nagle on here
    assert nodelay("served") == "1"


def test_a_file_that_could_not_be_made_says_so_in_chinese() -> None:
    """A download button whose maker raises (the PDF without LibreOffice, say): Streamlit 1.67's
    own handler answers the browser in English, the served app in Chinese."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    probe = """
import asyncio, sys
if sys.argv[1] == "served":
    import dashboard.server
from streamlit.proto.BackMsg_pb2 import BackendOperationRequest
from streamlit.runtime.backend_operation_handler import DeferredFileHandler

class Files:
    def execute_deferred(self, file_id):
        raise RuntimeError("soffice: not found")

request = BackendOperationRequest(request_id="r1")
request.deferred_file.file_id = "f1"
response = asyncio.run(DeferredFileHandler(lambda: Files()).handle(request, "s1"))
print(response.error_msg)
if sys.argv[1] == "served":
    print(dashboard.server.FILE_FAILED)
"""

    def answer(how: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", probe, how], cwd=root, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()

    assert answer("plain") == "Failed to generate file for download"  # the control
    said, meant = answer("served").splitlines()
    assert said == meant and said.startswith("文件没有生成出来")
