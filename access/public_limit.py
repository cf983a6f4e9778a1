"""How often one client may search the public register (信息公开查询): a sliding window per client.

Anyone can reach the register without signing in, so each search is counted against the address
it comes from: at most `limit` searches in any `WINDOW_S` seconds, then the client is told to wait
until its oldest search of the window has aged out. Other clients are not slowed. The records live
in `.public_throttle.json` beside users.toml, read and rewritten under an exclusive flock exactly
as the sign-in throttle's (access/accounts.py), because `orgdash serve --workers N` routes one
browser's requests to different processes (nginx hashes a route cookie, which a scraper simply
does not send): per-process memory would multiply the limit by N.

IPv6 clients are counted per /64 network: one household's or one server's /64 holds 2**64
addresses, and a per-address limit would let it search without end. No Streamlit here.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from access.accounts import users_path

WINDOW_S = 60.0
MAX_RECORDS = 10_000  # bounds the file against a flood of made-up addresses
REFUSED = "查询过于频繁，请稍后再试"
clock = time.time  # the tests move time forward through this, not through time.time itself


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait: float  # seconds until this client may search again (0 when allowed)
    searches: int  # this client's searches in the window, this one included when allowed
    # The first refusal of a run of refusals: the one the audit log records. Later ones in the
    # same run are only counted (`refused`), so a client hammering the button cannot fill the log.
    first_refusal: bool = False
    refused: int = 0  # refusals in the current run (when refused), or in the run just ended

    @property
    def message(self) -> str:
        return f"{REFUSED}（约 {max(1, math.ceil(self.wait))} 秒后）。"


def limit_path(path: Path | None = None) -> Path:
    """.public_throttle.json beside the users file (or beside `path`, a users file)."""
    return (path or users_path()).with_name(".public_throttle.json")


def client_key(address: str | None) -> str:
    """The record a client counts against: its IPv4 address, its IPv6 /64, or the text given."""
    text = (address or "local").strip()[:64]
    try:
        ip = ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        return text
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


@contextlib.contextmanager
def _records(path: Path | None) -> Iterator[dict[str, dict]]:
    """The records, read and (if changed) written back atomically under an exclusive flock on a
    separate lock file (the data file is replaced on each write)."""
    file = limit_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(file.with_name(file.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            records = json.loads(file.read_text(encoding="utf-8")).get("records", {})
            if not isinstance(records, dict):
                records = {}
        except FileNotFoundError:
            records = {}
        except (ValueError, OSError, AttributeError):  # damaged by hand: start over
            records = {}
        before = json.dumps(records, sort_keys=True)
        yield records
        if json.dumps(records, sort_keys=True) != before:
            tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"records": records}, fh, separators=(",", ":"))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, file)
    finally:
        os.close(lock)


def _hits(record: dict, now: float) -> list[float]:
    try:
        return sorted(float(t) for t in record.get("hits", []) if now - float(t) < WINDOW_S)
    except (TypeError, ValueError):
        return []


def _prune(records: dict[str, dict], now: float) -> None:
    for key in [k for k, r in records.items() if not _hits(r, now) and not r.get("refused")]:
        del records[key]
    if len(records) > MAX_RECORDS:
        last = {k: max(_hits(r, now), default=0.0) for k, r in records.items()}
        for key in sorted(records, key=last.__getitem__)[: len(records) - MAX_RECORDS]:
            del records[key]


def take(
    client: str | None, limit: int, path: Path | None = None, now: float | None = None
) -> Verdict:
    """Count one search of this client, or refuse it: at most `limit` in any WINDOW_S seconds.

    Test and count happen in one locked step, so parallel searches from one client (several tabs,
    several workers) cannot all slip through the same open moment. A refused search is not counted
    as a search: the client may search again as soon as its oldest search of the window is a
    minute old, however often it pressed the button meanwhile."""
    now = clock() if now is None else now
    key = client_key(client)
    with _records(path) as records:
        _prune(records, now)
        record = records.get(key, {})
        hits = _hits(record, now)
        refused = int(record.get("refused", 0) or 0)
        if len(hits) >= max(1, limit):
            records[key] = {"hits": hits, "refused": refused + 1}
            wait = hits[len(hits) - max(1, limit)] + WINDOW_S - now
            return Verdict(False, max(0.0, wait), len(hits), refused == 0, refused + 1)
        hits.append(now)
        records[key] = {"hits": hits[-max(1, limit) :]}
        return Verdict(True, 0.0, len(hits), refused=refused)


def reset(client: str | None = None, path: Path | None = None) -> int:
    """Forget one client's searches (or everybody's); returns how many records were dropped."""
    with _records(path) as records:
        gone = [k for k in records if client is None or k == client_key(client)]
        for k in gone:
            del records[k]
    return len(gone)
