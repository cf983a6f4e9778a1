"""Hostile files the tests write themselves: a workbook that unpacks to gigabytes, a big but honest
sheet, GeoJSON nested past Python's stack. Written with zipfile directly, streaming, so that a
bomb of ~1 MB costs the test a second, not the memory it would cost a reader."""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="名录" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
HEADER = ("组织编号", "组织名称", "统一社会信用代码", "所在社区代码")


def _row(r: int | None, cells: tuple[str, ...]) -> str:
    """A row of inline strings; without a row number (None) neither row nor cells carry r=."""
    cols = "ABCDEFGH"
    inner = "".join(
        (f'<c r="{cols[i]}{r}" t="inlineStr">' if r else '<c t="inlineStr">')
        + f"<is><t>{v}</t></is></c>"
        for i, v in enumerate(cells)
    )
    return f'<row r="{r}">{inner}</row>' if r else f"<row>{inner}</row>"


def workbook(path: Path, rows: int, *, level: int = 9) -> Path:
    """An .xlsx of the registry header and `rows` identical data rows, streamed into the zip:
    with many rows it is a zip bomb (about 1000:1), with few an ordinary small workbook."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(_SHEET_HEAD.encode())
            fh.write(_row(1, HEADER).encode())
            # Rows without r= attributes (optional in OOXML) repeat byte for byte: ~1000:1.
            cells = ("ORG-X", "某某社区志愿服务队", "51340129MJ0000000X", "340129001001")
            one = _row(None, cells)
            block = (one * 2_000).encode()
            for _ in range(rows // 2_000):
                fh.write(block)
            fh.write((one * (rows % 2_000)).encode())
            fh.write(_SHEET_TAIL.encode())
    return path


def nested_geojson(path: Path, depth: int = 100_000) -> Path:
    """A FeatureCollection whose one geometry is nested `depth` lists deep."""
    coords = "[" * depth + "]" * depth
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature",'
        '"properties":{"区划代码":"340129001001"},'
        f'"geometry":{{"type":"Polygon","coordinates":{coords}}}}}]}}',
        encoding="utf-8",
    )
    return path
