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

from access import roles

# Event names and their Chinese labels for the admin page.
EVENTS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_out": "退出",
    "session_expired": "会话过期",
    "denied": "拒绝访问",
    "upload_checked": "上传校验",
    "targets_set": "设定目标",
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
    "public_search": "信息公开查询",
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


# ---------------------------------------------------------------- for people to read

_ROLES = roles.ROLES
_KINDS = roles.EXPORT_LABELS
_VIA = {"password": "密码", "oidc": "单位统一登录"}
# Keys no sentence below uses, in the words of the 审计 page; others are shown as they are.
_KEY_LABELS = {
    "file": "文件",
    "files": "文件",
    "rows": "行数",
    "bytes": "大小",
    "kind": "类别",
    "page": "页面",
    "role": "角色",
    "client": "来源地址",
    "reason": "原因",
    "message": "说明",
    "run_id": "版本",
    "round": "上报轮次",
    "township": "乡镇（街道）",
    "account": "账户",
    "incident": "编号",
    "error": "错误",
}


def _size(n: object) -> str:
    if not isinstance(n, int):
        return ""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def _files(value: object) -> str:
    if isinstance(value, list):
        return "、".join(f"「{v}」" for v in value)
    return f"「{value}」" if value else ""


_PUBLIC_BY = {"name": "组织名称", "credit_code": "统一社会信用代码", "community": "所在社区"}


def _public_search(e: dict) -> str:
    """A search of the public register (no sign-in): what was looked for, what came of it, from
    where. The text is the visitor's, capped when it was recorded."""
    who = "" if e.get("user") else "匿名访客"
    by = _PUBLIC_BY.get(str(e.get("by", "")), str(e.get("by", "")))
    what = f"（按{by}）“{e.get('text', '')}”" if by else f"“{e.get('text', '')}”"
    where = f"，来源 {e['client']}" if e.get("client") else ""
    outcome = e.get("outcome")
    if outcome == "throttled":
        return (
            f"{who}信息公开查询过于频繁被拒绝{where}（一分钟内已查询{e.get('searches', 0)}次，"
            "同一来源此后的拒绝不再逐条记录）"
        )
    if outcome == "invalid":
        return f"{who}信息公开查询{what}：输入不符合要求，未查询（{e.get('reason', '')}）{where}"
    if outcome == "failed":
        why = f"（{e['reason']}）" if e.get("reason") else ""
        return f"{who}信息公开查询{what}：查询失败{why}{where}"
    rows = e.get("rows") if isinstance(e.get("rows"), int) else 0
    more = "（超过上限，只显示前面的）" if e.get("capped") else ""
    refused = e.get("refused_before")
    after = f"；此前被拒绝{refused}次" if isinstance(refused, int) and refused > 1 else ""
    return f"{who}信息公开查询{what}：{rows}条结果{more}{where}{after}"


def describe(entry: dict, pages: dict[str, str] | None = None) -> str:
    """One event as a Chinese sentence for the 审计 page: who did what to which file, how many rows.

    pages: page key -> its Chinese title (the dashboard's menu), for events that name a page.
    The page shows the sentence; its download keeps the raw JSON beside it."""
    e = entry
    key = str(e.get("page", "")).split(":")[0]  # page_error: "import:confirm"
    page = (pages or {}).get(key, e.get("page", ""))
    role = _ROLES.get(str(e.get("role", "")), str(e.get("role", "")))
    event = e.get("event", "")
    rows = e.get("rows")
    n = f"{rows:,}行" if isinstance(rows, int) else ""
    if event == "download":
        what = _KINDS.get(str(e.get("kind", "")), "")
        parts = "，".join(p for p in (what, n, _size(e.get("bytes"))) if p)
        return f"下载{_files(e.get('file'))}" + (f"（{parts}）" if parts else "")
    if event == "sign_in":
        via = _VIA.get(str(e.get("via", "")), str(e.get("via", "")))
        where = f"，来源 {e['client']}" if e.get("client") else ""
        return f"通过{via}登录，角色：{role}{where}"
    if event == "sign_in_failed":
        where = f"（来源 {e['client']}）" if e.get("client") else ""
        return f"登录失败{where}：{e.get('reason', '')}"
    if event == "denied":
        return f"打开页面「{page}」被拒绝（角色：{role}）"
    if event == "upload_checked":
        verdict = "可以导入" if e.get("ok") else "有整个文件的问题，不能导入"
        return f"上传并校验{_files(e.get('files'))}：拒收{e.get('rows_rejected', 0):,}行，{verdict}"
    if event == "load":
        return (
            f"导入版本 {e.get('run_id', '')}：{e.get('rows_loaded', 0):,}行，"
            f"拒收{e.get('rows_rejected', 0):,}行。{e.get('message', '')}"
        )
    if event == "load_failed":
        return f"导入失败：{e.get('message', '')}"
    if event == "rollback":
        return f"从版本 {e.get('from_run', '')} 回退到 {e.get('to_run', '')}"
    if event == "sql":
        sql = " ".join(str(e.get("sql", "")).split())
        sql = sql if len(sql) <= 120 else sql[:120] + "…"
        if e.get("error"):
            return f"查询失败：{sql}（{e['error']}）"
        return f"查询：{sql}（{n or '0行'}）"
    if event == "report":
        return f"生成报告{_files(e.get('file'))}"
    if event in ("user_add", "user_remove"):
        verb = "添加" if event == "user_add" else "删除"
        town = f"，限乡镇 {e['township']}" if e.get("township") else ""
        return f"{verb}账户 {e.get('account', '')}（{role}{town}）"
    if event == "user_unlock":
        where = f"来自 {e['client']} 的" if e.get("client") else ""
        return f"清除账户 {e.get('account', '')} {where}密码输错记录 {e.get('cleared', 0)} 条"
    if event == "round_open":
        return f"开启上报「{e.get('title') or e.get('round', '')}」，截止 {e.get('due', '')}"
    if event == "round_close":
        return f"关闭上报 {e.get('round', '')}"
    if event == "submission":
        verdict = "通过" if e.get("accepted") else "未通过"
        return (
            f"乡镇 {e.get('township', '')} 报送 {e.get('round', '')} 第{e.get('seq', '')}次"
            f"{_files(e.get('files'))}：接收{e.get('rows_accepted', 0):,}行，"
            f"拒收{e.get('rows_rejected', 0):,}行，{verdict}"
        )
    if event == "page_error":
        return f"页面「{page}」出现意外错误（编号 {e.get('incident', '')}，{e.get('error', '')}）"
    if event == "public_search":
        return _public_search(e)
    if event == "sign_out":
        return "退出登录"
    if event == "session_expired":
        return "登录已过期"
    rest = {k: v for k, v in e.items() if k not in ("at", "event", "user")}
    return "；".join(f"{_KEY_LABELS.get(k, k)}：{v}" for k, v in rest.items())
