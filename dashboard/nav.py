"""The pages, defined once: the navigation in app.py and links between pages both use this."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).resolve().parent / "views"


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the URL path: /map, /community
    title: str
    file: str  # relative to dashboard/, as st.page_link and AppTest.switch_page want it
    # No icons: emoji need a colour-emoji font the server's own Chromium (screenshots, kaleido)
    # lacks, and Material icons may be fetched from a font CDN; the titles are clear enough.

    @property
    def url(self) -> str:
        """Path below the server root; the default page lives at the root itself."""
        return "" if self is PAGES[0] else self.key


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "总览", "views/overview.py"),
    PageSpec("map", "地图", "views/map.py"),
    PageSpec("community", "社区", "views/community.py"),
    PageSpec("organizations", "组织", "views/organizations.py"),
    PageSpec("funding", "资金", "views/funding.py"),
    PageSpec("governance", "监管", "views/governance.py"),
    PageSpec("projects", "项目", "views/projects.py"),
    PageSpec("report", "报告", "views/report.py"),
    PageSpec("sql", "查询", "views/sql.py"),
    PageSpec("data", "数据", "views/data_status.py"),
)
BY_KEY = {p.key: p for p in PAGES}


def st_pages() -> list:
    return [
        st.Page(VIEWS.parent / p.file, title=p.title, url_path=p.key, default=(i == 0))
        for i, p in enumerate(PAGES)
    ]


def link(page: str, label: str, **query_params: str) -> None:
    """A link to another page carrying page parameters (e.g. community=...); filters follow."""
    params = {**filter_params(), **query_params}
    st.page_link(BY_KEY[page].file, label=label, query_params=params)


def go(page: str, **query_params: str) -> None:
    """Switch to another page now (after a click on a map or a table row), filters carried along.

    st.switch_page drops every query parameter it is not given, so the filters are passed on.
    """
    st.switch_page(BY_KEY[page].file, query_params={**filter_params(), **query_params})


def filter_params() -> dict[str, str]:
    """The shared filters as they stand in the URL."""
    return {
        k: st.query_params[k] for k in ("year", "township", "area", "field") if k in st.query_params
    }
