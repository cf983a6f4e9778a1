"""Accounts: a TOML file of users with salted scrypt password hashes, roles and township scopes.

The file lives beside the warehouse (data/users.toml, git-ignored) or at $ORGDASH_USERS, and is
managed with `orgdash user add|remove|list`. scrypt is in the standard library (hashlib), so a site
needs no compiled package for it; its cost parameters are stored with each hash so they can grow.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from access import roles
from access.audit import default_db

NAME_RULE = re.compile(r"^[A-Za-z0-9_.\-@]{2,64}$")
MIN_PASSWORD = 8
# scrypt cost: about 50 ms per check on this class of machine; stored per hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
# Too many wrong passwords for one account: wait before the next try.
MAX_FAILURES, FAILURE_WINDOW_S, LOCKOUT_S = 5, 600.0, 300.0


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
    p = path or users_path()
    if not p.exists():
        return {}
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


class _Failures:
    """Wrong passwords per account name, in this server process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, list[float]] = {}

    def locked_for(self, name: str, now: float) -> float:
        with self._lock:
            recent = [t for t in self._times.get(name, []) if now - t < FAILURE_WINDOW_S]
            self._times[name] = recent
            if len(recent) >= MAX_FAILURES:
                return max(0.0, recent[-1] + LOCKOUT_S - now)
            return 0.0

    def add(self, name: str, now: float) -> None:
        with self._lock:
            self._times.setdefault(name, []).append(now)

    def clear(self, name: str) -> None:
        with self._lock:
            self._times.pop(name, None)


FAILURES = _Failures()


def authenticate(name: str, password: str, path: Path | None = None) -> Account:
    """The account for a name and password, or AccountError saying what to do."""
    now = time.monotonic()
    name = name.strip()
    wait = FAILURES.locked_for(name, now)
    if wait > 0:
        raise AccountError(
            f"密码连续输错 {MAX_FAILURES} 次，账户暂时锁定，请 {int(wait // 60) + 1} 分钟后再试，"
            "或请管理员重设密码。"
        )
    account = load(path).get(name)
    ok = verify_password(password, account.password_hash if account else _dummy_hash())
    if account is None or not account.password_hash or not ok:
        FAILURES.add(name, now)
        raise AccountError("账户名或密码不正确。请检查大小写和输入法后重试；忘记密码请联系管理员。")
    FAILURES.clear(name)
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
