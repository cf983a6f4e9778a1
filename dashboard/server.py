"""The dashboard as an ASGI app: dashboard/app.py behind the upload gate (dashboard/upload_gate.py)
and the media gate (dashboard/media_gate.py).

Start it with `orgdash serve` (or `streamlit run dashboard/server.py`): Streamlit 1.67 finds the
st.App below and serves it with uvicorn, honouring .streamlit/config.toml and --server.* flags as
for a plain script.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Files the server writes (copies, uploads, audit, DuckDB's own spill files) are its account's alone.
os.umask(0o077)
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from starlette.middleware import Middleware  # noqa: E402
from streamlit.starlette import App  # noqa: E402

from dashboard.media_gate import MediaGate  # noqa: E402
from dashboard.upload_gate import UploadGate  # noqa: E402

# MediaGate: /media/<id> (downloads) only for browsers with a valid sign-in cookie.
app = App(
    str(ROOT / "dashboard" / "app.py"), middleware=[Middleware(UploadGate), Middleware(MediaGate)]
)
