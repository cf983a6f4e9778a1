"""报告 page on the demo warehouse: the preview's sentences against direct SQL, the scope and date
following the sidebar, and the four download buttons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from queries import READ_CONFIG

PAGE = "views/report.py"
BASICS = (
    "截至2025年12月31日，全县登记备案城乡社区社会组织2,216家，其中，登记156家、备案2,060家；"
    "城市社区社会组织有1,030家，平均每个社区近23家；农村社区社会组织有1,186家，平均每个行政村15家，"
    "在为民服务、公益慈善、文体活动、矛盾调处、乡村振兴、邻里互助等领域发挥着重要作用。"
)


def query(db: Path, sql: str, **params: object) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True, config=dict(READ_CONFIG))
    try:
        return con.execute(sql, params or None).fetchall()
    finally:
        con.close()


def active(db: Path, day: dt.date, township: str | None = None) -> tuple[int, int, int]:
    return query(
        db,
        """select count(*), count(*) filter (where o.status = 'registered'),
                  count(*) filter (where o.status = 'filed')
           from organizations o join divisions d on d.division_code = o.community_code
           where o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
             and ($t is null or d.township_code = $t)""",
        d=day,
        t=township,
    )[0]


def preview(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_preview_shows_the_speech_sentence_and_every_section(app):
    at = app(PAGE)
    text = preview(at)
    assert BASICS in text
    headings = [t for t in (m.value for m in at.main.markdown) if t.startswith("**")]
    assert headings == [
        "**一、基本情况**",
        "**二、主要工作**",
        "**（一）夯实基础，培育发展社区社会组织**",
        "**1\\.党建引领**",  # md() escapes what Markdown would take for a list
        "**2\\.平台建设**",
        "**（二）优化环境，激发社区社会组织活力**",
        "**1\\.资金支持**",
        "**2\\.培训表彰**",
        "**（三）强化监管，确保社区社会组织健康发展**",
        "**（四）创新模式，探索社区社会组织参与基层治理新路径**",
        "**三、与上年相比**",
        "**四、未达标社区**",
    ]
    assert "现将全县社区社会组织发展情况报告如下：" in text[text.index(headings[0]) - 1]
    assert "附件：Xx县社区社会组织发展情况统计表" in text
    assert any("Xx县社区社会组织发展情况报告" in t for t in text)
    assert at.selectbox(key="rp_scope").value == "county"
    assert at.date_input(key="rp_as_of").value == dt.date(2025, 12, 31)


def test_five_download_buttons(app):
    at = app(PAGE)
    buttons = at.get("download_button")
    assert [b.label for b in buttons] == [
        "下载 Word",
        "导出PDF",
        "下载 PowerPoint",
        "下载 Excel",
        "下载 Markdown",
    ]
    # The PDF's button is disabled only where LibreOffice is missing (tests/test_report_pdf.py).
    assert all(not b.disabled for b in buttons if b.label != "导出PDF")
    # Seven tables before the programmes; 创新模式 adds its table per township. Five are in the 附件.
    assert "4 幅图、8 张表（5 张在附件）" in " ".join(c.value for c in at.caption)


def test_scope_follows_the_sidebar_township(app, demo_db):
    town, name = query(
        demo_db, "select division_code, name from divisions where level = 'township' order by 1"
    )[0]
    at = app(PAGE)
    at.sidebar.selectbox(key="f_township").set_value(town).run()
    assert at.selectbox(key="rp_scope").value == town
    total, registered, filed = active(demo_db, dt.date(2025, 12, 31), town)
    first = next(t for t in preview(at) if t.startswith("截至"))
    assert first.startswith(
        f"截至2025年12月31日，{name}登记备案城乡社区社会组织{total:,}家，"
        f"其中，登记{registered:,}家、备案{filed:,}家"
    )
    assert any(t.startswith(f"{name}社区社会组织占全县总数的") for t in preview(at))
    # A pick on the page stays until the sidebar changes again.
    at.selectbox(key="rp_scope").set_value("county").run()
    assert BASICS in preview(at)
    at.sidebar.selectbox(key="f_year").set_value(2024).run()
    assert at.selectbox(key="rp_scope").value == "county"


def test_an_earlier_date_reports_that_date(app, demo_db):
    at = app(PAGE)
    at.date_input(key="rp_as_of").set_value(dt.date(2024, 12, 31)).run()
    total, registered, filed = active(demo_db, dt.date(2024, 12, 31))
    first = next(t for t in preview(at) if t.startswith("截至"))
    assert first.startswith(
        f"截至2024年12月31日，全县登记备案城乡社区社会组织{total:,}家，其中，登记{registered:,}家、备案{filed:,}家"
    )
    assert any("（数据截至2024年12月31日）" in t for t in preview(at))


def test_a_link_naming_no_township_gives_the_county(app):
    at = app(PAGE, township="999999999000")
    assert at.selectbox(key="rp_scope").value == "county"
    assert BASICS in preview(at)
