"""Short links: a random code names one view (a page and its URL parameters) of the dashboard.

The mapping lives in its own small JSON file beside the warehouse (never in the warehouse: a load
replaces the warehouse, and a link shared last quarter must still open). No Streamlit here.

Codes are drawn from the operating system's random source, so knowing one code tells nothing about
another; a code only saves typing, it grants nothing: whoever opens it still passes the page's own
access checks. The same view always gets the same code, so sharing a view twice makes no new entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

# Letters and digits only (a trailing '-' or '_' is cut off by some chat apps' link detection),
# without the look-alikes 0/O, 1/l/I, so a code read aloud or retyped survives.
ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 10  # 56**10 ≈ 3e17 codes: not guessable by trying
_CODE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")
# Parameters that describe the device or the link itself, not the view.
NOT_VIEW = frozenset({"v", "m"})


def default_db() -> Path:
    root = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("ORGDASH_DB", root / "data" / "warehouse.duckdb"))


def links_path(db_path: Path | None = None) -> Path:
    """$ORGDASH_LINKS, else links.json beside the warehouse."""
    env = os.environ.get("ORGDASH_LINKS")
    if env:
        return Path(env)
    return Path(db_path or default_db()).absolute().parent / "links.json"


def _view(page: str, params: Mapping[str, object]) -> tuple[str, dict[str, str]]:
    if not page or not isinstance(page, str):
        raise ValueError("page must be a page key such as 'community'")
    clean = {str(k): str(v) for k, v in params.items() if str(k) not in NOT_VIEW}
    return page, dict(sorted(clean.items()))


def _read(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        # Written by os.replace only, so a broken file was edited by hand: keep it, add nothing.
        raise RuntimeError(f"短链接文件无法读取：{path}，请检查该文件（JSON 格式）。") from None
    return data.get("links", {}) if isinstance(data, dict) else {}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time across sessions and processes (a lock file beside the links file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(path: Path, links: dict[str, dict]) -> None:
    # A new file swapped into place: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(prefix=".links-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "links": links}, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def create(page: str, params: Mapping[str, object], db_path: Path | None = None) -> str:
    """The code of this view, made and stored on first use; the same view gives the same code."""
    page, clean = _view(page, params)
    path = links_path(db_path)
    with _locked(path):
        links = _read(path)
        for code, entry in links.items():
            if entry.get("page") == page and entry.get("params") == clean:
                return code
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        while code in links:  # pragma: no cover - 1 in 3e17
            code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        links[code] = {
            "page": page,
            "params": clean,
            "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        _write(path, links)
    return code


def resolve(code: str, db_path: Path | None = None) -> tuple[str, dict[str, str]] | None:
    """(page, params) of a code, or None when the code is malformed or was never made here."""
    if not isinstance(code, str) or not _CODE.fullmatch(code.strip()):
        return None
    entry = _read(links_path(db_path)).get(code.strip())
    if not entry:
        return None
    return str(entry["page"]), {str(k): str(v) for k, v in entry.get("params", {}).items()}
