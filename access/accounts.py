"""Accounts: a TOML file of users with salted scrypt password hashes, roles and township scopes.

The file lives beside the warehouse (data/users.toml, git-ignored) or at $ORGDASH_USERS, and is
managed with `orgdash user add|remove|list`. scrypt is in the standard library (hashlib), so a site
needs no compiled package for it; its cost parameters are stored with each hash so they can grow.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from access import roles
from access.audit import default_db

NAME_RULE = re.compile(r"^[A-Za-z0-9_.\-@]{2,64}$")
MIN_PASSWORD = 8
# scrypt cost: about 50 ms per check on this class of machine; stored per hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class AccountError(Exception):
    """A Chinese message for the person at the keyboard."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    display_name: str = ""
    township: str | None = None  # a 12-digit division code: sees only this township's rows
    email: str | None = None  # matched against the OpenID Connect identity (st.login)
    password_hash: str = field(default="", repr=False)
    demo: bool = False  # created by `orgdash user demo`; the sign-in page lists demo accounts
    created_at: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def role_label(self) -> str:
        return roles.label(self.role)

    def may_open(self, page: str) -> bool:
        return roles.may_open(self.role, page, self.township)

    def can(self, capability: str) -> bool:
        return roles.can(self.role, capability)

    @property
    def fingerprint(self) -> str:
        """Changes when the password or the rights change: old sign-in cookies stop working."""
        raw = f"{self.password_hash}|{self.role}|{self.township}".encode()
        return hashlib.sha256(raw).hexdigest()[:16]


def users_path(db_path: Path | None = None) -> Path:
    env = os.environ.get("ORGDASH_USERS")
    if env:
        return Path(env)
    return Path(db_path or default_db()).absolute().parent / "users.toml"


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(digest)),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password: unknown names take as long to refuse as wrong passwords.

    Made on first use, not at import: every `orgdash` command imports this module.
    """
    return hash_password(secrets.token_hex(8))


def load(path: Path | None = None) -> dict[str, Account]:
    """The accounts in the file (a fresh dict; the Account values are frozen).

    Parsed once per version of the file: every page run asks several times (auth.current, and
    nav.may_open for each link a page draws; a province's 总览 draws hundreds), and parsing the
    TOML each time cost the province 总览 a quarter of its server time. save() replaces the file,
    so a change always has a new inode and is read at the next call.
    """
    p = path or users_path()
    try:
        st = p.stat()
    except FileNotFoundError:
        return {}
    return dict(_parsed(str(p), st.st_ino, st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=16)
def _parsed(path: str, inode: int, mtime_ns: int, size: int) -> dict[str, Account]:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AccountError(f"账户文件 {p} 格式有误：{exc}。请改正或删除后重新添加账户。") from exc
    accounts = {}
    for name, rec in data.get("users", {}).items():
        accounts[name] = Account(
            name=name,
            role=str(rec.get("role", "")),
            display_name=str(rec.get("display_name", "")),
            township=rec.get("township") or None,
            email=rec.get("email") or None,
            password_hash=str(rec.get("password", "")),
            demo=bool(rec.get("demo", False)),
            created_at=str(rec.get("created_at", "")),
        )
    return accounts


def _toml_str(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes); Chinese stays readable.
    return json.dumps(value, ensure_ascii=False)


def save(accounts: dict[str, Account], path: Path | None = None) -> None:
    """Write the whole file (0600, atomic rename): hashes are secrets too."""
    p = path or users_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# orgdash accounts: managed with `orgdash user add|remove|list`; passwords are scrypt hashes.",
        "",
    ]
    for a in sorted(accounts.values(), key=lambda a: a.name):
        lines.append(f"[users.{_toml_str(a.name)}]")
        lines.append(f"role = {_toml_str(a.role)}")
        if a.display_name:
            lines.append(f"display_name = {_toml_str(a.display_name)}")
        if a.township:
            lines.append(f"township = {_toml_str(a.township)}")
        if a.email:
            lines.append(f"email = {_toml_str(a.email)}")
        if a.password_hash:
            lines.append(f"password = {_toml_str(a.password_hash)}")
        if a.demo:
            lines.append("demo = true")
        if a.created_at:
            lines.append(f"created_at = {_toml_str(a.created_at)}")
        lines.append("")
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)


def add(
    name: str,
    role: str,
    password: str | None,
    *,
    display_name: str = "",
    township: str | None = None,
    email: str | None = None,
    replace: bool = False,
    demo: bool = False,
    path: Path | None = None,
) -> Account:
    if not NAME_RULE.match(name):
        raise AccountError(
            f"账户名「{name}」不可用：请用 2–64 个英文字母、数字或 _ . - @（如 zhangsan、town01）。"
        )
    if role not in roles.ROLES:
        choices = "、".join(f"{k}（{v}）" for k, v in roles.ROLES.items())
        raise AccountError(f"角色「{role}」不存在。可选：{choices}。")
    if township is not None and not re.fullmatch(r"\d{12}", township):
        raise AccountError(
            f"乡镇（街道）代码「{township}」应为12位统计用区划代码，如 340129001000。"
        )
    if password is None and not email:
        raise AccountError("请设置密码，或给出用于单位统一登录的邮箱（email）。")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 位。")
    accounts = load(path)
    if name in accounts and not replace:
        raise AccountError(f"账户「{name}」已存在。要修改请先删除，或使用 --replace。")
    account = Account(
        name=name,
        role=role,
        display_name=display_name,
        township=township,
        email=email,
        password_hash=hash_password(password) if password is not None else "",
        demo=demo,
        created_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    )
    accounts[name] = account
    save(accounts, path)
    return account


def remove(name: str, path: Path | None = None) -> Account:
    accounts = load(path)
    if name not in accounts:
        raise AccountError(f"账户「{name}」不存在。用 orgdash user list 查看已有账户。")
    gone = accounts.pop(name)
    if gone.role == "admin" and not any(a.role == "admin" for a in accounts.values()):
        raise AccountError("不能删除最后一个管理员账户：请先添加另一个管理员。")
    save(accounts, path)
    return gone


# ---------------------------------------------------------------- sign-in throttling
#
# Wrong passwords are counted per (account name, client address), never per name alone: a limit
# on the name that held for every client would let anyone lock the admin out by typing five wrong
# passwords (the first version did exactly that). After FREE_FAILURES wrong tries from one client
# for one name, that client waits 2, 4, 8, ... seconds (at most MAX_DELAY_S) before each next try
# for that name; other clients are not slowed, and a right password from the client clears its
# record. The records live in a small file beside users.toml, so every server process and the CLI
# (`orgdash user unlock`) see the same state.

FREE_FAILURES = 3  # wrong tries from one client for one name before it has to wait
MAX_FAILURES = FREE_FAILURES  # the name of this limit before throttling replaced the lock
MAX_DELAY_S = 900.0  # the longest wait: 15 minutes
FORGET_AFTER_S = 86_400.0  # a record quiet for a day is dropped (the next wrong try starts over)
MAX_RECORDS = 5_000  # bound the file against a flood of made-up names and addresses
LOCAL_CLIENT = "local"  # the client of a sign-in with no address: this machine, the CLI, tests


def throttle_path(path: Path | None = None) -> Path:
    """.signin_throttle.json beside the users file."""
    return (path or users_path()).with_name(".signin_throttle.json")


def throttle_delay(failures: int) -> float:
    """Seconds a client waits after `failures` wrong tries in a row for one name (0: none)."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_S, 2.0 ** (failures - FREE_FAILURES + 1))


@dataclass(frozen=True)
class Throttled:
    """One (name, client) with wrong passwords on record."""

    name: str
    client: str
    failures: int
    last_failure: float  # epoch seconds
    until: float  # epoch seconds; no try for this name from this client before it

    def wait(self, now: float) -> float:
        return max(0.0, self.until - now)


def _throttle_key(name: str, client: str) -> str:
    return f"{client}\t{name}"


@contextlib.contextmanager
def _throttle_file(path: Path | None) -> Iterator[dict[str, dict]]:
    """The records, read and (if changed) written back atomically under an exclusive flock.

    The lock is a separate file: the data file is replaced on each write, and a lock held on a
    replaced inode would not exclude the next writer."""
    file = throttle_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(file.with_name(file.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            records = json.loads(file.read_text(encoding="utf-8")).get("records", {})
            if not isinstance(records, dict):
                records = {}
        except FileNotFoundError:
            records = {}
        except (ValueError, OSError):  # a file damaged by hand: start over rather than refuse all
            records = {}
        before = json.dumps(records, sort_keys=True)
        yield records
        if json.dumps(records, sort_keys=True) != before:
            tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"records": records}, fh, ensure_ascii=False, indent=0)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, file)
    finally:
        os.close(lock)  # closing drops the lock


def _prune(records: dict[str, dict], now: float) -> None:
    for key in [k for k, r in records.items() if now - float(r.get("last", 0)) > FORGET_AFTER_S]:
        del records[key]
    if len(records) > MAX_RECORDS:
        oldest = sorted(records, key=lambda k: float(records[k].get("last", 0)))
        for key in oldest[: len(records) - MAX_RECORDS]:
            del records[key]


def _record(rec: dict) -> Throttled:
    return Throttled(
        name=str(rec.get("name", "")),
        client=str(rec.get("client", "")),
        failures=int(rec.get("failures", 0)),
        last_failure=float(rec.get("last", 0)),
        until=float(rec.get("until", 0)),
    )


def throttle_try(
    name: str, client: str | None, path: Path | None = None, now: float | None = None
) -> float:
    """Before a password is checked: the seconds this client must still wait for this name (the
    try is refused), or 0 after counting the try as a failure, which a right password then clears.

    Counting before the check, in the same locked step as the test, means parallel tries from
    one client cannot all slip through the same open moment."""
    now = time.time() if now is None else now
    client = client or LOCAL_CLIENT
    with _throttle_file(path) as records:
        _prune(records, now)
        key = _throttle_key(name, client)
        if key in records and (wait := _record(records[key]).wait(now)) > 0:
            return wait
        failures = int(records.get(key, {}).get("failures", 0)) + 1
        records[key] = {
            "name": name,
            "client": client,
            "failures": failures,
            "last": now,
            "until": now + throttle_delay(failures),
        }
        return 0.0


def throttled(path: Path | None = None, now: float | None = None) -> list[Throttled]:
    """Every record of the last day, those still waiting first (for the 账户 page and the CLI)."""
    now = time.time() if now is None else now
    with _throttle_file(path) as records:
        _prune(records, now)
        found = [_record(r) for r in records.values()]
    return sorted(found, key=lambda r: (r.wait(now) == 0, -r.last_failure, r.name, r.client))


def unlock(name: str, client: str | None = None, path: Path | None = None) -> int:
    """Clear the records of this name (of one client, or of all); returns how many were cleared."""
    with _throttle_file(path) as records:
        gone = [
            k
            for k, r in records.items()
            if r.get("name") == name and (client is None or r.get("client") == client)
        ]
        for key in gone:
            del records[key]
    return len(gone)


class _Throttles:
    """unlock() for callers that do not pass the users file: every file this process checked
    passwords against (tests use their own), and the default one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: set[Path] = set()

    def seen(self, path: Path | None) -> None:
        with self._lock:
            self._paths.add((path or users_path()).absolute())

    def clear(self, name: str, client: str | None = None) -> int:
        with self._lock:
            paths = self._paths | {users_path().absolute()}
        return sum(unlock(name, client, p) for p in paths if throttle_path(p).exists())


FAILURES = _Throttles()


class SignInThrottled(AccountError):
    """Too many wrong passwords from this client for this name: it has to wait."""

    def __init__(self, wait: float) -> None:
        self.wait = wait
        super().__init__(
            f"登录尝试过多，本机暂时锁定：请 {wait_text(wait)}后再试。忘记密码请联系管理员。"
        )


def wait_text(seconds: float) -> str:
    """'8 秒', '3 分钟' (rounded up: never tell someone to come back too early)."""
    s = max(1, math.ceil(seconds))
    if s < 60:
        return f"{s} 秒"
    return f"{math.ceil(s / 60)} 分钟"


DEMO_REFUSED = (
    "演示账户只能在本机使用：本系统已对外开放，演示账户（密码公开）不能登录。"
    "请管理员在服务器上用 `orgdash user remove 账户名` 删除演示账户，"
    "并用 `orgdash user add 账户名 --role 角色` 为每位使用者建立正式账户。"
)


def authenticate(
    name: str,
    password: str,
    path: Path | None = None,
    *,
    client: str | None = None,
    allow_demo: bool = True,
    now: float | None = None,
) -> Account:
    """The account for a name and password, or AccountError saying what to do.

    client: the address the try comes from (None: this machine); wrong tries are throttled per
    (name, client). allow_demo=False: the server is reachable from other machines, where the
    published demo password must not work.
    """
    now = time.time() if now is None else now
    name = name.strip()[:64]
    FAILURES.seen(path)
    wait = throttle_try(name, client, path, now)
    if wait > 0:
        raise SignInThrottled(wait)
    account = load(path).get(name)
    ok = verify_password(password, account.password_hash if account else _dummy_hash())
    if account is None or not account.password_hash or not ok:
        raise AccountError("账户名或密码不正确。请检查大小写和输入法后重试；忘记密码请联系管理员。")
    unlock(name, client or LOCAL_CLIENT, path)  # the right password: this client starts afresh
    if account.demo and not allow_demo:
        raise AccountError(DEMO_REFUSED)
    return account


def by_email(email: str, path: Path | None = None) -> Account | None:
    """The account an OpenID Connect identity maps to (emails compared case-insensitively)."""
    wanted = email.strip().lower()
    for a in load(path).values():
        if a.email and a.email.lower() == wanted:
            return a
    return None


# Demo accounts for `make run`: one per role and a township-scoped one, all with one password.
DEMO_PASSWORD = "orgdash-demo"


def demo_accounts(first_township: str | None, path: Path | None = None) -> list[Account]:
    """Create the demo accounts unless the file already has accounts; returns what was created."""
    if load(path):
        return []
    made = [
        add("admin", "admin", DEMO_PASSWORD, display_name="管理员", demo=True, path=path),
        add("leader", "leader", DEMO_PASSWORD, display_name="局领导", demo=True, path=path),
        add("planner", "planner", DEMO_PASSWORD, display_name="规划科", demo=True, path=path),
        add("analyst", "analyst", DEMO_PASSWORD, display_name="数据分析", demo=True, path=path),
    ]
    if first_township:
        made.append(
            add(
                "town",
                "analyst",
                DEMO_PASSWORD,
                display_name="乡镇（街道）联络员",
                township=first_township,
                demo=True,
                path=path,
            )
        )
    return made
