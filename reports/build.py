"""One entry point for every format: build_report(db, scope, as_of, fmt, out) for the CLI, and
render(report, fmt) -> bytes for the 报告 page's download buttons. PDF is the Word document
converted by LibreOffice on the server (reports/pdf.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reports import charts, content

FORMATS = ("docx", "pdf", "pptx", "xlsx", "md")
DRAWN = ("docx", "pdf", "pptx")  # formats with the charts in them
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
    "pdf": "application/pdf",
}


def warm_up() -> None:
    """Start the chart renderer (headless Chromium) now, so it boots while the queries run."""
    charts.warm_up()


def render(report: content.Report, fmt: str, with_charts: bool = True) -> bytes:
    """The report in one format as bytes (charts only in Word, PDF and PowerPoint).

    PDF raises reports.pdf.PdfError (a Chinese message) when the server cannot make one.
    """
    if fmt == "pdf":
        from reports import pdf

        why = pdf.missing()  # before the charts are drawn for nothing
        if why:
            raise pdf.PdfError(why)
        return pdf.convert(render(report, "docx", with_charts))
    # Asked of the browser now, waited for by the writer once its text and tables are done.
    pictures = charts.later(report.charts()) if with_charts and fmt in DRAWN else None
    if fmt == "docx":
        from reports import docx_writer

        return docx_writer.write(report, pictures)
    if fmt == "pptx":
        from reports import pptx_writer

        return pptx_writer.write(report, pictures)
    if fmt == "xlsx":
        from reports import xlsx_writer

        return xlsx_writer.write(report)
    if fmt == "md":
        from reports import md_writer

        return md_writer.write(report).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def file_name(report: content.Report, fmt: str) -> str:
    """'Xx县社区社会组织发展情况报告_20251231.docx'."""
    return f"{report.title}_{report.as_of:%Y%m%d}.{fmt}"


def build_report(
    db: Path | None,
    scope: str | None,
    as_of: dt.date | None,
    fmt: str,
    out: Path,
    with_charts: bool = True,
) -> Path:
    """Write the report for scope ('county' or a township code) as of a date to out; return out.

    with_charts=False leaves the charts out of Word, PDF and PowerPoint (no Chromium needed).
    Markdown is text and tables only, as the page's download is: one file, no pictures beside it.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    content.check(db, scope, as_of)  # a refused report must not leave Chromium half-started
    if fmt == "pdf":
        from reports import pdf

        why = pdf.missing()
        if why:
            raise pdf.PdfError(why)
    drawn = with_charts and fmt in DRAWN
    if drawn:
        warm_up()
    report = content.build(db, scope, as_of)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render(report, fmt, drawn))
    return out
