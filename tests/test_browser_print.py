"""导出PDF of a dashboard page (issue 19): the browser's print of the page states at its top the
page, the filters and the data date, and leaves out the menu, the sidebar and the buttons."""

from __future__ import annotations

import pytest

from tests.test_browser import PLOTLY, SHOTS, browser, server, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
HEAD = ".orgdash-print-head"


def test_a_page_printed_to_pdf_states_its_filters_and_data_date(server, browser, sql) -> None:  # noqa: F811
    town, name = sql(
        "select division_code, name from divisions where level = 'township' order by 1 limit 1"
    )[0]
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    tab = ctx.new_page()
    tab.goto(f"{server}/?township={town}", wait_until="domcontentloaded")
    sign_in(tab, "leader")
    tab.wait_for_selector(PLOTLY, timeout=45_000)
    tab.wait_for_function(f"location.search.includes('township={town}')", timeout=20_000)
    # On screen: the button in the sidebar, the heading not shown.
    sidebar = tab.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_role("button", name="导出PDF").is_visible()
    assert not tab.locator(HEAD).is_visible()
    # Printed: the heading says what the page shows; the sidebar and buttons are gone.
    tab.emulate_media(media="print")
    head = tab.locator(HEAD)
    head.wait_for(state="visible", timeout=10_000)
    text = head.inner_text()
    assert text.startswith("总览 · 2025年 · ") and name in text, text
    assert "数据截至2025年12月31日" in text and "导出于" in text
    assert not sidebar.is_visible()
    assert not tab.get_by_role("button", name="下载 CSV").first.is_visible()
    pdf = tab.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    (SHOTS / "print_overview.pdf").write_bytes(pdf)
    tab.screenshot(path=str(SHOTS / "print_overview.png"), full_page=True)
    ctx.close()
