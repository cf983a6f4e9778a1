"""Write workbooks the way county offices keep them (.xlsx, .xls, .ods): several sheets, titles,
merged two-row headers, hidden rows and columns. For the demo's office layout and the tests."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

Cell = str | int | float | dt.date | None


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # r1, c1, r2, c2 (0-based)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    hidden: bool = False  # the whole sheet


def write_workbook(path: Path, sheets: list[Sheet]) -> Path:
    """Write sheets in the format the file name says (.xlsx/.xlsm, .xls or .ods)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        _xlsx(path, sheets)
    elif suffix == ".xls":
        _xls(path, sheets)
    elif suffix == ".ods":
        _ods(path, sheets)
    else:
        raise ValueError(f"no writer for {suffix}")
    return path


def _merged_cells(sheet: Sheet) -> dict[tuple[int, int], tuple[int, int]]:
    """Top-left cell of each merge -> its bottom-right; covered cells are left out."""
    return {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}


def _covered(sheet: Sheet) -> set[tuple[int, int]]:
    out = set()
    for r1, c1, r2, c2 in sheet.merges:
        out |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
    return out


def _written(sheet: Sheet) -> Iterator[tuple[int, int, Cell, tuple[int, int] | None]]:
    """The cells a writer puts down: (row, col, value, bottom-right of its merge or None), the top
    left of each merge only, and no empty cell outside a merge."""
    merged, covered = _merged_cells(sheet), _covered(sheet)
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row):
            if (r, c) in covered or (v is None and (r, c) not in merged):
                continue
            yield r, c, v, merged.get((r, c))


def _xlsx(path: Path, sheets: list[Sheet]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": dt.datetime(2025, 12, 31, 17, 30), "author": "县民政局"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    center = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        for r, c, v, span in _written(sheet):
            if span is not None:
                ws.merge_range(r, c, *span, "" if v is None else str(v), center)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
            else:
                ws.write_number(r, c, v)
        for r in sheet.hidden_rows:
            ws.set_row(r, None, None, {"hidden": True})
        for c in sheet.hidden_cols:
            ws.set_column(c, c, None, None, {"hidden": True})
        if sheet.hidden:
            ws.hide()
    wb.close()


def _xls(path: Path, sheets: list[Sheet]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name, cell_overwrite_ok=True)
        for r, c, v, span in _written(sheet):
            if span is not None:
                ws.write_merge(r, span[0], c, span[1], "" if v is None else str(v))
            elif isinstance(v, dt.date):
                ws.write(r, c, dt.datetime(v.year, v.month, v.day), date_style)
            else:
                ws.write(r, c, v)
        for r in sheet.hidden_rows:
            ws.row(r).hidden = True
        for c in sheet.hidden_cols:
            ws.col(c).hidden = True
        if sheet.hidden:
            ws.visibility = 1
    wb.save(str(path))


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
)
_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def _ods_cell(v: Cell, span: tuple[int, int] | None) -> str:
    attrs = ""
    if span:
        attrs = f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
    if v is None:
        return f"<table:table-cell{attrs}/>"
    if isinstance(v, dt.date):
        return (
            f'<table:table-cell{attrs} office:value-type="date" office:date-value="{v.isoformat()}">'
            f"<text:p>{v.isoformat()}</text:p></table:table-cell>"
        )
    if isinstance(v, int | float):
        return (
            f'<table:table-cell{attrs} office:value-type="float" office:value="{v}">'
            f"<text:p>{v}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell{attrs} office:value-type="string"><text:p>{escape(v)}</text:p>'
        "</table:table-cell>"
    )


def _ods(path: Path, sheets: list[Sheet]) -> None:
    """A minimal OpenDocument spreadsheet: what LibreOffice and WPS open and calamine reads."""
    tables = []
    for sheet in sheets:
        merged, covered = _merged_cells(sheet), _covered(sheet)
        width = max((len(r) for r in sheet.rows), default=1)
        cols = "".join(
            '<table:table-column table:visibility="collapse"/>'
            if c in sheet.hidden_cols
            else "<table:table-column/>"
            for c in range(width)
        )
        rows = []
        for r, row in enumerate(sheet.rows):
            cells = []
            for c in range(width):
                v: Any = row[c] if c < len(row) else None
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                span = None
                if (r, c) in merged:
                    r2, c2 = merged[(r, c)]
                    span = (r2 - r + 1, c2 - c + 1)
                cells.append(_ods_cell(v, span))
            vis = ' table:visibility="collapse"' if r in sheet.hidden_rows else ""
            rows.append(f"<table:table-row{vis}>{''.join(cells)}</table:table-row>")
        style = ' table:style-name="hidden"' if sheet.hidden else ""
        tables.append(
            f'<table:table table:name="{escape(sheet.name)}"{style}>{cols}{"".join(rows)}'
            "</table:table>"
        )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_ODS_NS} office:version="1.2">'
        "<office:automatic-styles>"
        '<style:style style:name="hidden" style:family="table">'
        '<style:table-properties table:display="false"/></style:style>'
        "</office:automatic-styles>"
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODS_MIME}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), _ODS_MIME, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
