"""The pages, defined once: the navigation in app.py and links between pages both use this."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from access.accounts import Account
from dashboard import public_link

VIEWS = Path(__file__).resolve().parent / "views"


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the URL path: /map, /community
    title: str
    file: str  # relative to dashboard/, as st.page_link and AppTest.switch_page want it
    filters: bool = True  # the page follows the shared sidebar filters (else they are not drawn)
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
    PageSpec("sql", "查询", "views/sql.py", filters=False),
    PageSpec("data", "数据", "views/data_status.py", filters=False),
    PageSpec("import", "导入", "views/import_data.py", filters=False),
    PageSpec("targets", "目标", "views/targets.py", filters=False),
    PageSpec("submit", "上报", "views/submit.py", filters=False),
    PageSpec("rounds", "上报进度", "views/rounds.py", filters=False),
    PageSpec("accounts", "账户", "views/accounts.py", filters=False),
    PageSpec("audit", "审计", "views/audit.py", filters=False),
    PageSpec("screen", "大屏", "views/screen.py"),  # meeting-room display: no sidebar, dark
)
BY_KEY = {p.key: p for p in PAGES}
# The public register (信息公开查询): the one page open without signing in (dashboard/public.py,
# docs/ACCESS.md "The public register"). Not in PAGES: no role table, no filters, no share link.
PUBLIC = PageSpec("public", "信息公开查询", public_link.PAGE_FILE, filters=False)
PUBLIC_LINK = public_link.LINK  # the sign-in page's link to it


def st_pages(account: Account | None) -> list:
    """Every page is registered, so a URL always resolves; the ones this account may not use are
    hidden from the menu and refuse in app.py when opened by URL. Before signing in (None) all
    are hidden, and the page the URL names opens once signed in.

    Each run gets copies of pages built once per process: st.Page resolves its file on the disk
    (a realpath and a stat, in Streamlit 1.67), which for seventeen pages in every run of every
    session was system calls that hand the one GIL over when many sessions run at once (issue
    15). A copy, not the page itself: st.navigation marks the page it picks as runnable and
    Page.run clears the mark, which sessions running at once must not share."""
    shown = set(menu(account)) if account is not None else set()
    return [copy.copy(_page(p.key, p.key in shown)) for p in (*PAGES, PUBLIC)]


@functools.cache
def _page(key: str, visible: bool) -> st.Page:
    """The st.Page of a page (built in a script run: st.Page asks the run for the app's folder)."""
    if key == PUBLIC.key:  # open to everyone; app.py runs it before the sign-in and role checks
        return st.Page(
            VIEWS.parent / PUBLIC.file, title=PUBLIC.title, url_path=PUBLIC.key, visibility="hidden"
        )
    spec = BY_KEY[key]
    return st.Page(
        VIEWS.parent / spec.file,
        title=spec.title,
        url_path=spec.key,
        default=spec is PAGES[0],
        visibility="visible" if visible else "hidden",
    )


def is_public(page: object) -> bool:
    """Whether st.navigation chose the public register (dashboard/public.py)."""
    return getattr(page, "url_path", "") == PUBLIC.key


def menu(account: Account) -> list[str]:
    """The keys of the pages listed in this account's menu, in menu order."""
    return [p.key for p in PAGES if account.may_open(p.key)]


def key_of(page: object) -> str:
    """The PageSpec key of the page st.navigation chose (the default page has an empty path)."""
    path = getattr(page, "url_path", "") or PAGES[0].key
    return path if path in BY_KEY else PAGES[0].key


def may_open(page: str) -> bool:
    """Whether the signed-in account may open this page (access/roles.py): links and clicks that
    lead there are offered only then, so no link leads a role into a refusal."""
    from dashboard import auth

    return auth.current().may_open(page)


def link(page: str, label: str, *, text: bool = True, **query_params: str) -> None:
    """A link to another page carrying page parameters (e.g. community=...); filters follow.

    For a role that may not open the page the label is plain text (text=True: a name in a list
    still reads) or nothing at all (text=False: a "see more →" link).
    """
    if not may_open(page):
        if text:
            st.markdown(label)
        return
    params = {**filter_params(), **query_params}
    # The page itself rather than its file: a file is resolved on the disk for every link.
    st.page_link(_page(page, True), label=label, query_params=params)


def go(page: str, **query_params: str) -> None:
    """Switch to another page now (after a click on a map or a table row), filters carried along.

    st.switch_page drops every query parameter it is not given, so the filters are passed on.
    """
    st.switch_page(BY_KEY[page].file, query_params={**filter_params(), **query_params})


def filter_params() -> dict[str, str]:
    """The shared filters as they stand in the URL."""
    now = st.query_params.to_dict()  # one call: each `in` and [] is one through Streamlit's proxy
    return {k: now[k] for k in ("year", "township", "area", "field") if k in now}
