"""The demo county saved as county offices keep their files (`orgdash demo --layout office`).

The same cells as the plain demo, laid out the office way: workbooks with one sheet per township
or per year beside a 填表说明 sheet, .xls and .ods beside .xlsx, a title and 填报单位/填报日期
lines above a two-row header grouped by merged cells, a 序号 and a 备注 column, columns in another
order, a 小计 row under each sheet, a hidden column, date cells and other spellings of dates and
numbers (2023年5月6日, 2023.5.6, 15人, 3000元). Loading it gives the plain demo's warehouse.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import polars as pl

from etl.officefiles import Cell, Sheet, write_workbook
from etl.read import ROW, find_sources, read
from etl.sources import SOURCES_BY_NAME, Source

# source -> (format, how rows are split over sheets)
LAYOUT: dict[str, tuple[str, str]] = {
    "divisions": (".xls", "one"),
    "platforms": (".ods", "one"),
    "organizations": (".xlsx", "township"),
    "fund_budgets": (".xls", "one"),
    "grants": (".xls", "year"),
    "disbursements": (".xlsx", "one"),
    "annual_reports": (".xls", "year"),
    "evaluations": (".xlsx", "year"),
    "credit_ratings": (".xls", "one"),
    "credit_listings": (".xlsx", "one"),
    "inspections": (".xls", "one"),
    "micro_projects": (".xlsx", "township"),
    "trainings": (".xls", "one"),
    "awards": (".xlsx", "one"),
    "lounges": (".xls", "one"),
}
YEAR_COLUMN = {
    "grants": "year",
    "annual_reports": "report_year",
    "evaluations": "evaluated_year",
}
TOWNSHIP_COLUMN = {"organizations": "community_code", "micro_projects": "community_code"}
GROUPS = ("基本信息", "登记与管理", "其他")  # the upper header row's labels over column groups
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def write_office(plain: Path, out: Path, county_name: str) -> list[Path]:
    """Rewrite the plain demo files in `plain` into `out` in office layouts; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    paths, _ = find_sources(plain)
    tables = {name: read(path, SOURCES_BY_NAME[name]) for name, path in paths.items()}
    towns = _townships(tables["divisions"].frame)
    written = []
    for name, path in paths.items():
        if name not in LAYOUT:  # the points ledger (an app's CSV export) and the boundaries
            written.append(Path(shutil.copy2(path, out / path.name)))
            continue
        source = SOURCES_BY_NAME[name]
        fmt, split = LAYOUT[name]
        frame = tables[name].frame.sort(ROW)
        groups = _split(name, frame, split, towns)
        sheets = [
            Sheet("填表说明", [[f"{source.label}填表说明"], ["每个工作表一个乡镇（年度）。"]])
        ]
        for k, (title, part) in enumerate(groups):
            sheets.append(_sheet(source, title, part, county_name, fmt, k))
        written.append(write_workbook(out / f"{source.label}{fmt}", sheets))
    if (plain / "manifest.toml").is_file():
        written.append(Path(shutil.copy2(plain / "manifest.toml", out / "manifest.toml")))
    return written


def _townships(divisions: pl.DataFrame) -> dict[str, str]:
    code = pl.col("division_code").str.strip_chars()
    rows = divisions.filter(code.str.contains(r"^\d{6}\d{3}000$") & ~code.str.ends_with("000000"))
    return dict(
        zip(rows["division_code"].str.strip_chars(), rows["name"].str.strip_chars(), strict=True)
    )


def _split(
    name: str, frame: pl.DataFrame, split: str, towns: dict[str, str]
) -> list[tuple[str, pl.DataFrame]]:
    if split == "one":
        return [(SOURCES_BY_NAME[name].label, frame)]
    if split == "year":
        key = pl.col(YEAR_COLUMN[name]).str.strip_chars().str.slice(0, 4)
        label = pl.format("{}年度", key)
    else:
        code = (
            pl.col(TOWNSHIP_COLUMN[name])
            .str.normalize("NFKC")
            .str.replace_all(r"\s", "")
            .str.replace(r"\.0$", "")
        )
        township = code.str.slice(0, 9) + "000"
        label = township.replace_strict(towns, default="其他")
    parts = frame.with_columns(label.fill_null("其他").alias("_sheet"))
    out = []
    for (title,), part in parts.group_by("_sheet", maintain_order=True):
        out.append((str(title)[:31], part.drop("_sheet")))
    return sorted(out, key=lambda t: (t[0] == "其他", t[0]))


def _cell(source: Source, column: str, value: str | None, fmt: str, i: int) -> Cell:
    """The cell as an office would have it: dates as date cells or another spelling, numbers as
    numbers or with their unit; always the same value once read."""
    if value is None:
        return None
    kind = source.column(column).kind
    if kind == "date" and (m := _ISO.match(value)):
        y, mo, d = (int(g) for g in m.groups())
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            return value
        if i % 5 == 1:
            return f"{y}年{mo}月{d}日"
        if i % 5 == 2:
            return f"{y}.{mo}.{d}"
        return day if fmt != ".ods" or i % 2 else value
    if kind in ("int", "amount") and _PLAIN_NUMBER.match(value):
        unit = {"int": "", "amount": "元"}[kind]
        if kind == "int" and column in ("members", "volunteers", "participants"):
            unit = "人"
        if i % 7 == 3 and unit and "." not in value:
            return f"{value}{unit}"
        if i % 7 == 5 and kind == "amount" and "." not in value and len(value) > 3:
            return f"{int(value):,}"
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return value


def _sheet(source: Source, title: str, part: pl.DataFrame, county: str, fmt: str, k: int) -> Sheet:
    cols = [c for c in source.file_columns() if c.name in part.columns]
    # Another order than the template's: the name column first where there is one.
    order = sorted(range(len(cols)), key=lambda j: (cols[j].name not in ("name", "title"), j))
    cols = [cols[j] for j in order]
    width = len(cols) + 2  # 序号 first, 备注 last
    first_group = min(3, len(cols))
    upper: list[Cell] = [None] * width
    lower: list[Cell] = [None] * width
    upper[0] = "序号"  # merged down both header rows
    for j, col in enumerate(cols, start=1):
        if j <= first_group:
            upper[j] = col.label  # merged down both rows
        else:
            lower[j] = col.label
    upper[first_group + 1] = GROUPS[1] if len(cols) > first_group else None
    lower[width - 1] = "备注"
    upper[width - 1] = GROUPS[2]
    rows: list[list[Cell]] = [
        [f"{county}{source.label}（{title}）", *[None] * (width - 1)],
        ["填报单位：县民政局（盖章）", *[None] * (width - 3), "填报日期：2025年12月31日", None],
        upper,
        lower,
    ]
    for i, r in enumerate(part.iter_rows(named=True)):
        rows.append(
            [str(i + 1), *[_cell(source, c.name, r.get(c.name), fmt, i + k) for c in cols], None]
        )
    rows.append([None, "小计", f"{part.height}条", *[None] * (width - 3)])
    merges = [(0, 0, 0, width - 1), (2, 0, 3, 0)]
    merges += [(2, j, 3, j) for j in range(1, first_group + 1)]
    if len(cols) > first_group + 1:
        merges.append((2, first_group + 1, 2, width - 2))
    # The 备注 column is hidden (offices hide helper columns); hidden cells are still read.
    return Sheet(title, rows, merges=merges, hidden_cols={width - 1})
