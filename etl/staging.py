"""Uploaded files staged beside the warehouse: checked and reported first, loaded only on confirm.

An upload may be one corrected file. It is staged on top of a copy of the files the live build was
loaded from (builds/<run_id>.sources), replacing the file of the same source, so the check sees
the whole set exactly as the load will:

    staging/<id>/            the live build's sources with the uploads in place of theirs
    staging/<id>/report/     拒收报告.xlsx and .csv, as a load writes them

Nothing here touches the live warehouse; confirm() loads the staged folder under the load lock.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from etl import kept_builds, untrusted
from etl.config import load_config
from etl.pipeline import (
    CheckResult,
    LoadBusy,
    LoadResult,
    Progress,
    check_dir,
    load_lock,
    load_locked,
    write_reject_report,
)
from etl.read import (
    GEOJSON_SUFFIXES,
    TABLE_SUFFIXES,
    FileProblem,
    find_sources,
    identify,
    identify_by_content,
)
from etl.sources import SOURCES, SOURCES_BY_NAME

STAGING = "staging"
REPORT_DIR = "report"
REPORT_STEM = "拒收报告"
MAX_AGE_S = 24 * 3600  # staged uploads nobody confirmed are removed after a day
ACCEPTED = TABLE_SUFFIXES | GEOJSON_SUFFIXES
KINDS = ".xlsx（或 .xls、.xlsm、.et、.ods）、.csv 或 .geojson"


class UploadError(Exception):
    """An upload that cannot be staged: says which file, what happened and what to do."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}：{message}" if file else message)
        self.file = file
        self.message = message


@dataclass
class Staged:
    dir: Path
    replaced: list[tuple[str, str]]  # (source name, uploaded file name), in upload order
    base_run: str | None  # the live build the upload was staged on, None without one
    check: CheckResult
    report: Path | None  # 拒收报告.xlsx in the staging folder, None when nothing was rejected


def staging_root(db_path: Path) -> Path:
    return kept_builds.pointer(db_path).parent / STAGING


def clean_old(db_path: Path) -> None:
    root = staging_root(db_path)
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        try:
            if now - folder.stat().st_mtime > MAX_AGE_S:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:  # removed by another session meanwhile
            continue


def safe_name(name: str) -> str:
    """The file's own name without any folder a browser sent along; never hidden."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    return base or "上传文件"


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(n / 1024))} KB"


def refuse_kind(name: str, data: bytes, limit: int) -> None:
    """What can be said of an upload from its name and size alone."""
    if name.startswith("~$"):
        raise UploadError(
            name,
            "这是 Excel/WPS 打开文件时生成的临时文件，不是数据文件。请关闭 Excel 后选择原文件上传。",
        )
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED:
        kind = f"「{suffix}」" if suffix else "（没有扩展名）"
        raise UploadError(
            name,
            f"不支持的文件类型{kind}。请上传 {KINDS} 文件；Word、PDF 和图片不能导入，"
            "表格请在 Excel/WPS 中「另存为」.xlsx 或 CSV。",
        )
    if len(data) > limit:
        raise UploadError(
            name,
            f"文件大小 {_size(len(data))}，超过上传上限 {_size(limit)}。"
            "请另存为 CSV（通常比 Excel 小得多），或删去多余的工作表、图片和无关的列后再上传；"
            "确需上传更大的文件，请管理员在 orgdash.toml 的 [etl] 中调高 max_upload_mb。",
        )
    if not data.strip():
        raise UploadError(
            name,
            "文件是空的，没有任何内容，可能上传没有完成或选错了文件。请重新选择文件上传。",
        )


def _unrecognised(name: str) -> UploadError:
    labels = "、".join(s.label for s in SOURCES)
    return UploadError(
        name,
        f"认不出这是哪一种数据：文件名中没有数据名称，表头也对不上任何一种数据。"
        f"可以导入的数据有：{labels}；每种数据应有的表头见 docs/SOURCES.md。"
        "请把文件名改为包含数据名称（如「社会组织名录.xlsx」），或使用标准表头后重新上传。",
    )


def identify_upload(path: Path, name: str) -> str:
    """The source an uploaded file holds: by its name, else by its header row.

    The file is vetted first (etl/untrusted.py: zip sizes, then a parse in a capped child
    process), so nothing here or later reads a file that could exhaust or crash the server.
    """
    by_name = identify(Path(name))
    try:
        untrusted.vet(path, name, untrusted.limits_of(load_config()))
        by_content = identify_by_content(path)
    except FileProblem as p:  # unreadable, undecodable: say so now, not after staging
        raise UploadError(name, p.message) from None
    source = by_name or by_content
    if source is None:
        raise _unrecognised(name)
    return source.name


def staged_name(source: str, name: str) -> str:
    """A name the folder reader will assign to the same source: the upload's own if it does."""
    label = SOURCES_BY_NAME[source].label
    for candidate in (name, f"{label}-{name}", f"{label}{Path(name).suffix.lower()}"):
        found = identify(Path(candidate))
        if found is not None and found.name == source:
            return candidate
    raise AssertionError(f"no file name identifies {source}")  # every label identifies itself


def stage(
    db_path: Path,
    files: list[tuple[str, bytes]],
    max_bytes: int | None = None,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    user: str | None = None,
) -> Staged:
    """Stage uploaded (name, bytes) files on the live build's sources and check the result.

    max_bytes defaults to max_upload_mb in orgdash.toml; as_of to the live build's date (else the
    manifest's). Raises UploadError for a file that cannot be staged; rejected rows are not an
    error, they are in .check and .report.
    """
    from access import audit

    db_path = kept_builds.pointer(db_path)
    config = load_config()
    limit = max_bytes if max_bytes is not None else int(config.max_upload_mb * 1024 * 1024)
    clean_old(db_path)
    if not files:
        raise UploadError("", f"没有选择任何文件。请选择要上传的 {KINDS} 文件。")
    uploads = [(safe_name(name), data) for name, data in files]
    for name, data in uploads:
        refuse_kind(name, data, limit)

    root = staging_root(db_path)
    kept_builds.private_dir(root)  # uploads hold personal data: the server's account only
    now = dt.datetime.now()
    folder = root / f"{now:%Y%m%dT%H%M%S}-{os.urandom(3).hex()}"
    incoming = folder / ".incoming"  # hidden: the folder reader skips it
    incoming.mkdir(parents=True)
    try:
        claimed: dict[str, tuple[str, Path]] = {}  # source -> (uploaded name, file)
        for i, (name, data) in enumerate(uploads):
            path = incoming / f"{i}{Path(name).suffix.lower()}"
            path.write_bytes(data)
            source = identify_upload(path, name)
            if source in claimed:
                first = claimed[source][0]
                raise UploadError(
                    name,
                    f"「{first}」和「{name}」都是{SOURCES_BY_NAME[source].label}，"
                    "同一种数据一次只能上传一个文件。请只保留正确的一个后重新上传。",
                )
            claimed[source] = (name, path)

        live = kept_builds.live_build(db_path)
        base = live.sources if live else None
        if base is None:
            missing = [s.label for s in SOURCES if s.required and s.name not in claimed]
            if missing:
                where = (
                    "数据仓库还没有任何数据"
                    if live is None
                    else f"在用的数据版本 {live.run_id} 没有保存源文件"
                )
                raise UploadError(
                    "、".join(n for n, _ in uploads),
                    f"{where}，无法只替换其中几个文件。请一次上传全部数据文件，"
                    f"还缺：{'、'.join(missing)}。",
                )
        else:
            try:
                base_files, _ = find_sources(base)
            except FileProblem as p:  # an archive is a folder one load accepted: not expected
                raise UploadError(p.file, f"在用版本的源文件有问题：{p.message}") from None
            for source, path in base_files.items():
                if source not in claimed:
                    shutil.copy2(path, folder / path.name)
            if (base / "manifest.toml").is_file():
                shutil.copy2(base / "manifest.toml", folder / "manifest.toml")
        replaced = []
        for source, (name, path) in claimed.items():
            os.replace(path, folder / staged_name(source, name))
            replaced.append((source, name))
        shutil.rmtree(incoming)

        day = as_of or (live.as_of if live else None)
        check = check_dir(folder, day, config, progress)
        report = write_reject_report(
            check.rejects, check.failures, folder / REPORT_DIR / REPORT_STEM
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    staged = Staged(folder, replaced, live.run_id if live else None, check, report)
    audit.record(
        "upload_checked",
        user,
        db_path,
        staging=folder.name,
        files=[name for _, name in replaced],
        base_run=staged.base_run,
        rows_rejected=check.rows_rejected,
        ok=check.ok,
    )
    return staged


def confirm(
    db_path: Path, staged: Staged, user: str | None, progress: Progress | None = None
) -> LoadResult:
    """Load the staged folder (load_dir under the lock), then remove it.

    Refused with UploadError when the live build changed since staging (another load or a
    rollback): loading would silently undo that change in the files the upload did not replace.
    Raises LoadBusy / LoadFailed as load_dir does.
    """
    from access import audit

    db_path = kept_builds.pointer(db_path)
    if not staged.dir.is_dir():
        raise UploadError("", "这次上传已过期或已被放弃（暂存文件已删除）。请重新上传文件并校验。")
    try:
        with load_lock(db_path):
            live = kept_builds.live_build(db_path)
            now = live.run_id if live else None
            if now != staged.base_run:
                raise UploadError(
                    "",
                    f"校验之后在用的数据已经变了（校验时为版本 {staged.base_run or '无'}，"
                    f"现在为 {now or '无'}），可能有人导入或回退了数据。为免覆盖这次变动，"
                    "请重新上传文件并校验后再确认导入。",
                )
            result = load_locked(
                staged.dir, db_path, staged.check.as_of, progress=progress, user=user
            )
    except LoadBusy as exc:
        audit.record("load_failed", user, db_path, message=str(exc))
        raise
    discard(staged)
    return result


def discard(staged: Staged) -> None:
    """Forget a staged upload: its folder and report go."""
    shutil.rmtree(staged.dir, ignore_errors=True)
