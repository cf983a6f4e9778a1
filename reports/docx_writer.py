"""The report as a 公文 in Word, laid out to GB/T 9704-2012 (党政机关公文格式).

A4; top margin 37 mm, binding (left) margin 28 mm, a 156 × 225 mm text block of 22 lines of 28
characters (a document grid and exact line spacing); the title in 2号 方正小标宋简体, centred; the
body in 3号 仿宋_GB2312 with a first-line indent of two characters; level-1 headings 「一、」 in 黑体,
level-2 「（一）」 in 楷体_GB2312, level-3 「1.」 in 仿宋_GB2312 bold; page numbers 「— 1 —」 in 4号
宋体, odd pages on the right and even pages on the left, one character in. After the body: the
附件说明, the generated 注, the signature centred over the date (the date four characters in from
the right), then the 附件 on a new page with the tables beyond the key ones.

East-Asian fonts are declared in w:rFonts/@w:eastAsia (python-docx's font.name sets only the
Latin ones) with the real names Word and WPS on the bureau's PCs have, theme fonts removed; the
server's PDF maps them to free fonts (reports/fonts/fonts.conf).
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor, Twips

from reports import wording as w
from reports.content import TEXT, Pictures, Report, Table

TITLE_FONT = "方正小标宋简体"  # 2号 title
BODY_FONT = "仿宋_GB2312"  # 3号 body and level-3 headings (bold)
HEADING_FONT = "黑体"  # level 1, the 附件 label, table headers
KAI_FONT = "楷体_GB2312"  # level 2, the subtitle
PAGE_FONT = "宋体"  # page numbers, 4号
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(10.5)  # 五号
PICTURE_WIDTH = Cm(15.5)
WHOLE_ROWS = 15  # a key table of at most this many rows is not split over two pages

# The page (GB/T 9704-2012 5.2): A4, 版心 156 mm × 225 mm, top 37 mm, left (binding) 28 mm.
PAGE_W, PAGE_H = Cm(21), Cm(29.7)
TOP, LEFT = Cm(3.7), Cm(2.8)
TEXT_WIDTH, TEXT_HEIGHT = Cm(15.6), Cm(22.5)
RIGHT, BOTTOM = Emu(PAGE_W - LEFT - TEXT_WIDTH), Emu(PAGE_H - TOP - TEXT_HEIGHT)
LINES, CHARS = 22, 28
# 225 mm / 22 = 579.8 twips; 580 would fit only 21 lines, so 579 (28.95 pt), as Word's own
# 公文 templates have it.
LINE = Twips(int(TEXT_HEIGHT.twips / LINES))
# The character grid's pitch: 156 mm / 28 = 15.79 pt; w:charSpace is its difference from the
# body's size in 1/4096 pt (ECMA-376 17.6.5). Word and WPS show it as 每行28字.
CHAR_PITCH = TEXT_WIDTH.pt / CHARS
CHAR_SPACE = round((CHAR_PITCH - BODY_SIZE.pt) * 4096)
# The text itself does not snap to that grid: LibreOffice 7.4 puts a 16 pt character snapped to a
# 15.79 pt grid cell into two cells (14 characters a line). The body is condensed instead, by
# 0.25 pt (w:spacing in twentieths of a point; -0.2 would make 28 × 15.8 pt > 156 mm): 28
# characters a line in Word, WPS and LibreOffice alike.
CONDENSE = -5
INDENT = Pt(2 * BODY_SIZE.pt)  # two characters of 三号
DATE_RIGHT = 4  # 成文日期右空四字
PAGE_NUMBER_IN = PAGE_SIZE  # 单页码居右空一字，双页码居左空一字 (one character of 四号)
FOOTER = Cm(2.5)  # puts the 一字线 about 7 mm below the text block

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


_PPR_AFTER_SNAP = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def no_grid(p_pr_parent) -> None:  # type: ignore[no-untyped-def]
    """Keep a paragraph (or style) off the document grid: a 22 pt title or 10.5 pt table text
    snapped to the 28-character grid would be spread over two cells a character, and single
    spaced table rows stretched to the 28.95 pt line pitch."""
    p_pr = p_pr_parent.get_or_add_pPr()
    snap = p_pr.find(qn("w:snapToGrid"))
    if snap is None:
        snap = OxmlElement("w:snapToGrid")
        p_pr.insert_element_before(snap, *_PPR_AFTER_SNAP)
    snap.set(qn("w:val"), "0")


_RPR_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def letter_spacing(rpr_parent, twentieths: int) -> None:  # type: ignore[no-untyped-def]
    """w:spacing on a style's or run's rPr: the space added between characters (negative:
    condensed), in twentieths of a point."""
    rpr = rpr_parent.get_or_add_rPr()
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_RPR_AFTER_SPACING)
    spacing.set(qn("w:val"), str(twentieths))


def _indent_chars(fmt, p_pr_parent, first: int = 0, left: int = 0, right: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Indents in characters of 三号: w:firstLineChars etc. (hundredths of a character, what Word
    and WPS show as 字符) beside the same length in twips for readers that ignore them."""
    if first:
        fmt.first_line_indent = Pt(first * BODY_SIZE.pt)
    if left:
        fmt.left_indent = Pt(left * BODY_SIZE.pt)
    if right:
        fmt.right_indent = Pt(right * BODY_SIZE.pt)
    ind = p_pr_parent.get_or_add_pPr().find(qn("w:ind"))
    for attr, chars in (("firstLineChars", first), ("leftChars", left), ("rightChars", right)):
        if chars:
            ind.set(qn(f"w:{attr}"), str(round(chars * 100)))


def _grid(section) -> None:  # type: ignore[no-untyped-def]
    """22 lines of 28 characters: a lines-and-characters document grid (Word: 文档网格)."""
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE.twips))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def _page(doc) -> None:  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance = Cm(1.5)
    section.footer_distance = FOOTER
    _grid(section)
    # Odd pages carry the number on the right, even pages on the left (w:evenAndOddHeaders).
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.first_line_indent = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = PAGE_NUMBER_IN
        else:
            fmt.left_indent = PAGE_NUMBER_IN
        no_grid(p._p)
        # 一字线 and digits in 宋体 too (半角宋体阿拉伯数字): as Latin text, the dashes took the
        # Latin face in LibreOffice 7.4.
        set_fonts(_run(p, "— ", PAGE_FONT, PAGE_SIZE)._r, PAGE_FONT, PAGE_FONT)
        _page_field(p)
        set_fonts(_run(p, " —", PAGE_FONT, PAGE_SIZE)._r, PAGE_FONT, PAGE_FONT)


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
        set_fonts(run._r, PAGE_FONT, PAGE_FONT)
        run.font.size = PAGE_SIZE
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
    if indent:
        _indent_chars(p.paragraph_format, p._p, first=2)
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
    "方正小标宋简体": ("宋体", "roman", "variable"),
    "仿宋_GB2312": ("仿宋", "modern", "fixed"),
    "楷体_GB2312": ("楷体", "modern", "fixed"),
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
        no_grid(style.element)
        letter_spacing(style.element, 0)
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


def _header_parts(header: str) -> list[str]:
    """A header's lines when it wraps before its unit: 登记（家） → 登记 / （家）; the column is
    kept as wide as the longer, so a unit is never broken (（家 / ）)."""
    name, bracket, unit = header.partition("（")
    return [name, bracket + unit] if bracket else [header]


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
        max(
            (_width(col) + 1) // 2,
            4,
            *(_width(part) for part in _header_parts(col)),
            *(_width(r[j]) for r in rows),
        )
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
    if not table.annex and len(rows) <= WHOLE_ROWS:
        # A short key table stays on one page with its caption: every row kept with the next
        # (Word's way; LibreOffice 7.4 reads it as the table's 与下段同页 and does not split it).
        # The 附件's tables may split (their header row repeats): kept whole, each left the
        # bottom of the page before it empty.
        for row in cells[:-1]:
            for cell in row:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
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


def _heading_styles(doc) -> None:  # type: ignore[no-untyped-def]
    """Heading 1-3 as the standard's levels: 黑体, 楷体_GB2312, 仿宋_GB2312 bold; 三号, indented
    two characters, on the body's lines, kept with what follows."""
    for name, font, bold in (
        ("Heading 1", HEADING_FONT, False),
        ("Heading 2", KAI_FONT, False),
        ("Heading 3", BODY_FONT, True),
    ):
        style = _style(doc, name, font, BODY_SIZE, bold)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.keep_with_next = True
        _indent_chars(fmt, style.element, first=2)


def _title_style(doc) -> None:  # type: ignore[no-untyped-def]
    style = _style(doc, "Title", TITLE_FONT, TITLE_SIZE)
    # The template's Title has a coloured bottom border and spacing: a plain centred title instead.
    p_pr = style.element.find(qn("w:pPr"))
    if p_pr is not None and p_pr.find(qn("w:pBdr")) is not None:
        p_pr.remove(p_pr.find(qn("w:pBdr")))
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(35)  # a two-line title keeps its lines apart
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rpr = style.element.get_or_add_rPr()
    kern = rpr.find(qn("w:kern"))
    if kern is not None:
        rpr.remove(kern)
    letter_spacing(style.element, 0)  # the template spreads the title's letters
    no_grid(style.element)


def _text_width(text: str, size: float = BODY_SIZE.pt) -> float:
    """Width in points: a CJK character is one em, anything else half of one."""
    return sum(size if ord(ch) > 0x2E80 else size / 2 for ch in text)


def _signature(doc, issuer: str, date: str) -> list:  # type: ignore[no-untyped-def]
    """GB/T 9704-2012 7.3.5.1: the date four characters in from the right, the issuer centred
    over it; an issuer longer than the date sits two characters in, the date centred under it."""
    name_w, date_w = _text_width(issuer), _text_width(date)
    if name_w <= date_w:
        date_right = DATE_RIGHT * BODY_SIZE.pt
        name_right = date_right + (date_w - name_w) / 2
    else:
        name_right = 2 * BODY_SIZE.pt
        date_right = name_right + (name_w - date_w) / 2
    out = []
    for text, right, chars in (
        (issuer, name_right, name_right / BODY_SIZE.pt),
        (date, date_right, date_right / BODY_SIZE.pt),
    ):
        p = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        p.paragraph_format.right_indent = Pt(right)
        p._p.get_or_add_pPr().find(qn("w:ind")).set(qn("w:rightChars"), str(round(chars * 100)))
        out.append(p)
    return out


def _annex_note(doc, title: str):  # type: ignore[no-untyped-def]
    """附件说明 (7.3.4): under the body, two characters in: 附件：title."""
    return _paragraph(doc, f"附件：{title}")


def _annex(doc, report: Report) -> None:  # type: ignore[no-untyped-def]
    """The 附件 on a new page: 附件 in 黑体 top left, its title centred on the third line, then
    the tables, numbered after the key ones."""
    label = doc.add_paragraph(style="Normal")
    label.paragraph_format.page_break_before = True
    _run(label, "附件", HEADING_FONT, BODY_SIZE)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, report.annex_title, "Title", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", indent=False)
    for table in report.annex():
        add_table(doc, table, report.table_number(table))


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
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE  # 22 lines to the page, as the standard sets
    fmt.space_after = fmt.space_before = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = False  # 公文 lines fill every page's 22 lines
    no_grid(normal.element)
    letter_spacing(normal.element, CONDENSE)
    _heading_styles(doc)
    _title_style(doc)
    _add_styles(doc)
    _font_table(doc)
    _page(doc)

    props = doc.core_properties
    props.title = report.title
    props.author = report.issuer
    props.subject = report.subtitle
    props.language = "zh-CN"

    _paragraph(doc, report.title, "Title", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    subtitle = _paragraph(doc, "", "Normal", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _run(subtitle, report.subtitle, KAI_FONT, BODY_SIZE)
    _paragraph(doc, "", indent=False)
    if report.opening:
        _paragraph(doc, report.opening)

    with_charts = pictures is not None
    places = []
    chart_no = 0
    last = None  # the body's last paragraph
    styles = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
    for heading in report.outline():
        doc.add_paragraph(heading.text, style=styles[heading.level])
        section = heading.section
        if section is None:
            continue
        for paragraph in section.paragraphs:
            last = _paragraph(doc, "".join(paragraph))
        for chart in section.charts if with_charts else []:
            chart_no += 1
            places.append((add_picture(doc, chart.title, chart_no, chart.note), chart.title))
        for table in section.tables:
            if not table.annex:
                add_table(doc, table, report.table_number(table))

    annex = report.annex()
    # The signature never stands alone on a page (GB/T 9704-2012 7.3.5.4): the 附件说明, the 注
    # and the signature are kept with the body's last lines (not its whole last paragraph: that
    # left half a page empty), the date with them.
    if last is not None:
        last.paragraph_format.keep_with_next = True
    ending = [_paragraph(doc, "", indent=False)]
    if annex:
        ending.append(_annex_note(doc, report.annex_title))
    ending.append(doc.add_paragraph(report.note, style=NOTE_STYLE))
    ending.append(_paragraph(doc, "", indent=False))
    ending += _signature(doc, report.issuer, w.date(report.dated or dt.date.today()))
    for p in ending[:-1]:
        p.paragraph_format.keep_with_next = True
    if annex:
        _annex(doc, report)

    images = list((pictures() if callable(pictures) else pictures) or [])
    for i, (run, title) in enumerate(places):
        fill(run, images[i] if i < len(images) else None, title)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
