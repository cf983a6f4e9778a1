"""Signed sign-in tokens, so a page reload or a shared link does not ask for the password again.

A token names the account, its expiry and the account's fingerprint, signed with HMAC-SHA256 under
a secret kept beside the users file. Changing a password or a role changes the fingerprint, so the
old tokens stop working; removing the account ends them too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from access import accounts

DEFAULT_HOURS = 12.0  # one working day


@dataclass(frozen=True)
class Checked:
    account: accounts.Account | None
    status: str  # "ok", "expired", "invalid" (bad signature, unknown account, changed rights)


def _secret(path: Path | None = None) -> bytes:
    users = path or accounts.users_path()
    file = users.with_name(".session_secret")
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        # One temporary file per thread, not per process: two sessions of one server signing in
        # at once shared it, one truncated the other's after its link, and they held two secrets.
        tmp = file.with_name(f".session_secret.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        try:
            os.link(tmp, file)  # first writer wins; others read its secret
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return file.read_bytes()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(account: accounts.Account, hours: float = DEFAULT_HOURS, path: Path | None = None) -> str:
    body = {"u": account.name, "exp": int(time.time() + hours * 3600), "f": account.fingerprint}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    sig = hmac.new(_secret(path), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(sig)}"


def check(token: str, path: Path | None = None, now: float | None = None) -> Checked:
    try:
        payload, sig = token.split(".")
        want = hmac.new(_secret(path), payload.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(want, _unb64(sig)):
            return Checked(None, "invalid")
        body = json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return Checked(None, "invalid")
    if _digest(sig) in _revoked(path):
        return Checked(None, "invalid")
    account = accounts.load(path).get(str(body.get("u")))
    if account is None or account.fingerprint != body.get("f"):
        return Checked(None, "invalid")
    if (now if now is not None else time.time()) >= float(body.get("exp", 0)):
        return Checked(account, "expired")
    return Checked(account, "ok")


def expires_at(token: str) -> float | None:
    try:
        return float(json.loads(_unb64(token.split(".")[0]))["exp"])
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _revoked_file(path: Path | None) -> Path:
    return (path or accounts.users_path()).with_name(".revoked_sessions")


def _digest(sig: str) -> str:
    return hashlib.sha256(sig.encode()).hexdigest()[:32]


def _revoked(path: Path | None) -> set[str]:
    file = _revoked_file(path)
    if not file.exists():
        return set()
    now = time.time()
    out = set()
    for line in file.read_text(encoding="utf-8").splitlines():
        digest, _, exp = line.partition(" ")
        if exp and float(exp) > now:
            out.add(digest)
    return out


def revoke(token: str, path: Path | None = None) -> None:
    """Sign-out: this token stops working on the server even if a browser still sends it."""
    exp = expires_at(token)
    if exp is None or "." not in token:
        return
    file = _revoked_file(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("a", encoding="utf-8") as fh:
        fh.write(f"{_digest(token.split('.')[1])} {exp:.0f}\n")
