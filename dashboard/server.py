"""The dashboard as an ASGI app: dashboard/app.py behind the upload gate (dashboard/upload_gate.py)
and the media gate (dashboard/media_gate.py).

Start it with `orgdash serve` (or `streamlit run dashboard/server.py`): Streamlit 1.67 finds the
st.App below and serves it with uvicorn, honouring .streamlit/config.toml and --server.* flags as
for a plain script.
"""

from __future__ import annotations

import os
import socket
import sys
from asyncio import base_events
from pathlib import Path
from typing import Any

# Files the server writes (copies, uploads, audit, DuckDB's own spill files) are its account's alone.
os.umask(0o077)
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from starlette.middleware import Middleware  # noqa: E402
from streamlit.runtime import backend_operation_handler as ops  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.starlette import App  # noqa: E402

from dashboard.media_gate import MediaGate  # noqa: E402
from dashboard.upload_gate import UploadGate  # noqa: E402


def keep_compiled_pages() -> None:
    """Keep the pages' compiled code when the last session leaves.

    Streamlit 1.67 empties its script cache whenever no session is connected (so that a developer's
    edited script is read again), and the next visitor's run reads and compiles app.py and the
    page again: a third of the CPU of opening the 总览 alone, and the first of every meeting paid
    it while the others waited (py-spy, issue 15, docs/PERFORMANCE.md). Here no script changes
    while the server runs (server.fileWatcherType = "none"; a new release restarts it), so the
    cache is never emptied. ScriptCache.clear is Streamlit's own; it has no other caller here (the
    other one answers a file watcher, which is off)."""
    ScriptCache.clear = lambda self: None  # type: ignore[method-assign]


def send_without_delay() -> None:
    """Nagle's algorithm off on every connection the server accepts, as asyncio means it to be.

    asyncio turns it off in each new TCP transport, but only for a socket whose proto is
    IPPROTO_TCP (Python 3.11, asyncio.base_events._set_nodelay), and Streamlit 1.67 binds its
    listening socket with proto 0 (starlette_server._bind_socket), so accepted sockets kept
    Nagle on: the last messages of a page waited for the browser's delayed ACK, 35-40 ms after
    the script had ended, on every page every browser opened (seen on the wire with strace;
    issue 15, docs/PERFORMANCE.md). The socket is bound before uvicorn imports this module, so
    the check asyncio makes per connection is the place: the same check without the proto test.
    """

    def set_nodelay(sock: socket.socket) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    base_events._set_nodelay = set_nodelay  # type: ignore[attr-defined]


FILE_FAILED = "文件没有生成出来，请稍后再点一次；仍不成功请告诉系统管理员（服务器日志记有原因）。"


def files_fail_in_chinese() -> None:
    """A download whose file could not be made says so in Chinese.

    Streamlit 1.67 makes a download_button's file when it is clicked (our makers: reports, CSV,
    Excel) and, should the maker raise (LibreOffice gone for the PDF, a chart that did not draw),
    answers the browser "Failed to generate file for download", which the button shows for five
    seconds. The exception is logged by Streamlit as before; only the words change."""
    handle = ops.DeferredFileHandler.handle

    async def handle_in_chinese(self: Any, request: Any, session_id: str) -> Any:
        response = await handle(self, request, session_id)
        if response.error_msg:
            response.error_msg = FILE_FAILED
        return response

    ops.DeferredFileHandler.handle = handle_in_chinese  # type: ignore[method-assign]


keep_compiled_pages()
send_without_delay()
files_fail_in_chinese()
# MediaGate: /media/<id> (downloads) only for browsers with a valid sign-in cookie.
app = App(
    str(ROOT / "dashboard" / "app.py"), middleware=[Middleware(UploadGate), Middleware(MediaGate)]
)
