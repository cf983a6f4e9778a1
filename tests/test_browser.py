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
}

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
def server(demo_db: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "ORGDASH_DB": str(demo_db)}
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


@pytest.mark.parametrize("spec", PAGES, ids=[p.key for p in PAGES])
def test_page_renders_in_chromium(server, browser, spec):
    page = spec.key
    # Streamlit scrolls inside its main block, so full_page alone would stop at the viewport:
    # a tall viewport captures the whole page.
    ctx = browser.new_context(viewport={"width": 1400, "height": 2800}, locale="zh-CN")
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
        tab.wait_for_selector('[data-testid="stSidebar"]', timeout=30_000)
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
