"""The meeting report as PDF, made on the server by LibreOffice from the Word file: the 公文's fonts
mapped to free ones and embedded (read back with poppler's pdffonts and pdftohtml), page numbers
alternating sides, concurrent conversions, the time limit, and what the CLI and the 报告 page say
when LibreOffice is not installed.

Without LibreOffice, its fonts or poppler-utils, the tests that need them are skipped with the
reason, except in CI (CI=true), where they fail: .ci/run installs them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from lxml import etree

from access import roles
from reports import build, content, pdf
from reports import wording as w

AS_OF = dt.date(2025, 12, 31)
ROOT = Path(__file__).resolve().parent.parent
PAGE = "views/report.py"


def need_pdf_tools() -> None:
    why = pdf.missing()
    if why is None and not (shutil.which("pdffonts") and shutil.which("pdftohtml")):
        why = "poppler-utils (pdffonts, pdftohtml) is not installed"
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to make PDFs: {why}")
        pytest.skip(why)


@pytest.fixture(scope="module")
def county(demo_db: Path) -> content.Report:
    return content.build(demo_db, "county", AS_OF)


@pytest.fixture(scope="module")
def word(county: content.Report) -> bytes:
    return build.render(county, "docx", with_charts=False)


@pytest.fixture(scope="module")
def made(word: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_pdf_tools()
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    out.write_bytes(pdf.convert(word))
    return out


def fonts_of(path: Path) -> list[tuple[str, bool]]:
    """(PostScript name without the subset tag, embedded) per font, from pdffonts."""
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    out = []
    for line in lines:
        name, *rest = line.split()
        emb = rest[-5]  # name type [type…] encoding emb sub uni object ID
        out.append((name.split("+", 1)[-1], emb == "yes"))
    return out


class Run(NamedTuple):
    page: int
    family: str  # PostScript name less the subset tag and style: FandolFang, NotoSerifCJKjp
    bold: bool
    size: int  # pdftohtml's scale: 1.5 × points
    text: str
    left: float
    top: float
    width: float  # the page's


def runs_of(path: Path) -> list[Run]:
    """Every text run (pdftohtml -xml splits them where the font changes: Latin digits are in
    Liberation Serif, so 截至2025年 is three runs)."""
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", "-q", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True))
    fonts = {
        f.get("id"): (f.get("family").split("+", 1)[-1], int(f.get("size")))
        for f in root.iter("fontspec")
    }
    out = []
    for page in root.iter("page"):
        number, width = int(page.get("number")), float(page.get("width"))
        for text in page.iter("text"):
            family, size = fonts[text.get("font")]
            out.append(
                Run(
                    number,
                    family,
                    text.find("b") is not None,
                    size,
                    "".join(text.itertext()),
                    float(text.get("left")),
                    float(text.get("top")),
                    width,
                )
            )
    return out


def lines_of(runs: list[Run]) -> list[tuple[int, str]]:
    """(page, text) of each line, its runs joined left to right (a line's runs share their top
    only when they are of one size; captions and headings are)."""
    lines: dict[tuple[int, float], list[Run]] = {}
    for r in runs:
        lines.setdefault((r.page, r.top), []).append(r)
    return [
        (page, "".join(r.text for r in sorted(rs, key=lambda r: r.left)))
        for (page, _), rs in sorted(lines.items())
    ]


def cjk(text: str) -> str:
    """The text less Latin letters and digits (which are in the Latin face)."""
    return re.sub(r"[A-Za-z0-9.%]+", "", text)


def test_pdf_embeds_the_mapped_fonts_and_no_sans_for_the_body(made):
    assert made.read_bytes().startswith(b"%PDF-")
    fonts = fonts_of(made)
    assert fonts and all(emb for _, emb in fonts), fonts
    names = {n for n, _ in fonts}

    def has(pattern: str) -> bool:
        return any(re.search(pattern, n) for n in names)

    assert has(r"^FandolFang")  # 仿宋_GB2312: body, level-3 headings
    assert has(r"^GBZenKai")  # 楷体_GB2312 → AR PL KaitiM GB (its PostScript name)
    assert has(r"^NotoSerifCJK.*-Bold")  # 方正小标宋简体: the title
    assert has(r"^NotoSansCJK")  # 黑体: level-1 headings, table headers
    assert has(r"^NotoSerifCJK.*-Regular")  # 宋体: page numbers, tables
    # No sans face but the 黑体 stand-in: no DejaVu Sans, no Liberation Sans fallback.
    sans = {n for n in names if "Sans" in n and not n.startswith("NotoSansCJK")}
    assert not sans, sans


def test_each_kind_of_text_is_in_its_face(made, county):
    runs = runs_of(made)
    title = [r for r in runs if r.text == cjk(county.title)]
    assert title and all(r.family.startswith("NotoSerifCJK") and r.bold for r in title)
    outline = county.outline()
    hei = [h.text for h in outline if h.level == 1]
    kai = [h.text for h in outline if h.level == 2] + [county.subtitle]
    fang = [county.opening, county.issuer, f"附件：{county.annex_title}"]
    fang += [h.text for h in outline if h.level == 3]
    fang += ["".join(p) for sec in county.sections for p in sec.paragraphs]
    expected = {"NotoSansCJK": hei, "GBZenKai": kai, "FandolFang": fang}
    checked: dict[str, int] = {}
    for r in runs:
        text = cjk(r.text).strip()
        if r.size != 24 or len(text) < 2:  # 三号 text only (16 pt × 1.5)
            continue
        # The face whose texts hold this run, when only one kind does.
        kinds = {k for k, texts in expected.items() if any(text in t for t in texts)}
        if len(kinds) != 1 or text == "附件":  # the label or the 附件说明's start: see below
            continue
        kind = kinds.pop()
        assert r.family.startswith(kind), (r.text, r.family, kind)
        checked[kind] = checked.get(kind, 0) + 1
    # Every heading and the body's lines were seen: body text is FandolFang, never a sans.
    assert checked["NotoSansCJK"] >= len(hei)
    assert checked["GBZenKai"] >= len(kai)
    assert checked["FandolFang"] > 100


def test_page_numbers_alternate_sides(made):
    runs = runs_of(made)
    numbers = [r for r in runs if re.fullmatch(r"— \d+ —", r.text)]
    pages = {r.page for r in runs}
    assert {r.page for r in numbers} == pages and len(pages) >= 4
    for r in numbers:
        # Odd pages on the right, even pages on the left (one character in from the text block).
        assert (r.left / r.width > 0.5) if r.page % 2 else (r.left / r.width < 0.5), r
        assert int(r.text.split()[1]) == r.page
        assert r.family.startswith("NotoSerifCJK") and r.size == 21  # 宋体 四号 (14 pt × 1.5)


def test_annex_on_its_own_page_after_the_signature(made, county):
    runs = runs_of(made)
    lines = lines_of(runs)
    label = next(r for r in runs if r.text == "附件" and r.left / r.width < 0.16)  # not indented
    assert label.family.startswith("NotoSansCJK")  # 黑体
    signed = next(page for page, text in lines if text == county.issuer)
    dated = next(page for page, text in lines if text == w.date(dt.date.today()))
    assert signed == dated < label.page
    on_label_page = [text for page, text in lines if page == label.page]
    assert on_label_page[0] == "附件"  # top left of a new page
    assert county.annex_title in on_label_page
    # Every annex table's caption is after the label; every key table's before the signature.
    caption_page = {
        text.split("　", 1)[1]: page for page, text in lines if re.match(r"表\d+　", text)
    }
    for table in county.tables():
        assert (caption_page[table.title] >= label.page) is table.annex, table.title


def test_concurrent_conversions_do_not_collide(word):
    need_pdf_tools()
    results: list[bytes | Exception] = []

    def one() -> None:
        try:
            results.append(pdf.convert(word))
        except Exception as exc:  # collected, asserted below
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(results) == 2
    assert all(isinstance(r, bytes) and r.startswith(b"%PDF-") for r in results), results


def test_cli_writes_a_pdf(demo_db, tmp_path):
    need_pdf_tools()
    out = tmp_path / "报告.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "orgdash", "report", "--db", str(demo_db), "--format", "PDF",
         "--no-charts", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "已生成" in proc.stdout and out.read_bytes().startswith(b"%PDF-")


# Without LibreOffice (these run everywhere) ------------------------------------------------------


def test_a_stuck_conversion_is_stopped_at_the_time_limit(tmp_path, monkeypatch, word):
    # A stand-in soffice that hangs, with a child, as soffice.bin under soffice would.
    fake = tmp_path / "soffice"
    pids = tmp_path / "pids"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $$ $! > {pids}\nwait\n")
    fake.chmod(0o755)
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for name in pdf.FONT_FILES:
        (fonts / name).write_bytes(b"x")
    monkeypatch.setenv("ORGDASH_SOFFICE", str(fake))
    monkeypatch.setenv("ORGDASH_LO_PROFILES", str(tmp_path / "profiles"))
    monkeypatch.setattr(pdf, "font_dir", lambda: fonts)
    started = time.monotonic()
    with pytest.raises(pdf.PdfError, match="超过 2 秒未完成"):
        pdf.convert(word, timeout=2)
    assert time.monotonic() - started < 10
    for pid in pids.read_text().split():
        assert (
            not Path(f"/proc/{pid}").exists()
            or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        )


def test_without_libreoffice_the_cli_says_so(demo_db, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "orgdash", "report", "--db", str(demo_db), "--format", "pdf",
         "--out", str(tmp_path / "报告.pdf")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "ORGDASH_SOFFICE": str(tmp_path / "no-soffice")},
    )  # fmt: skip
    assert proc.returncode == 1
    assert "不能生成报告" in proc.stderr and "没有安装 LibreOffice" in proc.stderr
    assert not (tmp_path / "报告.pdf").exists()


def test_without_libreoffice_the_page_says_so(app, monkeypatch, tmp_path):
    monkeypatch.setenv("ORGDASH_SOFFICE", str(tmp_path / "no-soffice"))
    at = app(PAGE)
    button = next(b for b in at.get("download_button") if b.label == "导出PDF")
    assert button.disabled
    assert button.proto.help == pdf.NO_LIBREOFFICE
    assert [w.value for w in at.warning] == [pdf.NO_LIBREOFFICE]
    # The other formats are still offered.
    assert all(not b.disabled for b in at.get("download_button") if b.label != "导出PDF")


def test_pdf_button_is_offered_where_the_word_file_is(app):
    assert roles.EXPORTS["report"] <= roles.EXPORTS["report_pdf"]
    need_pdf_tools()
    at = app(PAGE)
    button = next(b for b in at.get("download_button") if b.label == "导出PDF")
    assert not button.disabled and not at.warning
