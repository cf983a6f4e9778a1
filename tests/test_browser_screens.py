"""The phone view at 390 x 844 and the 大屏 at 1920 x 1080 in headless Chromium, with screenshots.

Uses the server and browser of tests/test_browser.py (importing it also skips these tests where
Chromium is missing). Streamlit scrolls inside its main block, not the document, so every width and
height check looks at both.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import test_browser
from tests.dbutil import sql
from tests.test_browser import SHOTS, WAIT_FOR

# The server and browser fixtures of tests/test_browser.py, found by pytest under these names.
server = test_browser.server
browser = test_browser.browser
admin_state = test_browser.admin_state  # the sign-in cookie every context below carries

pytestmark = pytest.mark.browser

# WeCom on an iPhone: Streamlit's server sees only this header, never the screen's width.
PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49 NetType/WIFI Language/zh_CN wxwork/4.1.26"
)
MAIN = "document.querySelector('[data-testid=\"stMain\"]')"
TABLE = '[data-testid="stTable"]'

# Sizes of the page, its scrolling main block, the widest visible element and the lowest one.
MEASURE = f"""() => {{
  const d = document.documentElement, main = {MAIN};
  let right = 0, bottom = 0;
  for (const e of main.querySelectorAll('*')) {{
    const r = e.getBoundingClientRect();
    if (r.width && r.height) {{ right = Math.max(right, r.right); bottom = Math.max(bottom, r.bottom + main.scrollTop); }}
  }}
  return {{ docW: d.scrollWidth, docH: d.scrollHeight, innerW: innerWidth, innerH: innerHeight,
           mainW: main.scrollWidth, mainCW: main.clientWidth, mainH: main.scrollHeight,
           mainCH: main.clientHeight, right, bottom }};
}}"""


def _open(tab, url: str, page: str, extra: list[str] = ()) -> None:  # type: ignore[assignment]
    tab.goto(url, wait_until="domcontentloaded")
    for selector in [*WAIT_FOR[page], *extra]:
        tab.wait_for_selector(selector, timeout=45_000)
    tab.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    tab.wait_for_timeout(800)  # deck.gl and plotly draw after the element appears
    assert tab.locator('[data-testid="stException"]').count() == 0, tab.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def _full_screenshot(tab, name: str) -> None:
    """The whole scrolled page at the same width: make the window as tall as the main block."""
    height = tab.evaluate(f"{MAIN}.scrollHeight")
    tab.set_viewport_size({"width": tab.viewport_size["width"], "height": height})
    tab.wait_for_timeout(1200)
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / name))


@pytest.fixture
def phone(browser, admin_state):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(
        storage_state=admin_state,
        viewport={"width": 390, "height": 844},
        user_agent=PHONE_UA,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
    )
    yield ctx.new_page()
    ctx.close()


PHONE_PAGES = {"overview": "", "map": "map", "community": "community?community=340129001001"}


@pytest.mark.parametrize("page", list(PHONE_PAGES))
def test_phone_view_has_no_horizontal_scroll(server, phone, page):
    _open(phone, f"{server}/{PHONE_PAGES[page]}", page)
    m = phone.evaluate(MEASURE)
    assert m["docW"] <= m["innerW"] == 390, m
    assert m["mainW"] <= m["mainCW"], m  # nor inside Streamlit's own scrolling block
    assert m["right"] <= 390.5, m  # no element reaches past the screen's right edge
    # Tables show their key columns only: none needs sideways scrolling inside itself.
    for scroller in phone.locator('[data-testid="stDataFrame"] .dvn-scroller').all():
        width, client = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert width <= client + 1, (page, width, client)
    # The sidebar starts folded away: the page gets the whole width.
    assert phone.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    box = phone.locator('[data-testid="stSidebar"]').bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    if page != "map":
        # Metric tiles stack two to a row instead of five (or three) squeezed side by side.
        tiles = [t.bounding_box() for t in phone.locator('[data-testid="stMetric"]').all()[:3]]
        assert tiles[0]["width"] < 195 and tiles[1]["width"] < 195, tiles
        assert tiles[0]["y"] == tiles[1]["y"] < tiles[2]["y"], tiles
    _full_screenshot(phone, f"phone_{page}.png")


def test_phone_map_lets_the_page_scroll_past_it(server, phone):
    _open(phone, f"{server}/map", "map")
    canvas = phone.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    box = canvas.bounding_box()
    assert box["height"] <= 430  # a third of the screen is left for the page around the map
    # A finger on the map must be able to scroll the page: no element between the map's canvas and
    # the scrolling block may forbid vertical panning (deck.gl sets touch-action: none).
    actions = canvas.evaluate(
        """(c) => { const out = [], stop = document.querySelector('[data-testid="stMain"]');
                    for (let e = c; e && e !== stop; e = e.parentElement)
                        out.push(getComputedStyle(e).touchAction);
                    return out; }"""
    )
    assert all(a in ("auto", "pan-y", "manipulation") for a in actions), actions
    # And no scroll-zoom trap: the wheel over the map scrolls the page instead of zooming.
    phone.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.mouse.wheel(0, 300)
    phone.wait_for_timeout(600)
    assert phone.evaluate(f"{MAIN}.scrollTop") >= 250
    # One tap on a community still opens it.
    phone.evaluate(f"{MAIN}.scrollTo(0, 0)")
    phone.wait_for_timeout(300)
    box = canvas.bounding_box()
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.wait_for_url("**/community?**", timeout=20_000)


def test_desktop_map_on_a_phone_would_trap_the_finger(server, phone):
    """The check above can fail: with ?m=0 (desktop map) the same phone cannot scroll past."""
    _open(phone, f"{server}/map?m=0", "map")
    canvas = phone.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    actions = canvas.evaluate(
        "(c) => [c, c.parentElement].map(e => getComputedStyle(e).touchAction)"
    )
    assert "none" in actions


@pytest.fixture
def wall(browser, admin_state):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN", storage_state=admin_state
    )
    yield ctx.new_page()
    ctx.close()


def _assert_fits_the_wall(tab) -> None:  # type: ignore[no-untyped-def]
    m = tab.evaluate(MEASURE)
    assert m["docH"] <= m["innerH"] == 1080, m
    assert m["mainH"] <= m["mainCH"], m  # nothing below the fold inside the main block
    assert m["bottom"] <= 1080.5, m
    assert m["docW"] <= 1920 and m["right"] <= 1920.5, m


def test_screen_fits_1920x1080_dark_without_controls(server, wall):
    _open(wall, f"{server}/screen", "screen", [TABLE])
    _assert_fits_the_wall(wall)
    SHOTS.mkdir(exist_ok=True)
    wall.screenshot(path=str(SHOTS / "screen_1920.png"))
    for chrome in ("stSidebar", "stHeader", "stToolbar"):
        assert not wall.locator(f'[data-testid="{chrome}"]').is_visible(), chrome
    # Streamlit's 1 x 1 "skip to main content" link for screen readers is not a control.
    visible = wall.locator("button, input, select, textarea, a[href]").evaluate_all(
        """els => els.filter(e => { const r = e.getBoundingClientRect();
                                  return r.width > 2 && r.height > 2 && r.right > 0
                                      && getComputedStyle(e).visibility !== 'hidden'; })
                   .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert visible == []
    rgb = wall.evaluate(f"getComputedStyle({MAIN}).backgroundColor")
    assert sum(int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]) < 120, rgb
    # Chinese in the chart is text the browser draws (fonts-noto-cjk), and the figures are large.
    assert "为民服务" in wall.locator('[data-testid="stPlotlyChart"] .main-svg').first.inner_html()
    size = wall.locator('[data-testid="stMetricValue"]').first.evaluate(
        "e => parseFloat(getComputedStyle(e.firstElementChild || e).fontSize)"
    )
    assert size >= 40
    assert wall.locator(f"{TABLE} tbody tr").count() == 12


# ---------------------------------------------------------------- the screen follows new builds


@pytest.fixture
def own_server(demo_db: Path, users_file: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server of its own on a copy of the warehouse, checking for new builds every second."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    with test_browser.serve(db, users_file, ORGDASH_SCREEN_POLL="1") as url:
        yield url, db


def _with_new_organisations(source: Path, target: Path, n: int) -> None:
    """A copy of the demo sources with n more filed organisations, founded in March 2025."""
    shutil.copytree(source, target)
    path = (
        target / "社会组织名录.csv"
    )  # GB18030 with a title row and a footnote, as counties send it
    lines = path.read_bytes().decode("gb18030").split("\r\n")
    template = next(x for x in lines[2:] if ",备案," in x and x.split(",")[8] == "").split(",")
    rows = []
    for i in range(n):
        row = list(template)
        row[0], row[1], row[7] = f"SZ34012998{i:03d}", f"新增志愿服务队第{i + 1}队", "2025-03-01"
        rows.append(",".join(row))
    foot = next(i for i, x in enumerate(lines) if x.startswith("注："))
    path.write_bytes("\r\n".join([*lines[:foot], *rows, *lines[foot:]]).encode("gb18030"))


def test_screen_redraws_itself_when_a_load_swaps_in_a_new_build(
    own_server, wall, demo_dir, tmp_path
):
    from etl.pipeline import load_dir

    url, db = own_server
    _open(wall, f"{url}/screen", "screen", [TABLE])
    value = wall.locator('[data-testid="stMetricValue"]').first
    before = value.inner_text()
    # A new load swaps a new warehouse file into place, as `orgdash load` does, while the screen
    # stays open and nobody touches it.
    _with_new_organisations(demo_dir, tmp_path / "sources", 25)
    load_dir(tmp_path / "sources", db)
    ((expected,),) = sql(
        db,
        "select count(*) from organizations where established_on <= $d"
        " and (dissolved_on is null or dissolved_on > $d)",
        d=dt.date(2025, 12, 31),
    )
    assert before != f"{expected:,}家"
    wall.wait_for_function(
        "t => document.querySelector('[data-testid=\"stMetricValue\"]').innerText === t",
        arg=f"{expected:,}家",
        timeout=30_000,
    )
    wall.wait_for_timeout(1500)
    assert int(value.inner_text().rstrip("家").replace(",", "")) == expected
    _assert_fits_the_wall(wall)
