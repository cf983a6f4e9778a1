"""Streamlit's media files only for browsers signed in: a gate in front of GET /media/<id>.

Streamlit serves what st.download_button (and st.image, st.audio …) hands to the browser at
/media/<id> to anyone who has the URL, without asking who they are: the id is unguessable, but a
URL travels (a browser's history, a proxy's log, a forwarded chat message) and a download of
detail rows then opens for whoever holds it. The app sets the `orgdash_session` cookie in every
signed-in browser (dashboard/auth.py); `MediaGate`, an ASGI middleware installed in
dashboard/server.py beside the upload gate, answers a media request without a valid one (signed,
not expired, not revoked at sign-out, its account unchanged: access/sessions.py) with 403 before
Streamlit looks the file up. The public register (dashboard/public.py) draws no media at all.

Only the media route is gated: Streamlit's own frontend (/static/…, including /static/media/
fonts), the health check and the websocket are what the sign-in page itself needs. Nothing here
imports Streamlit at module level: the middleware is loaded before the runtime.
"""

from __future__ import annotations

import posixpath
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from access import accounts, network, sessions
from dashboard.upload_gate import _refuse

COOKIE = "orgdash_session"  # dashboard/auth.py COOKIE (auth imports Streamlit; this may not)
REFUSED = "请先登录：文件只提供给已登录的浏览器。"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def _base() -> str:
    """'/prefix' for Streamlit's server.baseUrlPath, '' without one."""
    try:
        from streamlit import config

        base = str(config.get_option("server.baseUrlPath") or "")
    except Exception:  # no Streamlit config (tests of the rules alone)
        base = ""
    base = base.strip("/")
    return f"/{base}" if base else ""


def is_media(path: str, base: str = "") -> bool:
    """Whether a request path is Streamlit's media route (/media/<id>, under the base path).

    The path is collapsed first (`//media/x`, `/a/../media/x`), so a spelling the router would
    still send to the media handler cannot slip past; /static/media/ (the frontend's fonts) is
    not the media route."""
    clean = posixpath.normpath("/" + "/".join(p for p in path.split("/") if p))
    return clean.startswith(f"{base}/media/") or clean == f"{base}/media"


def cookie_values(headers: list[tuple[bytes, bytes]], name: str = COOKIE) -> list[str]:
    """Every value of one cookie in the request's Cookie headers (HTTP/2 may send several)."""
    found = []
    for key, value in headers:
        if key.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            k, sep, v = part.strip().partition("=")
            if sep and k == name and v:
                found.append(v.strip().strip('"'))
    return found


def signed_in(headers: list[tuple[bytes, bytes]]) -> bool:
    """A sign-in cookie that access/sessions.py accepts now (and no demo account's on a server
    that listens beyond this machine: their password is published)."""
    reachable = not network.is_loopback(_bind_address())
    for token in cookie_values(headers)[:4]:
        try:
            checked = sessions.check(token)
        except (OSError, accounts.AccountError):  # an unreadable users file: refuse
            continue
        if checked.status == "ok" and checked.account is not None:
            if checked.account.demo and reachable:
                continue
            return True
    return False


def _bind_address() -> str | None:
    try:
        from streamlit import config

        value = config.get_option("server.address")
    except Exception:
        return None
    return str(value) if value else None


class MediaGate:
    """ASGI middleware: /media/… only for a request carrying a valid sign-in cookie."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_media(scope.get("path", ""), _base()):
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool

        # A few small file reads (the secret, revocations, users.toml): off the event loop.
        if await run_in_threadpool(signed_in, list(scope.get("headers", []))):
            await self.app(scope, receive, send)
            return
        await _refuse(send, 403, REFUSED)
