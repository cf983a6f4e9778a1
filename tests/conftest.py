"""Shared fixtures: the demo county built by the production code, once per test process."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest


def chromium() -> str | None:
    """The Chromium the browser tests and the report's chart images use: ORGDASH_TEST_CHROMIUM
    (a path; a missing one plays a machine without Chromium), else BROWSER_PATH (kaleido's own
    variable), else Debian's chromium on PATH."""
    given = os.environ.get("ORGDASH_TEST_CHROMIUM") or os.environ.get("BROWSER_PATH")
    found = given or shutil.which("chromium") or "/usr/bin/chromium"
    return found if Path(found).exists() else None


def need_chromium(what: str) -> None:
    """Skip without Chromium, with the reason; in CI (.ci/run installs it) fail instead."""
    if chromium() is None:
        message = f"{what} need Chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run these: {message}; see .ci/run")
        pytest.skip(message)


@pytest.fixture
def chart_images() -> None:
    """For tests that draw the report's charts (kaleido drives Chromium)."""
    need_chromium("chart images")


DEMO_AS_OF = "2025-12-31"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from demo.synthetic import generate

    out = tmp_path_factory.mktemp("demo") / "raw"
    generate(out, scale=1)
    return out


@pytest.fixture(scope="session")
def demo_db(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse, loaded exactly as `orgdash load` does it."""
    from etl.pipeline import load_dir

    db = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    load_dir(demo_dir, db)
    return db


@pytest.fixture(scope="session")
def province_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two counties (the demo at scale 2: the demo county and one more), loaded as `orgdash load`
    does: for what a province's warehouse shows differently (the map draws townships)."""
    from demo.synthetic import generate
    from etl.pipeline import load_dir

    raw = tmp_path_factory.mktemp("province") / "raw"
    generate(raw, scale=2)
    db = tmp_path_factory.mktemp("province_warehouse") / "warehouse.duckdb"
    load_dir(raw, db)
    return db


# Cached values carry over between AppTest runs (docs/STACK-NOTES.md) and are not cleared between
# tests: every page cache is keyed on the warehouse file and its build id (dashboard/data.py), so
# tests on other warehouses never see each other's results, exactly as sessions share them in
# production. Clearing after every test cost the suite a cold overview per page test.


TEST_PASSWORD = "test-password-1"


def pytest_configure(config: pytest.Config) -> None:
    """A page's unexpected error fails its test (at.exception), not only a Chinese message:
    dashboard/errors.py shows the message and, with RAISE, raises on (for every test, module
    fixtures included; the tests of the guard turn it off with monkeypatch)."""
    from streamlit import config as st_config

    from dashboard import errors

    errors.RAISE = True
    # .streamlit/config.toml hides error details from people (showErrorDetails = "none"); a
    # failing test should say what failed.
    st_config.set_option("client.showErrorDetails", "full")


@pytest.fixture(scope="session")
def demo_township(demo_db: Path) -> str:
    """The first township of the demo county: the scope of the test account `town`."""
    from tests.dbutil import sql as run

    return run(demo_db, "select min(division_code) from divisions where level = 'township'")[0][0]


@pytest.fixture(scope="session")
def users_file(demo_db: Path, demo_township: str) -> Path:
    """One account per role, plus `town`: an analyst who sees only the first township."""
    from access import accounts

    path = demo_db.parent / "users.toml"
    if not path.exists():
        for role in ("admin", "leader", "planner", "analyst"):
            accounts.add(role, role, TEST_PASSWORD, display_name=f"测试{role}", path=path)
        accounts.add("town", "analyst", TEST_PASSWORD, township=demo_township, path=path)
    return path


@pytest.fixture
def app(demo_db: Path, users_file: Path, monkeypatch: pytest.MonkeyPatch):
    """Open a dashboard page on the demo warehouse, signed in as `user` (admin by default):
    app('views/funding.py', user='leader', township='...')."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ORGDASH_DB", str(demo_db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))

    def open_page(
        page: str = "views/overview.py", user: str | None = "admin", **query_params: str
    ) -> AppTest:
        at = AppTest.from_file(
            str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=60
        )
        for k, v in query_params.items():
            at.query_params[k] = v
        # AppTest must run once before switch_page. Signed out, that run only draws the sign-in
        # form, so the page asked for is the first one to touch the data (half the time of
        # rendering the overview first).
        at.run()
        if user is not None:
            signed_in(at, user)
            at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_page


@pytest.fixture
def sql(demo_db: Path):
    """sql(query, **params): direct SQL on the demo warehouse, not through the pages or marts."""
    from tests.dbutil import sql as run

    return lambda query, **params: run(demo_db, query, **params)


def signed_in(at, user: str) -> None:  # type: ignore[no-untyped-def]
    """Put an AppTest session in the state a password sign-in leaves (dashboard/auth.py)."""
    import time

    at.session_state["_account"] = user
    at.session_state["_signed_in_at"] = time.time()


@contextlib.contextmanager
def page_once(demo_db: Path, users_file: Path, page: str, user: str = "admin"):  # type: ignore[no-untyped-def]
    """A page opened once for a module's several checks (module fixtures cannot use monkeypatch)."""
    from streamlit.testing.v1 import AppTest

    saved = {k: os.environ.get(k) for k in ("ORGDASH_DB", "ORGDASH_USERS")}
    os.environ["ORGDASH_DB"] = str(demo_db)
    os.environ["ORGDASH_USERS"] = str(users_file)
    try:
        at = AppTest.from_file(
            str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"),
            default_timeout=60,
        )
        at.run()  # signed out: the sign-in form only (see the app fixture)
        signed_in(at, user)
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        yield at
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def open_as(user: str, page: str, **params: str):  # type: ignore[no-untyped-def]
    """A page as `user` on whatever warehouse $ORGDASH_DB names (for tests with a site of their
    own, which they change); signed out first, as the app fixture does."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=90
    )
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    signed_in(at, user)
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at
