"""The report as a Word document in the style of a government report (GB/T 9704 conventions).

仿宋_GB2312 三号 body with a two-character first-line indent, 黑体 headings, a 宋体 title, A4 with
the standard margins, real Word tables with a repeating header row, charts as pictures, page
numbers. East-Asian fonts are declared in w:rFonts/@w:eastAsia (python-docx's font.name sets only
the Latin ones), and theme fonts are removed so the declared ones are the ones Word uses.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor

from reports.content import TEXT, Pictures, Report, Table

BODY_FONT = "仿宋_GB2312"  # the standard's body face; Word substitutes 仿宋 where it is missing
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(10.5)  # 五号
PICTURE_WIDTH = Cm(15.5)
TEXT_WIDTH = Cm(15.6)  # A4 less the 2.8 cm and 2.6 cm side margins
CELL_STYLE, CAPTION_STYLE, NOTE_STYLE, PICTURE_STYLE = (
    "报告表格",
    "报告题注",
    "报告附注",
    "报告图片",
)

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr_parent, east_asia: str, latin: str = LATIN_FONT) -> None:  # type: ignore[no-untyped-def]
    """Declare the fonts on a style's or run's rPr, East-Asian one included, themes removed."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        key = qn(attr)
        if key in fonts.attrib:
            del fonts.attrib[key]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style(doc, name: str, east_asia: str, size: Pt, bold: bool = False):  # type: ignore[no-untyped-def]
    style = doc.styles[name]
    set_fonts(style.element, east_asia)
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    return style


def _zh_defaults(doc) -> None:  # type: ignore[no-untyped-def]
    """Document defaults: declared fonts instead of theme fonts, Chinese as the East-Asian language."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in _THEME_ATTRS:
        if qn(attr) in fonts.attrib:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _page(doc) -> None:  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", TITLE_FONT, Pt(14))
    _page_field(footer)
    _run(footer, " —", TITLE_FONT, Pt(14))


def _page_field(paragraph) -> None:  # type: ignore[no-untyped-def]
    """A PAGE field: begin, instruction, separate, shown value, end."""
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = paragraph.add_run()
        set_fonts(run._r, TITLE_FONT)
        run.font.size = Pt(14)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text


def _run(paragraph, text: str, east_asia: str, size: Pt, bold: bool = False):  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    set_fonts(run._r, east_asia)
    run.font.size = size
    run.font.bold = bold
    return run


def _paragraph(doc, text: str, style: str = "Normal", align=None, indent: bool = True):  # type: ignore[no-untyped-def]
    p = doc.add_paragraph(style=style)
    p.add_run(text)
    fmt = p.paragraph_format
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    if align is not None:
        p.alignment = align
    return p


STYLE_IDS = {
    CELL_STYLE: "ReportTable",
    CAPTION_STYLE: "ReportCaption",
    NOTE_STYLE: "ReportNote",
    PICTURE_STYLE: "ReportPicture",
}
# Font-table entries let Word and WPS pick a stand-in (by name, then by GB2312 charset) on a
# machine without the face, instead of a Latin default: order per CT_Font is altName, charset,
# family, pitch.
FONT_TABLE = {
    "仿宋_GB2312": ("仿宋", "modern", "fixed"),
    "黑体": ("SimHei", "modern", "fixed"),
    "宋体": ("SimSun", "auto", "variable"),
}


def _font_table(doc) -> None:  # type: ignore[no-untyped-def]
    from lxml import etree

    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, family, pitch) in FONT_TABLE.items():
        if name in have:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("altName", alt),
            ("charset", "86"),
            ("family", family),
            ("pitch", pitch),
        ):
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_legacy_styles(doc) -> None:  # type: ignore[no-untyped-def]
    """Remove the template's stylesWithEffects part (a Word 2010 copy of styles.xml).

    Left in, it disagrees with the styles and defaults set here, which Word may report as
    unreadable content; Word rebuilds it when it saves, so nothing is lost.
    """
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(r_id)


def _add_styles(doc) -> None:  # type: ignore[no-untyped-def]
    """Paragraph styles for table cells, captions and notes: single spacing, no indent."""
    for name, font, size, keep in (
        (CELL_STYLE, TABLE_FONT, TABLE_SIZE, False),
        (CAPTION_STYLE, HEADING_FONT, Pt(12), True),
        (NOTE_STYLE, BODY_FONT, Pt(12), False),
        (PICTURE_STYLE, BODY_FONT, Pt(12), True),
    ):
        # An ASCII styleId (what the XML references), the Chinese name (what Word lists).
        style = doc.styles.add_style(STYLE_IDS[name], WD_STYLE_TYPE.PARAGRAPH)
        style.name = name
        style.base_style = doc.styles["Normal"]
        set_fonts(style.element, font)
        style.font.size = size
        fmt = style.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.first_line_indent = Pt(0)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.keep_with_next = keep
        if name in (CAPTION_STYLE, PICTURE_STYLE):
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if name == CAPTION_STYLE:
            fmt.space_before = Pt(6)
            fmt.space_after = Pt(6)


def _table_caption(doc, text: str) -> None:  # type: ignore[no-untyped-def]
    doc.add_paragraph(text, style=CAPTION_STYLE)


def _shade(cell, fill: str) -> None:  # type: ignore[no-untyped-def]
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    # CT_TcPr order: shd comes before noWrap, tcMar, textDirection, tcFitText, vAlign, hideMark.
    tc_pr.insert_element_before(
        shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
    )


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.insert_element_before(
        header, "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"
    )


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2


def _cell_text(cell, text: str, bold: bool, align) -> None:  # type: ignore[no-untyped-def]
    p = cell.paragraphs[0]
    # The styleId straight into w:pStyle: python-docx's lookup by name scans every style, and a
    # report has hundreds of cells.
    p._p.style = STYLE_IDS[CELL_STYLE]
    p.alignment = align
    run = p.add_run(text)
    if bold:  # 黑体 marks the header and the total row; it is a bold face already
        set_fonts(run._r, HEADING_FONT)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def add_table(doc, table: Table, number: int) -> None:  # type: ignore[no-untyped-def]
    """表N title above, a grid table with a shaded header row that repeats on every page.

    A long table (a province's townships) is printed as its brief; the note says where the rest is.
    """
    table = table.printed(number)
    _table_caption(doc, f"表{number}　{table.title}")
    columns = table.frame.columns
    rows = table.rows()
    grid = doc.add_table(rows=1 + len(rows), cols=len(columns))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    # Widths follow the longest text of each column (a CJK character counts twice), headers
    # counted at half since they may wrap onto two lines.
    weights = [
        max((_width(col) + 1) // 2, 4, *(_width(r[j]) for r in rows))
        for j, col in enumerate(columns)
    ]
    cells = [row.cells for row in grid.rows]  # python-docx rebuilds a row's cells on each call
    for j, weight in enumerate(weights):
        width = Emu(int(TEXT_WIDTH * weight / sum(weights)))
        grid.columns[j].width = width
        for row in cells:
            row[j].width = width
    for j, col in enumerate(columns):
        _shade(cells[0][j], "E7E6E6")
        _cell_text(cells[0][j], col, True, WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(grid.rows[0])
    for i, values in enumerate(rows, start=1):
        total_row = values[0] == "合计"
        for j, (col, value) in enumerate(zip(columns, values, strict=True)):
            align = (
                WD_ALIGN_PARAGRAPH.LEFT
                if table.kinds.get(col, TEXT) == TEXT and j == 0
                else WD_ALIGN_PARAGRAPH.CENTER
            )
            _cell_text(cells[i][j], value, total_row, align)
    if table.note:
        doc.add_paragraph(f"注：{table.note}", style=NOTE_STYLE)
    doc.add_paragraph(style=NOTE_STYLE)


def add_picture(doc, title: str, number: int, note: str | None = None):  # type: ignore[no-untyped-def]
    """The picture's place, caption (and note) below it; returns the run that fill() completes."""
    # Its own single-spaced style: Normal's exact line spacing would clip the picture to one line.
    run = doc.add_paragraph(style=PICTURE_STYLE).add_run()
    caption = doc.add_paragraph(f"图{number}　{title}", style=CAPTION_STYLE)
    caption.paragraph_format.keep_with_next = note is not None
    if note:
        doc.add_paragraph(f"注：{note}", style=NOTE_STYLE)
    return run


def fill(run, png: bytes | None, title: str) -> None:  # type: ignore[no-untyped-def]
    if png is None:
        run.text = f"（图表「{title}」未能生成：服务器上缺少 Chromium 浏览器。）"
    else:
        run.add_picture(io.BytesIO(png), width=PICTURE_WIDTH)


def write(report: Report, pictures: Pictures | None) -> bytes:
    """The .docx bytes; pictures are the charts' PNGs in report.charts() order, None for none,
    or a function that waits for them: it is called once the text and tables are written, so
    the document is made while the browser draws.

    A None among them (the chart could not be drawn) leaves a line saying so in its place.
    """
    doc = Document()
    _drop_legacy_styles(doc)
    _zh_defaults(doc)
    normal = _style(doc, "Normal", BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(29)  # 22 lines to the page, as the standard sets
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    heading = _style(doc, "Heading 1", HEADING_FONT, BODY_SIZE)
    heading.paragraph_format.space_before = Pt(0)
    heading.paragraph_format.space_after = Pt(0)
    heading.paragraph_format.first_line_indent = Pt(32)
    heading.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    heading.paragraph_format.line_spacing = Pt(29)
    heading.paragraph_format.keep_with_next = True
    title_style = _style(doc, "Title", TITLE_FONT, Pt(22), bold=True)
    # The template's Title has a coloured bottom border and spacing: a plain centred title instead.
    p_pr = title_style.element.find(qn("w:pPr"))
    if p_pr is not None and p_pr.find(qn("w:pBdr")) is not None:
        p_pr.remove(p_pr.find(qn("w:pBdr")))
    title_style.paragraph_format.space_after = Pt(0)
    title_style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _add_styles(doc)
    _font_table(doc)
    _page(doc)

    props = doc.core_properties
    props.title = report.title
    props.author = report.issuer
    props.subject = report.subtitle
    props.language = "zh-CN"

    _paragraph(doc, report.title, "Title", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, report.subtitle, "Normal", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", indent=False)

    with_charts = pictures is not None
    places = []
    table_no = chart_no = 0
    for heading_text, section in report.numbered():
        doc.add_paragraph(heading_text, style="Heading 1")
        for paragraph in section.paragraphs:
            _paragraph(doc, "".join(paragraph))
        for chart in section.charts if with_charts else []:
            chart_no += 1
            places.append((add_picture(doc, chart.title, chart_no, chart.note), chart.title))
        for table in section.tables:
            table_no += 1
            add_table(doc, table, table_no)

    _paragraph(doc, "", indent=False)
    sign = _paragraph(doc, report.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    sign.paragraph_format.right_indent = Pt(64)
    note = doc.add_paragraph(report.note, style=NOTE_STYLE)
    note.paragraph_format.space_before = Pt(12)

    images = list((pictures() if callable(pictures) else pictures) or [])
    for i, (run, title) in enumerate(places):
        fill(run, images[i] if i < len(images) else None, title)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
