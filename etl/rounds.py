"""Township submission rounds: the county opens a round, each township uploads its own rows, the
county loads the latest accepted submission of every township on top of the live data.

Layout beside the warehouse (rounds/ beside warehouse.duckdb, <stem>.rounds/ beside another name):

    rounds/<round_id>/round.toml                        id, title, due, as_of, opened/closed/loads
    rounds/<round_id>/submissions/<township>/<seq>/     one folder per submission (001, 002, ...)
        files/                 the files as uploaded
        rows/<source>.csv      this township's rows of every source it has submitted in the round
                               (uploaded now, or carried from its previous accepted submission):
                               canonical Chinese headers plus 原行号, the row in the file it came from
        report/拒收报告.xlsx    the rows not accepted, as a load reports them (and .csv)
        summary.json           who, when, files, rows per source, accepted or not

A submission is checked exactly as the county load will see it: the live build's archived sources
with this township's rows of each submitted source replaced by the upload (other townships keep
their live rows), through the normal rules (etl.pipeline.check_dir). Only rows of the submitter's
own township are taken; a row of another township is rejected naming both. Merging reads every
file with etl.read (any encoding, title rows, Chinese or English headers) and writes CSV with the
canonical Chinese headers, so the rules see the same cells the clerk typed.

How a row's township is found (TOWNSHIP_RULES): organisations by 所属社区代码, platforms by
所在区划代码, grants by the organisation (by 区划代码 when there is none), disbursements by the
grant, annual reports, evaluations, credit ratings and listings and inspections by the
organisation. Divisions, boundaries and budgets are the county's and are not submitted.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from etl import kept_builds
from etl import normalize as nz
from etl.config import load_config
from etl.pipeline import (
    FileFailure,
    LoadBusy,
    LoadResult,
    Progress,
    check_dir,
    load_lock,
    load_locked,
    write_reject_report,
)
from etl.read import (
    ROW,
    SHEET_STRIDE,
    FileProblem,
    IgnoredSheet,
    RawTable,
    find_sources,
    read,
    row_label,
)
from etl.sources import SOURCES, SOURCES_BY_NAME, Source
from etl.staging import (
    KINDS,
    REPORT_DIR,
    REPORT_STEM,
    UploadError,
    clean_old,
    identify_upload,
    refuse_kind,
    safe_name,
    staged_name,
    staging_root,
)
from etl.validate import REJECT_SCHEMA

ROUNDS = "rounds"
ROUND_FILE = "round.toml"
SUBMISSIONS = "submissions"
SUMMARY = "summary.json"
FILES = "files"
ROWS = "rows"
ORIGIN_ROW = "原行号"
COUNTY = "county"  # the township of a county-level row (the county platform, county-wide grants)
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
ROUND_ID = re.compile(r"^[A-Za-z0-9_-]{2,32}$")

# Per source a township submits: the column that decides the township and how (for the docs,
# the pages and the messages). Sources not named here are the county's.
TOWNSHIP_RULES: dict[str, tuple[str, str]] = {
    "platforms": ("division_code", "按所在区划代码（县级平台由县里报送）"),
    "organizations": ("community_code", "按所属社区代码"),
    "grants": ("org_id", "按组织编号所属的乡镇；没有组织编号的按区划代码（县级项目由县里报送）"),
    "disbursements": ("grant_id", "按项目编号对应的资金安排"),
    "annual_reports": ("org_id", "按组织编号所属的乡镇"),
    "evaluations": ("org_id", "按组织编号所属的乡镇"),
    "credit_ratings": ("org_id", "按组织编号所属的乡镇"),
    "credit_listings": ("org_id", "按组织编号所属的乡镇"),
    "inspections": ("org_id", "按组织编号所属的乡镇"),
    "social_work_stations": ("township_code", "按所属乡镇代码"),
    "social_workers": ("station_id", "按社工站编号所属的乡镇；没有社工站编号的按社区代码"),
    "party_organizations": (
        "division_code",
        "按所属大党委区划代码（本乡镇或本乡镇的社区）",
    ),
    "party_org_coverage": ("party_org_id", "按党组织编号对应的党组织"),
    "federations": ("division_code", "按所在区划代码（县级联合会、行业协会由县里报送）"),
    "federation_members": ("org_id", "按组织编号所属的乡镇"),
    "major_matter_reports": ("org_id", "按组织编号所属的乡镇"),
    "info_disclosures": ("org_id", "按组织编号所属的乡镇"),
}
# Sources whose township is the division code in their own column (TOWNSHIP_RULES names it).
_BY_CODE = (
    "organizations",
    "platforms",
    "social_work_stations",
    "party_organizations",
    "federations",
)
SUBMITTABLE: tuple[str, ...] = tuple(s.name for s in SOURCES if s.name in TOWNSHIP_RULES)
# Sources keyed by one id: an id the live data gives to another township cannot be taken over.
_SINGLE_KEYS = {s.name: s.key[0] for s in SOURCES if s.name in TOWNSHIP_RULES and len(s.key) == 1}


class RoundError(Exception):
    """A round that cannot be opened, submitted to, closed or loaded; the message is Chinese."""


# ---------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    run_id: str
    at: dt.datetime
    by: str
    submissions: tuple[str, ...]  # "<township>/<seq>" of each submission used


@dataclass(frozen=True)
class Round:
    id: str
    title: str
    due: dt.date
    as_of: dt.date  # the data's as-of date: submissions are checked and loaded with it
    opened_at: dt.datetime
    opened_by: str
    dir: Path
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    loads: tuple[Load, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def rounds_dir(db_path: Path) -> Path:
    """rounds/ beside warehouse.duckdb, <stem>.rounds/ beside any other name (as builds/ is)."""
    p = kept_builds.pointer(db_path)
    return p.parent / (ROUNDS if p.name == kept_builds.DEFAULT_NAME else f"{p.stem}.{ROUNDS}")


def quarter_title(round_id: str) -> str | None:
    m = QUARTER.match(round_id)
    return f"{m.group(1)}年第{m.group(2)}季度" if m else None


def quarter_end(round_id: str) -> dt.date | None:
    m = QUARTER.match(round_id)
    if not m:
        return None
    year, q = int(m.group(1)), int(m.group(2))
    return dt.date(year, 3 * q, 31 if q in (1, 4) else 30)


def _now(at: dt.datetime | None = None) -> dt.datetime:
    return (at or dt.datetime.now()).astimezone()


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _save_round(r: Round) -> None:
    lines = [
        "# A township submission round (etl/rounds.py); written by orgdash, not by hand.",
        f"id = {_toml_str(r.id)}",
        f"title = {_toml_str(r.title)}",
        f"due = {r.due.isoformat()}",
        f"as_of = {r.as_of.isoformat()}",
        f"opened_at = {_toml_str(r.opened_at.isoformat(timespec='seconds'))}",
        f"opened_by = {_toml_str(r.opened_by)}",
    ]
    if r.closed_at is not None:
        lines.append(f"closed_at = {_toml_str(r.closed_at.isoformat(timespec='seconds'))}")
        lines.append(f"closed_by = {_toml_str(r.closed_by or '')}")
    for load in r.loads:
        used = ", ".join(_toml_str(s) for s in load.submissions)
        lines += [
            "",
            "[[loads]]",
            f"run_id = {_toml_str(load.run_id)}",
            f"at = {_toml_str(load.at.isoformat(timespec='seconds'))}",
            f"by = {_toml_str(load.by)}",
            f"submissions = [{used}]",
        ]
    _write_atomic(r.dir / ROUND_FILE, "\n".join(lines) + "\n")


def _read_round(folder: Path) -> Round:
    data = tomllib.loads((folder / ROUND_FILE).read_text(encoding="utf-8"))
    closed = data.get("closed_at")
    return Round(
        id=str(data["id"]),
        title=str(data["title"]),
        due=data["due"],
        as_of=data["as_of"],
        opened_at=dt.datetime.fromisoformat(data["opened_at"]),
        opened_by=str(data.get("opened_by", "")),
        dir=folder,
        closed_at=dt.datetime.fromisoformat(closed) if closed else None,
        closed_by=data.get("closed_by") or None,
        loads=tuple(
            Load(
                run_id=str(x["run_id"]),
                at=dt.datetime.fromisoformat(x["at"]),
                by=str(x.get("by", "")),
                submissions=tuple(x.get("submissions", [])),
            )
            for x in data.get("loads", [])
        ),
    )


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One writer of a round at a time (open, close, a submission's commit, a load's record)."""
    kept_builds.private_dir(folder)  # rounds/ and each round: submissions hold personal data
    with (folder / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def list_rounds(db_path: Path) -> list[Round]:
    """Every round, newest first (by when it was opened)."""
    root = rounds_dir(db_path)
    if not root.is_dir():
        return []
    found = [_read_round(f) for f in root.iterdir() if (f / ROUND_FILE).is_file()]
    return sorted(found, key=lambda r: (r.opened_at, r.id), reverse=True)


def current_round(db_path: Path) -> Round | None:
    """The open round (at most one is open at a time), or None."""
    return next((r for r in list_rounds(db_path) if r.is_open), None)


def get_round(db_path: Path, round_id: str) -> Round:
    folder = rounds_dir(db_path) / round_id
    if not ROUND_ID.match(round_id) or not (folder / ROUND_FILE).is_file():
        known = "、".join(r.id for r in list_rounds(db_path)) or "无"
        raise RoundError(f"没有上报轮次「{round_id}」。现有轮次：{known}。")
    return _read_round(folder)


def open_round(
    db_path: Path,
    round_id: str,
    due: dt.date,
    user: str | None,
    *,
    title: str | None = None,
    as_of: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Round:
    """Open a round: townships may submit until it is closed. Ids like 2026Q1 get their title
    (2026年第1季度) and as-of date (the quarter's last day) by themselves."""
    from access import audit

    round_id = round_id.strip()
    if not ROUND_ID.match(round_id):
        raise RoundError(
            f"轮次编号「{round_id}」不可用：请用 2–32 个英文字母、数字、- 或 _，"
            "季度轮次写成 2026Q1 这样。"
        )
    title = (title or "").strip() or quarter_title(round_id)
    if not title:
        raise RoundError(f"「{round_id}」不是季度编号（如 2026Q1），请给出轮次名称（--title）。")
    as_of = as_of or quarter_end(round_id)
    if as_of is None:
        raise RoundError(
            f"「{round_id}」不是季度编号（如 2026Q1），请给出数据截止日期（--as-of）。"
        )
    root = rounds_dir(db_path)
    with _locked(root):
        open_now = current_round(db_path)
        if open_now is not None:
            raise RoundError(
                f"「{open_now.title}」（{open_now.id}）还没有关闭。同一时间只开放一个上报轮次，"
                "请先关闭它再开启新的轮次。"
            )
        folder = root / round_id
        if (folder / ROUND_FILE).exists():
            raise RoundError(f"上报轮次「{round_id}」已经存在（已关闭）。请换一个编号。")
        folder.mkdir(parents=True, exist_ok=True)
        r = Round(round_id, title, due, as_of, _now(now), user or "", folder)
        _save_round(r)
    audit.record(
        "round_open",
        user,
        db_path,
        round=round_id,
        title=title,
        due=due.isoformat(),
        as_of=as_of.isoformat(),
    )
    return r


def close_round(
    db_path: Path, round_id: str, user: str | None, now: dt.datetime | None = None
) -> Round:
    """Close a round: no more submissions. What was submitted stays and can still be loaded."""
    from access import audit

    r = get_round(db_path, round_id)
    with _locked(r.dir):
        r = _read_round(r.dir)
        if not r.is_open:
            when = f"{r.closed_at:%Y-%m-%d %H:%M}" if r.closed_at else ""
            raise RoundError(f"「{r.title}」已于 {when} 关闭。")
        r = replace(r, closed_at=_now(now), closed_by=user or "")
        _save_round(r)
    audit.record("round_close", user, db_path, round=round_id)
    return r


# ---------------------------------------------------------------------------
# Townships and the township of a row
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class County:
    """The townships of the live build (code -> name) and the county's own codes."""

    townships: dict[str, str]
    codes: frozenset[str]

    def name(self, town: str | None) -> str:
        if town == COUNTY:
            return "县级"
        return self.townships.get(town or "", town or "（不明）")


def county(db_path: Path) -> County:
    import queries

    live = kept_builds.live_build(db_path)
    if live is None:
        raise RoundError("还没有在用的数据版本，无法开展乡镇上报。请先导入全县数据。")
    frame = queries.run("rounds/townships", db=live.path)
    return County(
        dict(zip(frame["township_code"], frame["name"], strict=True)),
        frozenset(c for c in frame["county_code"] if c),
    )


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.String)


def _town_of_code(code: pl.Expr, c: County) -> pl.Expr:
    """The township a division code lies in, COUNTY for the county itself, else null."""
    norm = nz.division_code(code)
    town = norm.str.slice(0, 9) + "000"
    return (
        pl.when(norm.is_in(pl.Series(sorted(c.codes), dtype=pl.String).implode()))
        .then(pl.lit(COUNTY))
        .when(town.is_in(pl.Series(sorted(c.townships), dtype=pl.String).implode()))
        .then(town)
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _lookup(key: pl.Expr, refs: dict[str, str]) -> pl.Expr:
    if not refs:
        return pl.lit(None, dtype=pl.String)
    return nz.identifier(key).replace_strict(refs, default=None, return_dtype=pl.String)


# Sources other rows refer to by id, and that id's column: their rows' townships are learned.
_REFERRED = {
    "organizations": "org_id",
    "grants": "grant_id",
    "social_work_stations": "station_id",
    "party_organizations": "party_org_id",
}


@dataclass
class _Refs:
    """Which township each organisation, grant, 社工站 and party organisation belongs to (first
    seen wins: live data first)."""

    orgs: dict[str, str] = field(default_factory=dict)
    grants: dict[str, str] = field(default_factory=dict)
    stations: dict[str, str] = field(default_factory=dict)
    party_orgs: dict[str, str] = field(default_factory=dict)

    def learn(self, source: str, assigned: pl.DataFrame) -> None:
        target = {
            "organizations": self.orgs,
            "grants": self.grants,
            "social_work_stations": self.stations,
            "party_organizations": self.party_orgs,
        }.get(source)
        if target is None:
            return
        key = _REFERRED[source]
        pairs = assigned.select(nz.identifier(_col(assigned, key)).alias("k"), "_town")
        for k, town in pairs.iter_rows():
            if k is not None and town is not None and k not in target:
                target[k] = town


def _assign(source: str, frame: pl.DataFrame, refs: _Refs, c: County) -> pl.DataFrame:
    """frame with _town (township code, COUNTY or null when unknown) and _by (deciding column)."""
    if source in _BY_CODE:
        by = TOWNSHIP_RULES[source][0]
        return frame.with_columns(
            _town_of_code(_col(frame, by), c).alias("_town"), pl.lit(by).alias("_by")
        )
    if source == "grants":
        org_town = _lookup(_col(frame, "org_id"), refs.orgs)
        return frame.with_columns(
            pl.coalesce(org_town, _town_of_code(_col(frame, "division_code"), c)).alias("_town"),
            pl.when(org_town.is_not_null())
            .then(pl.lit("org_id"))
            .otherwise(pl.lit("division_code"))
            .alias("_by"),
        )
    if source == "disbursements":
        return frame.with_columns(
            _lookup(_col(frame, "grant_id"), refs.grants).alias("_town"),
            pl.lit("grant_id").alias("_by"),
        )
    if source == "social_workers":
        station_town = _lookup(_col(frame, "station_id"), refs.stations)
        return frame.with_columns(
            pl.coalesce(station_town, _town_of_code(_col(frame, "community_code"), c)).alias(
                "_town"
            ),
            pl.when(station_town.is_not_null())
            .then(pl.lit("station_id"))
            .otherwise(pl.lit("community_code"))
            .alias("_by"),
        )
    if source == "party_org_coverage":
        return frame.with_columns(
            _lookup(_col(frame, "party_org_id"), refs.party_orgs).alias("_town"),
            pl.lit("party_org_id").alias("_by"),
        )
    return frame.with_columns(
        _lookup(_col(frame, "org_id"), refs.orgs).alias("_town"), pl.lit("org_id").alias("_by")
    )


# ---------------------------------------------------------------------------
# Reading and writing source rows
# ---------------------------------------------------------------------------


def _assign_live(tables: dict[str, RawTable], c: County) -> tuple[dict[str, pl.DataFrame], _Refs]:
    """Every live row with its township, in dependency order: an annual report's township is its
    organisation's, so the register must be read first (files come in name order)."""
    refs = _Refs()
    assigned: dict[str, pl.DataFrame] = {}
    for source in SUBMITTABLE:
        if source in tables:
            assigned[source] = _assign(source, tables[source].frame, refs, c)
            refs.learn(source, assigned[source])
    return assigned, refs


def _file_columns(source: Source) -> list[str]:
    return [c.name for c in source.file_columns()]


def _read_live(sources: Path) -> tuple[dict[str, Path], dict[str, RawTable]]:
    """The live build's archived files, and the raw rows of each source townships submit."""
    try:
        paths, _ = find_sources(sources)
        tables = {s: read(paths[s], SOURCES_BY_NAME[s]) for s in SUBMITTABLE if s in paths}
    except FileProblem as p:  # the archive is a folder one load accepted: not expected
        raise RoundError(f"在用版本的源文件有问题：{p.file}：{p.message}") from None
    return paths, tables


def _write_rows(path: Path, source: Source, frame: pl.DataFrame) -> None:
    """A township's rows with the canonical headers and the row each came from (原行号)."""
    cols = _file_columns(source)
    out = frame.select(
        *[_col(frame, n).cast(pl.String).alias(source.column(n).label) for n in cols],
        pl.col(ROW).alias(ORIGIN_ROW),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    out.write_csv(path, include_bom=True)


def _read_rows(path: Path, source: Source) -> pl.DataFrame:
    """What _write_rows wrote, back as raw strings under the warehouse column names and ROW."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    frame = frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})
    return frame.select(
        pl.col(ORIGIN_ROW).cast(pl.Int64).alias(ROW),
        *[pl.col(source.column(n).label).alias(n) for n in _file_columns(source)],
    )


def _write_merged(
    path: Path, source: Source, placed: pl.DataFrame | None, rest: list[pl.DataFrame]
) -> dict[int, int]:
    """A CSV the folder reader reads like any other: canonical headers on row 1, the rows of
    `placed` on the very rows they had in their own file (blank rows between, which the reader
    skips but counts), then every frame of `rest` in order. Reject row numbers of the placed rows
    are then the clerk's own.

    Rows of a workbook's second, third, ... sheet (ROW past SHEET_STRIDE) cannot sit on their own
    row: they follow the first sheet's, and the returned {line: ROW} says where each went."""
    cols = _file_columns(source)
    blank = [""] * len(cols)
    moved: dict[int, int] = {}
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([source.column(n).label for n in cols])
        line = 1
        if placed is not None:
            for row in placed.sort(ROW).iter_rows(named=True):
                if row[ROW] >= SHEET_STRIDE:
                    moved[line + 1] = row[ROW]
                while line + 1 < row[ROW] and row[ROW] < SHEET_STRIDE:
                    w.writerow(blank)
                    line += 1
                w.writerow(["" if row.get(n) is None else row[n] for n in cols])
                line += 1
        for frame in rest:
            for row in frame.iter_rows(named=True):
                w.writerow(["" if row.get(n) is None else row[n] for n in cols])
                line += 1
    return moved


# ---------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceResult:
    source: str
    origin: str  # "upload": in this submission's files; "earlier": carried from submission from_seq
    file: str  # the file the rows came from, as the clerk named it
    rows: int  # rows of this township (other townships' rows are not counted here)
    rejected: int  # of those, rows the rules reject
    foreign: int = 0  # rows of other townships or the county in the uploaded file, not accepted
    from_seq: int | None = None
    sheets: tuple[str, ...] = ()  # the workbook's sheets read, by ROW // SHEET_STRIDE (carried on)

    @property
    def label(self) -> str:
        return SOURCES_BY_NAME[self.source].label

    @property
    def accepted(self) -> int:
        return self.rows - self.rejected


@dataclass(frozen=True)
class Submission:
    round_id: str
    township: str
    township_name: str
    seq: int
    dir: Path
    user: str
    at: dt.datetime
    files: tuple[str, ...]  # as uploaded
    sources: dict[str, SourceResult]  # every source this submission carries, upload order first
    accepted: bool  # passes the load's file-level checks: the county load may use it
    failures: tuple[str, ...]  # why not, when not accepted
    knock_on: int  # rows of this township in files it did not submit that this one gets rejected
    # Non-empty sheets of the uploaded workbooks that were not read, and why (never skipped silently).
    ignored_sheets: tuple[IgnoredSheet, ...] = ()

    @property
    def rows_accepted(self) -> int:
        return sum(s.accepted for s in self.sources.values())

    @property
    def rows_rejected(self) -> int:
        """Rows not accepted: the rules' rejects plus rows of other townships."""
        return sum(s.rejected + s.foreign for s in self.sources.values())

    @property
    def report(self) -> Path | None:
        p = self.dir / REPORT_DIR / f"{REPORT_STEM}.xlsx"
        return p if p.exists() else None

    def rejects(self) -> pl.DataFrame:
        """The rejected rows as the report lists them (Chinese headers), empty when none."""
        p = self.dir / REPORT_DIR / f"{REPORT_STEM}.csv"
        if not p.exists():
            return pl.DataFrame(
                schema={
                    "文件": pl.String,
                    "工作表": pl.String,
                    "数据": pl.String,
                    "行号": pl.Int64,
                    "列": pl.String,
                    "原值": pl.String,
                    "规则": pl.String,
                    "问题及处理办法": pl.String,
                }
            )
        return pl.read_csv(p, infer_schema=False).with_columns(pl.col("行号").cast(pl.Int64))

    def rows_file(self, source: str) -> Path:
        return self.dir / ROWS / f"{source}.csv"


def _submission_dir(r: Round, township: str) -> Path:
    return r.dir / SUBMISSIONS / township


def _read_submission(folder: Path) -> Submission:
    data = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    return Submission(
        round_id=data["round"],
        township=data["township"],
        township_name=data["township_name"],
        seq=int(data["seq"]),
        dir=folder,
        user=data["user"],
        at=dt.datetime.fromisoformat(data["at"]),
        files=tuple(data["files"]),
        sources={
            s["source"]: SourceResult(
                s["source"],
                s["origin"],
                s["file"],
                s["rows"],
                s["rejected"],
                s.get("foreign", 0),
                s.get("from_seq"),
                tuple(s.get("sheets", [])),
            )
            for s in data["sources"]
        },
        accepted=bool(data["accepted"]),
        failures=tuple(data.get("failures", [])),
        knock_on=int(data.get("knock_on", 0)),
        ignored_sheets=tuple(
            IgnoredSheet(s["file"], s["sheet"], s["reason"]) for s in data.get("ignored_sheets", [])
        ),
    )


def submissions(db_path: Path, round_id: str, township: str | None = None) -> list[Submission]:
    """Every submission of a round (or of one township), oldest first."""
    r = get_round(db_path, round_id)
    base = r.dir / SUBMISSIONS
    towns = [base / township] if township else sorted(base.glob("*")) if base.is_dir() else []
    found = []
    for town in towns:
        if not town.is_dir():
            continue
        for folder in town.iterdir():
            if folder.name.isdigit() and (folder / SUMMARY).is_file():
                found.append(_read_submission(folder))
    return sorted(found, key=lambda s: (s.at, s.township, s.seq))


def latest_accepted(db_path: Path, round_id: str, township: str) -> Submission | None:
    accepted = [s for s in submissions(db_path, round_id, township) if s.accepted]
    return max(accepted, key=lambda s: s.seq) if accepted else None


def _foreign_message(
    source: str, by: str, written: str, value: str, row: str, town: str, mine: str, c: County
) -> tuple[str, str]:
    """(rule, message) for a row of another township or of the county."""
    what = {
        "org_id": "组织",
        "grant_id": "项目",
        "station_id": "社工站",
        "party_org_id": "党组织",
    }.get(by)
    label = SOURCES_BY_NAME[source].label
    if town == COUNTY:
        return (
            "county_level",
            f"{row}「{written}」{value} 是县级的{label}，由县民政局维护，"
            f"乡镇（街道）不报送，这一行未接收。",
        )
    other = c.name(town)
    belongs = f"是{other}的{what}" if what else f"属于{other}"
    return (
        "other_township",
        f"{row}「{written}」{value} {belongs}，不是本乡镇（{c.name(mine)}）的数据，"
        f"这一行未接收。乡镇（街道）只能报送本辖区的数据，这一行应由{other}报送；"
        "如填错了，请更正后重新报送。",
    )


def _taken_message(
    written: str, value: str, row: str, town: str, mine: str, c: County
) -> tuple[str, str]:
    return (
        "taken_by_other",
        f"{row}「{written}」{value} 在县里现有数据中属于{c.name(town)}，"
        f"不能由本乡镇（{c.name(mine)}）报送，这一行未接收。编号填错的请更正；"
        "确需划转的，请联系县民政局。",
    )


@dataclass
class _Upload:
    name: str  # as the clerk named it
    source: str
    table: RawTable
    own: pl.DataFrame  # rows kept (this township's, or not yet known: the rules judge them)
    foreign: pl.DataFrame  # REJECT_SCHEMA rows for the rows of other townships
    own_known: int  # rows certainly of this township


def _split_upload(
    up_name: str,
    source: str,
    table: RawTable,
    township: str,
    refs: _Refs,
    taken: dict[str, dict[str, str]],
    c: County,
) -> _Upload:
    """Keep this township's rows (and those whose township is unknown: the rules judge them);
    reject the rows of other townships, of the county, and ids the live data gives to another."""
    src = SOURCES_BY_NAME[source]
    key = _SINGLE_KEYS.get(source)
    owners = taken.get(source, {})
    assigned = _assign(source, table.frame, refs, c).with_columns(
        (_lookup(_col(table.frame, key), owners) if key else pl.lit(None, dtype=pl.String)).alias(
            "_owner"
        )
    )
    foreign_mask = pl.col("_town").is_not_null() & (pl.col("_town") != township)
    taken_mask = (
        ~foreign_mask & pl.col("_owner").is_not_null() & (pl.col("_owner") != township)
    ).fill_null(False)
    rejects = []
    for row in assigned.filter(foreign_mask | taken_mask).iter_rows(named=True):
        by = row["_by"] if row["_town"] not in (None, township) else key
        assert by is not None
        written = table.headers.get(by, src.column(by).label)
        value = "" if row.get(by) is None else str(row[by]).strip()
        if row["_town"] not in (None, township):
            rule, msg = _foreign_message(
                source,
                by,
                written,
                value,
                row_label(row[ROW], table.sheets),
                row["_town"],
                township,
                c,
            )
        else:
            rule, msg = _taken_message(
                written, value, row_label(row[ROW], table.sheets), row["_owner"], township, c
            )
        rejects.append(_reject(up_name, source, row[ROW], written, value, rule, msg, table.sheets))
    own = assigned.filter(~(foreign_mask.fill_null(False) | taken_mask)).drop("_owner")
    return _Upload(
        up_name,
        source,
        table,
        own,
        pl.DataFrame(rejects, schema=REJECT_SCHEMA),
        own.filter(pl.col("_town") == township).height,
    )


def _reject(
    file: str,
    source: str,
    row: int,
    column: str,
    value: str,
    rule: str,
    msg: str,
    sheets: list[str] | None = None,
) -> dict:
    sheets = sheets or []
    return {
        "file": file,
        "sheet": sheets[row // SHEET_STRIDE] if sheets else None,
        "source": source,
        "row": row % SHEET_STRIDE,
        "column": column,
        "value": value,
        "rule": rule,
        "message": msg,
    }


def _no_own_rows(up: _Upload, township: str, c: County) -> UploadError:
    rules = up.foreign["rule"].value_counts()
    count = dict(zip(rules["rule"], rules["count"], strict=True))
    others = count.get("other_township", 0) + count.get("taken_by_other", 0)
    unknown = up.own.height - up.own_known
    parts = []
    if others:
        parts.append(f"{others}行属于其他乡镇（街道）")
    if count.get("county_level"):
        parts.append(f"{count['county_level']}行是县级数据")
    if unknown:
        parts.append(f"{unknown}行无法确定属于哪个乡镇（如组织编号在名录中找不到）")
    detail = "，".join(parts) or "文件中没有数据行"
    return UploadError(
        up.name,
        f"文件中没有本乡镇（{c.name(township)}）的任何一行：{detail}。"
        "请确认选对了文件，只报送本乡镇（街道）的数据。",
    )


def _live_keys(
    live: dict[str, pl.DataFrame],
) -> dict[str, dict[str, str]]:
    """Per single-id source, which township each id of the live data belongs to."""
    out: dict[str, dict[str, str]] = {}
    for source, key in _SINGLE_KEYS.items():
        frame = live.get(source)
        if frame is None:
            continue
        ids: dict[str, str] = {}
        for k, town in frame.select(nz.identifier(_col(frame, key)), "_town").iter_rows():
            if k is not None and town is not None:
                ids.setdefault(k, town)
        out[source] = ids
    return out


def _next_seq(folder: Path) -> int:
    seqs = [int(p.name) for p in folder.glob("*") if p.name.isdigit()] if folder.is_dir() else []
    return max(seqs, default=0) + 1


def submit(
    db_path: Path,
    round_id: str,
    township: str,
    files: list[tuple[str, bytes]],
    user: str | None,
    *,
    at: dt.datetime | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> Submission:
    """Check a township's files for a round and record them as its latest submission.

    Raises RoundError (no such round, closed, unknown township) or UploadError (a file that cannot
    be used: wrong kind, too big, unrecognised, a county source, no row of this township). Rows
    that break a rule or belong to another township are not an error: they are in the report, and
    `accepted` says whether the county load may use the submission (rejects within the share a
    load allows). `at` is when it counts as submitted (default now; tests pass a day).
    """
    from access import audit

    db_path = kept_builds.pointer(db_path)
    r = get_round(db_path, round_id)
    if not r.is_open:
        raise RoundError(_closed_message(r))
    c = county(db_path)
    if township not in c.townships:
        raise RoundError(
            f"乡镇（街道）代码「{township}」不是本县的乡镇（街道）。请管理员核对账户的乡镇设置。"
        )
    live = kept_builds.live_build(db_path)
    if live is None or live.sources is None:
        raise RoundError(
            "在用的数据版本没有保存源文件，无法把乡镇的数据并入全县数据。"
            "请管理员先在「导入」页或用 orgdash load 导入一次全县数据。"
        )
    config = load_config()
    limit = max_bytes if max_bytes is not None else int(config.max_upload_mb * 1024 * 1024)
    if not files:
        raise UploadError("", f"没有选择任何文件。请选择要报送的 {KINDS} 文件。")
    uploads = [(safe_name(name), data) for name, data in files]
    for name, data in uploads:
        refuse_kind(name, data, limit)
    names = [n for n, _ in uploads]
    for n in names:
        if names.count(n) > 1:
            raise UploadError(n, "同一个文件选择了两次。请只保留一个后重新报送。")

    clean_old(db_path)
    root = staging_root(db_path)
    kept_builds.private_dir(root)  # uploads hold personal data: the server's account only
    stamp = _now(at)
    work = (
        root
        / f"round-{round_id}-{township}-{dt.datetime.now():%Y%m%dT%H%M%S}-{os.urandom(3).hex()}"
    )
    try:
        (work / FILES).mkdir(parents=True)
        claimed: dict[str, tuple[str, Path]] = {}
        for name, data in uploads:
            path = work / FILES / name
            path.write_bytes(data)
            source = identify_upload(path, name)
            if source not in TOWNSHIP_RULES:
                can = "、".join(SOURCES_BY_NAME[s].label for s in SUBMITTABLE)
                raise UploadError(
                    name,
                    f"{SOURCES_BY_NAME[source].label}由县民政局统一维护，乡镇（街道）不报送。"
                    f"乡镇（街道）报送的数据有：{can}。",
                )
            if source in claimed:
                first = claimed[source][0]
                raise UploadError(
                    name,
                    f"「{first}」和「{name}」都是{SOURCES_BY_NAME[source].label}，"
                    "同一种数据一次只能报送一个文件。请只保留正确的一个后重新报送。",
                )
            claimed[source] = (name, path)

        live_paths, live_tables = _read_live(live.sources)
        live_assigned, refs = _assign_live(live_tables, c)
        taken = _live_keys(live_assigned)

        earlier = latest_accepted(db_path, round_id, township)
        carried: dict[str, tuple[SourceResult, pl.DataFrame]] = {}
        if earlier is not None:
            for source, res in earlier.sources.items():
                if source not in claimed and earlier.rows_file(source).is_file():
                    rows = _read_rows(earlier.rows_file(source), SOURCES_BY_NAME[source])
                    carried[source] = (res, rows)

        ups: dict[str, _Upload] = {}
        for source in SUBMITTABLE:  # dependency order: organisations before their reports
            if source in carried:
                refs.learn(source, _assign(source, carried[source][1], refs, c))
            if source not in claimed:
                continue
            name, path = claimed[source]
            try:
                table = read(path, SOURCES_BY_NAME[source])
            except FileProblem as p:
                raise UploadError(name, p.message) from None
            up = _split_upload(name, source, table, township, refs, taken, c)
            if up.own_known == 0:
                raise _no_own_rows(up, township, c)
            refs.learn(source, up.own)
            ups[source] = up

        # The check folder: the live files, each submitted source merged.
        check = work / ".check"
        check.mkdir()
        placed: dict[str, pl.DataFrame] = {}
        moved: dict[str, dict[int, int]] = {}  # source -> {line of the merged CSV: ROW}
        for source, path in live_paths.items():
            own: pl.DataFrame | None = None
            if source in ups:
                own = ups[source].own
            elif source in carried:
                own = carried[source][1]
            if own is None:
                shutil.copy2(path, check / path.name)
                continue
            placed[source] = own
            others = live_assigned[source].filter(
                pl.col("_town").is_null() | (pl.col("_town") != township)
            )
            moved[source] = _write_merged(
                check / staged_name(source, f"{SOURCES_BY_NAME[source].label}.csv"),
                SOURCES_BY_NAME[source],
                own,
                [others],
            )
        # An optional source the live build has no file of (a first 社工站 ledger): the
        # township's rows alone.
        for source in [*ups, *carried]:
            if source in live_paths or source in placed:
                continue
            own = ups[source].own if source in ups else carried[source][1]
            placed[source] = own
            src = SOURCES_BY_NAME[source]
            moved[source] = _write_merged(
                check / staged_name(source, f"{src.label}.csv"), src, own, []
            )
        if (live.sources / "manifest.toml").is_file():
            shutil.copy2(live.sources / "manifest.toml", check / "manifest.toml")
        result = check_dir(check, r.as_of, config, progress)

        # This township's part of the check.
        rejects = result.rejects
        mine_rejects: list[pl.DataFrame] = []
        sources: dict[str, SourceResult] = {}
        failures: list[FileFailure] = []
        for source, own in placed.items():
            src = SOURCES_BY_NAME[source]
            if source in ups:
                up = ups[source]
                origin_file, headers, origin, seq = up.name, up.table.headers, "upload", None
                foreign = up.foreign.height
            else:
                res = carried[source][0]
                origin_file, headers, origin = res.file, {}, "earlier"
                seq = res.from_seq if res.origin == "earlier" else earlier.seq if earlier else None
                foreign = 0
            as_written = {src.column(n).label: h for n, h in headers.items()}
            # Rows of later sheets were checked on other lines of the merged CSV: back to their
            # own sheet and row.
            lines = moved.get(source, {})
            # A source carried from an earlier submission keeps that workbook's sheets.
            sheets = ups[source].table.sheets if source in ups else list(carried[source][0].sheets)
            mine = rejects.filter(pl.col("source") == source)
            if lines:
                mine = mine.with_columns(
                    pl.col("row").replace_strict(
                        list(lines), list(lines.values()), default=pl.col("row")
                    )
                )
            got = mine.filter(pl.col("row").is_in(own[ROW].implode())).with_columns(
                pl.lit(origin_file).alias("file"),
                (
                    pl.lit(sheets[0] if len(sheets) == 1 else None, dtype=pl.String)
                    if len(sheets) <= 1
                    else (pl.col("row") // SHEET_STRIDE).replace_strict(
                        list(range(len(sheets))), sheets, default=None, return_dtype=pl.String
                    )
                ).alias("sheet"),
                pl.col("row") % SHEET_STRIDE,
                pl.col("column").replace(as_written),
            )
            mine_rejects.append(got)
            n_rejected = got["row"].n_unique()
            sources[source] = SourceResult(
                source, origin, origin_file, own.height, n_rejected, foreign, seq, tuple(sheets)
            )
            share = n_rejected / own.height if own.height else 0.0
            if share > config.max_reject_share:
                failures.append(
                    FileFailure(
                        origin_file,
                        source,
                        "too_many_rejects",
                        f"{origin_file} 中本乡镇的 {own.height} 行有 {n_rejected} 行"
                        f"（{share:.1%}）不合格，超过允许的 {config.max_reject_share:.0%}，"
                        "这次报送不能采用。请按拒收报告修正后重新报送。",
                    )
                )
        failures += [f for f in result.failures if f.rule != "too_many_rejects"]
        # Rows of this township in files it did not submit, newly rejected because of it
        # (e.g. the annual reports of an organisation it left out of its register).
        knock = _knock_on(result.rejects, live_assigned, placed, township, live.path)
        foreign_all = [u.foreign for u in ups.values()]
        report_rows = pl.concat([*foreign_all, *mine_rejects, knock], how="vertical_relaxed")
        report_rows = report_rows.sort("file", "row", maintain_order=True)
        shutil.rmtree(check)
        write_reject_report(report_rows, failures, work / REPORT_DIR / REPORT_STEM)
        for source, own in placed.items():
            _write_rows(work / ROWS / f"{source}.csv", SOURCES_BY_NAME[source], own)

        ordered = {s: sources[s] for s in [*claimed, *(s for s in sources if s not in claimed)]}
        summary = {
            "round": round_id,
            "township": township,
            "township_name": c.name(township),
            "user": user or "",
            "at": stamp.isoformat(timespec="seconds"),
            "files": [name for name, _ in uploads],
            "sources": [
                {
                    "source": s.source,
                    "label": s.label,
                    "origin": s.origin,
                    "file": s.file,
                    "rows": s.rows,
                    "rejected": s.rejected,
                    "foreign": s.foreign,
                    "from_seq": s.from_seq,
                    "sheets": list(s.sheets),
                }
                for s in ordered.values()
            ],
            "accepted": not failures,
            "failures": [f"{f.file}：{f.message}" for f in failures],
            "knock_on": knock.select("file", "row").unique().height,
            "ignored_sheets": [
                {"file": up.name, "sheet": s.sheet, "reason": s.reason}
                for up in ups.values()
                for s in up.table.ignored_sheets
            ],
            "as_of": r.as_of.isoformat(),
            "base_run": live.run_id,
            "report": f"{REPORT_DIR}/{REPORT_STEM}.xlsx"
            if report_rows.height or failures
            else None,
        }
        # Commit: a number, the folder in place. Under the round's lock, so a close that came
        # while this was being checked wins, and two clerks of one township get two numbers.
        with _locked(r.dir):
            if not _read_round(r.dir).is_open:
                raise RoundError(_closed_message(_read_round(r.dir)))
            town_dir = _submission_dir(r, township)
            town_dir.mkdir(parents=True, exist_ok=True)
            seq = _next_seq(town_dir)
            summary["seq"] = seq
            _write_atomic(work / SUMMARY, json.dumps(summary, ensure_ascii=False, indent=1))
            final = town_dir / f"{seq:03d}"
            os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    sub = _read_submission(final)
    audit.record(
        "submission",
        user,
        db_path,
        round=round_id,
        township=township,
        seq=seq,
        files=list(sub.files),
        rows_accepted=sub.rows_accepted,
        rows_rejected=sub.rows_rejected,
        accepted=sub.accepted,
    )
    return sub


def _knock_on(
    rejects: pl.DataFrame,
    live: dict[str, pl.DataFrame],
    placed: dict[str, pl.DataFrame],
    township: str,
    live_file: Path,
) -> pl.DataFrame:
    import queries

    before = queries.run("rounds/live_rejects", db=live_file).select("source", "row", "rule")
    out = []
    for source, frame in live.items():
        if source in placed:
            continue
        rows = frame.filter(pl.col("_town") == township)[ROW]
        new = rejects.filter(
            (pl.col("source") == source) & pl.col("row").is_in(rows.implode())
        ).join(before, on=["source", "row", "rule"], how="anti")
        out.append(
            new.with_columns(
                (
                    "县里现有的这一行（不在本次报送的文件中）将因本次报送被拒收："
                    + pl.col("message")
                ).alias("message")
            )
        )
    if not out:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    return pl.concat(out, how="vertical_relaxed")


def _closed_message(r: Round) -> str:
    when = f"{r.closed_at:%Y年%-m月%-d日 %H:%M}" if r.closed_at else ""
    return f"「{r.title}」上报已于{when}关闭，不能再报送或重新报送。如需更正数据，请联系县民政局。"


# ---------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TownshipStatus:
    township: str
    name: str
    state: str  # "on_time", "late" (submitted after the due date), "overdue", "pending"
    label: str  # 已报送 / 已报送（逾期N天） / 逾期N天 / 未报送, with （未通过） after failed tries
    days_late: int
    submissions: int  # every submission up to the day, accepted or not
    used: Submission | None  # the latest accepted: what the county load takes
    last: Submission | None  # the latest of all

    @property
    def resubmissions(self) -> int:
        return max(0, self.submissions - 1)

    @property
    def rows_accepted(self) -> int:
        shown = self.used or self.last
        return shown.rows_accepted if shown else 0

    @property
    def rows_rejected(self) -> int:
        shown = self.used or self.last
        return shown.rows_rejected if shown else 0


def status(db_path: Path, round_id: str, as_of_day: dt.date | None = None) -> list[TownshipStatus]:
    """One row per township as of a day (default today): submissions after it are not counted.

    On time or late is decided by the first accepted submission; a township with none is overdue
    by the days since the due date (counted up to the close, once the round is closed).
    """
    r = get_round(db_path, round_id)
    day = as_of_day or dt.date.today()
    c = county(db_path)
    subs = [s for s in submissions(db_path, round_id) if s.at.date() <= day]
    out = []
    for code, name in c.townships.items():
        mine = [s for s in subs if s.township == code]
        accepted = [s for s in mine if s.accepted]
        used = max(accepted, key=lambda s: s.seq) if accepted else None
        last = max(mine, key=lambda s: s.seq) if mine else None
        if accepted:
            first = min(accepted, key=lambda s: s.seq)
            late = (first.at.date() - r.due).days
            state = "late" if late > 0 else "on_time"
            label = f"已报送（逾期{late}天）" if late > 0 else "已报送"
        else:
            until = min(day, r.closed_at.date()) if r.closed_at else day
            late = (until - r.due).days
            state = "overdue" if late > 0 else "pending"
            label = f"逾期{late}天" if late > 0 else "未报送"
            if mine:
                label += "（报送未通过）"
        out.append(TownshipStatus(code, name, state, label, max(late, 0), len(mine), used, last))
    return out


# ---------------------------------------------------------------------------
# The county load
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundLoad:
    round: Round
    result: LoadResult
    used: dict[str, Submission]  # township -> the submission whose rows were loaded


def merge_round(db_path: Path, round_id: str, out: Path) -> dict[str, Submission]:
    """Write into `out` the live build's sources with, for every township with an accepted
    submission, its rows of each source it submitted replaced by that submission's rows (other
    townships keep their live rows). Returns the submissions used, by township."""
    r = get_round(db_path, round_id)
    live = kept_builds.live_build(db_path)
    if live is None or live.sources is None:
        raise RoundError("在用的数据版本没有保存源文件，无法合并乡镇报送的数据。")
    c = county(db_path)
    used = {t: s for t in c.townships if (s := latest_accepted(db_path, round_id, t)) is not None}
    if not used:
        raise RoundError(f"「{r.title}」还没有任何乡镇（街道）报送通过，没有可导入的数据。")
    live_paths, live_tables = _read_live(live.sources)
    live_assigned, _ = _assign_live(live_tables, c)
    out.mkdir(parents=True, exist_ok=True)
    for source, path in live_paths.items():
        by_town = {t: s for t, s in used.items() if source in s.sources}
        if source not in live_assigned or not by_town:
            shutil.copy2(path, out / path.name)
            continue
        kept = live_assigned[source].filter(
            pl.col("_town").is_null() | ~pl.col("_town").is_in(pl.Series(list(by_town)).implode())
        )
        src = SOURCES_BY_NAME[source]
        parts = [kept] + [_read_rows(s.rows_file(source), src) for _, s in sorted(by_town.items())]
        _write_merged(out / staged_name(source, f"{src.label}.csv"), src, None, parts)
    for source in SUBMITTABLE:  # submitted, though the live build has no file of it
        by_town = {t: s for t, s in used.items() if source in s.sources}
        if source in live_paths or not by_town:
            continue
        src = SOURCES_BY_NAME[source]
        parts = [_read_rows(s.rows_file(source), src) for _, s in sorted(by_town.items())]
        _write_merged(out / staged_name(source, f"{src.label}.csv"), src, None, parts)
    if (live.sources / "manifest.toml").is_file():
        shutil.copy2(live.sources / "manifest.toml", out / "manifest.toml")
    return used


def load_round(
    db_path: Path, round_id: str, user: str | None, progress: Progress | None = None
) -> RoundLoad:
    """Load the round into the county warehouse through the normal pipeline (a kept build, the
    audit's "load", rollback possible). Merged under the load lock, so no other load or rollback
    comes between the live sources read and the swap. Raises RoundError, LoadBusy, LoadFailed."""
    from access import audit

    db_path = kept_builds.pointer(db_path)
    r = get_round(db_path, round_id)
    root = staging_root(db_path)
    kept_builds.private_dir(root)  # uploads hold personal data: the server's account only
    folder = root / f"round-{round_id}-load-{dt.datetime.now():%Y%m%dT%H%M%S}-{os.urandom(3).hex()}"
    try:
        with load_lock(db_path):
            used = merge_round(db_path, round_id, folder)
            result = load_locked(folder, db_path, r.as_of, progress=progress, user=user)
    except LoadBusy as exc:
        audit.record("load_failed", user, db_path, message=str(exc))
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with _locked(r.dir):
        r = _read_round(r.dir)
        load = Load(
            result.run_id,
            _now(),
            user or "",
            tuple(f"{t}/{s.seq:03d}" for t, s in sorted(used.items())),
        )
        r = replace(r, loads=(*r.loads, load))
        _save_round(r)
    return RoundLoad(r, result, used)
