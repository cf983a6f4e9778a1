"""The report as an Excel workbook: the sentences on a first sheet, then one sheet per table.

Numbers stay numbers with a number format (家 as integers, 万元 and 元 with two decimals, rates as
percentages), so the sheets sort and sum in Excel and WPS; headers are the tables' Chinese ones.
"""

from __future__ import annotations

import io
import re

import xlsxwriter

from reports.content import DEC1, INT, RATE, TEXT, WAN, YEAR, YUAN, Report, Table

FONT = "宋体"
NUMBER_FORMATS = {
    INT: "#,##0",
    YEAR: "0",
    DEC1: "0.0",
    WAN: "#,##0.00",
    YUAN: "#,##0.00",
    RATE: "0.0%",
}
TEXT_SHEET = "报告正文"


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters."""
    base = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "表"
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _width(text: str) -> float:
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text) + 2


def _table_sheet(book, name: str, number: int, table: Table, formats: dict) -> None:  # type: ignore[no-untyped-def]
    ws = book.add_worksheet(name)
    columns = table.frame.columns
    ws.merge_range(
        0, 0, 0, max(len(columns) - 1, 0), f"表{number}　{table.title}", formats["title"]
    )
    ws.set_row(0, 24)
    ws.write_row(1, 0, columns, formats["header"])
    ws.set_row(1, 30)
    for i, row in enumerate(table.frame.iter_rows(), start=2):
        total_row = row[0] == "合计"
        for j, (col, value) in enumerate(zip(columns, row, strict=True)):
            kind = table.kinds.get(col, TEXT)
            fmt = formats[(kind, total_row)]
            if value is None:
                ws.write_blank(i, j, None, fmt)
            elif kind == TEXT:
                ws.write_string(i, j, str(value), fmt)
            else:
                ws.write_number(i, j, float(value), fmt)
    for j, col in enumerate(columns):
        shown = [table.cell(v, col) for v in table.frame[col].to_list()]
        ws.set_column(
            j,
            j,
            min(40, max(_width(col) * 0.8, *(_width(s) for s in shown))) if shown else _width(col),
        )
    ws.freeze_panes(2, 1)
    ws.autofilter(1, 0, 1 + table.frame.height, len(columns) - 1)
    if table.note:
        ws.write_string(table.frame.height + 3, 0, f"注：{table.note}", formats["note"])


def write(report: Report) -> bytes:
    """The .xlsx bytes."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.set_properties(
        {"title": report.title, "author": report.issuer, "subject": report.subtitle}
    )
    base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
    formats: dict = {
        "title": book.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "header": book.add_format(
            {
                **base,
                "bold": True,
                "align": "center",
                "text_wrap": True,
                "bg_color": "#E7E6E6",
                "border": 1,
            }
        ),
        "note": book.add_format({**base, "italic": False, "font_color": "#555555"}),
        "heading": book.add_format({**base, "bold": True, "font_size": 12}),
        "body": book.add_format({**base, "text_wrap": True, "valign": "top"}),
    }
    for kind in (TEXT, *NUMBER_FORMATS):
        for total in (False, True):
            props = {**base, "border": 1, "bold": total}
            if kind in NUMBER_FORMATS:
                props |= {"num_format": NUMBER_FORMATS[kind], "align": "right"}
            formats[(kind, total)] = book.add_format(props)

    taken: set[str] = {TEXT_SHEET}
    ws = book.add_worksheet(TEXT_SHEET)
    ws.set_column(0, 0, 110)
    ws.write_string(0, 0, report.title, formats["title"])
    ws.write_string(1, 0, report.subtitle, formats["body"])
    row = 3
    if report.opening:
        ws.write_string(row, 0, report.opening, formats["body"])
        row += 2
    for heading in report.outline():
        ws.write_string(row, 0, heading.text, formats["heading"])
        row += 1
        section = heading.section
        if section is None:
            continue
        for paragraph in section.paragraphs:
            text = "".join(paragraph)
            ws.write_string(row, 0, text, formats["body"])
            ws.set_row(row, 15 * (1 + len(text) // 52))  # wrapped text needs the row's height
            row += 1
        row += 1
    ws.write_string(row, 0, report.note, formats["note"])

    for number, table in enumerate(report.tables(), start=1):
        _table_sheet(book, sheet_name(table.title, taken), number, table, formats)
    book.close()
    return buf.getvalue()
