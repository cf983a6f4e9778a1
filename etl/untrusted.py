"""Uploaded files are untrusted: look inside a workbook's zip before anything unpacks it, then parse
the file in a child process with a memory and a time cap, so that a zip bomb, a reader's panic or a
file built to exhaust the parser costs a child process, never the dashboard's.

Only after `vet` has passed does the dashboard read the file itself (etl.read), exactly as a load
does. What was found here (a 3 MB "xlsx" that unpacked to 9.4 GB and ended in a Rust panic inside
the Streamlit process) is why: fastexcel (calamine) reads a whole sheet into memory, and a panic
in it is a BaseException (pyo3's PanicException) that ordinary `except Exception` does not catch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from etl.config import EtlConfig
from etl.read import GEOJSON_SUFFIXES, NESTED_GEOJSON, WORKBOOK_SUFFIXES, FileProblem

ROOT = Path(__file__).resolve().parent.parent
# Workbooks that are zip archives (Office Open XML, OpenDocument; WPS .et is OLE like .xls).
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".ods"}


@dataclass(frozen=True)
class Limits:
    """How far an uploaded file may make the server work (orgdash.toml [etl] can change them)."""

    unzipped_bytes: int = 512 * 2**20  # all members of a workbook's zip, unpacked
    ratio: float = 200.0  # unpacked / packed for one member larger than RATIO_FLOOR
    members: int = 10_000
    parse_bytes: int = 2 * 2**30  # the parsing child's memory past its imports
    parse_seconds: float = 60.0


def limits_of(config: EtlConfig) -> Limits:
    """The limits set in orgdash.toml [etl] (max_unzipped_mb, max_parse_mb, max_parse_s)."""
    return Limits(
        unzipped_bytes=int(config.max_unzipped_mb * 2**20),
        parse_bytes=int(config.max_parse_mb * 2**20),
        parse_seconds=config.max_parse_s,
    )


RATIO_FLOOR = 8 * 2**20  # small members compress as they like (shared strings of one word)

TOO_BIG = (
    "文件解压后过大（{what}），可能是异常或被篡改的文件，为保护服务器未予读取。"
    "请在 Excel/WPS 中打开确认内容，删去多余的工作表和空白行列后「另存为」.xlsx 或 CSV 再上传。"
)


def vet(path: Path, name: str, limits: Limits | None = None) -> None:
    """Raise FileProblem (a Chinese message naming the file) unless the file parses safely."""
    limits = limits or Limits()
    suffix = Path(name).suffix.lower() or path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        check_zip(path, name, limits)
    if suffix in WORKBOOK_SUFFIXES | GEOJSON_SUFFIXES:
        parse_in_child(path, name, suffix, limits)


def check_zip(path: Path, name: str, limits: Limits) -> None:
    """The zip's own directory, read without unpacking anything: sizes, ratios, member count."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip at all: nothing to unpack, and etl.read says the file is damaged
    if len(infos) > limits.members:
        raise FileProblem(name, TOO_BIG.format(what=f"含 {len(infos)} 个部件"), "too_big")
    total = sum(i.file_size for i in infos)
    if total > limits.unzipped_bytes:
        raise FileProblem(name, TOO_BIG.format(what=f"约 {total / 2**20:,.0f} MB"), "too_big")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > limits.ratio * max(i.compress_size, 1):
            ratio = i.file_size / max(i.compress_size, 1)
            raise FileProblem(name, TOO_BIG.format(what=f"压缩比约 {ratio:,.0f} 倍"), "too_big")


def parse_in_child(path: Path, name: str, suffix: str, limits: Limits) -> None:
    """Parse the whole file in a child process capped in memory and time; its verdict or death
    becomes a FileProblem. The zip's directory can lie about sizes: the cap does not."""
    request = json.dumps(
        {
            "path": str(path),
            "kind": "geojson" if suffix in GEOJSON_SUFFIXES else "workbook",
            "cap": limits.parse_bytes,
        }
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["POLARS_MAX_THREADS"] = "1"  # one core for the check; the other sessions keep theirs
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from etl.parse_child import main; main()"],
            input=request.encode(),
            capture_output=True,
            timeout=limits.parse_seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FileProblem(
            name,
            f"文件读取超过 {limits.parse_seconds:g} 秒仍未完成，为保护服务器已停止。"
            "请删去多余的工作表、空白行列和图片后「另存为」.xlsx 或 CSV 再上传。",
            "too_slow",
        ) from None
    verdict = _verdict(done.stdout)
    if done.returncode == 0 and verdict.get("ok"):
        return
    if verdict.get("error") in ("MemoryError", "memory") or (done.returncode < 0 and not verdict):
        raise FileProblem(
            name,
            "读取这个文件需要的内存超过了上限，为保护服务器已停止。文件可能异常或过大："
            "请删去多余的工作表、空白行列和图片后「另存为」.xlsx 或 CSV 再上传。",
            "too_big",
        )
    if verdict.get("error") == "RecursionError":
        raise FileProblem(name, NESTED_GEOJSON, "unreadable")
    what = "GeoJSON" if suffix in GEOJSON_SUFFIXES else "Excel 工作簿"
    kind = verdict.get("error") or f"exit {done.returncode}"
    raise FileProblem(
        name,
        f"文件无法作为{what}读取（{kind}），可能已损坏或格式不对。"
        "请在 Excel/WPS（边界文件用 GIS 软件）中打开确认后重新保存再上传。",
        "unreadable",
    )


def _verdict(out: bytes) -> dict:
    try:
        line = out.decode("utf-8", "replace").strip().splitlines()[-1]
        value = json.loads(line)
        return value if isinstance(value, dict) else {}
    except (IndexError, ValueError):
        return {}
