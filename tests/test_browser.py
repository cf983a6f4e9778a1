"""Every page in a real Streamlit server, opened by headless Chromium; screenshots to screenshots/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.nav import PAGES
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
    "accounts": ['[data-testid="stDataFrame"]'],
    "audit": ['[data-testid="stDataFrame"]'],
    "screen": [DECK, PLOTLY],
}
COOKIE = "orgdash_session"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium (see .ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db: Path, users_file: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "ORGDASH_DB": str(demo_db), "ORGDASH_USERS": str(users_file)}
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
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
    yield url
    proc.terminate()
    proc.wait(timeout=10)


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


@pytest.fixture(scope="module")
def admin_state(server, browser) -> dict:  # type: ignore[no-untyped-def]
    """Cookies of a browser signed in as admin: each page test opens a new session with them,
    so they also prove that a new session (a reload, a shared link) resumes the sign-in."""
    ctx = browser.new_context(locale="zh-CN")
    tab = ctx.new_page()
    tab.goto(server, wait_until="domcontentloaded")
    sign_in(tab, "admin")
    tab.wait_for_selector(PLOTLY, timeout=45_000)
    tab.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=15_000)
    state = ctx.storage_state()
    ctx.close()
    return state


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
def test_page_renders_in_chromium(server, browser, admin_state, spec):
    page = spec.key
    # Streamlit scrolls inside its main block, so full_page alone would stop at the viewport:
    # a tall viewport captures the whole page.
    ctx = browser.new_context(
        viewport={"width": 1400, "height": 2800}, locale="zh-CN", storage_state=admin_state
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
        tab.wait_for_timeout(1500)  # deck.gl and plotly draw after the element appears
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
