"""The load log, the one-load-at-a-time lock and the test pause points: what etl/pipeline.py,
etl/write_build.py and etl/kept_builds.py all use, in a module that imports none of them (the arrows of
tests/test_architecture.py: pipeline → build → builds → runs, never back)."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etl.pipeline import CheckResult


def read_manifest(directory: Path) -> dict:
    p = directory / "manifest.toml"
    return tomllib.loads(p.read_text(encoding="utf-8")) if p.exists() else {}


class LoadFailed(Exception):
    def __init__(self, message: str, result: CheckResult | None, report: Path | None) -> None:
        super().__init__(message)
        self.result = result
        self.report = report


class LoadBusy(LoadFailed):
    pass


def runs_log(db_path: Path) -> Path:
    return db_path.parent / "etl_runs.jsonl"


@contextlib.contextmanager
def load_lock(db_path: Path, doing: str = "导入") -> Iterator[None]:
    """One load or rollback at a time per warehouse; the OS drops the lock if the loader dies."""
    db_path = Path(db_path).absolute()
    # A data folder made here is private (0700); one that exists keeps its mode: what is written
    # into it is private file by file.
    if not db_path.parent.exists():
        db_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(db_path.parent, 0o700)
    lock = db_path.parent / f".{db_path.name}.lock"
    with os.fdopen(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
        os.fchmod(fh.fileno(), 0o600)
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadBusy(f"另一个导入正在进行中，请等它完成后再{doing}。", None, None) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def append_run(db_path: Path, record: dict) -> None:
    log = runs_log(db_path)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        fh.flush()
        os.fchmod(fh.fileno(), 0o600)  # it names the server's folders
        os.fsync(fh.fileno())


def read_runs(db_path: Path) -> list[dict]:
    log = runs_log(db_path)
    if not log.exists():
        return []
    runs = []
    for line in log.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):  # a line cut short by a killed loader
            runs.append(json.loads(line))
    return runs


def new_run_id(now: dt.datetime) -> str:
    # Milliseconds in the id and the times: two loads within one second (a failed one and its
    # retry) must still sort in the order they ran; the random tail only keeps ids unique.
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}-" + os.urandom(3).hex()


def pausing(stage: str) -> bool:
    return os.environ.get("ORGDASH_TEST_PAUSE_AT") == stage


def pause_for_tests(stage: str) -> None:
    """For the kill -9 tests: stop a load at a named stage so a test can kill it there.

    ORGDASH_TEST_PAUSE_AT=build|swap pauses; ORGDASH_TEST_PAUSE_FILE is touched when paused.
    """
    if not pausing(stage):
        return
    import time

    marker = os.environ.get("ORGDASH_TEST_PAUSE_FILE")
    if marker:
        Path(marker).touch()
    time.sleep(float(os.environ.get("ORGDASH_TEST_PAUSE_S", "60")))
