"""Read a source file as the office handed it over: find the header, keep Excel row numbers."""

from __future__ import annotations

import csv
import functools
import gc
import itertools
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from etl import normalize as nz
from etl.sources import SOURCES, Column, Source

ROW = "_row"  # the row number as the user sees it in Excel (1-based, header included)
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ods"}  # what calamine reads
TABLE_SUFFIXES = {".csv", ".txt"} | WORKBOOK_SUFFIXES
GEOJSON_SUFFIXES = {".geojson", ".json"}
HEADER_SEARCH_ROWS = 20
NESTED_GEOJSON = (
    "GeoJSON 文件的嵌套层数异常（不是正常导出的边界文件），无法读取。"
    "请用 GIS 软件重新导出为 FeatureCollection。"
)
TOTAL_WORDS = ("合计", "总计", "小计", "累计")  # a row starting with one of these is a total
TOTAL_COLUMNS = 3  # a total's word sits in one of the first cells (after a blank 序号, say)
# Rows of a workbook's second, third, ... sheet read for one source carry the sheet's number in
# ROW: sheet k's Excel row r is k * SHEET_STRIDE + r, so ROW stays one unique key per file for
# the rules (duplicates, rejected rows) and the first sheet's rows keep their plain numbers.
# An .xlsx sheet has at most 1,048,576 rows.
SHEET_STRIDE = 1 << 21


class FileProblem(Exception):
    """A whole file cannot be used; the message says what to do, in Chinese."""

    def __init__(self, file: str, message: str, rule: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message
        self.rule = rule


@dataclass
class RawTable:
    source: Source
    path: Path
    frame: pl.DataFrame  # one String column per found source column, plus ROW (Int64)
    encoding: str  # 'utf-8', 'utf-8-sig', 'gb18030', 'xlsx' or 'geojson'
    header_row: int  # Excel row number of the header (0 for GeoJSON)
    ignored_headers: list[str] = field(default_factory=list)
    dropped_rows: int = 0  # note and total rows below the data
    headers: dict[str, str] = field(default_factory=dict)  # column name -> header as written
    sheets: list[str] = field(default_factory=list)  # sheets read, by ROW // SHEET_STRIDE
    ignored_sheets: list[IgnoredSheet] = field(default_factory=list)  # non-empty, not read


@dataclass(frozen=True)
class IgnoredSheet:
    """A non-empty sheet of a workbook that was not read, and why (Chinese, for the clerk)."""

    file: str
    sheet: str
    reason: str

    @property
    def note(self) -> str:
        return f"{self.file}：工作表「{self.sheet}」未读入（{self.reason}）。"


def sheet_of(row: int, sheets: list[str]) -> str | None:
    """The sheet a ROW value came from (None for a CSV)."""
    k = row // SHEET_STRIDE
    return sheets[k] if k < len(sheets) else None


def row_label(row: int, sheets: list[str]) -> str:
    """第5行, or 工作表「城关镇」第5行 when a file's rows come from several sheets."""
    if len(sheets) > 1:
        return f"工作表「{sheets[row // SHEET_STRIDE]}」第{row % SHEET_STRIDE}行"
    return f"第{row % SHEET_STRIDE}行"


def row_label_expr(row: pl.Expr, sheets: list[str]) -> pl.Expr:
    """row_label as an expression over a ROW column."""
    if len(sheets) <= 1:
        return pl.format("第{}行", row % SHEET_STRIDE)
    names = pl.Series(sheets, dtype=pl.String)
    return pl.format(
        "工作表「{}」第{}行",
        (row // SHEET_STRIDE).replace_strict(list(range(len(sheets))), names, default=""),
        row % SHEET_STRIDE,
    )


@functools.lru_cache(maxsize=4096)  # a GeoJSON file asks for the same few keys per feature
def header_key(text: str) -> str:
    """How headers are compared: NFKC, no spaces, no required-marker asterisks, no unit suffix."""
    t = unicodedata.normalize("NFKC", text or "")
    t = re.sub(r"[\s*＊]+", "", t)
    t = re.sub(r"\((元|万元|平方米|㎡|人|户|个|家)\)$", "", t)
    return t.lower()


def _header_map(source: Source) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for col in source.file_columns():
        for h in col.headers():
            out.setdefault(header_key(h), col)
    return out


def identify(path: Path) -> Source | None:
    """Which source a file holds, from its name ('社会组织名录.xlsx', '2025年资金拨付.csv')."""
    stem = header_key(path.stem)
    best: tuple[int, Source] | None = None
    for source in SOURCES:
        for name in source.names():
            key = header_key(name)
            if key and key in stem and (best is None or len(key) > best[0]):
                best = (len(key), source)
    if best is None:
        return None
    if best[1].geojson != (path.suffix.lower() in GEOJSON_SUFFIXES):
        return None
    return best[1]


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _undecodable(path, exc) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise _undecodable(path, exc) from exc


def _undecodable(path: Path, exc: UnicodeDecodeError) -> FileProblem:
    return FileProblem(
        path.name,
        f"文件编码无法识别（第{exc.start + 1}个字节起既不是 UTF-8 也不是 GB18030/GBK），"
        "文件可能已损坏或被截断。请在 Excel/WPS 中打开后「另存为」CSV UTF-8 或 .xlsx 再上传。",
        "encoding",
    )


@dataclass
class Header:
    """Where a source's header is among a sheet's first rows, and which cell holds which column."""

    first: int  # index of the header's (upper) row among the rows searched
    last: int  # index of its last row: data starts below it (a two-row header: first + 1)
    found: dict[int, Column]  # cell index -> column
    cells: list[str | None]  # the header as written, per cell (lower row, else the upper one)


def _match_row(row: list[str | None], hmap: dict[str, Column]) -> dict[int, Column]:
    found: dict[int, Column] = {}
    for j, cell in enumerate(row):
        col = hmap.get(header_key(cell or ""))
        if col is not None and col not in found.values():
            found[j] = col
    return found


def _blank(cell: object) -> bool:
    return cell is None or not str(cell).strip()


def _find_header(rows: list[list[str | None]], source: Source) -> Header:
    """The header among the first rows; raises FileProblem when there is none or it lacks a
    required column.

    Office templates often head their columns in two rows: an upper row grouping them with
    merged cells (基本信息 / 负责人信息), the lower naming each, and a column without a group
    merged down both rows (so its name is in the upper row only, the lower cell empty). The row
    with most known headers is taken with the row above or below that completes it.
    """
    hmap = _header_map(source)
    required = [c for c in source.file_columns() if c.required]
    best: tuple[int, int, dict[int, Column]] | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _match_row(row, hmap)
        score = len(found)
        if score >= 2 and (best is None or score > best[1]):
            best = (i, score, found)
    if best is None:
        names = "、".join(c.label for c in required)
        raise FileProblem(
            source.label,
            f"在前{HEADER_SEARCH_ROWS}行中找不到表头。表头应包含：{names}。",
            "header",
        )
    idx, _, found = best
    cells: list[str | None] = list(rows[idx])
    first = last = idx
    for other in (idx + 1, idx - 1):
        if not 0 <= other < len(rows) or first != last:
            continue
        row = rows[other]
        # The other header row completes this one only where this row's cell is empty, and
        # a row below is a header row only if it is empty under every name found (a data row
        # would have values there).
        if other > idx and any(j < len(row) and not _blank(row[j]) for j in found):
            continue
        # Below this row, a cell under a group's label names a column; above it, only a cell
        # over an empty one does (the column's name merged down both rows).
        extra = {
            j: col
            for j, col in _match_row(row, hmap).items()
            if j not in found
            and col not in found.values()
            and (other > idx or j >= len(cells) or _blank(cells[j]))
        }
        # A non-empty row below, empty under every name found, is the header's second row even
        # when it names no column of ours (备注 under a group label): a data row fills them.
        if not extra and (other < idx or all(_blank(c) for c in row)):
            continue
        found = {**found, **extra}
        cells += [None] * (len(row) - len(cells))
        row = [*row, *[None] * (len(cells) - len(row))]
        for j in extra:
            cells[j] = row[j]
        # Cells of the other row that name no column of ours are kept as written where they
        # name a column (序号 merged down both rows, 备注 under a group label); a group's label
        # over a named cell is not a column.
        for j, cell in enumerate(row):
            if j not in found and not _blank(cell) and (other > idx or _blank(cells[j])):
                cells[j] = cell
        first, last = min(idx, other), max(idx, other)
    missing = [c.label for c in required if c not in found.values()]
    if missing:
        raise FileProblem(
            source.label,
            f"缺少必填列「{'」「'.join(missing)}」（表头在第{first + 1}行）。请补上这些列后重新上传。",
            "missing_column",
        )
    return Header(first, last, dict(sorted(found.items())), cells)


def _frame_from_grid(
    grid: pl.DataFrame, header_idx: int, found: dict[int, Column], first_row: int
) -> tuple[pl.DataFrame, int]:
    """Cut the data rows below the header, name the columns, drop blank, note and total rows."""
    cols = grid.columns
    # A cell is filled when something is left after leading spaces: strip_chars_start and a
    # byte length, not a full strip and a comparison (3.5x faster over a 1.8-million-row ledger).
    filled = [
        pl.col(c).cast(pl.String).str.strip_chars_start(nz.SPACES).str.len_bytes().fill_null(0) > 0
        for c in cols
    ]
    first = pl.col(cols[0]).cast(pl.String).str.strip_chars_start(nz.SPACES).fill_null("")
    data = grid.slice(header_idx + 1)
    body = data.with_row_index("_i").select(
        (pl.col("_i").cast(pl.Int64) + first_row + header_idx + 1).alias(ROW),
        *[pl.col(cols[j]).cast(pl.String).alias(col.name) for j, col in found.items()],
        pl.sum_horizontal(filled).alias("_filled"),
        pl.any_horizontal([first.str.starts_with(w) for w in TOTAL_WORDS]).alias("_total"),
        (~filled[0]).alias("_blank0"),
    )
    # A total may leave the first cell (序号) blank and start the next one or two: looked for
    # only in rows whose first cell is blank (few), not over a whole ledger.
    if len(cols) > 1 and body["_blank0"].any():
        blank_rows = body["_blank0"].arg_true()
        stripped = [
            pl.col(c).cast(pl.String).str.strip_chars_start(nz.SPACES).fill_null("")
            for c in cols[1:TOTAL_COLUMNS]
        ]
        later = [
            pl.all_horizontal(
                *(c == "" for c in stripped[:k]),
                pl.any_horizontal([cell.str.starts_with(w) for w in TOTAL_WORDS]),
            )
            for k, cell in enumerate(stripped)
        ]
        hits = data[blank_rows].select(pl.any_horizontal(later))[:, 0]
        body = body.with_columns(body["_total"].scatter(blank_rows, hits))
    # Note rows ("注：…", "填表人：…") sit below the data with a single filled cell; total rows
    # start with 合计. Blank rows are skipped. None of them is data, so none is a reject.
    last_data = body.select(pl.col(ROW).filter(pl.col("_filled") >= 2).max()).item()
    keep = (pl.col("_filled") >= 1) & ~pl.col("_total")
    if last_data is not None:
        keep = keep & ~((pl.col(ROW) > last_data) & (pl.col("_filled") == 1))
    flags = body.select(keep.alias("keep"), (pl.col("_filled") >= 1).alias("any"))
    dropped = int((flags["any"] & ~flags["keep"]).sum())
    names = [col.name for col in found.values()]
    kept = body if flags["keep"].all() else body.filter(flags["keep"])
    # Polars 2.1.0 panicked ("assertion failed: i < self.len()" in binview) evaluating string
    # expressions over this multi-chunk frame after a filter; one contiguous chunk avoids it.
    return kept.select(ROW, *names).rechunk(), dropped


def read_csv(path: Path, source: Source) -> RawTable:
    data = path.read_bytes()
    if not data or data.isspace():
        raise FileProblem(
            path.name, "文件是空的，没有任何数据。请检查是否上传了正确的文件。", "empty_file"
        )
    # Most files are UTF-8: Polars reads (and checks) the bytes as they are. Decoding, splitting
    # and re-encoding a province's 30 MB listing in Python cost 0.45 s; only a file that is not
    # valid UTF-8 takes that road now, to be read as GB18030.
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        return _read_csv_utf8(
            path, source, data[3:] if bom else data, "utf-8-sig" if bom else "utf-8"
        )
    except _NotUtf8:
        text, encoding = decode(path, data)
        return _read_csv_utf8(path, source, text.encode("utf-8"), encoding)


class _NotUtf8(Exception):
    pass


_LINE_END = re.compile(rb"\r\n|\n|\r")


def _line_starts(data: bytes, count: int) -> list[int]:
    """Byte offsets where the first count lines start, and where the last of them ends.

    \n, \r\n or a lone \r ends a line, as for Polars' reader.
    """
    starts = [0]
    while len(starts) <= count:
        end = _LINE_END.search(data, starts[-1])
        if end is None:
            starts.append(len(data))
            break
        starts.append(end.end())
    return starts


def _read_csv_utf8(path: Path, source: Source, data: bytes, encoding: str) -> RawTable:
    """Read UTF-8 CSV bytes; _NotUtf8 when they are not UTF-8 after all."""
    starts = _line_starts(data, HEADER_SEARCH_ROWS)
    try:
        head_lines = [
            data[a:b].decode("utf-8").rstrip("\r\n") for a, b in itertools.pairwise(starts) if a < b
        ]
    except UnicodeDecodeError:
        raise _NotUtf8 from None
    head_rows: list[list[str | None]] = [list(next(csv.reader([line]), [])) for line in head_lines]
    try:
        h = _find_header(head_rows, source)
    except FileProblem as p:
        raise FileProblem(path.name, p.message, p.rule) from None
    _refuse_truncated(path, data, len(head_rows[h.first]))
    # Hand polars the bytes from the header line on, so title rows above cannot set the width.
    try:
        grid = pl.read_csv(
            data[starts[h.first] :],
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
            quote_char='"',
        )
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc):
            raise _NotUtf8 from None
        raise
    frame, dropped = _frame_from_grid(grid, h.last - h.first, h.found, first_row=h.first + 1)
    return RawTable(
        source,
        path,
        frame,
        encoding,
        h.last + 1,
        _ignored(h.cells, h.found),
        dropped,
        _written(h.cells, h.found),
    )


def _refuse_truncated(path: Path, data: bytes, width: int) -> None:
    """A file cut off mid-row (a failed copy, an upload cut short) must not load as if whole.

    Spreadsheet programs end every row with a line break; a last line without one that also has
    fewer cells than the header is the mark of a cut.
    """
    if not data or data.endswith((b"\n", b"\r")):
        return
    try:
        last = data[max(data.rfind(b"\n"), data.rfind(b"\r")) + 1 :].decode("utf-8")
    except UnicodeDecodeError:
        raise _NotUtf8 from None
    cells = next(csv.reader([last]), [])
    if len(cells) < width:
        lines = len(data.decode("utf-8", "replace").splitlines())
        raise FileProblem(
            path.name,
            f"文件似乎被截断了：最后一行（第{lines}行）只有{len(cells)}列、没有换行结尾，"
            "可能是复制或上传没有完成。请重新导出完整的文件。",
            "truncated",
        )


def _first_used_row(path: Path, sheet_index: int) -> int:
    """1-based row of the first cell with a value: calamine silently drops leading empty rows."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n)]
        names.sort(key=lambda n: int(re.findall(r"\d+", n)[-1]))
        if sheet_index >= len(names):
            return 1
        with z.open(names[sheet_index]) as fh:
            head = fh.read(1 << 20).decode("utf-8", "replace")
    for m in re.finditer(r'<c r="[A-Z]+(\d+)"[^>]*?(/>|>(.*?)</c>)', head, re.S):
        if m.group(3) and re.search(r"<(v|is)>|<is\b", m.group(3)):
            return int(m.group(1))
    return 1


def _not_a_panic(exc: BaseException) -> None:
    """Re-raise what is not a reader's failure. A Rust panic inside fastexcel (calamine) arrives
    as pyo3's PanicException, a BaseException: it must become the clerk's message too."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def open_workbook(path: Path) -> Any:
    """The workbook for fastexcel, or the clerk's message when it cannot be opened at all."""
    try:
        return fastexcel.read_excel(path)
    except BaseException as exc:  # fastexcel raises its own error types for every kind of damage
        _not_a_panic(exc)
        raise FileProblem(path.name, _cannot_open(path, exc), "unreadable") from exc


def _cannot_open(path: Path, exc: BaseException) -> str:
    suffix = path.suffix.lower()
    if suffix == ".et":
        return (
            f"WPS 表格文件无法打开（{type(exc).__name__}）：这个 .et 文件是 WPS 自有的格式，"
            "系统读不了。请在 WPS 中打开后「另存为」Excel 工作簿（.xlsx）再上传。"
        )
    kind = {".xls": "Excel 97-2003 (.xls)", ".ods": "OpenDocument (.ods)"}.get(suffix, ".xlsx")
    return (
        f"Excel 文件无法打开（{type(exc).__name__}），可能已损坏或不是 {kind} 格式。"
        "请在 Excel/WPS 中打开确认后另存为 .xlsx 再上传。"
    )


def _probe_first_row(reader: Any, idx: int, grid_head: list[list[str | None]]) -> int:
    """1-based row of a sheet's first used row, for formats without a zip to look into (.xls,
    .et, .ods): calamine drops leading empty rows, but fastexcel's header_row counts from the
    sheet's top, so the row whose header names equal the first row read is found by trying."""
    if not grid_head:
        return 1
    want = [None if _blank(c) else str(c) for c in grid_head[0]]
    if not any(want):
        return 1

    def names_at(h: int) -> list[str | None]:
        try:
            sheet = reader.load_sheet(idx, header_row=h, dtypes="string", n_rows=0)
        except BaseException as exc:
            _not_a_panic(exc)
            return []
        return [
            None if c.column_name_from == "generated" else c.name for c in sheet.available_columns()
        ]

    def same(got: list[str | None], row: list[str | None]) -> bool:
        known = [(g, w) for g, w in zip(got, row, strict=False) if w is not None]
        return bool(known) and all(g == w for g, w in known)

    if len(grid_head) > 1:
        second = [None if _blank(c) else str(c) for c in grid_head[1]]
        if any(second) and same(names_at(1), second):
            return 1
    for h in range(1, 200):
        if same(names_at(h), want):
            return h + 1
    return 1


def _first_row(path: Path, reader: Any, idx: int, head: list[list[str | None]]) -> int:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return _first_used_row(path, idx)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            pass
    return _probe_first_row(reader, idx, head)


def _midnight_as_date(grid: pl.DataFrame) -> pl.DataFrame:
    """A date cell arrives from calamine (fastexcel 0.21, dtypes="string") as "2024-03-15
    00:00:00": the clerk typed a date, and the reject report should show 2024-03-15."""
    return grid.with_columns(pl.col(pl.String).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1"))


def _sheet_head(reader: Any, idx: int) -> tuple[Any, list[list[str | None]]] | None:
    """A sheet's first rows (cheap: the rest is not converted), None for an unreadable one."""
    try:
        sheet = reader.load_sheet(idx, header_row=None, dtypes="string", n_rows=HEADER_SEARCH_ROWS)
        grid = sheet.to_polars()
    except BaseException as exc:  # an empty or chart-only sheet
        _not_a_panic(exc)
        return None
    return sheet, [list(r) for r in grid.iter_rows()]


def read_excel(path: Path, source: Source) -> RawTable:
    """Every sheet whose header is the source's, their rows one after another (ROW carries the
    sheet, see SHEET_STRIDE); sheets with other content are listed in ignored_sheets."""
    reader = open_workbook(path)
    frames: list[pl.DataFrame] = []
    sheets: list[str] = []
    ignored: list[IgnoredSheet] = []
    headers: dict[str, str] = {}
    extra: list[str] = []
    dropped = 0
    header_row = 0
    last_problem: FileProblem | None = None
    for idx, name in enumerate(reader.sheet_names):
        got = _sheet_head(reader, idx)
        if got is None or not any(any(not _blank(c) for c in r) for r in got[1]):
            continue  # empty: nothing to read, nothing to say
        sheet, head = got
        if getattr(sheet, "visible", "visible") != "visible":
            ignored.append(IgnoredSheet(path.name, name, "隐藏的工作表；如需导入，请取消隐藏"))
            continue
        try:
            h = _find_header(head, source)
        except FileProblem as p:
            if p.rule == "missing_column":  # a sheet of this source with a column missing
                where = f"工作表「{name}」" if len(reader.sheet_names) > 1 else ""
                raise FileProblem(path.name, where + p.message, p.rule) from None
            last_problem = FileProblem(path.name, p.message, p.rule)
            ignored.append(IgnoredSheet(path.name, name, f"表头不是{source.label}的表头"))
            continue
        try:
            grid = _midnight_as_date(
                reader.load_sheet(idx, header_row=None, dtypes="string").to_polars()
            )
        except BaseException as exc:
            _not_a_panic(exc)
            raise FileProblem(
                path.name,
                f"工作表「{name}」无法读取（{type(exc).__name__}），文件可能已损坏。"
                "请在 Excel/WPS 中打开确认后重新保存再上传。",
                "unreadable",
            ) from exc
        first = _first_row(path, reader, idx, head)
        frame, n_dropped = _frame_from_grid(grid, h.last, h.found, first_row=first)
        if sheets:
            frame = frame.with_columns(pl.col(ROW) + len(sheets) * SHEET_STRIDE)
        else:
            header_row = first + h.last
        frames.append(frame)
        sheets.append(name)
        dropped += n_dropped
        for k, v in _written(h.cells, h.found).items():
            headers.setdefault(k, v)
        extra += [x for x in _ignored(h.cells, h.found) if x not in extra]
    if not frames:
        if last_problem is not None:
            raise last_problem
        raise FileProblem(
            path.name, "Excel 文件中没有任何数据。请检查是否上传了正确的文件。", "empty_file"
        )
    frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal").rechunk()
    names = [ROW, *[c.name for c in source.file_columns() if c.name in frame.columns]]
    return RawTable(
        source,
        path,
        frame.select(names),
        _workbook_kind(path),
        header_row,
        extra,
        dropped,
        headers,
        sheets,
        ignored,
    )


def _workbook_kind(path: Path) -> str:
    """What etl_sources records as a workbook's 'encoding': its format."""
    return {".xls": "xls", ".et": "et", ".ods": "ods"}.get(path.suffix.lower(), "xlsx")


def read_geojson(path: Path, source: Source) -> RawTable:
    # The parsed document is millions of small lists and floats, none in a reference cycle: the
    # cyclic collector walking them over and over cost a province's boundaries 0.1 s.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_geojson(path, source)
    except RecursionError:  # nested deeper than Python's stack (parsing or writing a geometry)
        raise FileProblem(path.name, NESTED_GEOJSON, "unreadable") from None
    finally:
        if enabled:
            gc.enable()


def _read_geojson(path: Path, source: Source) -> RawTable:
    data = path.read_bytes()
    if not data or data.isspace():
        raise FileProblem(path.name, "文件是空的，没有任何边界数据。", "empty_file")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileProblem(
            path.name,
            f"不是有效的 GeoJSON 文件（{exc}），文件可能被截断。请重新导出。",
            "unreadable",
        ) from exc

    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise FileProblem(
            path.name,
            "GeoJSON 中没有 features 要素列表。请导出为 FeatureCollection。",
            "unreadable",
        )
    code_keys = [header_key(h) for h in source.column("division_code").headers()]
    codes: list[str | None] = []
    geoms: list[str | None] = []
    for feat in features:
        props = {header_key(k): v for k, v in ((feat or {}).get("properties") or {}).items()}
        code = next((props[k] for k in code_keys if props.get(k) not in (None, "")), None)
        codes.append(None if code is None else str(code))
        geom = (feat or {}).get("geometry")
        geoms.append(
            None if geom is None else json.dumps(geom, ensure_ascii=False, separators=(",", ":"))
        )
    frame = pl.DataFrame(
        {
            ROW: pl.Series(range(1, len(features) + 1), dtype=pl.Int64),
            "division_code": codes,
            "geojson": geoms,
        },
        schema={ROW: pl.Int64, "division_code": pl.String, "geojson": pl.String},
    )
    return RawTable(source, path, frame, "geojson", 0)


def _written(header: list[str | None], found: dict[int, Column]) -> dict[str, str]:
    return {col.name: str(header[j]).strip() for j, col in found.items()}


def _ignored(header: list[str | None], found: dict[int, Column]) -> list[str]:
    return [str(h).strip() for j, h in enumerate(header) if not _blank(h) and j not in found]


def read(path: Path, source: Source) -> RawTable:
    suffix = path.suffix.lower()
    if source.geojson:
        return read_geojson(path, source)
    if suffix in WORKBOOK_SUFFIXES:
        return read_excel(path, source)
    if suffix in (".csv", ".txt"):
        return read_csv(path, source)
    raise FileProblem(path.name, UNSUPPORTED.format(suffix=suffix), "format")


UNSUPPORTED = (
    "不支持的文件类型「{suffix}」。表格请用 Excel/WPS「另存为」.xlsx（也可读 .xls、.xlsm、.et、.ods）"
    "或 CSV（UTF-8 或 GB18030/GBK 编码），边界请用 .geojson。"
)


def find_sources(directory: Path) -> tuple[dict[str, Path], list[str]]:
    """Map each source to its file in a folder; report files nobody claims and double claims."""
    found: dict[str, Path] = {}
    notes: list[str] = []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        if (
            path.name.startswith((".", "~$"))
            or path.suffix.lower() not in TABLE_SUFFIXES | GEOJSON_SUFFIXES
        ):
            continue
        source = identify(path)
        if source is None:
            notes.append(
                f"未识别的文件「{path.name}」已忽略（文件名应包含数据名称，如「社会组织名录」）。"
            )
            continue
        if source.name in found:
            raise FileProblem(
                path.name,
                f"「{found[source.name].name}」和「{path.name}」都像是{source.label}，无法确定用哪一个。请只保留一个。",
                "duplicate_file",
            )
        found[source.name] = path
    return found, notes


def _head_rows(path: Path) -> list[list[list[str | None]]]:
    """The first rows of each sheet (one 'sheet' for a CSV), for telling sources apart."""
    if path.suffix.lower() in (".csv", ".txt"):
        with path.open("rb") as fh:
            data = fh.read(1 << 20)  # the header is near the top
            if fh.read(1):  # cut at a line end, never inside a character
                data = data[: data.rfind(b"\n") + 1] or data
        text, _ = decode(path, data)
        lines = text.splitlines()[:HEADER_SEARCH_ROWS]
        return [[list(next(csv.reader([line]), [])) for line in lines]]
    reader = open_workbook(path)
    sheets = []
    for idx in range(len(reader.sheet_names)):
        try:
            grid = reader.load_sheet(
                idx, header_row=None, dtypes="string", n_rows=HEADER_SEARCH_ROWS
            ).to_polars()
        except BaseException as exc:  # an empty or chart-only sheet
            _not_a_panic(exc)
            continue
        sheets.append([list(r) for r in grid.iter_rows()])
    return sheets


def identify_by_content(path: Path) -> Source | None:
    """Which source a file holds, from its contents, for files named any old way.

    Tables: the source whose required columns the header covers best wins (then the one with more
    of its columns found); a tie between two sources is no answer, since guessing would be worse.
    GeoJSON: a FeatureCollection is the boundaries. Raises FileProblem when it cannot be read.
    """
    if path.suffix.lower() in GEOJSON_SUFFIXES:
        source = next(s for s in SOURCES if s.geojson)
        features = read_geojson(path, source).frame
        return source if features.height else None
    scores: list[tuple[float, int, Source]] = []
    for rows in _head_rows(path):
        for source in SOURCES:
            if source.geojson:
                continue
            hmap = _header_map(source)
            required = {c.name for c in source.file_columns() if c.required}
            for row in rows:
                found = {hmap[k].name for k in (header_key(str(c or "")) for c in row) if k in hmap}
                if len(found) < 2:
                    continue
                share = len(found & required) / len(required) if required else 0.0
                if share >= 0.5:
                    scores.append((share, len(found), source))
    if not scores:
        return None
    scores.sort(key=lambda s: (s[0], s[1]), reverse=True)
    best = scores[0]
    rivals = {s[2].name for s in scores if (s[0], s[1]) == (best[0], best[1])}
    return best[2] if len(rivals) == 1 else None
