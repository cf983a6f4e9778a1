"""Who may send files to the server, and how much: a gate in front of Streamlit's upload endpoint.

Streamlit takes uploads at PUT /_stcore/upload_file/<session>/<file> for any live session and
keeps them in memory until the session ends; sign-in is checked only inside the script. So an
anonymous client that opened the page (its session id is in the websocket traffic) could PUT
hundreds of megabytes and keep them (seen: 4 x 200 MB, server 441 MB -> 1,275 MB). Here:

- the script admits a session (`admit`) only once it is signed in with a role that uploads
  (导入 or 上报); every other run of the script withdraws it (`withdraw`);
- `UploadGate`, an ASGI middleware (dashboard/server.py installs it through st.App), refuses a PUT
  of a session not admitted, without a Content-Length, or past the per-file, per-session or
  server-wide caps, before a byte of the body is read;
- `guard_manager` wraps the upload manager's add_file with the same rules, for a server started
  without the middleware (`streamlit run dashboard/app.py`): there the body is read (at most
  Streamlit's server.maxUploadSize, set in .streamlit/config.toml) and then dropped.

Nothing here imports Streamlit at module level: the middleware is loaded before the runtime.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

UPLOAD_PATH = re.compile(r"/_stcore/upload_file/([^/]+)/[^/]+/?$")
MULTIPART_OVERHEAD = 64 * 1024  # form boundary and part headers around the file's bytes

_lock = threading.Lock()
_admitted: dict[str, str] = {}  # session id -> account name
_inflight: dict[str, int] = {}  # session id -> bytes of PUTs being received now
_state = {"middleware": False, "manager": False}


@dataclass(frozen=True)
class Caps:
    file: int  # one file (orgdash.toml [etl] max_upload_mb)
    session: int  # all files one session holds at once
    total: int  # all files all sessions hold at once


def caps() -> Caps:
    """The caps from orgdash.toml [etl]: max_upload_mb, max_session_upload_mb, max_total_upload_mb."""
    from etl.config import load_config

    c = load_config()
    mb = 2**20
    return Caps(
        int(c.max_upload_mb * mb),
        int(c.max_session_upload_mb * mb),
        int(c.max_total_upload_mb * mb),
    )


def admit(session_id: str, account: str) -> None:
    """This session is signed in as `account`, whose role uploads files."""
    with _lock:
        _admitted[session_id] = account
        for gone in [s for s in _admitted if s != session_id and not _alive(s)]:
            _admitted.pop(gone, None)


def withdraw(session_id: str) -> None:
    """This session may not upload (not signed in, signed out, or a role that does not upload)."""
    with _lock:
        _admitted.pop(session_id, None)


def admitted(session_id: str) -> bool:
    with _lock:
        return session_id in _admitted


def installed() -> bool:
    """Whether the middleware stands in front of this server (dashboard/server.py)."""
    return _state["middleware"]


def _alive(session_id: str) -> bool:
    try:
        from streamlit.runtime import Runtime

        return not Runtime.exists() or Runtime.instance().is_active_session(session_id)
    except Exception:  # no runtime (AppTest): keep it
        return True


def _held(session_id: str) -> tuple[int, int]:
    """Bytes the upload manager holds for this session and for all sessions (the files stay in
    memory until the session ends). Reads MemoryUploadedFileManager.file_storage, which
    Streamlit 1.67 keeps as {session: {file_id: UploadedFileRec}} under its _lock."""
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return 0, 0
        mgr = Runtime.instance().uploaded_file_mgr
    except Exception:
        return 0, 0
    storage = getattr(mgr, "file_storage", None)
    if storage is None:
        return 0, 0
    with getattr(mgr, "_lock", contextlib.nullcontext()):
        mine = sum(len(f.data) for f in storage.get(session_id, {}).values())
        total = sum(len(f.data) for files in storage.values() for f in files.values())
    return mine, total


def decide(session_id: str, length: int | None, limits: Caps | None = None) -> tuple[int, str]:
    """(0, "") to let the upload in, else (HTTP status, Chinese reason). Does not reserve."""
    if not admitted(session_id):
        return 403, "请先登录。只有可以导入或报送数据的账户才能上传文件。"
    if length is None:
        return 411, "上传请求缺少文件大小（Content-Length），已拒绝。"
    limits = limits or caps()
    if length > limits.file + MULTIPART_OVERHEAD:
        return 413, f"文件超过上传上限 {limits.file / 2**20:g} MB。"
    held, total = _held(session_id)
    with _lock:
        flying = _inflight.get(session_id, 0)
        flying_all = sum(_inflight.values())
    if held + flying + length > limits.session + MULTIPART_OVERHEAD:
        return 413, (
            f"本次会话已上传的文件合计超过 {limits.session / 2**20:g} MB。"
            "请先完成或放弃当前的上传，刷新页面后再试。"
        )
    if total + flying_all + length > limits.total + MULTIPART_OVERHEAD:
        return 503, "服务器正在处理的上传文件过多，请稍后再试。"
    return 0, ""


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class UploadGate:
    """ASGI middleware: refuses an upload before its body is read (see the module's doc)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app
        _state["middleware"] = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        m = UPLOAD_PATH.search(scope.get("path", "")) if scope["type"] == "http" else None
        if m is None or scope.get("method") != "PUT":
            await self.app(scope, receive, send)
            return
        session_id = m.group(1)
        length = _content_length(scope)
        limits = caps()  # orgdash.toml, read once for this request
        status, reason = decide(session_id, length, limits)
        if status:
            if length is not None and length <= limits.file + MULTIPART_OVERHEAD:
                # Read and drop a body of at most one file's size (nothing is kept): a proxy in
                # front (nginx, orgdash serve --workers) answers 502 instead of this refusal when
                # the upstream closes before the body is through. A larger one is cut off.
                await _drain(receive)
            await _refuse(send, status, reason)
            return
        assert length is not None
        with _lock:
            _inflight[session_id] = _inflight.get(session_id, 0) + length
        try:
            await self.app(scope, receive, send)
        finally:
            with _lock:
                left = _inflight.get(session_id, 0) - length
                if left > 0:
                    _inflight[session_id] = left
                else:
                    _inflight.pop(session_id, None)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                n = int(value)
            except ValueError:
                return None
            return n if n >= 0 else None
    return None


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message.get("type") != "http.request" or not message.get("more_body", False):
            return


async def _refuse(send: Send, status: int, reason: str) -> None:
    body = reason.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class UploadRefused(Exception):
    """An upload the gate refused after Streamlit had read it (no middleware in front)."""


def guard_manager() -> None:
    """Second line: wrap the upload manager's add_file with the same rules (once per process)."""
    with _lock:
        if _state["manager"]:
            return
        _state["manager"] = True
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return
        mgr: Any = Runtime.instance().uploaded_file_mgr  # MemoryUploadedFileManager
    except Exception:
        return
    original = mgr.add_file

    def add_file(session_id: str, file: Any) -> None:
        if installed():  # the middleware judged the caps with this file in flight: not twice
            status, reason = (0, "") if admitted(session_id) else decide(session_id, 0)
        else:
            status, reason = decide(session_id, len(file.data))
        if status:
            raise UploadRefused(reason)
        original(session_id=session_id, file=file)

    mgr.add_file = add_file
