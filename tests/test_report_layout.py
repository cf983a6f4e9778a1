"""The meeting report as a 公文: the Word file's XML read back against GB/T 9704-2012 (page, grid,
fonts with their East-Asian names, sizes, line spacing, indents, odd and even footers), the order
body → 注 → signature → date → 附件, the speech's four themes as 「（一）」 headings, and the
PowerPoint's speaker notes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import pptx
import pytest
from lxml import etree

from reports import build, content, docx_writer
from reports import wording as w

AS_OF = dt.date(2025, 12, 31)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MM = 1440 / 25.4  # twips per millimetre


@pytest.fixture(scope="module")
def county(demo_db: Path) -> content.Report:
    return content.build(demo_db, "county", AS_OF)


@pytest.fixture(scope="module")
def word(county: content.Report) -> bytes:
    return build.render(county, "docx", with_charts=False)


@pytest.fixture(scope="module")
def parts(word: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(word)) as z:
        return {
            name: etree.fromstring(z.read(name))
            for name in z.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        }


def attr(el: etree._Element | None, name: str) -> str | None:
    return None if el is None else el.get(f"{W}{name}")


def style(parts: dict, style_id: str) -> etree._Element:
    found = parts["word/styles.xml"].find(f"{W}style[@{W}styleId='{style_id}']")
    assert found is not None, style_id
    return found


def run_props(parts: dict, style_id: str) -> dict[str, str | None]:
    s = style(parts, style_id)
    rpr = s.find(f"{W}rPr")
    bold = rpr.find(f"{W}b")
    return {
        "eastAsia": attr(rpr.find(f"{W}rFonts"), "eastAsia"),
        "size": attr(rpr.find(f"{W}sz"), "val"),  # half-points
        "bold": None if bold is None else (attr(bold, "val") or "1"),
        "spacing": attr(rpr.find(f"{W}spacing"), "val"),
    }


# The page --------------------------------------------------------------------------------------


def test_a4_with_the_standards_margins_and_text_block(parts):
    sect = parts["word/document.xml"].find(f"{W}body/{W}sectPr")
    size, margin = sect.find(f"{W}pgSz"), sect.find(f"{W}pgMar")
    width, height = int(attr(size, "w")), int(attr(size, "h"))
    top, bottom = int(attr(margin, "top")), int(attr(margin, "bottom"))
    left, right = int(attr(margin, "left")), int(attr(margin, "right"))
    assert abs(width / MM - 210) < 0.5 and abs(height / MM - 297) < 0.5
    assert abs(top / MM - 37) < 0.5  # 天头 37 mm
    assert abs(left / MM - 28) < 0.5  # 订口 28 mm
    assert abs((width - left - right) / MM - 156) < 0.5  # 版心 156 mm wide
    assert abs((height - top - bottom) / MM - 225) < 0.5  # and 225 mm high


def test_22_lines_of_28_characters(parts):
    sect = parts["word/document.xml"].find(f"{W}body/{W}sectPr")
    margin, size = sect.find(f"{W}pgMar"), sect.find(f"{W}pgSz")
    text_h = int(attr(size, "h")) - int(attr(margin, "top")) - int(attr(margin, "bottom"))
    text_w = int(attr(size, "w")) - int(attr(margin, "left")) - int(attr(margin, "right"))
    grid = sect.find(f"{W}docGrid")
    assert attr(grid, "type") == "linesAndChars"
    pitch = int(attr(grid, "linePitch"))
    assert text_h // pitch == 22
    # charSpace: the grid's character pitch less the body size, in 1/4096 pt: 28 to the line.
    char_pitch = 16 + int(attr(grid, "charSpace")) / 4096
    assert round(text_w / 20 / char_pitch) == 28
    # The body's lines are exactly the grid's, and its condensed characters fit 28 to a line.
    normal = style(parts, "Normal").find(f"{W}pPr/{W}spacing")
    assert attr(normal, "lineRule") == "exact" and int(attr(normal, "line")) == pitch
    condensed = int(run_props(parts, "Normal")["spacing"]) / 20
    assert 28 * (16 + condensed) <= text_w / 20 < 29 * (16 + condensed)


def test_fonts_sizes_and_weights_of_every_level(parts):
    assert run_props(parts, "Title")["eastAsia"] == "方正小标宋简体"
    assert run_props(parts, "Title")["size"] == "44"  # 二号
    assert run_props(parts, "Title")["bold"] in (None, "0")
    normal = run_props(parts, "Normal")
    assert normal["eastAsia"] == "仿宋_GB2312" and normal["size"] == "32"  # 三号
    assert normal["bold"] in (None, "0")
    levels = {
        "Heading1": ("黑体", False),
        "Heading2": ("楷体_GB2312", False),
        "Heading3": ("仿宋_GB2312", True),
    }
    for style_id, (font, bold) in levels.items():
        props = run_props(parts, style_id)
        assert props["eastAsia"] == font and props["size"] == "32", style_id
        assert (props["bold"] not in (None, "0")) is bold, style_id
        rfonts = style(parts, style_id).find(f"{W}rPr/{W}rFonts")
        assert not any("Theme" in k or k.endswith("cstheme") for k in rfonts.attrib), style_id
    # The font table names every face, so Word and WPS pick a GB2312 stand-in by name.
    declared = {attr(f, "name") for f in parts["word/fontTable.xml"].findall(f"{W}font")}
    assert {"方正小标宋简体", "仿宋_GB2312", "楷体_GB2312", "黑体", "宋体"} <= declared


def test_body_and_headings_are_indented_two_characters(parts, word):
    for style_id in ("Heading1", "Heading2", "Heading3"):
        ind = style(parts, style_id).find(f"{W}pPr/{W}ind")
        assert attr(ind, "firstLineChars") == "200" and attr(ind, "firstLine") == "640"
    d = docx.Document(io.BytesIO(word))
    body = [p for p in d.paragraphs if p.text.startswith("截至2025年12月31日，全县登记备案")]
    assert body
    ind = body[0]._p.find(f"{W}pPr/{W}ind")
    assert attr(ind, "firstLineChars") == "200" and attr(ind, "firstLine") == "640"


def test_page_numbers_odd_right_even_left(parts, word):
    assert parts["word/settings.xml"].find(f"{W}evenAndOddHeaders") is not None
    d = docx.Document(io.BytesIO(word))
    section = d.sections[0]
    refs = {attr(r, "type") for r in section._sectPr.findall(f"{W}footerReference")}
    assert {"default", "even"} <= refs
    for footer, align, side in (
        (section.footer, "right", "right"),
        (section.even_page_footer, "left", "left"),
    ):
        p = footer.paragraphs[0]
        assert p.text == "— 1 —"  # the PAGE field's shown value between 一字线
        assert attr(p._p.find(f"{W}pPr/{W}jc"), "val") == align
        assert int(attr(p._p.find(f"{W}pPr/{W}ind"), side)) == 280  # 空一字 of 四号
        instr = "".join(t.text for t in p._p.iter(f"{W}instrText"))
        assert instr.strip() == "PAGE"
        for r in p._p.findall(f"{W}r"):
            assert attr(r.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "宋体"
            assert attr(r.find(f"{W}rPr/{W}sz"), "val") == "28"  # 四号


# The order -------------------------------------------------------------------------------------


def blocks(word: bytes) -> list[tuple[str, str, str]]:
    """The body in order: ('p', text, style id) and ('tbl', first header cell, '')."""
    d = docx.Document(io.BytesIO(word))
    out = []
    for child in d.element.body.iterchildren():
        if child.tag == f"{W}p":
            text = "".join(t.text or "" for t in child.iter(f"{W}t"))
            out.append(("p", text, attr(child.find(f"{W}pPr/{W}pStyle"), "val") or "Normal"))
        elif child.tag == f"{W}tbl":
            first = "".join(t.text or "" for t in next(child.iter(f"{W}tc")).iter(f"{W}t"))
            out.append(("tbl", first, ""))
    return out


def test_body_notes_signature_date_then_the_annex(county, word):
    seq = blocks(word)
    texts = [t for _, t, _ in seq]
    last_body = max(
        i for i, (_, t, _) in enumerate(seq) if t == "".join(county.sections[-1].paragraphs[-1])
    )
    annex_note = texts.index(f"附件：{county.annex_title}")
    note = texts.index(county.note)
    signature = texts.index(county.issuer)
    date = texts.index(w.date(dt.date.today()))
    label = texts.index("附件")
    assert last_body < annex_note < note < signature < date < label
    assert date == signature + 1
    assert texts[label + 2] == county.annex_title
    # The 附件 starts on a new page; its tables come after it, the key ones before the notes.
    d = docx.Document(io.BytesIO(word))
    assert [p.paragraph_format.page_break_before for p in d.paragraphs if p.text == "附件"] == [
        True
    ]
    tables = [i for i, (k, *_) in enumerate(seq) if k == "tbl"]
    key = [t for t in county.tables() if not t.annex]
    annex = county.annex()
    assert key and annex
    assert all(i < note for i in tables[: len(key)])
    assert all(i > label for i in tables[len(key) :])
    # Numbered in the order they are printed: 表1 … 表N, key tables first.
    captions = [t for t in texts if re.match(r"表\d+　", t)]
    assert captions == [f"表{n}　{t.printed(n).title}" for n, t in enumerate(county.tables(), 1)]
    assert [c.split("　")[1] for c in captions[len(key) :]] == [t.title for t in annex]


def test_annex_holds_the_tables_beyond_the_key_ones(county):
    annexed = {t.title for t in county.annex()}
    assert "各服务领域社区社会组织数" in annexed and "未达到国家标准的社区" in annexed
    key = [t.title for t in county.tables() if not t.annex]
    assert key[0] == "各乡镇（街道）社区社会组织情况"
    assert "近年发展情况" in key


def test_signature_centred_over_the_date_four_characters_in(county, word):
    d = docx.Document(io.BytesIO(word))
    date_text = w.date(dt.date.today())
    sign = next(p for p in d.paragraphs if p.text == county.issuer)
    date = next(p for p in d.paragraphs if p.text == date_text)
    for p in (sign, date):
        assert attr(p._p.find(f"{W}pPr/{W}jc"), "val") == "right"
    date_ind = date._p.find(f"{W}pPr/{W}ind")
    assert attr(date_ind, "rightChars") == "400" and int(attr(date_ind, "right")) == 4 * 320
    # Centred: the issuer's right indent is the date's plus half the difference in width.
    sign_right = int(attr(sign._p.find(f"{W}pPr/{W}ind"), "right")) / 20
    widths = [docx_writer._text_width(t) for t in (county.issuer, date_text)]
    assert sign_right == pytest.approx(64 + (widths[1] - widths[0]) / 2, abs=0.1)


def test_headings_follow_the_speech_themes(county, word):
    outline = county.outline()
    assert [h.text for h in outline if h.level == 1] == [
        "一、基本情况",
        "二、主要工作",
        "三、与上年相比",
        "四、未达标社区",
    ]
    assert [h.text for h in outline if h.level == 2] == [
        "（一）夯实基础，培育发展社区社会组织",
        "（二）优化环境，激发社区社会组织活力",
        "（三）强化监管，确保社区社会组织健康发展",
        "（四）创新模式，探索社区社会组织参与基层治理新路径",
    ]
    assert [h.text for h in outline if h.level == 3] == [
        "1.党建引领",
        "2.平台建设",
        "1.资金支持",
        "2.培训表彰",
    ]
    # The themes' words are the speech's own.
    speech = (
        Path(__file__).resolve().parent.parent / "docs/source/county-speech.zh.txt"
    ).read_text(encoding="utf-8")
    for h in outline:
        if h.level == 2:
            # The speech file has half-width commas; the report writes full-width ones.
            assert h.text.split("）", 1)[1].replace("，", ",") in speech
    # In Word, each level in its style, in the outline's order.
    styled = [(t, s) for k, t, s in blocks(word) if s.startswith("Heading")]
    assert styled == [(h.text, f"Heading{h.level}") for h in outline]


def test_a_theme_without_its_sections_is_left_out_and_renumbered(demo_db, tmp_path):
    import shutil

    import duckdb

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    try:
        # 创新模式 also reports 三社联动 (social workers): a county without it keeps none either.
        for t in (
            "micro_projects", "points_ledger", "trainings", "awards", "lounges",
            "social_work_stations", "social_workers",
        ):  # fmt: skip
            con.execute(f"delete from {t}")
    finally:
        con.close()
    outline = content.build(db, "county", AS_OF).outline()
    assert [h.text for h in outline if h.level == 2] == [
        "（一）夯实基础，培育发展社区社会组织",
        "（二）优化环境，激发社区社会组织活力",
        "（三）强化监管，确保社区社会组织健康发展",
    ]
    # 优化环境 is 资金支持 alone now: its text under the 「（二）」 heading, no 「1.」 over it.
    second = next(h for h in outline if h.text.startswith("（二）"))
    assert second.section is not None and second.section.key == "funding"
    assert [h.text for h in outline if h.level == 3] == ["1.党建引领", "2.平台建设"]


# PowerPoint ------------------------------------------------------------------------------------


def test_every_slide_has_the_paragraphs_it_summarises_as_notes(county):
    deck = pptx.Presentation(io.BytesIO(build.render(county, "pptx", with_charts=False)))
    slides = list(deck.slides)
    said = [s.notes_slide.notes_text_frame.text if s.has_notes_slide else "" for s in slides]
    assert all(n.strip() for n in said)
    assert said[0] == county.opening
    sections = {sec.text(): sec for sec in county.sections}
    # Every other slide reads out its section's paragraphs, word for word.
    assert all(n in sections for n in said[1:])
    # The section slides in order, each followed by its key tables' slides.
    titles = [
        next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame and sh.text_frame.text)
        for s in slides[1:]
    ]
    heads = [h for h, _ in county.numbered()]
    assert [t for t in titles if t in heads] == heads
    for heading, sec in county.numbered():
        at = titles.index(heading) + 1
        assert said[at] == sec.text()
    # The 附件's tables come last, marked, numbered as in Word.
    annex = county.annex()
    last = titles[-len(annex) :]
    assert last == [f"附件　表{county.table_number(t)}　{t.title}" for t in annex]
    for t, n in zip(annex, said[-len(annex) :], strict=True):
        owner = next(sec for sec in county.sections if t in sec.tables)
        assert n == owner.text()
