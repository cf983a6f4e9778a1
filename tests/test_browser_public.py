"""The public register in headless Chromium: a resident's search on a phone (390 × 844) and on a
desktop (1440 px), nothing else of the dashboard open without signing in, and /media (downloads)
refused to any browser that is not signed in (dashboard/media_gate.py). Screenshots go to
screenshots/public-*.png.

Uses the browser of tests/test_browser.py (importing it also fails these tests in CI, and skips
them elsewhere, where Chromium is missing) and a server of its own, with its own users file, audit
log and links file (the rate limit's records live beside the users file).
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from access import links
from dashboard import media_gate
from dashboard.nav import PAGES
from tests import test_browser
from tests.test_browser import SHOTS, serve, sign_in
from tests.test_browser_screens import MEASURE, PHONE_UA
from tests.test_public_register import known  # noqa: F401 - a fixture, found by pytest by name

browser = test_browser.browser
pytestmark = pytest.mark.browser
FORM = '[data-testid="stForm"]'
MAIN = "[data-testid='stMain']"


@pytest.fixture(scope="module")
def site(demo_db: Path, users_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    home = tmp_path_factory.mktemp("public_site")
    users = home / "users.toml"
    shutil.copy(users_file, users)
    env = {
        "ORGDASH_AUDIT": str(home / "audit.jsonl"),
        "ORGDASH_LINKS": str(home / "links.json"),
    }
    with serve(demo_db, users, **env) as url:
        yield url, home


def _settled(tab) -> None:  # type: ignore[no-untyped-def]
    tab.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    tab.wait_for_timeout(600)
    assert tab.locator('[data-testid="stException"]').count() == 0


def _search(tab, by: str, text: str) -> None:  # type: ignore[no-untyped-def]
    tab.get_by_text(by, exact=True).click()  # the radio option's label
    tab.get_by_label("查询内容").fill(text)
    tab.get_by_role("button", name="查询", exact=True).click()


def _full_screenshot(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    """The whole page at the same width (Streamlit scrolls inside its main block)."""
    height = tab.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    tab.set_viewport_size({"width": tab.viewport_size["width"], "height": max(height, 400)})
    tab.wait_for_timeout(800)
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / name))


def test_a_resident_searches_on_a_desktop(site, browser, known) -> None:  # noqa: F811
    url, home = site
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    tab = ctx.new_page()
    try:
        tab.goto(url, wait_until="domcontentloaded")
        tab.wait_for_selector(FORM, timeout=30_000)
        link = tab.get_by_text("信息公开查询（无需登录）")  # the sign-in page's link
        link.wait_for(timeout=15_000)
        SHOTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(SHOTS / "public-sign-in-link.png"))
        link.click()
        tab.wait_for_url("**/public", timeout=15_000)
        tab.get_by_label("查询内容").wait_for(timeout=15_000)
        _search(tab, "统一社会信用代码", known["credit_code"].lower())
        tab.get_by_text(f"评估等级：{known['grade']}A").wait_for(timeout=30_000)
        _settled(tab)
        main = tab.locator(MAIN).first.inner_text()
        assert known["name"] in main and known["credit_code"] in main
        assert "列入活动异常名录" in main and f"{known['report_year']}年度报告" in main
        for secret in (known["leader_name"], known["leader_phone"], known["org_id"]):
            assert secret not in main
        # No menu, no filters, no download, no chart: the register and the way to sign in.
        assert tab.locator('[data-testid="stSidebarNav"]').count() == 0
        for testid in ("stDownloadButton", "stPlotlyChart", "stDataFrame", "stDeckGlJsonChart"):
            assert tab.locator(f'[data-testid="{testid}"]').count() == 0, testid
        assert "工作人员登录" in main
        _full_screenshot(tab, "public-desktop.png")
        # The server audited the search, with the client's address.
        lines = (home / "audit.jsonl").read_text("utf-8").splitlines()
        logged = [json.loads(ln) for ln in lines if '"public_search"' in ln]
        assert logged[-1]["by"] == "credit_code" and logged[-1]["rows"] == 1
        assert logged[-1]["text"] == known["credit_code"].lower()
        assert logged[-1]["client"] == "127.0.0.1" and logged[-1]["user"] == ""
    finally:
        ctx.close()


def test_a_resident_searches_on_a_phone(site, browser) -> None:
    url, _ = site
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        user_agent=PHONE_UA,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
    )
    tab = ctx.new_page()
    try:
        tab.goto(f"{url}/public", wait_until="domcontentloaded")
        tab.get_by_label("查询内容").wait_for(timeout=30_000)
        _search(tab, "所在社区", "园丁")
        tab.get_by_text("找到").first.wait_for(timeout=30_000)
        _settled(tab)
        first = tab.locator('[data-testid="stExpander"] summary').first
        first.click()  # many results come folded: open the first
        tab.get_by_text("评估等级：").first.wait_for(timeout=10_000)
        tab.wait_for_timeout(400)
        size = tab.evaluate(MEASURE)
        # Nothing sideways on a phone: neither the page nor its scrolling main block.
        assert size["docW"] <= size["innerW"] and size["mainW"] <= size["mainCW"], size
        assert size["right"] <= 390, size
        _full_screenshot(tab, "public-phone.png")
    finally:
        ctx.close()


def test_nothing_else_opens_without_signing_in(site, browser, known) -> None:  # noqa: F811
    url, home = site
    code = links.create("organizations", {"org": known["org_id"]}, home / "warehouse.duckdb")
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    tab = ctx.new_page()
    try:
        for target in [f"/{p.url}" for p in PAGES] + [f"/?v={code}", f"/public?v={code}"]:
            tab.goto(f"{url}{target}", wait_until="domcontentloaded")
            tab.wait_for_selector(FORM, timeout=30_000)
            _settled(tab)
            main = tab.locator(MAIN).first.inner_text()
            if target.startswith("/public"):
                assert "社区社会组织信息公开查询" in main and "请登录" not in main, target
            else:
                assert "请登录" in main and "信息公开查询（无需登录）" in main, target
            assert known["name"] not in main, target  # the link's organisation
            for testid in ("stMetric", "stDataFrame", "stPlotlyChart", "stDeckGlJsonChart"):
                assert tab.locator(f'[data-testid="{testid}"]').count() == 0, (target, testid)
            assert tab.locator('[data-testid="stSidebarNav"]').count() == 0, target
    finally:
        ctx.close()


def _get(url: str, cookie: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=15) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_media_of_a_signed_in_session_is_refused_to_others(site, browser) -> None:
    """The organisations list as CSV (detail rows, for analysts and admins only) is made for the
    admin's browser at /media/<id>; the same URL without the admin's sign-in cookie is refused,
    and so it is after the admin signed out."""
    url, _ = site
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    tab = ctx.new_page()
    try:
        tab.goto(f"{url}/organizations", wait_until="domcontentloaded")
        sign_in(tab, "admin")
        tab.wait_for_selector('[data-testid="stDataFrame"]', timeout=45_000)
        tab.wait_for_function("document.cookie.includes('orgdash_session=')", timeout=15_000)
        _settled(tab)
        with tab.expect_download(timeout=30_000) as caught:
            tab.get_by_role("button", name="下载 CSV").first.click()
        download = caught.value
        media = download.url
        assert "/media/" in media
        body = Path(download.path()).read_bytes()
        assert "组织名称".encode() in body and body.count(b"\n") > 1000  # one row per organisation
        cookie = next(c for c in ctx.cookies() if c["name"] == media_gate.COOKIE)
        signed = f"{media_gate.COOKIE}={cookie['value']}"
        status, text = _get(media)
        assert status == 403 and "请先登录" in text.decode("utf-8")
        assert _get(media, f"{media_gate.COOKIE}=forged.c2ln")[0] == 403
        assert _get(media, f"{media_gate.COOKIE}={cookie['value'][:-2]}xx")[0] == 403
        status, again = _get(media, signed)  # the admin's own browser still gets it
        assert status == 200 and again == body
        tab.get_by_role("button", name="退出登录").click()
        tab.get_by_text("已退出登录").wait_for(timeout=15_000)
        assert _get(media, signed)[0] == 403  # revoked at sign-out
        # Streamlit's own frontend, which the sign-in page needs, is not gated.
        assert _get(f"{url}/_stcore/health")[0] == 200
    finally:
        ctx.close()
