"""The leader's path: a township chosen on 总览 holds on every page reached through the menu
(issue 20: a menu click opened /map?year=2025, the whole county, and 社区 a community elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from access import roles
from dashboard.nav import PAGES
from tests.test_browser import DECK, PLOTLY, browser, server, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_a_township_holds_across_every_menu_click(server, browser, demo_db: Path, sql) -> None:  # noqa: F811
    town, name, active = sql(
        "select d.division_code, d.name, count(*) from organizations o "
        "join divisions c on c.division_code = o.community_code "
        "join divisions d on d.division_code = c.township_code "
        "where o.dissolved_on is null or o.dissolved_on > date '2025-12-31' "
        "group by all order by 1 desc limit 1"
    )[0]
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    tab = ctx.new_page()
    tab.goto(server, wait_until="domcontentloaded")
    sign_in(tab, "planner")
    tab.wait_for_selector(PLOTLY, timeout=45_000)
    # Choose the township in the sidebar, as a leader would.
    tab.get_by_role("combobox", name="乡镇（街道）").click()
    tab.get_by_role("option", name=name, exact=True).click()
    tab.wait_for_function(f"location.search.includes('township={town}')", timeout=20_000)
    visited = []
    for page in PAGES:
        if not page.filters or page.key == "screen" or not roles.may_open("planner", page.key):
            continue
        tab.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=page.title).click()
        tab.wait_for_function(f"location.pathname.endsWith('/{page.url}')", timeout=20_000)
        tab.wait_for_function(f"location.search.includes('township={town}')", timeout=20_000)
        picker = tab.get_by_role("combobox", name="乡镇（街道）")
        tab.wait_for_function(
            "([sel, want]) => document.querySelector(sel)?.value === want",
            arg=['input[aria-label="乡镇（街道）"]', name],
            timeout=45_000,
        )
        assert picker.input_value() == name
        if page.key == "community":  # the community shown is one of the township's
            shown = tab.get_by_role("combobox", name="选择社区").input_value()
            assert shown.startswith(f"{name} · "), shown
        visited.append(page.key)
    assert "map" in visited and "community" in visited and visited[0] == "overview"
    # Back on 总览 by the menu: the figures are the township's, not the county's.
    tab.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="总览").click()
    tile = tab.locator('[data-testid="stMetric"]').filter(has_text="登记备案社区社会组织").first
    tile.get_by_text(f"{active:,}家").wait_for(timeout=45_000)
    ctx.close()
