"""Streamlit's own wire, as a test (or an attacker) speaks it: the session id a page's websocket
announces, and a file PUT to the upload endpoint the way the uploader sends it."""

from __future__ import annotations

import contextlib
import http.client
import urllib.parse
import uuid


def watch_session_ids(tab) -> list[str]:  # type: ignore[no-untyped-def]
    """A list that fills with the session id of every websocket session the Playwright tab opens
    (ForwardMsg new_session), newest last. Call before the navigation."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ids: list[str] = []

    def frames(ws) -> None:  # type: ignore[no-untyped-def]
        def got(payload) -> None:  # type: ignore[no-untyped-def]
            if isinstance(payload, bytes | bytearray):
                msg = ForwardMsg.FromString(bytes(payload))
                if msg.HasField("new_session"):
                    ids.append(msg.new_session.initialize.session_id)

        ws.on("framereceived", got)

    tab.on("websocket", frames)
    return ids


def upload_put(url: str, session_id: str, cookies: dict[str, str], data: bytes) -> tuple[int, str]:
    """PUT one file to a session as Streamlit's uploader does, with the browser's cookies (the
    XSRF one, and a route that picks a worker). The headers go first and the body only while the
    server listens: a refusal may come before the body is read, so a closed pipe is expected."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="名录.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    where = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=30)
    conn.putrequest("PUT", f"/_stcore/upload_file/{session_id}/{uuid.uuid4()}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(body)))
    if "_streamlit_xsrf" in cookies:
        conn.putheader("X-Xsrftoken", cookies["_streamlit_xsrf"])
    if cookies:
        conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    conn.endheaders()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.send(body)
    try:
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        conn.close()
