"""Analysts' own SQL, fenced by DuckDB itself: read-only, no files or extensions, bounded time and memory.

The fence is the engine's, not a parser's. Every query gets a fresh read-only connection whose
configuration turns off external access and extension loading, bounds time, memory and threads,
and is then locked; the connection is closed afterwards, so TEMP objects die with it. Reading the
SQL only turns a few statements the engine would let through harmlessly (INSTALL/LOAD of a
built-in extension, ATTACH of the warehouse itself) into a clear refusal, and turns the engine's
English errors into Chinese ones. The one place where reading the SQL is the fence itself:
functions that show the storage under a copy's rows or the server's paths (REFUSED_FUNCTIONS),
which DuckDB offers no setting to turn off. `check_statements=False` runs on the engine's fence
alone; the tests run every attack both ways.

The connection lives in a small pool of worker processes, not in the dashboard's process:

- DuckDB 2.0.1 neither stops a single long expression at `max_execution_time` nor on
  `interrupt()` (`list_sort(range(0, 20_000_000))` ran 65 s under a 2 s limit; `repeat('x', 1e9)`
  allocates a gigabyte past `memory_limit`). A worker that has not answered by the time limit plus
  a grace period is killed, and its address space is capped, so neither can hurt the server.
- DuckDB refuses a second connection to a file with a different configuration in one process;
  a worker holds nothing else open, so the sandbox never collides with the pages' connections.
- Other users' pages keep their core: a worker runs one thread at a lower priority.

Rows are streamed in Arrow batches and counted as they pass: the query runs once, the first
`max_rows` rows are kept, and the count stops at the time limit (then `complete` is False).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

import queries

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_LIMIT = "1GB"
MAX_WORKERS = 2  # queries running at once; more wait for a free worker
GRACE_S = 2.0  # past the time limit, before a worker that has not answered is killed
WORKER_QUERIES = 200  # a worker is replaced after this many queries (memory fragmentation)
IDLE_S = 600.0  # an idle worker is stopped after this long
BATCH_ROWS = 50_000
PREVIEW_BYTES = 64 * 2**20  # the kept rows stop growing here even below max_rows
HEADROOM_BYTES = 1536 * 2**20  # address space past memory_limit: Python, Arrow, the kept rows

# Messages a person reads. The engine's own (English) first line follows as the detail.
READ_ONLY = "查询只能读取数据仓库，不能写入或访问外部文件"
LOCKED = "查询不能修改数据库设置：时间、内存、线程上限和安全设置都已锁定"
REFUSED_TYPES = {
    # Statement types the engine would run harmlessly (LOAD of a built-in extension, ATTACH of the
    # warehouse itself) or refuses anyway: refused here with a message saying what is not allowed.
    "ATTACH": "不能附加其他数据库（ATTACH）",
    "DETACH": "不能分离数据库（DETACH）",
    "LOAD": "不能安装或加载扩展（INSTALL / LOAD）",
    "COPY": "不能把数据写到文件或从文件读入（COPY）",
    "EXPORT": "不能导出数据库（EXPORT DATABASE）",
}

# Functions and catalogue views that show what a copy must not: the server's paths (the database
# file's, the settings' home, temp, extension and secret folders, an extension's install path or
# the error naming it), the storage under the visible rows, secrets and logs; and the ones that
# run SQL given as a string, which could spell any of these names from pieces. DuckDB 2.0.1 has no
# setting that disables a function (its disabled_* settings cover optimizers, filesystems,
# compression methods and log types only, checked with duckdb_settings()), and a TEMP macro of
# the same name is passed by calling system.main.<name>: so the fence is this check of the text,
# the whole of it, strings and comments included, case-insensitively, whole words only.
# Measured on 2.0.1 against a copy: duckdb_databases(), pragma_database_list / PRAGMA
# database_list, duckdb_settings(), pg_settings, current_setting('secret_directory'),
# query('…') and query_table('…') returned an absolute path; duckdb_extensions() and
# duckdb_extension_repositories() failed naming one. SHOW DATABASES gives names only (allowed);
# the storage and size pragmas, temporary files, secrets and logs are refused for what they are.
# SET and RESET of a setting are refused by lock_configuration already. Reading settings is refused
# by default (duckdb_settings, pg_settings, current_setting), not setting by setting, since a newer
# DuckDB may add one holding a path; current_setting('<name>') of a name in SAFE_SETTINGS (the
# limits an analyst may want to check, none holding a path) is the one exception.
_STORAGE = "不能查看数据库文件的存储、统计和大小信息"
_SERVER = "不能查看服务器上的路径、数据库设置、扩展、密钥或日志"
_INDIRECT = "不能执行以字符串给出的 SQL"
REFUSED_FUNCTIONS: dict[str, str] = {
    "pragma_storage_info": _STORAGE,
    "storage_info": _STORAGE,
    "pragma_metadata_info": _STORAGE,
    "metadata_info": _STORAGE,
    "pragma_database_size": _STORAGE,
    "database_size": _STORAGE,
    "duckdb_databases": _SERVER,
    "pragma_database_list": _SERVER,
    "database_list": _SERVER,
    "duckdb_settings": _SERVER,
    "current_setting": _SERVER,
    "pg_settings": _SERVER,
    "duckdb_extensions": _SERVER,
    "duckdb_extension_repositories": _SERVER,
    "duckdb_temporary_files": _SERVER,
    "duckdb_external_file_cache": _SERVER,
    "duckdb_secrets": _SERVER,
    "duckdb_secret_types": _SERVER,
    "which_secret": _SERVER,
    "duckdb_log": _SERVER,
    "duckdb_logs": _SERVER,
    "duckdb_logs_parsed": _SERVER,
    "duckdb_log_contexts": _SERVER,
    "query_table": _INDIRECT,
    "json_execute_serialized_sql": _INDIRECT,
}
SAFE_SETTINGS = {
    "max_execution_time",
    "memory_limit",
    "max_memory",
    "threads",
    "worker_threads",
    "timezone",
    "calendar",
    "default_order",
    "default_null_order",
    "integer_division",
    "enable_external_access",
    "lock_configuration",
    "access_mode",
}
_SAFE_SETTING_READ = re.compile(
    r"(?<![\w$])current_setting\s*\(\s*'(" + "|".join(sorted(SAFE_SETTINGS)) + r")'\s*\)",
    re.IGNORECASE,
)
# Whole words: `organizations_storage_info_x` or a column `database_list_id` is not a call.
_REFUSED_NAMES = re.compile(
    r"(?<![\w$])(" + "|".join(sorted(REFUSED_FUNCTIONS, key=len, reverse=True)) + r")(?![\w$])",
    re.IGNORECASE,
)
# query('select …') runs a string; "query" alone is an ordinary word (a comment, a column), so only
# a call is refused: the name, maybe quoted, then an opening bracket after spaces or comments.
_QUERY_CALL = re.compile(
    r'(?<![\w$])"?query"?(?:\s|/\*.*?\*/|--[^\n]*(?:\n|$))*\(', re.IGNORECASE | re.DOTALL
)


def refused_function(sql: str) -> str | None:
    """The Chinese refusal for SQL naming a function that REFUSED_FUNCTIONS lists (or calling
    query()), else None."""
    m = _REFUSED_NAMES.search(_SAFE_SETTING_READ.sub(" ", sql))
    if m:
        return f"{REFUSED_FUNCTIONS[m.group(1).lower()]}（{m.group(1)}）"
    if _QUERY_CALL.search(sql):
        return f"{_INDIRECT}（query）"
    return None


# Statements whose "rows" are only DuckDB's Count or Success column: reported as done, no table.
ROWLESS = {
    "CREATE",
    "CREATE_FUNC",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE_INTO",
    "DROP",
    "ALTER",
    "SET",
    "VARIABLE_SET",
    "TRANSACTION",
    "VACUUM",
    "PREPARE",
}


MEMORY_ERRORS = {"OutOfMemoryException", "MemoryError"}


class SandboxError(Exception):
    """A refused or failed query; str() is the Chinese message, `detail` DuckDB's own words."""

    def __init__(self, message: str, kind: str = "error", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # refused | locked | timeout | memory | syntax | catalog | error | busy
        self.detail = detail


@dataclass(frozen=True)
class SandboxResult:
    frame: pl.DataFrame  # the first max_rows rows (fewer if they passed PREVIEW_BYTES)
    total_rows: int  # rows the query returned; a lower bound when not complete
    complete: bool  # False: the time limit stopped the counting (the kept rows are still exact)
    columns: list[str]
    types: list[str]  # DuckDB's type names
    elapsed: float  # seconds, in the worker: connect, run, stream and count
    statement: str  # the last statement's type: SELECT, EXPLAIN, PRAGMA, CREATE, …

    @property
    def truncated(self) -> bool:
        """The frame holds fewer rows than the query returned (or may have returned)."""
        return not self.complete or self.frame.height < self.total_rows


@dataclass(frozen=True)
class Example:
    """A saved query in queries/examples/: its top comment lines give title and description."""

    name: str  # the file name without .sql
    title: str
    description: str
    sql: str


def examples() -> list[Example]:
    """The saved example queries, in file-name order."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        meta: dict[str, str] = {}
        for line in text.splitlines():
            if not line.startswith("--"):
                break
            key, _, value = line.removeprefix("--").strip().partition(":")
            meta.setdefault(key.strip().lower(), value.strip())
        out.append(
            Example(path.stem, meta.get("title", path.stem), meta.get("description", ""), text)
        )
    return out


# ---------------------------------------------------------------- settings


def default_timeout() -> float:
    """$ORGDASH_SQL_TIMEOUT, else `[sql] max_execution_time_s` in orgdash.toml, else 10 seconds."""
    env = os.environ.get("ORGDASH_SQL_TIMEOUT", "").strip()
    if env:
        with contextlib.suppress(ValueError):
            if float(env) > 0:
                return float(env)
    path = Path(os.environ.get("ORGDASH_CONFIG", ROOT / "orgdash.toml"))
    if path.is_file():
        try:
            value = tomllib.loads(path.read_text(encoding="utf-8")).get("sql", {})
            seconds = float(value.get("max_execution_time_s", DEFAULT_TIMEOUT_S))
            if seconds > 0:
                return seconds
        except (OSError, ValueError, TypeError, tomllib.TOMLDecodeError):
            pass
    return DEFAULT_TIMEOUT_S


def engine_config(timeout_s: float, memory_limit: str, threads: int) -> dict[str, Any]:
    """The configuration of every sandbox connection; lock_configuration must stay last."""
    return {
        "enable_external_access": False,  # files, URLs, COPY TO, ATTACH, INSTALL
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_persistent_secrets": False,  # CREATE PERSISTENT SECRET writes under ~/.duckdb
        "python_enable_replacements": False,  # no reading the worker's Python variables as tables
        # A read-only database spills to <file>.tmp beside the warehouse by default; with no temp
        # directory a query too big for memory fails instead of writing files.
        "temp_directory": "",
        "max_execution_time": max(1, round(timeout_s * 1000)),  # milliseconds
        "memory_limit": memory_limit,
        "threads": threads,
        "lock_configuration": True,
    }


def memory_bytes(limit: str) -> int:
    """'1GB', '512MB', '2GiB' in bytes (DuckDB's units: KB/MB/GB are 1000s, KiB/MiB/GiB 1024s)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b)?\s*", limit.lower())
    if not m:
        raise ValueError(f"memory limit {limit!r}")
    unit = m.group(2) or "b"
    base = 1024 if "i" in unit else 1000
    power = {"b": 0, "k": 1, "m": 2, "g": 3, "t": 4}[unit[0]]
    return int(float(m.group(1)) * base**power)


# ---------------------------------------------------------------- the caller's side


def run_sandboxed(
    sql: str,
    db: Path | None = None,
    max_rows: int = 10_000,
    timeout_s: float | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = 1,
    *,
    check_statements: bool = True,
) -> SandboxResult:
    """Run an analyst's SQL (one statement or a script; the last one's rows come back).

    Raises SandboxError with a Chinese message when the query is refused, fails, or passes the
    time or memory limit. timeout_s defaults to default_timeout().
    """
    if not sql or not sql.strip():
        raise SandboxError("请输入 SQL 语句。", "syntax")
    path = Path(db) if db else queries.db_path()
    if not path.exists():
        raise SandboxError(f"数据仓库不存在：{path}。请先运行 orgdash load。", "error")
    timeout = float(timeout_s) if timeout_s else default_timeout()
    request = {
        "sql": sql,
        "db": str(path.resolve()),
        "max_rows": int(max_rows),
        "timeout_s": timeout,
        "memory_limit": memory_limit,
        "memory_bytes": memory_bytes(memory_limit),
        "threads": int(threads),
        "check_statements": check_statements,
    }
    worker = _POOL.acquire(wait=timeout)
    try:
        head, body = worker.ask(request, deadline=time.monotonic() + timeout + GRACE_S)
    except _NoAnswer as exc:
        worker.kill()
        if exc.timed_out:
            raise SandboxError(_timeout_message(timeout), "timeout") from None
        raise SandboxError(
            "查询进程意外退出（可能是内存不足），查询已停止。请先汇总或缩小范围。", "memory"
        ) from None
    else:
        if not head["ok"] and head["error"] in MEMORY_ERRORS:
            worker.retire()  # its heap may stay near the cap: the next query gets a fresh one
    finally:
        _POOL.release(worker)
    if not head["ok"]:
        raise friendly(head["error"], head["message"], timeout, memory_limit, head.get("kind"))
    return SandboxResult(
        frame=_frame(body),
        total_rows=head["total_rows"],
        complete=head["complete"],
        columns=head["columns"],
        types=head["types"],
        elapsed=head["elapsed"],
        statement=head["statement"],
    )


def prewarm() -> None:
    """Start a worker now (it takes about a second to import DuckDB) so the first query is quick."""
    _POOL.prewarm()


def flat(frame: pl.DataFrame, *, excel: bool = False) -> pl.DataFrame:
    """Columns a CSV or a workbook can hold: nested values, bytes and nulls as text; with excel,
    times with a time zone in Beijing time without the zone (Excel has no zones)."""
    out = []
    for name, dtype in frame.schema.items():
        col = frame[name]
        if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Binary | pl.Null | pl.Object):
            col = pl.Series(name, [None if v is None else str(v) for v in col.to_list()], pl.String)
        elif excel and isinstance(dtype, pl.Datetime) and dtype.time_zone:
            col = col.dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None)
        out.append(col)
    return pl.DataFrame(out, schema=None) if out else frame


def _timeout_message(timeout: float) -> str:
    return f"查询超过了 {timeout:g} 秒的时间上限，已停止。请缩小范围、先汇总，或加上 LIMIT。"


def friendly(
    error: str, message: str, timeout: float, memory_limit: str, kind: str | None = None
) -> SandboxError:
    """DuckDB's error (class name and message) as a SandboxError a person can act on."""
    detail = message.strip().splitlines()[0] if message.strip() else error
    text = message.lower()
    if kind == "refused":
        return SandboxError(f"{READ_ONLY}：{message}。", "refused", detail)
    if "exceeded maximum execution time" in text or error == "InterruptException":
        return SandboxError(_timeout_message(timeout), "timeout", detail)
    if "configuration has been locked" in text:
        return SandboxError(f"{LOCKED}。", "locked", detail)
    if (
        "read-only mode" in text
        or "disabled by configuration" in text
        or "disabled through configuration" in text
        or "read-only" in text
        or "belongs to an attached database" in text  # COPY TO the warehouse's own files
    ):
        return SandboxError(f"{READ_ONLY}{_what(message)}。", "refused", detail)
    if error in MEMORY_ERRORS or "out of memory" in text or "bad allocation" in text:
        return SandboxError(
            f"查询需要的内存超过了上限（{memory_limit}），已停止。请先汇总或缩小范围。",
            "memory",
            detail,
        )
    if error == "ParserException" or text.startswith("parser error"):
        return SandboxError(f"SQL 语法有误：{detail}", "syntax", detail)
    if error == "CatalogException" or text.startswith("catalog error"):
        return SandboxError(
            f"找不到表、列或函数：{detail}（可在“表和字段”中查看）", "catalog", detail
        )
    if error == "BinderException" or text.startswith("binder error"):
        return SandboxError(f"SQL 无法执行：{detail}", "error", detail)
    if error == "ConversionException" or text.startswith("conversion error"):
        return SandboxError(f"数据类型转换失败：{detail}", "error", detail)
    return SandboxError(f"查询失败：{detail}", "error", detail)


def _what(message: str) -> str:
    """What the engine refused, in a few words: the statement type or the file."""
    m = re.search(r'statement of type "(\w+)"', message)
    if m:
        return f"（不能执行 {m.group(1)}）"
    m = re.search(r'Cannot (?:access (?:file|directory)|COPY to) "([^"]+)"', message)
    if m:
        return f"（不能访问 {m.group(1)}）"
    if "extension" in message.lower():
        return "（不能加载扩展）"
    return ""


def _frame(body: bytes) -> pl.DataFrame:
    """The kept rows as a Polars frame; types Polars cannot hold (INTERVAL, UNION) become text."""
    import pyarrow as pa
    import pyarrow.ipc

    table = pa.ipc.open_stream(io.BytesIO(body)).read_all()
    names = _unique(table.column_names)
    columns = []
    for name, col in zip(names, table.columns, strict=True):
        try:
            series = pl.from_arrow(col)
            assert isinstance(series, pl.Series)
            if isinstance(series.dtype, pl.Extension | pl.Object):
                raise TypeError(series.dtype)
            columns.append(series.alias(name))
        except Exception:
            values = [_text(v) for v in col.to_pylist()]
            columns.append(pl.Series(name, values, dtype=pl.String))
    return pl.DataFrame(columns)


def _text(v: Any) -> str | None:
    """A value Polars cannot hold, written the way DuckDB writes it (an INTERVAL as 1 year 2 days)."""
    if v is None:
        return None
    if all(hasattr(v, a) for a in ("months", "days", "nanoseconds")):
        years, months = divmod(v.months, 12)
        parts = [
            f"{n} {unit}{'s' if abs(n) != 1 else ''}"
            for n, unit in ((years, "year"), (months, "month"), (v.days, "day"))
            if n
        ]
        if v.nanoseconds or not parts:
            seconds, ns = divmod(v.nanoseconds, 10**9)
            hours, rest = divmod(seconds, 3600)
            clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
            parts.append(clock + (f".{ns // 1000:06d}" if ns else ""))
        return " ".join(parts)
    return str(v)


def _unique(names: list[str]) -> list[str]:
    # DuckDB allows two columns of one name (select 1 a, 2 a); a frame does not.
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        seen.setdefault(n, 0)
        out.append(n)
    return out


class _NoAnswer(Exception):
    def __init__(self, timed_out: bool) -> None:
        super().__init__("timed out" if timed_out else "worker died")
        self.timed_out = timed_out


class _Worker:
    """One worker process: a JSON request line in, a JSON header line and Arrow IPC bytes out."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from queries.sandbox import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self.served = 0
        self.idle_since = time.monotonic()
        self._buf = b""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def retire(self) -> None:
        self.served = WORKER_QUERIES

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=5)
        for pipe in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                pipe.close()  # type: ignore[union-attr]

    def ask(self, request: dict, deadline: float) -> tuple[dict, bytes]:
        self.served += 1
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _NoAnswer(timed_out=False) from None
        self._read(lambda: b"\n" in self._buf, deadline)
        end = self._buf.index(b"\n")
        head = json.loads(self._buf[:end])
        self._buf = self._buf[end + 1 :]
        n = head.get("nbytes", 0)
        self._read(lambda: len(self._buf) >= n, deadline)
        body, self._buf = self._buf[:n], self._buf[n:]
        return head, body

    def _read(self, done: Any, deadline: float) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise _NoAnswer(timed_out=True)
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise _NoAnswer(timed_out=False)
                self._buf += chunk


class _Pool:
    """At most `size` workers, busy or idle; an idle one is stopped after IDLE_S seconds."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._busy = 0
        self._lock = threading.Lock()

    def _reap(self) -> None:
        # Under the lock. Each idle worker holds about 100 MB; nobody may query for hours.
        now = time.monotonic()
        keep = []
        for worker in self._idle:
            if worker.alive() and now - worker.idle_since < IDLE_S:
                keep.append(worker)
            else:
                worker.kill()
        self._idle = keep

    def prewarm(self) -> None:
        with self._lock:
            self._reap()
            if not self._idle and self._busy < self._size:
                self._idle.append(_Worker())

    def acquire(self, wait: float) -> _Worker:
        if not self._slots.acquire(timeout=wait):
            raise SandboxError("同时运行的查询太多，请稍后再试。", "busy")
        with self._lock:
            self._reap()
            self._busy += 1
            if self._idle:
                return self._idle.pop()
        try:
            return _Worker()
        except BaseException:
            self._done()
            raise

    def release(self, worker: _Worker) -> None:
        if worker.alive() and worker.served < WORKER_QUERIES:
            worker.idle_since = time.monotonic()
            with self._lock:
                self._idle.append(worker)
        else:
            worker.kill()
        self._done()

    def _done(self) -> None:
        with self._lock:
            self._busy -= 1
        self._slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


_POOL = _Pool(MAX_WORKERS)
atexit.register(_POOL.close)


# ---------------------------------------------------------------- the worker's side


def _serve() -> None:
    """Worker main loop: answer requests from stdin until it closes (the parent went away)."""
    proto = os.fdopen(os.dup(1), "wb")
    # Anything DuckDB or Python might print goes nowhere, not into the answers.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    with contextlib.suppress(OSError):
        os.nice(5)  # the dashboard's own requests come first
    import duckdb  # noqa: F401  (imported once, before the first request arrives)
    import pyarrow.ipc  # noqa: F401

    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        head, body = _answer(json.loads(line))
        head["nbytes"] = len(body)
        proto.write(json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n")
        proto.write(body)
        proto.flush()


_BASE_BYTES: list[int] = []  # the worker's address space once DuckDB and Arrow are imported


def _cap_address_space(limit_bytes: int) -> None:
    """Cap the worker's address space (RLIMIT_AS): an allocation DuckDB's memory_limit does not
    see (one huge string) then fails as "Out of Memory" instead of taking the server's RAM."""
    import resource

    if not _BASE_BYTES:
        try:
            with open("/proc/self/status", encoding="ascii") as f:
                size_kb = next(int(ln.split()[1]) for ln in f if ln.startswith("VmSize:"))
        except (OSError, StopIteration, ValueError):
            return
        _BASE_BYTES.append(size_kb * 1024)
    soft = _BASE_BYTES[0] + limit_bytes + HEADROOM_BYTES
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _answer(req: dict) -> tuple[dict, bytes]:
    import duckdb

    started = time.monotonic()
    _cap_address_space(req["memory_bytes"])
    try:
        con = duckdb.connect(
            req["db"],
            read_only=True,
            config=engine_config(req["timeout_s"], req["memory_limit"], req["threads"]),
        )
    except Exception as exc:
        return _failure(exc), b""
    try:
        return _run(con, req, started)
    except Exception as exc:
        return _failure(exc), b""
    finally:
        con.close()


def _failure(exc: BaseException, kind: str | None = None) -> dict:
    return {"ok": False, "error": type(exc).__name__, "message": str(exc), "kind": kind}


def _run(con: Any, req: dict, started: float) -> tuple[dict, bytes]:
    import pyarrow as pa
    import pyarrow.ipc

    if req["check_statements"]:
        refused = refused_function(req["sql"])
        if refused:
            return _failure(Exception(refused), "refused"), b""
    statements = con.extract_statements(req["sql"])
    if not statements:
        return {"ok": False, "error": "ParserException", "message": "empty query"}, b""
    if req["check_statements"]:
        for s in statements:
            refused = REFUSED_TYPES.get(s.type.name)
            if refused:
                return _failure(Exception(refused), "refused"), b""
    rel = None
    for s in statements:
        # Each runs now unless it is a SELECT, which stays lazy until streamed; an earlier
        # SELECT's rows would be thrown away, so it never runs at all.
        rel = con.sql(s)
    last = statements[-1].type.name
    if rel is None or last in ROWLESS:  # the script ended in a statement without rows
        head = {"ok": True, "columns": [], "types": [], "total_rows": 0, "complete": True}
        return _done(head, last, started), _ipc(pa.table({}))
    names = list(rel.columns)
    types = [str(t) for t in rel.types]
    reader = rel.to_arrow_reader(BATCH_ROWS)
    kept: list[Any] = []
    kept_rows = kept_bytes = total = 0
    complete = True
    try:
        for batch in reader:
            total += batch.num_rows
            room = req["max_rows"] - kept_rows
            if room > 0 and kept_bytes < PREVIEW_BYTES:
                part = batch.slice(0, room)
                kept.append(part)
                kept_rows += part.num_rows
                kept_bytes += part.nbytes
    except Exception as exc:
        # Past the limit with rows already in hand: keep them (they are the query's first rows)
        # and say the count is unfinished. With none yet, it is a plain timeout.
        if total and "exceeded maximum execution time" in str(exc).lower():
            complete = False
        else:
            raise
    table = pa.Table.from_batches(kept, schema=reader.schema)
    head = {"ok": True, "columns": names, "types": types, "total_rows": total, "complete": complete}
    return _done(head, last, started), _ipc(table)


def _done(head: dict, statement: str, started: float) -> dict:
    head["statement"] = statement
    head["elapsed"] = round(time.monotonic() - started, 3)
    return head


def _ipc(table: Any) -> bytes:
    import pyarrow as pa
    import pyarrow.ipc

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
