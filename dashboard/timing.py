"""Server-side render time of the last script run, for the benchmark (no effect on users)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# Written by app.py after every run; the benchmark runs pages in-process with AppTest and reads it.
last: dict[str, float] = {}


@contextmanager
def measure(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        last[name] = time.perf_counter() - start
