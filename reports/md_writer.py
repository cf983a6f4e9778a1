"""The report as Markdown: headings, paragraphs and pipe tables (one file: the charts are left out)."""

from __future__ import annotations

import datetime as dt

from reports import wording as w
from reports.content import TEXT, Report, Table


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def table_markdown(table: Table) -> str:
    columns = table.frame.columns
    align = ["---" if table.kinds.get(c, TEXT) == TEXT else "---:" for c in columns]
    lines = [
        "| " + " | ".join(_escape(c) for c in columns) + " |",
        "| " + " | ".join(align) + " |",
    ]
    lines += ["| " + " | ".join(_escape(v) for v in row) + " |" for row in table.rows()]
    return "\n".join(lines)


def _table(out: list[str], number: int, table: Table) -> None:
    out += [f"**表{number}　{table.title}**", "", table_markdown(table), ""]
    if table.note:
        out += [f"注：{table.note}", ""]


def write(report: Report) -> str:
    """The Markdown text in the Word document's order and numbering: the outline (一、 as ##,
    （一） as ###, 1. as ####), the key tables where they are, the 注 and signature, then the 附件."""
    out = [f"# {report.title}", "", report.subtitle, ""]
    if report.opening:
        out += [report.opening, ""]
    for heading in report.outline():
        out += [f"{'#' * (heading.level + 1)} {heading.text}", ""]
        if heading.section is None:
            continue
        for paragraph in heading.section.paragraphs:
            out += ["".join(paragraph), ""]
        for table in heading.section.tables:
            if not table.annex:
                _table(out, report.table_number(table), table)
    annex = report.annex()
    if annex:
        out += [f"附件：{report.annex_title}", ""]
    out += [report.note, "", report.issuer, "", w.date(report.dated or dt.date.today()), ""]
    if annex:
        out += ["---", "", "附件", "", f"## {report.annex_title}", ""]
        for table in annex:
            _table(out, report.table_number(table), table)
    return "\n".join(out)
