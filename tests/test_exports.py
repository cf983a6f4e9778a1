"""Every way rows leave the app, on every page, for every demo role: offered exactly where the role
table (access/roles.py EXPORTS) allows it, and audited with who, what and how many rows; links never
lead a role into a refusal; the grid toolbar's own download and copy are off for everyone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from access import audit, roles
from dashboard import downloads, nav

USERS = ("admin", "leader", "planner", "analyst", "town")  # tests/conftest.py users_file


def role_of(user: str) -> str:
    return "analyst" if user == "town" else user


def township_of(user: str) -> str | None:
    return "x" if user == "town" else None


CASES = [
    pytest.param(user, p, id=f"{user}-{p.key}")
    for user in USERS
    for p in nav.PAGES
    if roles.may_open(role_of(user), p.key, township_of(user))
]
_ADMIN_KINDS: dict[str, set[str]] = {}


def _offers(app, monkeypatch: pytest.MonkeyPatch, user: str, page: nav.PageSpec):  # type: ignore[no-untyped-def]
    """Open the page as user; every download it offers, caught where downloads.button wraps it."""
    from reports import build as report_build

    caught: list[tuple[str, int, str, object]] = []
    original = downloads.logged

    def spy(file_name: str, rows: int, make, kind: str = "summary"):  # type: ignore[no-untyped-def]
        wrapped = original(file_name, rows, make, kind)
        caught.append((file_name, rows, kind, wrapped))
        return wrapped

    monkeypatch.setattr(downloads, "logged", spy)
    # Word and PowerPoint draw charts in a browser: the audit is what is tested, not the files.
    monkeypatch.setattr(report_build, "render", lambda _report, kind: f"<{kind}>".encode())
    at = app(page.file, user=user)
    monkeypatch.setattr(downloads, "logged", original)
    return at, caught


@pytest.mark.parametrize(("user", "page"), CASES)
def test_ways_out_follow_the_role_table_and_are_audited(
    app, monkeypatch: pytest.MonkeyPatch, user: str, page: nav.PageSpec
) -> None:
    role = role_of(user)
    at, caught = _offers(app, monkeypatch, user, page)
    # Every download button on the page came through dashboard/downloads.py.
    assert len(at.get("download_button")) == len(caught), [c[0] for c in caught]
    for file_name, rows, kind, make in caught:
        assert roles.may_export(role, kind), (file_name, kind)
        body = make()  # type: ignore[operator]
        entry = audit.read()[-1]
        assert entry["event"] == "download" and entry["user"] == user
        assert (entry["file"], entry["kind"], entry["rows"], entry["bytes"]) == (
            file_name,
            kind,
            rows,
            len(body),
        )
    # Offered = allowed: what the admin is offered on this page, less what this role may not take
    # (county-wide roles: a township's copy may simply have no rows for a table).
    if (
        township_of(user) is None
        and page.key not in _ADMIN_KINDS
        and roles.may_open("admin", page.key)
    ):
        _, admin = _offers(app, monkeypatch, "admin", page)
        _ADMIN_KINDS[page.key] = {c[2] for c in admin}
    if township_of(user) is None and page.key in _ADMIN_KINDS:
        expected = {k for k in _ADMIN_KINDS[page.key] if roles.may_export(role, k)}
        assert {c[2] for c in caught} == expected
    # No link on the page leads this role to a page it may not open.
    for link in at.get("page_link"):
        target = link.proto.page or nav.PAGES[0].key
        assert roles.may_open(role, target, township_of(user)), (link.proto.label, target)
    # The page never says detail rows can be downloaded to a role that cannot download them.
    if not roles.may_export(role, "detail"):
        text = " ".join(str(m.value) for kind in ("markdown", "caption") for m in at.get(kind))
        assert "完整名单请下载" not in text


def test_detail_tables_are_offered_to_analysts_only(app, monkeypatch: pytest.MonkeyPatch) -> None:
    page = nav.BY_KEY["organizations"]
    _, analyst = _offers(app, monkeypatch, "analyst", page)
    at, planner = _offers(app, monkeypatch, "planner", page)
    assert "detail" in {c[2] for c in analyst}
    assert "detail" not in {c[2] for c in planner}
    assert any(downloads.DETAIL_NOTE in c.value for c in at.caption)


def test_sql_results_go_out_audited_for_analysts(app, monkeypatch: pytest.MonkeyPatch) -> None:
    at, _ = _offers(app, monkeypatch, "analyst", nav.BY_KEY["sql"])
    caught: list[tuple[str, str, object]] = []
    original = downloads.logged

    def spy(file_name, rows, make, kind="summary"):  # type: ignore[no-untyped-def]
        wrapped = original(file_name, rows, make, kind)
        caught.append((file_name, kind, wrapped))
        return wrapped

    monkeypatch.setattr(downloads, "logged", spy)
    at.text_area(key="sql_text").set_value("select name from organizations limit 7")
    at.button(key="sql_run").click().run()
    assert {k for _, k, _ in caught} == {"query"}
    for file_name, _, make in caught:
        make()  # type: ignore[operator]
        entry = audit.read()[-1]
        assert entry["file"] == file_name and entry["rows"] == 7 and entry["kind"] == "query"


def test_no_page_draws_a_download_of_its_own() -> None:
    """dashboard/downloads.py is the one place a download button is drawn: the role table and the
    audit cannot be skipped by a page."""
    root = Path(__file__).resolve().parent.parent / "dashboard"
    for path in root.rglob("*.py"):
        if path.name == "downloads.py":
            continue
        assert not re.search(r"\bdownload_button\(", path.read_text("utf-8")), path


def test_the_grid_toolbar_cannot_export() -> None:
    import tomllib

    config = tomllib.loads(
        (Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text("utf-8")
    )
    assert config["client"]["disableDataExport"] is True


def test_audit_page_reads_in_chinese(app) -> None:  # type: ignore[no-untyped-def]
    audit.record("download", "planner", file="各乡镇情况.csv", kind="summary", rows=12, bytes=2048)
    at = app("views/audit.py")
    table = next(d.value for d in at.dataframe if "详情" in d.value.columns)
    assert "原始记录" not in table.columns
    row = table[table["账户"] == "planner"].iloc[0]
    assert row["详情"] == "下载「各乡镇情况.csv」（汇总表，12行，2 KB）"
    audit.record("denied", "leader", page="sql", role="leader")
    at = app("views/audit.py")
    table = next(d.value for d in at.dataframe if "详情" in d.value.columns)
    assert (
        table[table["账户"] == "leader"].iloc[0]["详情"] == "打开页面「查询」被拒绝（角色：领导）"
    )
    assert not re.search(r'[{}"]|\bkind\b|\brows\b', " ".join(table["详情"].head(50)))


def test_audit_sentences_cover_every_event() -> None:
    for event in audit.EVENTS:
        said = audit.describe({"event": event, "user": "u", "at": "2026-01-01T00:00:00"})
        assert not re.search(r"[a-z_]{4,}：", said), (event, said)  # no raw English key


@pytest.mark.browser
def test_a_planner_finds_no_way_to_save_detail_rows(demo_db: Path, users_file: Path) -> None:
    """The organisations list in a real browser: no download button of ours, none in the grid's
    toolbar, and copying from the grid gives nothing."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PLOTLY, serve, sign_in

    with serve(demo_db, users_file) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
            ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
            tab = ctx.new_page()
            tab.goto(url, wait_until="domcontentloaded")
            sign_in(tab, "planner")
            tab.wait_for_selector(PLOTLY, timeout=45_000)
            tab.goto(f"{url}/organizations", wait_until="domcontentloaded")
            grid = tab.locator('[data-testid="stDataFrame"]').first
            grid.wait_for(timeout=45_000)
            assert tab.locator('[data-testid="stDownloadButton"]').count() == 0
            assert "明细数据仅限分析人员下载" in tab.inner_text("body")
            grid.hover()
            tab.wait_for_timeout(500)
            labels = [
                b.get_attribute("aria-label") or ""
                for b in tab.locator('[data-testid="stElementToolbarButton"] button').all()
            ]
            assert "Search" in labels, labels  # the toolbar is there, without its download
            assert not any("download" in t.lower() for t in labels), labels
            tab.evaluate("navigator.clipboard.writeText('')")
            box = grid.bounding_box()
            assert box is not None
            # The keys must reach the grid: on a busy machine a click before the grid can take
            # focus left it on the page, and Ctrl+A, Ctrl+C copied the page's own text.
            for _ in range(20):
                tab.mouse.click(box["x"] + 120, box["y"] + 60)
                if grid.evaluate("g => g.contains(document.activeElement)"):
                    break
                tab.wait_for_timeout(500)
            assert grid.evaluate("g => g.contains(document.activeElement)"), (
                "the grid took no focus"
            )
            tab.keyboard.press("Control+A")
            tab.keyboard.press("Control+C")
            tab.wait_for_timeout(300)
            assert tab.evaluate("navigator.clipboard.readText()") == ""
        finally:
            browser.close()
