"""Every page in a real Streamlit server, opened by headless Chromium; screenshots to screenshots/."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.nav import PAGES
from tests.conftest import TEST_PASSWORD, chromium

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
CHROMIUM = chromium() or ""  # tests/conftest.py: "" when there is none
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PLOTLY = '[data-testid="stPlotlyChart"] .main-svg'
DECK = '[data-testid="stDeckGlJsonChart"] canvas'
# What must be drawn before a page counts as shown.
WAIT_FOR = {
    "overview": [PLOTLY],
    "map": [DECK],
    "community": [PLOTLY],
    "organizations": ['[data-testid="stDataFrame"]'],
    "funding": [PLOTLY],
    "governance": [PLOTLY],
    "projects": [PLOTLY, DECK],
    "report": ['[data-testid="stDownloadButton"]'],
    "sql": ['[data-testid="stTextArea"]'],
    "data": ['[data-testid="stDataFrame"]'],
    "import": ['[data-testid="stFileUploader"]', '[data-testid="stDataFrame"]'],
    "targets": ['[data-testid="stForm"]', '[data-testid="stDataFrame"]'],
    "accounts": ['[data-testid="stDataFrame"]'],
    "audit": ['[data-testid="stDataFrame"]'],
    "screen": [DECK, PLOTLY],
    # Opened on the demo warehouse without a round: the 上报 page says there is none (as `town`,
    # its only kind of user), 上报进度 offers to open one. test_round_pages_in_chromium shows
    # both with a round under way.
    "submit": ['[data-testid="stAlert"]'],
    "rounds": ['[data-testid="stForm"]'],
}
# Pages seen as a township account (roles.TOWNSHIP_PAGES); every other page as the admin.
PAGE_USER = {"submit": "town"}
COOKIE = "orgdash_session"

pytestmark = pytest.mark.browser

if not CHROMIUM:
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium (see .ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(db: Path, users_file: Path, **extra_env: str) -> Iterator[str]:
    """A Streamlit server of the dashboard on one warehouse, until the block ends: started as
    `orgdash serve` starts it (dashboard/server.py, the app behind the upload gate)."""
    port = _free_port()
    env = {**os.environ, "ORGDASH_DB": str(db), "ORGDASH_USERS": str(users_file), **extra_env}
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "server.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        ],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # poll the health endpoint, never sleep a fixed time
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError(
            f"streamlit did not start: {proc.stdout.read().decode() if proc.stdout else ''}"
        )
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(demo_db: Path, users_file: Path) -> Iterator[str]:
    with serve(demo_db, users_file) as url:
        yield url


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def sign_in(tab, user: str, password: str = TEST_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    tab.get_by_label("账户名").fill(user)
    tab.get_by_label("密码", exact=True).fill(password)
    tab.get_by_role("button", name="登录").click()


def signed_in_state(server: str, browser, user: str) -> dict:  # type: ignore[no-untyped-def]
    """Cookies of a browser signed in as user: each page test opens a new session with them,
    so they also prove that a new session (a reload, a shared link) resumes the sign-in."""
    ctx = browser.new_context(locale="zh-CN")
    tab = ctx.new_page()
    tab.goto(server, wait_until="domcontentloaded")
    sign_in(tab, user)
    tab.wait_for_selector(PLOTLY, timeout=45_000)
    tab.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=15_000)
    state = ctx.storage_state()
    ctx.close()
    return state


@pytest.fixture(scope="module")
def admin_state(server, browser) -> dict:  # type: ignore[no-untyped-def]
    return signed_in_state(server, browser, "admin")


@pytest.fixture(scope="module")
def town_state(server, browser) -> dict:  # type: ignore[no-untyped-def]
    return signed_in_state(server, browser, "town")


def test_sign_in_wrong_then_right_reload_and_sign_out(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    tab = ctx.new_page()
    try:
        tab.goto(f"{server}/sql", wait_until="domcontentloaded")
        tab.wait_for_selector('[data-testid="stForm"]', timeout=30_000)
        tab.get_by_text("账户名", exact=True).wait_for(timeout=15_000)  # labels come a moment later
        SHOTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(SHOTS / "sign-in.png"))
        sign_in(tab, "leader", "not-the-password")
        tab.get_by_text("账户名或密码不正确").wait_for(timeout=15_000)
        sign_in(tab, "leader")
        # A leader who followed a link to the SQL page is told why it does not open.
        tab.get_by_text("无权使用「查询」页面").wait_for(timeout=30_000)
        # The menu lists the leader's pages only.
        nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "总览" in nav and "报告" in nav and "查询" not in nav and "导入" not in nav
        # A reload is a new session: the cookie signs it in without the form.
        tab.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=15_000)
        tab.goto(server, wait_until="domcontentloaded")
        tab.wait_for_selector(PLOTLY, timeout=45_000)
        assert tab.locator('[data-testid="stForm"]').count() == 0
        tab.get_by_role("button", name="退出登录").click()
        tab.get_by_text("已退出登录").wait_for(timeout=15_000)
        # After signing out, a reload asks for the password again, even if the cookie stayed.
        tab.goto(server, wait_until="domcontentloaded")
        tab.wait_for_selector('[data-testid="stForm"]', timeout=30_000)
    finally:
        ctx.close()


@pytest.mark.parametrize("spec", PAGES, ids=[p.key for p in PAGES])
def test_page_renders_in_chromium(server, browser, request, spec):
    page = spec.key
    state = request.getfixturevalue(f"{PAGE_USER.get(page, 'admin')}_state")
    # Streamlit scrolls inside its main block, so full_page alone would stop at the viewport:
    # a tall viewport captures the whole page.
    ctx = browser.new_context(
        viewport={"width": 1400, "height": 2800}, locale="zh-CN", storage_state=state
    )
    tab = ctx.new_page()
    outside: list[str] = []
    tab.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None
        ),
    )
    try:
        tab.goto(f"{server}/{spec.url}", wait_until="domcontentloaded")
        # attached, not visible: the 大屏 hides the sidebar
        tab.wait_for_selector('[data-testid="stSidebar"]', state="attached", timeout=30_000)
        for selector in WAIT_FOR[page]:
            tab.wait_for_selector(selector, timeout=45_000)
        # Let the script finish its run: Streamlit shows a status widget while running.
        tab.wait_for_function(
            "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
        )
        tab.wait_for_timeout(800)  # deck.gl and plotly draw after the element appears
        SHOTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"{page}.png"), full_page=True)
        assert tab.locator('[data-testid="stException"]').count() == 0, tab.locator(
            '[data-testid="stException"]'
        ).first.inner_text()
        assert tab.get_by_text("本页正在建设中").count() == 0
        assert tab.get_by_text("Page not found").count() == 0
        body = tab.locator("section.main, [data-testid='stMain']").first.inner_text()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body)  # the page speaks Chinese
        assert not outside, f"requests leaving the machine: {outside[:5]}"
    finally:
        ctx.close()


def _settled(tab) -> None:  # type: ignore[no-untyped-def]
    tab.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    tab.wait_for_timeout(1000)
    assert tab.locator('[data-testid="stException"]').count() == 0, tab.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def test_round_pages_in_chromium(browser, demo_dir, users_file, demo_township, tmp_path):
    """A round under way: the township's 上报 page after an upload with a stray row, and the
    county's 上报进度 with one township on time and one late."""
    import datetime as dt

    from etl import rounds
    from etl.pipeline import load_dir
    from tests import test_rounds as tr
    from tests.dbutil import sql

    db = tmp_path / "site" / "warehouse.duckdb"
    load_dir(demo_dir, db)
    due = dt.date.today() - dt.timedelta(days=2)
    rounds.open_round(db, "2026Q1", due, "admin")
    towns = sql(db, "select division_code from divisions where level = 'township' order by 1")
    b = towns[1][0]
    on_time = dt.datetime.combine(due, dt.time(16))
    b_file = [("经开名录.csv", tr.township_file(demo_dir, db, b))]
    rounds.submit(db, "2026Q1", b, b_file, "经开联络员", at=on_time)
    a_file = tr.township_file(demo_dir, db, demo_township, stray_from=b)
    with serve(db, users_file) as url:
        ctx = browser.new_context(viewport={"width": 1400, "height": 2400}, locale="zh-CN")
        tab = ctx.new_page()
        try:
            tab.goto(f"{url}/submit", wait_until="domcontentloaded")
            sign_in(tab, "town")
            tab.locator('[data-testid="stFileUploader"]').wait_for(timeout=45_000)
            upload = tmp_path / "城关街道名录.csv"
            upload.write_bytes(a_file)
            tab.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                str(upload)
            )
            tab.get_by_role("button", name="上传并报送").click()
            tab.get_by_text("报送成功").wait_for(timeout=60_000)
            _settled(tab)
            SHOTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(SHOTS / "submit-round.png"), full_page=True)
            main = tab.locator("[data-testid='stMain']").first.inner_text()
            assert "第 1 次报送的校验结果" in main and "拒收的行" in main
            nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "上报" in nav and "上报进度" not in nav
            tab.get_by_role("button", name="退出登录").click()
            tab.get_by_text("已退出登录").wait_for(timeout=15_000)

            tab.goto(f"{url}/rounds", wait_until="domcontentloaded")
            sign_in(tab, "admin")
            tab.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=45_000)
            _settled(tab)
            tab.screenshot(path=str(SHOTS / "rounds-progress.png"), full_page=True)
            main = tab.locator("[data-testid='stMain']").first.inner_text()
            assert "上报进度" in main and "导入全县数据仓库" in main and "2026年第1季度" in main
            nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "上报进度" in nav
        finally:
            ctx.close()


def _pixel(view: dict, lon: float, lat: float, width: float, height: float) -> tuple[float, float]:
    """Where deck.gl's MapView draws a point: Web Mercator, 512 px for the world at zoom 0."""
    import math

    def world(lo: float, la: float) -> tuple[float, float]:
        y = math.log(math.tan(math.pi / 4 + math.radians(la) / 2))
        return (lo + 180) / 360 * 512, (1 - y / math.pi) / 2 * 512

    scale = 2 ** view["zoom"]
    (x, y), (cx, cy) = world(lon, lat), world(view["longitude"], view["latitude"])
    return width / 2 + (x - cx) * scale, height / 2 + (y - cy) * scale


def test_a_click_on_a_province_map_opens_the_township_once(browser, province_db, users_file):
    """Two counties: the map draws townships; a click on one shows its communities and stays
    there (the map's selection once outlived the switch and reopened the township for ever)."""
    import polars as pl

    from dashboard import decks
    from tests.dbutil import sql

    town, name, geojson = sql(
        province_db,
        "select t.division_code, t.name, m.geojson from divisions t "
        "join map_shapes m using (division_code) where t.level = 'township' "
        "order by t.division_code desc limit 1",  # the second county's
    )[0]
    lon, lat = decks.label_points(pl.DataFrame({"geojson": [geojson]}))[0]
    with serve(province_db, users_file) as url:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
        tab = ctx.new_page()
        received: list[int] = []
        tab.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.append(len(p))))
        try:
            tab.goto(f"{url}/map", wait_until="domcontentloaded")
            sign_in(tab, "admin")
            tab.wait_for_selector(DECK, timeout=60_000)
            _settled(tab)
            assert "可查看其下各社区" in tab.locator("[data-testid='stMain']").first.inner_text()
            box = tab.locator(DECK).first.bounding_box()
            assert box is not None
            # The page fits the view to every township's box in a 460 × 620 map (decks.view_for,
            # views/map.py MAP_WIDTH); deck.gl centres it in the canvas it is given.
            bounds = sql(
                province_db,
                "select min(xmin), min(ymin), max(xmax), max(ymax) from map_shapes "
                "join divisions using (division_code) where level = 'township'",
            )[0]
            v = decks.view_for(bounds, 460, 620)
            view = {"longitude": v.longitude, "latitude": v.latitude, "zoom": v.zoom}
            x, y = _pixel(view, lon, lat, box["width"], box["height"])
            tab.mouse.move(box["x"] + x, box["y"] + y)
            tab.get_by_text(name).first.wait_for(timeout=15_000)  # the tooltip names it
            tab.mouse.click(box["x"] + x, box["y"] + y)
            tab.wait_for_url(f"**township={town}**", timeout=30_000)
            tab.wait_for_selector(DECK, timeout=60_000)
            _settled(tab)
            main = tab.locator("[data-testid='stMain']").first.inner_text()
            assert "点击社区可查看详情" in main and "各社区社会组织数" in main
            settled = len(received)
            tab.wait_for_timeout(3000)
            assert len(received) == settled, "the page kept rerunning after the switch"
            assert f"township={town}" in tab.url
        finally:
            ctx.close()
