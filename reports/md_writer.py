"""The report as Markdown: headings, paragraphs and pipe tables (one file: the charts are left out)."""

from __future__ import annotations

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


def write(report: Report) -> str:
    """The Markdown text, tables numbered as in the Word document."""
    out = [f"# {report.title}", "", report.subtitle, ""]
    table_no = 0
    for heading, section in report.numbered():
        out += [f"## {heading}", ""]
        for paragraph in section.paragraphs:
            out += ["".join(paragraph), ""]
        for table in section.tables:
            table_no += 1
            out += [f"**表{table_no}　{table.title}**", "", table_markdown(table), ""]
            if table.note:
                out += [f"注：{table.note}", ""]
    out += [report.issuer, "", report.note, ""]
    return "\n".join(out)
