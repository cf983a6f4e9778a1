"""The child process of etl/untrusted.py: parse one uploaded file under a memory cap and print a
one-line JSON verdict. It imports nothing of orgdash (not even Polars), so it starts in ~50 ms."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path


def _cap(extra: int) -> None:
    """RLIMIT_AS at what the child has mapped now (its imports) plus `extra` bytes."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as f:
            size_kb = next(int(ln.split()[1]) for ln in f if ln.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return
    soft = size_kb * 1024 + extra
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def main() -> None:
    """Child process: parse the file named on stdin, print one JSON verdict line."""
    request = json.loads(sys.stdin.buffer.read())
    path = Path(request["path"])
    verdict: dict = {"ok": True}
    try:
        if request["kind"] == "geojson":
            _cap(request["cap"])
            # Not JSON, not UTF-8 (ValueErrors): etl.read says so in its own words.
            with contextlib.suppress(ValueError):
                json.loads(path.read_bytes().decode("utf-8-sig"))
        else:
            import fastexcel

            _cap(request["cap"])
            try:
                reader = fastexcel.read_excel(path)
                sheets = len(reader.sheet_names)
            except Exception:  # damaged: etl.read's open_workbook says so in its own words
                sheets = 0
            for idx in range(sheets):
                try:
                    reader.load_sheet(idx, header_row=None, dtypes="string").to_arrow()
                except (MemoryError, RecursionError):
                    raise
                except Exception:  # an empty or chart-only sheet, as etl.read skips it
                    continue
    except BaseException as exc:  # a panic (pyo3 PanicException) is a BaseException
        verdict = {"ok": False, "error": type(exc).__name__}
    sys.stdout.write(json.dumps(verdict) + "\n")
    sys.stdout.flush()
    os._exit(0)  # no teardown of whatever the parser left behind
