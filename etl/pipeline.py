"""Check a folder of source files, build a new warehouse file from it and swap it into place."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl.cells import neutralised
from etl.config import EtlConfig, load_config
from etl.read import ROW, FileProblem, IgnoredSheet, RawTable, find_sources, read
from etl.rows import prepare, resolve
from etl.runs import LoadBusy as LoadBusy
from etl.runs import LoadFailed as LoadFailed
from etl.runs import append_run as append_run
from etl.runs import load_lock as load_lock
from etl.runs import new_run_id as new_run_id
from etl.runs import pause_for_tests as pause_for_tests
from etl.runs import pausing as pausing
from etl.runs import read_manifest as read_manifest
from etl.runs import read_runs as read_runs
from etl.runs import runs_log as runs_log
from etl.sources import SOURCES, Source
from etl.validate import REJECT_SCHEMA, Checked, Context, Typed, check, typed_frame

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class FileFailure:
    file: str
    source: str
    rule: str
    message: str


@dataclass
class CheckResult:
    directory: Path
    as_of: dt.date
    checked: list[Checked] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)  # each fails the whole load
    notes: list[str] = field(default_factory=list)  # worth saying, fails nothing
    files: dict[str, dict] = field(default_factory=dict)  # source -> name, sha256, encoding
    # Non-empty sheets of the workbooks read that were not read (their notes are in notes too).
    ignored_sheets: list[IgnoredSheet] = field(default_factory=list)
    # Rows rejected only because an upstream row was rejected, by root: one note each (in notes
    # too), e.g. 「社会组织名录第45行被拒收，因此信用评价、异常名录中引用该组织的7行也未导入。」
    upstream_notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def rows_upstream(self) -> int:
        """Rows rejected only because an upstream row was rejected (in rows_rejected too)."""
        return sum(c.rows_upstream for c in self.checked)

    @property
    def rejects(self) -> pl.DataFrame:
        frames = [c.rejects for c in self.checked]
        return pl.concat(frames) if frames else pl.DataFrame(schema=REJECT_SCHEMA)

    @property
    def rows_rejected(self) -> int:
        return sum(c.rows_rejected for c in self.checked)


def resolve_as_of(directory: Path, as_of: dt.date | None) -> dt.date:
    """The data's as-of date: given, else the folder's manifest.toml, else today."""
    if as_of is not None:
        return as_of
    value = read_manifest(directory).get("as_of")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return dt.date.today()


def check_dir(
    directory: Path,
    as_of: dt.date | None = None,
    config: EtlConfig | None = None,
    progress: Progress | None = None,
    on_checked: Callable[[Checked], None] | None = None,
) -> CheckResult:
    """Read, normalise and validate every source in a folder; nothing is written anywhere.

    on_checked is called with each source as soon as it is checked (the load starts writing it).
    """
    directory = Path(directory)
    config = config or load_config()
    result = CheckResult(directory, resolve_as_of(directory, as_of))
    if not directory.is_dir():
        result.failures.append(
            FileFailure(str(directory), "", "no_folder", f"找不到文件夹「{directory}」。")
        )
        return result
    try:
        paths, notes = find_sources(directory)
    except FileProblem as p:
        result.failures.append(FileFailure(p.file, "", p.rule, p.message))
        return result
    result.notes.extend(notes)
    ctx = Context(result.as_of, config)
    # Files are read, hashed and typed one after another on a thread ahead of the rules (which
    # take the sources in SOURCES order): Polars' reader and typing release the GIL, so the next
    # file's typing overlaps this one's rules (a province's load: about 1 s less on 2 cores).
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orgdash-read")
    try:
        reads = {
            s.name: pool.submit(_read_source, paths[s.name], s, ctx)
            for s in SOURCES
            if s.name in paths
        }
        _check_all(result, ctx, paths, reads, config, progress, on_checked)
    finally:
        pool.shutdown(cancel_futures=True)
    return result


def _read_source(path: Path, source: Source, ctx: Context) -> tuple[str, Typed | FileProblem]:
    digest = _sha256(path)
    try:
        return digest, prepare(read(path, source), ctx)
    except FileProblem as p:
        return digest, p


def _check_all(
    result: CheckResult,
    ctx: Context,
    paths: dict[str, Path],
    reads: dict[str, Future[tuple[str, Typed | FileProblem]]],
    config: EtlConfig,
    progress: Progress | None,
    on_checked: Callable[[Checked], None] | None,
) -> None:
    for i, source in enumerate(SOURCES):
        if progress:
            progress(source.label, i, len(SOURCES))
        path = paths.get(source.name)
        if path is None:
            _missing(result, source, ctx)
            continue
        digest, table = reads[source.name].result()
        result.files[source.name] = {"file": path.name, "sha256": digest}
        if isinstance(table, FileProblem):
            p = table
            result.failures.append(FileFailure(p.file, source.name, p.rule, p.message))
            _missing(result, source, ctx, noted=False)
            continue
        result.files[source.name]["encoding"] = table.table.encoding
        if len(table.table.sheets) > 1:
            result.files[source.name]["sheets"] = list(table.table.sheets)
            result.notes.append(
                f"{path.name}：读入了{len(table.table.sheets)}个工作表："
                f"{'、'.join(table.table.sheets)}。"
            )
        for ignored in table.table.ignored_sheets:
            result.ignored_sheets.append(ignored)
            result.notes.append(ignored.note)
        if table.table.ignored_headers:
            result.notes.append(
                f"{path.name}：未识别的列已忽略：{'、'.join(table.table.ignored_headers)}。"
            )
        checked = resolve(check(table, ctx), ctx)
        result.checked.append(checked)
        if on_checked:
            on_checked(checked)
        if checked.rows_read == 0:
            result.failures.append(
                FileFailure(
                    path.name, source.name, "no_rows", f"{path.name} 只有表头，没有任何数据行。"
                )
            )
        elif checked.reject_share > config.max_reject_share:
            result.failures.append(
                FileFailure(
                    path.name,
                    source.name,
                    "too_many_rejects",
                    f"{path.name} 有 {checked.rows_own_rejected} 行（{checked.reject_share:.1%}）不合格，"
                    f"超过允许的 {config.max_reject_share:.0%}。{_main_problem(checked)}"
                    "请按拒收报告修正后重新导入。",
                )
            )
    result.upstream_notes = upstream_notes(result.checked)
    result.notes.extend(result.upstream_notes)
    if progress:
        progress("完成", len(SOURCES), len(SOURCES))


_REFERS = {"organizations": "该组织", "grants": "该项目", "divisions": "该区划"}


def upstream_notes(checked: list[Checked]) -> list[str]:
    """One sentence per upstream row whose rejection took rows of other files with it."""
    parts = [
        c.upstream.select("root", pl.lit(c.source.label).alias("label"), pl.lit(i).alias("i"))
        for i, c in enumerate(checked)
        if c.rows_upstream
    ]
    if not parts:
        return []
    frame = pl.concat(parts)
    by_label = {s.label: s.name for s in SOURCES}
    out = []
    for root, group in frame.group_by("root", maintain_order=True):
        labels = group.group_by("label", "i").len().sort("i")
        # The root names its source first (社会组织名录第45行): which thing the rows refer to.
        what = next(
            (_REFERS.get(by_label[k], "该行") for k in by_label if str(root[0]).startswith(k)),
            "该行",
        )
        out.append(
            f"{root[0]}被拒收，因此{'、'.join(labels['label'])}中引用{what}的"
            f"{group.height}行也未导入（不计入这些文件的不合格比例）。修正{root[0]}后重新导入即可。"
        )
    return out


UPSTREAM_RULES = {
    "org_exists": "多数行的组织编号在社会组织名录中找不到：请先检查名录文件是否完整、是否为最新版本。",
    "grant_exists": "多数行的项目编号在资金安排表中找不到：请先检查资金安排表是否完整。",
    "division_exists": "多数行的区划代码在行政区划表中找不到：请先检查行政区划表是否完整。",
    "community_exists": "多数行的社区代码在行政区划表中找不到：请先检查行政区划表是否完整。",
}


def _main_problem(checked: Checked) -> str:
    """Name the commonest problem, and point upstream when the cause is another file."""
    own = checked.rejects.join(checked.upstream, on=["sheet", "row"], how="anti", nulls_equal=True)
    top = (
        (own if own.height else checked.rejects)
        .group_by("rule", "column")
        .len()
        .sort("len", descending=True)
        .row(0, named=True)
    )
    if top["rule"] in UPSTREAM_RULES and top["len"] * 2 >= checked.rows_own_rejected:
        return UPSTREAM_RULES[top["rule"]]
    return f"最多的问题是「{top['column']}」（{top['len']}处，规则 {top['rule']}），可能用错了模板或列错位。"


def _missing(result: CheckResult, source: Source, ctx: Context, noted: bool = True) -> None:
    """A source without a usable file: its table stays empty; a required one fails the load, an
    optional one (the county's programmes) is only noted."""

    empty = pl.DataFrame(
        schema={ROW: pl.Int64, **{c.name: pl.String for c in source.file_columns()}}
    )
    typed, _ = typed_frame(RawTable(source, Path(source.label), empty, "", 0), ctx)
    ctx.accepted[source.name] = typed.select(*[c.name for c in source.columns])
    if noted and source.required:
        result.failures.append(
            FileFailure(
                source.label,
                source.name,
                "missing_file",
                f"缺少「{source.label}」文件。请把文件名包含「{source.label}」的 .xlsx 或 .csv 放进文件夹。",
            )
        )
    elif noted:
        result.notes.append(
            f"未提供「{source.label}」文件（可选）：其数据表为空，看板和报告中的相关内容显示为暂无数据。"
            f"如已开展此项工作，请把文件名包含「{source.label}」的 .xlsx 或 .csv 放进文件夹。"
        )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


@dataclass
class LoadResult:
    run_id: str
    db_path: Path
    check: CheckResult
    rows_loaded: dict[str, int]
    report: Path | None


def reports_dir(db_path: Path) -> Path:
    return db_path.parent / "rejects"


def reject_report_file(
    rejects: pl.DataFrame, failures: list[FileFailure], path_stem: Path
) -> Path | None:
    """Where write_reject_report puts the workbook, or None when there is nothing to report."""
    return None if rejects.is_empty() and not failures else path_stem.with_suffix(".xlsx")


def write_reject_report(
    rejects: pl.DataFrame, failures: list[FileFailure], path_stem: Path
) -> Path | None:
    """The rejects as an Excel workbook a clerk can filter (and a CSV beside it for scripts).

    Cells are the clerk's own text, which may start like a formula (=HYPERLINK(...)): the
    workbook writes every cell as a string, the CSV neutralises them (etl/cells.py).
    """
    xlsx = reject_report_file(rejects, failures, path_stem)
    if xlsx is None:
        return None
    path_stem.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path_stem.parent, 0o700)
    labels = {s.name: s.label for s in SOURCES}
    sheet = pl.col("sheet") if "sheet" in rejects.columns else pl.lit(None, dtype=pl.String)
    table = rejects.select(
        pl.col("file").alias("文件"),
        sheet.fill_null("").alias("工作表"),
        pl.col("source").replace_strict(labels, default=pl.col("source")).alias("数据"),
        pl.col("row").alias("行号"),
        pl.col("column").alias("列"),
        pl.col("value").alias("原值"),
        pl.col("rule").alias("规则"),
        pl.col("message").alias("问题及处理办法"),
    )
    whole = pl.DataFrame(
        {
            "文件": [f.file for f in failures],
            "数据": [labels.get(f.source, f.source) for f in failures],
            "规则": [f.rule for f in failures],
            "问题及处理办法": [f.message for f in failures],
        },
        schema={
            "文件": pl.String,
            "数据": pl.String,
            "规则": pl.String,
            "问题及处理办法": pl.String,
        },
    )
    import xlsxwriter

    # strings_to_formulas off: a value typed as =HYPERLINK(...) stays that text in the report.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(xlsx, options) as wb:
        if failures:
            whole.write_excel(wb, worksheet="整个文件的问题", autofit=True)
        table.write_excel(wb, worksheet="拒收的行", autofit=True, autofilter=True)
    neutralised(table).write_csv(path_stem.with_suffix(".csv"), include_bom=True)
    for written in (xlsx, path_stem.with_suffix(".csv")):  # rejected rows hold personal data
        os.chmod(written, 0o600)
    return xlsx


def load_dir(
    directory: Path,
    db_path: Path,
    as_of: dt.date | None = None,
    config: EtlConfig | None = None,
    progress: Progress | None = None,
    user: str | None = None,
) -> LoadResult:
    """read -> normalise -> validate -> build a new file -> data checks -> atomic swap onto db_path.

    The build is kept as builds/<run_id>.duckdb with the files it came from, and db_path becomes
    a symlink to it (etl.kept_builds). On any failure the live build is not touched; the run is logged
    and LoadFailed raised. `user` is who asked, for the audit log.
    """
    from access import audit

    db_path = Path(db_path).absolute()  # not resolve(): that would follow the live pointer
    try:
        with load_lock(db_path):
            return load_locked(directory, db_path, as_of, config, progress, user)
    except LoadBusy as exc:
        audit.record("load_failed", user, db_path, message=str(exc))
        raise


def load_locked(
    directory: Path,
    db_path: Path,
    as_of: dt.date | None = None,
    config: EtlConfig | None = None,
    progress: Progress | None = None,
    user: str | None = None,
) -> LoadResult:
    """load_dir for a caller already holding load_lock(db_path) (etl.staging.confirm)."""
    from access import audit
    from etl import kept_builds
    from etl.write_build import Builder, BuildFailed  # duckdb only when loading

    config = config or load_config()
    db_path = Path(db_path).absolute()
    started = dt.datetime.now().astimezone()
    run_id = new_run_id(started)
    record: dict = {
        "run_id": run_id,
        "started_at": started.isoformat(timespec="milliseconds"),
        "source_dir": str(Path(directory).resolve()),
        "db_path": str(db_path),
    }

    def failed(message: str, result: CheckResult | None, report: Path | None) -> LoadFailed:
        _finish(db_path, record, "failed", message)
        audit.record(
            "load_failed",
            user,
            db_path,
            run_id=run_id,
            rows_rejected=record.get("rows_rejected"),
            message=message,
        )
        return LoadFailed(message, result, report)

    kept_builds.clean_leftovers(db_path)
    # Private before the builder makes the folder with the umask's mode.
    kept_builds.private_dir(kept_builds.builds_dir(db_path))
    builder = Builder(kept_builds.build_file(db_path, run_id))
    # The sources are copied beside the build while they are being checked (170 MB took a
    # province's load 1 s on the main thread). Before the build gets its name, so a named build
    # always has its sources.
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orgdash-background")
    archived = background.submit(_archive, db_path, run_id, Path(directory))
    try:
        result = check_dir(Path(directory), as_of, config, progress, on_checked=builder.add)
        record["as_of"] = result.as_of.isoformat()
        # The reject workbook is written while the build is finished: xlsxwriter is Python,
        # DuckDB's marts and checkpoint release the GIL (0.03 s of a county's load, more with
        # a province's rejects). It is waited for before the build goes live.
        stem = reports_dir(db_path) / run_id
        report = reject_report_file(result.rejects, result.failures, stem)
        reported = background.submit(write_reject_report, result.rejects, result.failures, stem)
        record.update(
            rows_read=sum(c.rows_read for c in result.checked),
            rows_rejected=result.rows_rejected,
            reject_report=str(report) if report else None,
        )
        if not result.ok:
            reported.result()
            raise failed(
                "；".join(f"{f.file}：{f.message}" for f in result.failures), result, report
            )
        record["status"] = "succeeded"
        record["finished_at"] = dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
        # The warehouse's etl_runs lists load attempts; rollbacks stay in the run log only.
        history = [r for r in read_runs(db_path) if r.get("status") != "rolled_back"] + [record]
        try:
            archived.result()
            rows_loaded = builder.finish(result, run_id, started, history)
            reported.result()
            pause_for_tests("swap")
            kept_builds.point_to(db_path, builder.target)
        except (BuildFailed, OSError) as exc:
            kept_builds.clean_leftovers(db_path)
            message = str(exc) if isinstance(exc, BuildFailed) else f"保存数据版本失败：{exc}"
            raise failed(message, result, report) from exc
        record["rows_loaded"] = sum(rows_loaded.values())
        _finish(db_path, record, "succeeded", "")
        audit.record(
            "load",
            user,
            db_path,
            run_id=run_id,
            rows_loaded=record["rows_loaded"],
            rows_rejected=result.rows_rejected,
            message=f"数据截止 {result.as_of.isoformat()}",
        )
        kept_builds.prune(db_path, config.keep_builds)
        return LoadResult(run_id, db_path, result, rows_loaded, report)

    finally:
        builder.abort()  # a no-op after a finished build; removes a failed one
        background.shutdown()
        if not builder.target.exists():
            kept_builds.clean_leftovers(db_path)  # the sources copied for a build that failed


def _archive(db_path: Path, run_id: str, directory: Path) -> None:
    from etl import kept_builds

    try:
        paths, _ = find_sources(directory)
    except FileProblem:
        return  # the check fails the load on this too; nothing to keep
    kept_builds.archive_sources(db_path, run_id, directory, [p.name for p in paths.values()])


def _finish(db_path: Path, record: dict, status: str, message: str) -> None:
    record["status"] = status
    record["message"] = message
    record["finished_at"] = dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
    append_run(db_path, record)
