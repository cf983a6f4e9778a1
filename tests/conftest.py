"""Shared fixtures: the demo county built by the production code, once per test process."""

from __future__ import annotations

from pathlib import Path

import pytest

DEMO_AS_OF = "2025-12-31"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from etl.demo import generate

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


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """Cached values carry over between AppTest runs (STACK-NOTES.md): start each test clean."""
    yield
    try:
        import streamlit as st
    except ImportError:  # pragma: no cover
        return
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    """Open a dashboard page on the demo warehouse: app('views/funding.py', township='...')."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ORGDASH_DB", str(demo_db))

    def open_page(page: str = "views/overview.py", **query_params: str) -> AppTest:
        at = AppTest.from_file(
            str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=60
        )
        for k, v in query_params.items():
            at.query_params[k] = v
        at.run()
        if page != "views/overview.py":
            at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_page


@pytest.fixture
def sql(demo_db: Path):
    """sql(query, **params): direct SQL on the demo warehouse, not through the pages or marts."""
    from tests.dbutil import sql as run

    return lambda query, **params: run(demo_db, query, **params)
