"""Server-side render time of the last script run, for the benchmark (no effect on users)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Written by app.py after every run; the benchmark runs pages in-process with AppTest and reads it.
last: dict[str, float] = {}

# The meeting benchmark (perf/meeting.py) runs real servers, out of its reach: when this names a
# file, each run appends one JSON line {"session", "pid", "name", "seconds", "at"} to it. Unset
# (every real deployment), nothing is written and the only cost is reading the variable.
LOG_ENV = "ORGDASH_TIMING_LOG"


@contextmanager
def measure(name: str, session: str | None = None) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        # Kept in a local: `last` is shared by every session's thread of a server.
        spent = time.perf_counter() - start
        last[name] = spent
        path = os.environ.get(LOG_ENV)
        if path and session is not None:
            _append(path, {"session": session, "pid": os.getpid(), "name": name,
                           "seconds": spent, "at": time.time()})  # fmt: skip


def _append(path: str, record: dict[str, object]) -> None:
    # One write of one short line with O_APPEND: lines of several workers do not interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(record) + "\n").encode())
    finally:
        os.close(fd)
