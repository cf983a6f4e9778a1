"""Issue 20: every page a leader has reads at 390 x 844, and the 大屏 fits 1440 x 900 and 1920 x 1080.

After a page is drawn, every visible piece of text in the main block (paragraphs, headings, metric
labels and values, button labels, and inside Plotly's SVG: titles, legend entries, tick labels,
bar values, annotations) must
- lie inside the viewport horizontally, and not be cut by a box around it;
- not overlap any other piece of text (text boxes are the glyphs' em boxes: the line box of a CJK
  font is ~1.45 em tall, and two lines of a paragraph may share it without touching);
- read horizontally (no rotated tick labels, values or axis titles).
The map's canvas must lie inside the viewport and the county must not touch its edges (nothing of it
cut). Screenshots go to screenshots/layout_*.png, to be looked at.

One server, one browser and one sign-in (the leader's) for the module, from tests/test_browser.py.
"""

from __future__ import annotations

from io import BytesIO

import pytest

from tests import test_browser
from tests.test_browser import DECK, SHOTS, WAIT_FOR, signed_in_state
from tests.test_browser_screens import MAIN, PHONE_UA, TABLE

server = test_browser.server
browser = test_browser.browser

pytestmark = pytest.mark.browser

TOL = 1.5  # px: rounding of boxes and sub-pixel layout
DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)

# Every text box, every element box, rotations; in viewport coordinates (the main block scrolls,
# so a box below the fold has a y beyond the viewport, which is fine: only x must fit).
LAYOUT = """(tol) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const vw = document.documentElement.clientWidth, vh = innerHeight;
  const shown = (e) => e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  // What the boxes around an element let show of it (the main block's own scrolling aside).
  const clipOf = (el) => {
    const c = {l: -1e9, t: -1e9, r: 1e9, b: 1e9};
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const b = a.getBoundingClientRect();
      if (s.overflowX !== 'visible') { c.l = Math.max(c.l, b.left); c.r = Math.min(c.r, b.right); }
      if (s.overflowY !== 'visible') { c.t = Math.max(c.t, b.top); c.b = Math.min(c.b, b.bottom); }
    }
    return c;
  };
  const texts = [], cut = [], rotated = [];
  let owner = 0;
  const add = (id, el, r, fs, text) => {
    if (r.width < 0.5 || r.height < 0.5) return;
    let t = r.top, b = r.bottom;
    if (fs && b - t > fs) { const m = (t + b) / 2; t = m - fs / 2; b = m + fs / 2; }
    const c = clipOf(el);
    const v = {l: Math.max(r.left, c.l), r: Math.min(r.right, c.r),
               t: Math.max(t, c.t), b: Math.min(b, c.b)};
    if (v.r - v.l <= 0.5 || v.b - v.t <= 0.5) return;  // scrolled or folded out of sight
    if (v.l - r.left > tol || r.right - v.r > tol || v.t - t > tol || b - v.b > tol)
      cut.push({text, full: [r.left, t, r.right, b], shown: [v.l, v.t, v.r, v.b]});
    texts.push({id, text, fs, box: [v.l, v.t, v.r, v.b]});
  };
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('svg, script, style, noscript, template')) continue;
    if (!shown(el)) continue;
    const fs = parseFloat(getComputedStyle(el).fontSize) * (el.currentCSSZoom || 1);
    const range = document.createRange();
    range.selectNodeContents(n);
    const id = owner++;
    for (const r of range.getClientRects()) add(id, el, r, fs, text.slice(0, 60));
  }
  for (const t of main.querySelectorAll('svg text')) {
    const text = t.textContent.trim();
    if (!text || !shown(t)) continue;
    const fs = parseFloat(getComputedStyle(t).fontSize) * (t.currentCSSZoom || 1);
    const lines = t.querySelectorAll('tspan.line');
    const id = owner++;
    for (const p of (lines.length ? lines : [t]))
      add(id, t, p.getBoundingClientRect(), fs, text.slice(0, 60));
    const m = t.getScreenCTM();
    const angle = m ? Math.atan2(m.b, m.a) * 180 / Math.PI : 0;
    if (Math.abs(angle) > 1) rotated.push({text: text.slice(0, 60), angle: Math.round(angle)});
  }
  const overlaps = [];
  for (let i = 0; i < texts.length; i++) {
    const p = texts[i];
    for (let j = i + 1; j < texts.length; j++) {
      const q = texts[j];
      if (p.id === q.id) continue;
      const w = Math.min(p.box[2], q.box[2]) - Math.max(p.box[0], q.box[0]);
      const h = Math.min(p.box[3], q.box[3]) - Math.max(p.box[1], q.box[1]);
      if (w > tol && h > tol) overlaps.push([p.text, q.text, p.box.map(Math.round), q.box.map(Math.round)]);
    }
  }
  // Streamlit's toolbar over a table or chart (always shown on a touch screen) must not hide text.
  const covered = [];
  for (const bar of main.querySelectorAll('[data-testid="stElementToolbar"]')) {
    const r = bar.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || !shown(bar)) continue;
    for (const t of texts) {
      const w = Math.min(t.box[2], r.right) - Math.max(t.box[0], r.left);
      const h = Math.min(t.box[3], r.bottom) - Math.max(t.box[1], r.top);
      if (w > tol && h > tol) covered.push([t.text, [r.left, r.top, r.right, r.bottom].map(Math.round)]);
    }
  }
  const outside = texts.filter(t => t.box[0] < -tol || t.box[2] > vw + tol)
                       .map(t => [t.text, t.box.map(Math.round)]);
  const wide = [];
  for (const e of main.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || !shown(e)) continue;
    const c = clipOf(e);
    const l = Math.max(r.left, c.l), rr = Math.min(r.right, c.r);
    if (rr - l < 1 || Math.min(r.bottom, c.b) - Math.max(r.top, c.t) < 1) continue;
    if (l < -tol || rr > vw + tol)
      wide.push([e.tagName, e.getAttribute('data-testid') || e.className.baseVal || e.className,
                 Math.round(l), Math.round(rr)]);
  }
  const below = texts.filter(t => t.box[3] > vh + tol).map(t => [t.text, t.box.map(Math.round)]);
  const smallest = texts.reduce((a, t) => (a && a.fs <= t.fs ? a : t), null);
  return {vw, vh, count: texts.length, overlaps, outside, cut, rotated, wide: wide.slice(0, 20), below, covered,
          smallest: smallest && [smallest.text, Math.round(smallest.fs * 10) / 10],
          mainOverflow: getComputedStyle(main).overflowY,
          mainW: main.scrollWidth, mainCW: main.clientWidth, mainH: main.scrollHeight,
          mainCH: main.clientHeight, docW: document.documentElement.scrollWidth,
          docH: document.documentElement.scrollHeight};
}"""


def _problems(m: dict) -> list[str]:
    out = []
    for key in ("overlaps", "outside", "cut", "rotated", "wide", "covered"):
        out += [f"{key}: {x}" for x in m[key]]
    if m["mainW"] > m["mainCW"] or m["docW"] > m["vw"]:
        out.append(f"sideways scrolling: main {m['mainW']} > {m['mainCW']} or page {m['docW']}")
    return out


@pytest.fixture(scope="module")
def leader_state(server, browser) -> dict:  # type: ignore[no-untyped-def]
    return signed_in_state(server, browser, "leader")


def _tab(browser, state: dict, width: int, height: int, phone: bool):  # type: ignore[no-untyped-def]
    extra = (
        {"user_agent": PHONE_UA, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
        if phone
        else {"user_agent": DESKTOP_UA}
    )
    ctx = browser.new_context(
        storage_state=state, viewport={"width": width, "height": height}, locale="zh-CN", **extra
    )
    return ctx, ctx.new_page()


def _open(tab, url: str, page: str) -> None:  # type: ignore[no-untyped-def]
    tab.goto(url, wait_until="domcontentloaded")
    for selector in WAIT_FOR[page] + ([TABLE] if page == "screen" else []):
        tab.wait_for_selector(selector, timeout=45_000)
    tab.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    tab.wait_for_timeout(1200)  # deck.gl and Plotly draw after their element appears
    assert tab.locator('[data-testid="stException"]').count() == 0, tab.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def _county_cut(tab) -> list[str]:  # type: ignore[no-untyped-def]
    """Whether the deck's canvas leaves the viewport, or a polygon touches its edges (the county is
    not drawn whole): the canvas is transparent over the page, whose colour a corner shows."""
    from PIL import Image

    canvas = tab.locator(DECK).first
    box = canvas.bounding_box()
    width = tab.evaluate("document.documentElement.clientWidth")
    if box is None or box["x"] < -TOL or box["x"] + box["width"] > width + TOL:
        return [f"the map's canvas {box} is not inside the {width} px wide viewport"]
    image = Image.open(BytesIO(canvas.screenshot())).convert("RGB")
    w, h = image.size
    px = image.load()
    ground = px[3, 3]

    def drawn(x: int, y: int) -> bool:
        return max(abs(a - b) for a, b in zip(px[x, y], ground, strict=True)) > 24

    # A band along each edge, past the outermost two pixels (a screenshot of a box at a fractional
    # position may take in a row of what lies beyond it).
    band = (2, 3, 4, 5)
    rows = [(x, y) for x in range(2, w - 2) for y in (*band, *(h - 1 - i for i in band))]
    columns = [(x, y) for y in range(2, h - 2) for x in (*band, *(w - 1 - i for i in band))]
    touching = [p for p in rows + columns if drawn(*p)]
    if touching:
        return [f"the county touches the map's edge at {touching[:4]} of {w} x {h} pixels"]
    # And it is drawn at all, over a fair part of the canvas.
    filled = sum(drawn(x, y) for x in range(0, w, 4) for y in range(0, h, 4))
    if filled < 0.05 * (w // 4) * (h // 4):
        return [f"the county fills only {filled} of {(w // 4) * (h // 4)} sampled pixels"]
    return []


def _shoot(tab, name: str, full: bool) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    if full:  # the whole scrolled page at the same width: a window as tall as the main block
        height = tab.evaluate(f"{MAIN}.scrollHeight")
        tab.set_viewport_size({"width": tab.viewport_size["width"], "height": height})
        tab.wait_for_timeout(1200)
    tab.screenshot(path=str(SHOTS / name))


LEADER_PAGES = ("overview", "map", "community", "report", "screen")


@pytest.fixture(scope="module")
def community(demo_db) -> str:  # type: ignore[no-untyped-def]
    from tests.dbutil import sql

    return sql(demo_db, "select min(division_code) from divisions where level = 'community'")[0][0]


def _path(page: str, community: str) -> str:
    return {"overview": "", "community": f"community?community={community}"}.get(page, page)


def _reads_on_a_phone(tab, page: str) -> list[str]:  # type: ignore[no-untyped-def]
    m = tab.evaluate(LAYOUT, TOL)
    assert m["vw"] == 390 and m["count"] > 20, m
    problems = _problems(m) + (_county_cut(tab) if page in ("map", "screen") else [])
    if m["smallest"][1] < 10:
        problems.append(f"text smaller than 10 px: {m['smallest']}")
    if m["mainH"] > m["mainCH"] and m["mainOverflow"] not in ("auto", "scroll"):
        problems.append(f"the page is {m['mainH']} px tall and cannot scroll: {m['mainOverflow']}")
    return problems


@pytest.mark.parametrize("page", LEADER_PAGES)
def test_a_leaders_page_reads_on_a_phone(server, browser, leader_state, community, page):
    ctx, tab = _tab(browser, leader_state, 390, 844, phone=True)
    try:
        _open(tab, f"{server}/{_path(page, community)}", page)
        problems = _reads_on_a_phone(tab, page)
        _shoot(tab, f"layout_phone_{page}.png", full=True)
        assert not problems, "\n".join(problems[:30])
    finally:
        ctx.close()


@pytest.mark.parametrize(("page", "width"), [("community", 390), ("overview", 800)])
def test_a_narrow_page_that_is_no_phone_reads_as_one(
    server, browser, leader_state, community, page, width
):
    """Issue 20's screenshots: a 390 px window whose browser does not say "Mobile" got the desktop
    comparison chart (titles on each other, values on their side) and the desktop map (the county
    cut). Such a page, or a tablet's held upright with the sidebar open (800 px, 500 px of it for
    the page), now reloads itself as a phone (?m=1) and reads like one."""
    ctx, tab = _tab(browser, leader_state, width, 844, phone=False)
    try:
        tab.goto(f"{server}/{_path(page, community)}", wait_until="domcontentloaded")
        tab.wait_for_url("**m=1**", timeout=45_000)
        _open(tab, tab.url, page)
        if page == "community":  # the phone's comparison table, not five panels side by side
            assert tab.locator('[data-testid="stPlotlyChart"] .annotation').count() == 0
        m = tab.evaluate(LAYOUT, TOL)
        problems = _problems(m)
        _shoot(tab, f"layout_narrow_{page}_{width}.png", full=True)
        assert not problems, "\n".join(problems[:30])
    finally:
        ctx.close()


def test_the_map_shows_the_whole_county_at_any_desktop_width(server, browser, leader_state):
    """The server cannot see the window: one zoom must show the county whole from a tablet held
    upright with the sidebar open (the legend then goes under the map) to a 1920 px screen."""
    ctx, tab = _tab(browser, leader_state, 1920, 1000, phone=False)
    try:
        _open(tab, f"{server}/map", "map")
        problems = []
        for width in (1920, 1280, 1024, 800, 770):
            tab.set_viewport_size({"width": width, "height": 1000})
            tab.wait_for_timeout(900)  # the layout, then deck.gl's canvas, follow the window
            problems += [f"{width}: {p}" for p in _county_cut(tab)]
        assert not problems, "\n".join(problems)
    finally:
        ctx.close()


@pytest.mark.parametrize("size", [(1440, 900), (1920, 1080)], ids=["1440", "1920"])
def test_the_screen_fits_the_wall(server, browser, leader_state, size):
    width, height = size
    ctx, tab = _tab(browser, leader_state, width, height, phone=False)
    try:
        _open(tab, f"{server}/screen", "screen")
        m = tab.evaluate(LAYOUT, TOL)
        problems = _problems(m) + _county_cut(tab)
        _shoot(tab, f"layout_screen_{width}.png", full=False)
        problems += [f"below the screen: {x}" for x in m["below"]]
        if m["mainH"] > m["mainCH"] + TOL or m["docH"] > height:
            problems.append(f"scrolls: main {m['mainH']} > {m['mainCH']}, page {m['docH']}")
        if m["smallest"][1] < 11:  # read across a meeting room
            problems.append(f"text smaller than 11 px: {m['smallest']}")
        assert not problems, "\n".join(problems[:30])
    finally:
        ctx.close()


VALUES_CUT = """(tol) => [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(v => {
  const box = v.firstElementChild.getBoundingClientRect(), text = v.querySelector('p');
  const r = document.createRange(); r.selectNodeContents(text);
  return [text.textContent, Math.round(r.getBoundingClientRect().width), Math.round(box.width),
          parseFloat(getComputedStyle(text).fontSize)];
}).filter(([, need, room]) => need > room + tol)"""


def test_a_tiles_value_is_never_cut_on_a_desktop(server, browser):
    """Streamlit 1.67 ends a value wider than its tile in "…" (a province's 156.75万人次, or 2,216家
    five to a row in a 1,024 px window with the sidebar open): the value's font follows the
    tile's width (mobile.CSS, widgets.fit_class), and no value is cut: five and six tiles to a
    row, in a 1,024 px window (the narrowest desktop; 1,440 px and the 项目 page's four checked
    by hand)."""
    ctx, tab = _tab(browser, signed_in_state(server, browser, "planner"), 1024, 900, phone=False)
    try:
        problems = []
        for page in ("overview", "governance"):
            _open(tab, f"{server}/{page if page != 'overview' else ''}", page)
            assert tab.locator('[data-testid="stMetricValue"]').count() >= 8
            problems += [f"{page}: {x}" for x in tab.evaluate(VALUES_CUT, TOL)]
            sizes = tab.evaluate(
                """() => [...document.querySelectorAll('[data-testid="stMetricValue"] p')]
                       .map(p => parseFloat(getComputedStyle(p).fontSize))"""
            )
            problems += [f"{page}: a value in {s} px" for s in sizes if s < 14]
        assert not problems, "\n".join(problems)
    finally:
        ctx.close()
