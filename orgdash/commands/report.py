"""orgdash report: the meeting report in Word, PDF, PowerPoint, Excel or Markdown, from the
warehouse (PDF: the Word document converted by LibreOffice, reports/pdf.py)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.markup import escape

from orgdash.cli import _as_of, app, db_option, err, out

FORMAT_HELP = (
    "docx（Word）、pdf（由 Word 版经 LibreOffice 转换）、pptx（PowerPoint）、xlsx（Excel）"
    "或 md（Markdown） / output format"
)


@app.command()
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    required=True,
    help="输出文件 / output file",
)
@db_option
@click.option(
    "--scope",
    default="county",
    help="county 为全县，或乡镇（街道）的12位区划代码 / 'county' or a township's division code",
)
@click.option(
    "--as-of",
    help="报告日期 YYYY-MM-DD，默认为数据截止日期 / report date (default: the warehouse's as-of date)",
)
# A plain string checked below (not a click.Choice): ".DOCX" and "Md" are accepted too.
@click.option("--format", "fmt", default="docx", help=FORMAT_HELP)
@click.option(
    "--charts/--no-charts",
    "with_charts",
    default=True,
    help="是否包含图表（生成图表需要 Chromium） / include charts (drawn with Chromium)",
)
def report(
    out_path: Path, db: Path, scope: str, as_of: str | None, fmt: str, with_charts: bool
) -> None:
    """生成会议材料：文字、表格和图表，与看板“报告”页内容相同。 / Write the meeting report."""
    from queries import live_file
    from reports.build import FORMATS, build_report
    from reports.content import ReportError
    from reports.pdf import PdfError

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.BadParameter(
            f"格式应为 {'、'.join(FORMATS)} 之一 / format must be one of {', '.join(FORMATS)}: {fmt}",
            param_hint="--format",
        )
    if not db.exists():
        err.print(
            f"数据仓库不存在：{db}。请先运行 orgdash load。 / No warehouse at {db}; run orgdash load."
        )
        raise SystemExit(1)
    day = _as_of(as_of)
    started = time.perf_counter()
    try:
        # One build for the whole report, even if a load swaps the live one meanwhile.
        written = build_report(live_file(db), scope, day, fmt, out_path, with_charts)
    except (ReportError, PdfError) as exc:
        err.print(f"[bold red]不能生成报告[/bold red]：{escape(str(exc))}", soft_wrap=True)
        raise SystemExit(1) from None
    out.print(
        f"已生成 {escape(str(written))}（{time.perf_counter() - started:.1f} 秒） / wrote {escape(str(written))}"
    )
