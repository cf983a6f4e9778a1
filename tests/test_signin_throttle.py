"""Sign-in throttling per (name, client) instead of a lock anyone could set off, and demo accounts
that only work on this machine (docs/ACCESS.md, "Sign-in throttling, demo accounts and escaping").

Regression: five wrong passwords for `admin` from anywhere locked the admin out for everybody.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from access import accounts, audit
from tests.conftest import TEST_PASSWORD

RIGHT = "right-password-1"
WRONG_NAME = "账户名或密码不正确"
A, B = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    accounts.add("admin", "admin", RIGHT, path=path)
    accounts.add("leader", "leader", RIGHT, path=path)
    return path


def _try(users: Path, password: str, client: str | None, now: float, name: str = "admin"):  # type: ignore[no-untyped-def]
    """('ok', account) | ('wrong', message) | ('wait', seconds)."""
    try:
        return "ok", accounts.authenticate(name, password, users, client=client, now=now)
    except accounts.SignInThrottled as exc:
        return "wait", exc.wait
    except accounts.AccountError as exc:
        return "wrong", str(exc)


# ---------------------------------------------------------------- the throttle


def test_ten_wrong_tries_from_one_client_do_not_lock_out_another(users: Path):
    now, waits, wrong = 1_000_000.0, [], 0
    while wrong < 10:  # ten wrong passwords from A, each as soon as A is let through
        kind, value = _try(users, "guess", A, now)
        if kind == "wait":
            waits.append(value)
            now += value
        else:
            assert kind == "wrong" and WRONG_NAME in value
            wrong += 1
    # A waited 2, 4, 8, ... seconds: nothing for the first tries, then twice as long each time.
    assert waits == [2.0**k for k in range(1, 11 - accounts.FREE_FAILURES)]
    # B, at that very moment, signs in at once; A is told to wait, even with the right password.
    assert _try(users, RIGHT, B, now)[0] == "ok"
    kind, wait = _try(users, RIGHT, A, now)
    assert kind == "wait" and wait == 2.0 ** (11 - accounts.FREE_FAILURES)


def test_the_wait_message_is_chinese_and_says_nothing_of_the_name(users: Path):
    messages = {}
    for name in ("admin", "nobody"):  # an account and a name that does not exist
        now = 5_000.0
        for _ in range(accounts.FREE_FAILURES):
            assert _try(users, "guess", A, now, name)[0] == "wrong"
        with pytest.raises(accounts.SignInThrottled) as exc:
            accounts.authenticate(name, "guess", users, client=A, now=now + 1)
        messages[name] = str(exc.value)
    assert messages["admin"] == messages["nobody"]
    assert "请 1 秒后再试" in messages["admin"] and "admin" not in messages["admin"]
    assert accounts.wait_text(61) == "2 分钟" and accounts.wait_text(0.2) == "1 秒"


def test_delays_are_capped_at_fifteen_minutes(users: Path):
    now = 0.0
    for _ in range(40):
        kind, value = _try(users, "guess", A, now)
        if kind == "wait":
            assert value <= accounts.MAX_DELAY_S
            now += value
    record = next(r for r in accounts.throttled(users, now) if r.client == A)
    assert record.until - record.last_failure == accounts.MAX_DELAY_S == 900


def test_the_right_password_clears_only_that_clients_record(users: Path):
    now = 100.0
    for client in (A, B):
        for _ in range(accounts.FREE_FAILURES):
            _try(users, "guess", client, now)
    now += 2
    assert _try(users, RIGHT, A, now)[0] == "ok"
    left = {(r.name, r.client): r.failures for r in accounts.throttled(users, now)}
    assert left == {("admin", B): accounts.FREE_FAILURES}
    assert _try(users, "guess", A, now)[0] == "wrong"  # A starts afresh


def test_unlock_clears_the_wait(users: Path):
    now = 100.0
    for client in (A, B):
        for _ in range(6):
            _try(users, "guess", client, now)
            now += 0.1
    assert _try(users, RIGHT, A, now)[0] == "wait"
    assert accounts.unlock("admin", A, users) == 1
    assert _try(users, RIGHT, A, now)[0] == "ok"
    assert _try(users, RIGHT, B, now)[0] == "wait"  # only A's record went
    assert accounts.unlock("admin", path=users) == 1
    assert _try(users, RIGHT, B, now)[0] == "ok"


def test_the_state_is_a_private_file_other_processes_see(users: Path):
    now = time.time()
    for _ in range(accounts.FREE_FAILURES):
        _try(users, "guess", A, now)
    file = accounts.throttle_path(users)
    assert file.parent == users.parent and file.stat().st_mode & 0o077 == 0
    code = (
        "import sys; from pathlib import Path; from access import accounts; "
        "r = accounts.throttled(Path(sys.argv[1])); print(r[0].name, r[0].client, r[0].failures)"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code, str(users)], capture_output=True, text=True, cwd=root
    )
    assert out.stdout.split() == ["admin", A, str(accounts.FREE_FAILURES)], out.stderr


def test_parallel_tries_from_one_client_are_counted_one_by_one(users: Path):
    results: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        kind, _ = _try(users, "guess", A, 500.0)
        with lock:
            results.append(kind)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("wrong") == accounts.FREE_FAILURES
    assert results.count("wait") == 8 - accounts.FREE_FAILURES


def test_user_unlock_command(users: Path, monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from orgdash.cli import app as cli

    monkeypatch.setenv("ORGDASH_USERS", str(users))
    monkeypatch.setenv("ORGDASH_AUDIT", str(users.parent / "audit.jsonl"))
    now = time.time()
    for client in (A, B):
        for _ in range(5):
            _try(users, "guess", client, now)
    runner = CliRunner()
    res = runner.invoke(cli, ["user", "list"])
    assert res.exit_code == 0 and "密码输错记录" in res.output and A in res.output
    res = runner.invoke(cli, ["user", "unlock", "admin", "--client", A])
    assert res.exit_code == 0, res.output
    assert "已清除账户 admin 来自 198.51.100.7 的密码输错记录 1 条" in res.output
    assert _try(users, RIGHT, A, now)[0] == "ok"
    assert _try(users, RIGHT, B, now)[0] == "wait"
    res = runner.invoke(cli, ["user", "unlock", "admin"])
    assert res.exit_code == 0 and "记录 1 条" in res.output
    assert _try(users, RIGHT, B, now)[0] == "ok"
    res = runner.invoke(cli, ["user", "unlock", "admin"])
    assert res.exit_code == 0 and "没有密码输错记录" in res.output


# ---------------------------------------------------------------- in the app


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """network(bind, client): the server's bind address and this request's client address."""
    from dashboard import auth

    def set_to(bind: str | None, client: str = auth.LOCAL) -> None:
        monkeypatch.setattr(auth, "bind_address", lambda: bind)
        monkeypatch.setattr(auth, "client_address", lambda: client)

    set_to("127.0.0.1")
    return set_to


def _sign_in(at, name: str, password: str):  # type: ignore[no-untyped-def]
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def test_sign_in_form_throttles_per_client_and_audits(app, users_file: Path, network):
    accounts.unlock("planner", path=users_file)
    network("127.0.0.1", A)
    at = app(user=None)
    for _ in range(accounts.FREE_FAILURES):
        _sign_in(at, "planner", "wrong-password")
        assert any(WRONG_NAME in e.value for e in at.error)
    _sign_in(at, "planner", TEST_PASSWORD)
    assert any("暂时锁定" in e.value and "秒后再试" in e.value for e in at.error)
    assert not at.metric
    # Another client signs in as the same account at once.
    network("127.0.0.1", B)
    other = app(user=None)
    _sign_in(other, "planner", TEST_PASSWORD)
    assert other.metric and not other.exception
    failed = [e for e in audit.read(users_file) if e["event"] == "sign_in_failed"]
    assert failed[-1]["user"] == "planner" and failed[-1]["client"] == A
    assert "暂时锁定" in failed[-1]["reason"]
    accounts.unlock("planner", path=users_file)


@pytest.fixture
def demo_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.toml"
    accounts.demo_accounts(None, path)
    accounts.add("chief", "admin", RIGHT, path=path)
    monkeypatch.setenv("ORGDASH_USERS", str(path))
    monkeypatch.setenv("ORGDASH_AUDIT", str(tmp_path / "audit.jsonl"))
    return path


@pytest.mark.parametrize(
    ("bind", "client", "local"),
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("localhost", "::1", True),
        ("::1", "127.0.0.1", True),
        (None, "127.0.0.1", False),  # no server.address: every interface
        ("", "127.0.0.1", False),
        ("0.0.0.0", "127.0.0.1", False),
        ("192.168.1.10", "127.0.0.1", False),
        ("127.0.0.1", A, False),  # a loopback proxy naming a client elsewhere
    ],
)
def test_demo_accounts_sign_in_only_on_this_machine(app, demo_users, network, bind, client, local):
    network(bind, client)
    at = app(user=None)
    page = " ".join(c.value for c in at.caption)
    assert (accounts.DEMO_PASSWORD in page) == local
    assert ("演示账户" in page) == local
    _sign_in(at, "admin", accounts.DEMO_PASSWORD)
    if local:
        assert at.metric and not at.error
    else:
        assert not at.metric
        assert [e.value for e in at.error] == [accounts.DEMO_REFUSED]
        assert "orgdash user remove" in accounts.DEMO_REFUSED
        # A real account still signs in.
        at = app(user=None)
        _sign_in(at, "chief", RIGHT)
        assert at.metric and not at.exception


def test_a_demo_session_ends_when_the_server_is_no_longer_local(app, demo_users, network):
    at = app("views/overview.py", user="leader")
    assert at.metric
    network("0.0.0.0", "127.0.0.1")
    at.run()
    assert not at.metric
    assert any("演示账户只能在本机使用" in w.value for w in at.warning)


def test_demo_accounts_are_refused_by_authenticate_when_not_allowed(demo_users: Path):
    with pytest.raises(accounts.AccountError, match="演示账户只能在本机使用"):
        accounts.authenticate("admin", accounts.DEMO_PASSWORD, demo_users, allow_demo=False)
    assert accounts.authenticate("admin", accounts.DEMO_PASSWORD, demo_users).demo


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        (None, {}, "127.0.0.1"),  # this machine (Streamlit reports loopback as None)
        ("198.51.100.7", {"X-Forwarded-For": "127.0.0.1"}, "198.51.100.7"),  # not from a proxy
        ("198.51.100.7", {"X-Real-IP": "127.0.0.1"}, "198.51.100.7"),
        (None, {"X-Forwarded-For": "10.0.0.5"}, "10.0.0.5"),  # nginx on this machine
        (None, {"X-Forwarded-For": "127.0.0.1, 10.0.0.5"}, "10.0.0.5"),  # spoofed left part
        (None, {"X-Forwarded-For": "10.9.9.9, 10.0.0.5, 127.0.0.1"}, "10.0.0.5"),
        ("127.0.0.2", {"X-Real-IP": "10.0.0.6"}, "10.0.0.6"),
        (None, {"X-Forwarded-For": "127.0.0.1"}, "127.0.0.1"),
        ("::ffff:127.0.0.1", {}, "::ffff:127.0.0.1"),
    ],
)
def test_the_client_address(peer, headers, expected):
    from dashboard import auth

    assert auth.resolve_client(peer, headers) == expected


def test_loopback_addresses():
    from dashboard import auth

    assert all(
        map(auth._loopback, ["127.0.0.1", "127.8.0.1", "::1", "localhost", "::ffff:127.0.0.1"])
    )
    assert not any(map(auth._loopback, [None, "", "0.0.0.0", "::", "10.0.0.1", "example.com", "x"]))
