"""The audit log: who signed in, loaded, rolled back, ran SQL or downloaded what, and when.

One JSON object per line in its own file beside the warehouse (never in the warehouse: a load or a
rollback replaces the warehouse, and the log must outlive both). Appends are small single writes
under an exclusive lock, so concurrent sessions and the CLI never interleave half lines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import json
import os
from pathlib import Path
from typing import Any

# Event names and their Chinese labels for the admin page.
EVENTS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_out": "退出",
    "session_expired": "会话过期",
    "denied": "拒绝访问",
    "upload_checked": "上传校验",
    "load": "导入成功",
    "load_failed": "导入失败",
    "rollback": "回退版本",
    "sql": "运行查询",
    "download": "下载",
    "report": "生成报告",
    "user_add": "添加账户",
    "user_remove": "删除账户",
    "round_open": "开启上报",
    "round_close": "关闭上报",
    "submission": "乡镇上报",
    "page_error": "页面错误",
    "user_unlock": "解除登录限制",
}


def default_db() -> Path:
    root = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("ORGDASH_DB", root / "data" / "warehouse.duckdb"))


def log_path(db_path: Path | None = None) -> Path:
    """$ORGDASH_AUDIT, else audit.jsonl beside the warehouse."""
    env = os.environ.get("ORGDASH_AUDIT")
    if env:
        return Path(env)
    return Path(db_path or default_db()).absolute().parent / "audit.jsonl"


def cli_user() -> str:
    """The account name recorded for command-line actions: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no passwd entry in some containers
        return "cli"


def record(event: str, user: str | None, db_path: Path | None = None, **details: Any) -> dict:
    """Append one event; details are small JSON-able values (ids, counts, a query's text)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    entry = {
        "at": dt.datetime.now().astimezone().isoformat(timespec="milliseconds"),
        "event": event,
        "user": user or "",
        **details,
    }
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path = log_path(db_path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Only the server's account reads the log (it holds queries' text and who did what); the mode
    # is set again on an open file because os.open's is masked by the umask, and a log made
    # before the log was private keeps 0640 otherwise.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):  # someone else's log ($ORGDASH_AUDIT): leave its mode
            os.fchmod(fd, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)  # closing drops the lock
    return entry


def read(db_path: Path | None = None) -> list[dict]:
    """Every event, oldest first; a line cut short by a killed process is skipped."""
    path = log_path(db_path)
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            events.append(json.loads(line))
    return events
