"""The report as a 16:9 PowerPoint deck: a title slide, one slide per section with its key figures
and sentences, then a slide per chart (picture) and per key table (real table, split over slides);
the 附件's tables after the last section. Every slide carries speaker notes: the paragraphs it
summarises (the title slide: the report's opening), for the one who presents it.

East-Asian fonts are declared in a:ea on every run (python-pptx's font.name sets only a:latin).
"""

from __future__ import annotations

import copy
import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from reports.content import TEXT, Pictures, Report, Section, Table

HEADING_FONT = "黑体"
BODY_FONT = "微软雅黑"  # reads well on a projector; WPS and Office on Chinese Windows have it
LATIN_FONT = "Arial"
RED = RGBColor(0xC0, 0x39, 0x2B)
DARK = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x66, 0x66, 0x66)
LIGHT = RGBColor(0xF4, 0xF4, 0xF4)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
ROWS_PER_SLIDE = 14  # 12 townships and the total fit one slide


def set_font(run, east_asia: str, size: Pt, bold: bool = False, color: RGBColor = DARK) -> None:  # type: ignore[no-untyped-def]
    """Size, weight, colour, the Latin face and the East-Asian face (a:ea after a:latin)."""
    font = run.font
    font.size = size
    font.bold = bold
    font.color.rgb = color
    font.name = LATIN_FONT
    rpr = run._r.get_or_add_rPr()
    latin = rpr.find(qn("a:latin"))
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        latin.addnext(ea)  # schema order: latin, ea, cs
    ea.set("typeface", east_asia)


def _text(
    slide,
    left,
    top,
    width,
    height,
    text: str,
    east_asia: str,
    size: Pt,
    *,
    bold=False,
    color=DARK,
    align=PP_ALIGN.LEFT,
    anchor=MSO_ANCHOR.TOP,
):  # type: ignore[no-untyped-def]
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    p = frame.paragraphs[0]
    p.alignment = align
    set_font(_run(p, text), east_asia, size, bold, color)
    return box


def _run(paragraph, text: str):  # type: ignore[no-untyped-def]
    run = paragraph.add_run()
    run.text = text
    return run


def _header(slide, title: str) -> None:  # type: ignore[no-untyped-def]
    _text(
        slide,
        MARGIN,
        Inches(0.35),
        SLIDE_W - 2 * MARGIN,
        Inches(0.7),
        title,
        HEADING_FONT,
        Pt(28),
        color=DARK,
        anchor=MSO_ANCHOR.MIDDLE,
    )
    bar = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.08), SLIDE_W - 2 * MARGIN, Inches(0.05)
    )
    bar.fill.solid()
    bar.fill.fore_color.rgb = RED
    bar.line.fill.background()


def notes(slide, text: str) -> None:  # type: ignore[no-untyped-def]
    """The slide's speaker notes (备注): what the presenter reads out."""
    slide.notes_slide.notes_text_frame.text = text


def _title_slide(prs, report: Report) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    notes(slide, report.opening or report.title)
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.2), SLIDE_W, Inches(1.9))
    band.fill.solid()
    band.fill.fore_color.rgb = RED
    band.line.fill.background()
    _text(
        slide,
        MARGIN,
        Inches(2.35),
        SLIDE_W - 2 * MARGIN,
        Inches(1.0),
        report.title,
        HEADING_FONT,
        Pt(40),
        bold=False,
        color=WHITE,
        align=PP_ALIGN.CENTER,
        anchor=MSO_ANCHOR.MIDDLE,
    )
    _text(
        slide,
        MARGIN,
        Inches(3.35),
        SLIDE_W - 2 * MARGIN,
        Inches(0.6),
        report.subtitle,
        BODY_FONT,
        Pt(20),
        color=WHITE,
        align=PP_ALIGN.CENTER,
        anchor=MSO_ANCHOR.MIDDLE,
    )
    _text(
        slide,
        MARGIN,
        Inches(5.2),
        SLIDE_W - 2 * MARGIN,
        Inches(0.6),
        report.issuer,
        HEADING_FONT,
        Pt(24),
        color=DARK,
        align=PP_ALIGN.CENTER,
    )


def _body_size(chars: int) -> Pt:
    # No font files here to measure text: pick the size from the amount of text instead.
    if chars <= 260:
        return Pt(20)
    if chars <= 420:
        return Pt(17)
    if chars <= 600:
        return Pt(15)
    return Pt(13)


def _section_slide(prs, heading: str, section: Section) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    notes(slide, section.text())
    _header(slide, heading)
    top: int = Inches(1.35)
    figures = section.figures[:5]
    if figures:
        gap = Inches(0.2)
        width = int((SLIDE_W - 2 * MARGIN - gap * (len(figures) - 1)) / len(figures))
        for i, fig in enumerate(figures):
            left = MARGIN + i * (width + gap)
            card = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, Inches(1.35))
            card.fill.solid()
            card.fill.fore_color.rgb = LIGHT
            card.line.fill.background()
            _text(
                slide,
                left,
                top + Inches(0.1),
                width,
                Inches(0.75),
                fig.value,
                HEADING_FONT,
                Pt(30),
                color=RED,
                align=PP_ALIGN.CENTER,
                anchor=MSO_ANCHOR.MIDDLE,
            )
            _text(
                slide,
                left,
                top + Inches(0.85),
                width,
                Inches(0.4),
                fig.label,
                BODY_FONT,
                Pt(14),
                color=GREY,
                align=PP_ALIGN.CENTER,
                anchor=MSO_ANCHOR.MIDDLE,
            )
        top += Inches(1.6)
    box = slide.shapes.add_textbox(MARGIN, top, SLIDE_W - 2 * MARGIN, SLIDE_H - top - Inches(0.4))
    frame = box.text_frame
    frame.word_wrap = True
    size = _body_size(sum(len(s) for p in section.paragraphs for s in p))
    for i, paragraph in enumerate(section.paragraphs):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.space_after = Pt(8)
        p.line_spacing = 1.15
        set_font(_run(p, "".join(paragraph)), BODY_FONT, size)


NOTE_H = Inches(0.6)  # two lines of 12 pt under the header: what a shortened chart or table shows


def _note(slide, text: str) -> None:  # type: ignore[no-untyped-def]
    _text(
        slide,
        MARGIN,
        Inches(1.2),
        SLIDE_W - 2 * MARGIN,
        NOTE_H,
        f"注：{text}",
        BODY_FONT,
        Pt(12),
        color=GREY,
        anchor=MSO_ANCHOR.MIDDLE,
    )


def _picture_slide(prs, title: str, said: str, note: str | None = None):  # type: ignore[no-untyped-def]
    """A chart's slide with its title (and note); returns what _picture() needs to complete it.
    said: the section's paragraphs, as the speaker notes."""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    notes(slide, said)
    _header(slide, title)
    top: int = Inches(1.35)
    if note:
        _note(slide, note)
        top += NOTE_H
    return slide, top


def _picture(slide, top: int, png: bytes | None) -> None:  # type: ignore[no-untyped-def]
    max_w, max_h = SLIDE_W - 2 * MARGIN, SLIDE_H - top - Inches(0.35)
    if png is None:
        _text(
            slide,
            MARGIN,
            top,
            max_w,
            Inches(1),
            "（图表未能生成：服务器上缺少 Chromium 浏览器。）",
            BODY_FONT,
            Pt(18),
            color=GREY,
        )
        return
    pic = slide.shapes.add_picture(io.BytesIO(png), MARGIN, top)
    scale = min(max_w / pic.width, max_h / pic.height)
    pic.width, pic.height = int(pic.width * scale), int(pic.height * scale)
    pic.left = int((SLIDE_W - pic.width) / 2)


def _table_slides(prs, title: str, table: Table, said: str) -> None:  # type: ignore[no-untyped-def]
    columns = table.frame.columns
    rows = table.rows()
    # Even slices, so a long table never leaves one orphan row on its last slide.
    n_slides = max(1, -(-len(rows) // ROWS_PER_SLIDE))
    per_slide = -(-len(rows) // n_slides) if rows else 1
    chunks = [rows[i : i + per_slide] for i in range(0, max(len(rows), 1), per_slide)]
    # Column widths follow the longest text in each column (a CJK character counts twice).
    weights = [
        max(_width(col), *(_width(r[j]) for r in rows)) if rows else _width(col)
        for j, col in enumerate(columns)
    ]
    total_w = SLIDE_W - 2 * MARGIN
    top = Inches(1.4) + (NOTE_H if table.note else 0)
    for n, chunk in enumerate(chunks):
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        notes(slide, said)
        _header(slide, title if n == 0 else f"{title}（续）")
        if table.note:
            _note(slide, table.note)
        row_h = min(Inches(0.42), int((SLIDE_H - top - Inches(0.2)) / (len(chunk) + 1)))
        shape = slide.shapes.add_table(
            len(chunk) + 1, len(columns), MARGIN, top, total_w, row_h * (len(chunk) + 1)
        )
        grid = shape.table
        for j, weight in enumerate(weights):
            grid.columns[j].width = Emu(int(total_w * weight / sum(weights)))
        for j, col in enumerate(columns):
            _cell(grid.cell(0, j), col, header=True, align=PP_ALIGN.CENTER)
        for i, values in enumerate(chunk, start=1):
            total_row = values[0] == "合计"
            for j, (col, value) in enumerate(zip(columns, values, strict=True)):
                align = (
                    PP_ALIGN.LEFT
                    if j == 0 and table.kinds.get(col, TEXT) == TEXT
                    else PP_ALIGN.CENTER
                )
                _cell(
                    grid.cell(i, j),
                    value,
                    header=False,
                    align=align,
                    shaded=i % 2 == 0,
                    bold=total_row,
                )


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2


# A formatted cell's XML per look (header, alignment, shading, bold): python-pptx took about a
# millisecond a cell to set fill, margins, alignment and fonts, two thirds of the deck's time;
# a copy of the first cell of each look with its text replaced is the same XML.
_CELLS: dict[tuple, list] = {}


def _cell(cell, text: str, header: bool, align, shaded: bool = False, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    look = (header, align, shaded, bold)
    tc = cell._tc
    template = _CELLS.get(look)
    if template is None:
        _format_cell(cell, text, header, align, shaded, bold)
        _CELLS[look] = [copy.deepcopy(child) for child in tc]
        return
    for child in list(tc):
        tc.remove(child)
    for child in template:
        tc.append(copy.deepcopy(child))
    tc.find(f".//{qn('a:t')}").text = text


def _format_cell(cell, text: str, header: bool, align, shaded: bool, bold: bool) -> None:  # type: ignore[no-untyped-def]
    cell.fill.solid()
    cell.fill.fore_color.rgb = RED if header else (LIGHT if shaded else WHITE)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    cell.margin_left = cell.margin_right = Inches(0.06)
    frame = cell.text_frame
    frame.word_wrap = True
    p = frame.paragraphs[0]
    p.alignment = align
    set_font(
        _run(p, text),
        HEADING_FONT if header or bold else BODY_FONT,
        Pt(13),
        color=WHITE if header else DARK,
    )


def _table(prs, report: Report, table: Table, said: str, prefix: str = "") -> None:  # type: ignore[no-untyped-def]
    number = report.table_number(table)
    shown = table.printed(number)  # a long table's brief; the whole one is in Excel
    _table_slides(prs, f"{prefix}表{number}　{shown.title}", shown, said)


def write(report: Report, pictures: Pictures | None) -> bytes:
    """The .pptx bytes; pictures are the charts' PNGs in report.charts() order, None for none,
    or a function that waits for them: it is called once every slide is made, so the deck is
    made while the browser draws.

    A None among them (the chart could not be drawn) leaves a line saying so in its place.
    """
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    props = prs.core_properties
    props.title = report.title
    props.author = report.issuer
    props.subject = report.subtitle
    props.language = "zh-CN"
    _title_slide(prs, report)
    with_charts = pictures is not None
    places = []
    chart_no = 0
    annex: list[tuple[Table, str]] = []
    for heading, section in report.numbered():
        _section_slide(prs, heading, section)
        said = section.text()
        for chart in section.charts if with_charts else []:
            chart_no += 1
            places.append(_picture_slide(prs, f"图{chart_no}　{chart.title}", said, chart.note))
        for table in section.tables:
            if table.annex:
                annex.append((table, said))
            else:
                _table(prs, report, table, said)
    for table, said in sorted(annex, key=lambda pair: report.table_number(pair[0])):
        _table(prs, report, table, said, "附件　")
    images = list((pictures() if callable(pictures) else pictures) or [])
    for i, (slide, top) in enumerate(places):
        _picture(slide, top, images[i] if i < len(images) else None)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
