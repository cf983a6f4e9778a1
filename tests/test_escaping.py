"""Text from URLs and from the data is shown as typed on every page: never a link, image or tag.

A warehouse is loaded (as `orgdash load` does) from the demo files with hostile names put in: the
county (report title, page titles), the first township (the `town` account's scope), a community
and organisations. Every page is then opened with every URL parameter set to the payloads, as the
admin, a leader and the township account, and every string Streamlit renders as Markdown (alerts,
captions, titles, labels, help texts, radio options, expanders, tabs) or as HTML is checked.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from access import roles
from dashboard import nav
from dashboard.safe import html_text, md
from tests.conftest import TEST_PASSWORD, open_as

LINK = "[登录已过期,点此重新登录](http://evil.example/)"
IMAGE = "![x](http://evil.example/x.png)"
IMG_TAG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
PAYLOADS = (LINK, IMAGE, IMG_TAG, SCRIPT)
ALL = "".join(PAYLOADS)

# URL parameters any page reads (filters, the community and organisation pages, the phone view,
# short links are tested on their own) and one no page knows.
PARAMS = ("year", "township", "area", "field", "community", "org", "m", "q")


# ---------------------------------------------------------------- the helper itself


@pytest.mark.parametrize("payload", [*PAYLOADS, ALL, "a\n# 标题\n===", "www.evil.example a@b.cn"])
def test_md_leaves_no_markdown_or_html(payload: str):
    out = md(payload)
    assert not _markdown_problems(out)
    assert _plain(out) == payload.replace("\n", " ")  # reads exactly as typed


def test_html_text_escapes_tags_and_quotes():
    assert html_text(IMG_TAG + "'\"") == "&lt;img src=x onerror=alert(1)&gt;&#x27;&quot;"


# ---------------------------------------------------------------- checks on rendered strings


def _plain(markdown: str) -> str:
    """What a Markdown string reads as once escapes and entities are resolved."""
    import html

    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return html.unescape(text).replace("\u2060", "")


def _markdown_problems(body: str) -> list[str]:
    """What in a Markdown (or Markdown-with-HTML) string would become a link, image or tag."""
    found = []
    if re.search(r"(?<!\\)\]\s*\(\s*(?:https?:|//|evil)", body, re.I):
        found.append("link or image syntax")
    if re.search(r"(?<!\\)!\[", body) and "evil" in body:
        found.append("image syntax")
    if re.search(r"<\s*(img|script|a|iframe|svg)\b", body, re.I):
        found.append("raw HTML tag")
    # remark-gfm links bare URLs after escapes are resolved: the escaped text must not read as one.
    resolved = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body)
    if re.search(r"(?i)(https?://|www\.)evil", resolved):
        found.append("bare URL (autolinked)")
    return found


def _html_problems(body: str) -> list[str]:
    lowered = body.lower()
    found = []
    if "<img src=x" in lowered or "<script>alert" in lowered:
        found.append("payload as HTML")
    if 'href="http://evil' in lowered or "src=http://evil" in lowered:
        found.append("link of theirs")
    return found


# Element types whose strings are shown as plain text (or are data), not Markdown.
PLAIN = {
    "arrow_data_frame",
    "arrow_table",
    "code",
    "text",
    "json",
    "plotly_chart",
    "deck_gl_json_chart",
    "vega_lite_chart",
    "selectbox",
    "multiselect",
    "text_input",
    "text_area",
    "date_input",
    "number_input",
    "download_button",  # its label is ours; its data is bytes
}
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "delta", "delta_description"}


def _strings(message, path: str = "") -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    for fd, value in message.ListFields():
        values = value if fd.is_repeated else [value]
        for v in values:
            if fd.type == fd.TYPE_MESSAGE:
                yield from _strings(v, f"{path}.{fd.name}")
            elif fd.type == fd.TYPE_STRING:
                yield f"{path}.{fd.name}", v


def problems(at) -> list[str]:  # type: ignore[no-untyped-def]
    """Every rendered string of the page that would show a payload as a link, image or tag."""
    out = []
    for node in at._tree:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if proto is None or kind in PLAIN:
            continue
        for where, value in _strings(proto):
            name = where.rsplit(".", 1)[-1]
            if kind == "html" and name == "body":
                bad = _html_problems(value)
            elif name in MARKDOWN_FIELDS or (kind == "radio" and name == "options"):
                bad = _markdown_problems(value)
            else:
                continue
            out += [f"{kind}{where}: {b}: {value[:160]!r}" for b in bad]
    return out


def rendered(at) -> str:  # type: ignore[no-untyped-def]
    """Every string of the page's Markdown elements, resolved as the reader sees them."""
    return " ".join(
        _plain(v)
        for node in at._tree
        if getattr(node, "proto", None) is not None and getattr(node, "type", "") not in PLAIN
        for _, v in _strings(node.proto)
    )


# ---------------------------------------------------------------- a county with hostile names


@pytest.fixture(scope="module")
def hostile(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The demo county loaded with payloads as the county's, a township's, a community's and
    organisations' names; accounts like tests/conftest.py's beside it."""
    from access import accounts
    from etl.pipeline import load_dir

    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    shutil.copytree(demo_dir, raw)
    manifest = raw / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace('county_name = "Xx县"', f'county_name = "Xx县{IMG_TAG}"', 1), encoding="utf-8"
    )

    divisions = pl.read_excel(raw / "行政区划.xlsx", has_header=False)
    c = divisions.columns
    towns = divisions.filter(pl.col(c[2]) == "乡镇")[c[0]].to_list()
    township = min(towns)
    communities = divisions.filter(pl.col(c[3]) == township)[c[0]].sort().to_list()
    community = communities[0]
    names = {township: f"城关{IMG_TAG}{LINK}", community: f"东门{IMAGE}{SCRIPT}"}
    divisions = divisions.with_columns(
        pl.col(c[0]).replace_strict(names, default=pl.col(c[1]), return_dtype=pl.String).alias(c[1])
    )
    (raw / "行政区划.xlsx").unlink()
    divisions.write_csv(raw / "行政区划.csv", include_header=False)

    path = raw / "社会组织名录.csv"
    lines = path.read_bytes().decode("gb18030").splitlines(keepends=True)
    org_ids = []
    for i, line in enumerate(lines):
        cells = line.split(",")
        if len(cells) > 6 and cells[6] == community and len(org_ids) < 2:
            org_ids.append(cells[0])
            name = f"甲协会{LINK}{IMAGE}" if len(org_ids) == 1 else f"乙队{IMG_TAG}{SCRIPT}"
            cells[1] = f'"{name}"'
            lines[i] = ",".join(cells)
    path.write_bytes("".join(lines).encode("gb18030"))

    db = root / "warehouse.duckdb"
    load_dir(raw, db)
    users = root / "users.toml"
    for role in ("admin", "leader", "planner", "analyst"):
        accounts.add(role, role, TEST_PASSWORD, display_name=f"测试{role}{LINK}", path=users)
    accounts.add("town", "analyst", TEST_PASSWORD, township=township, path=users)
    return {"db": db, "users": users, "township": township, "community": community, "orgs": org_ids}


@pytest.fixture
def site(hostile: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("ORGDASH_DB", str(hostile["db"]))
    monkeypatch.setenv("ORGDASH_USERS", str(hostile["users"]))
    monkeypatch.setenv("ORGDASH_AUDIT", str(hostile["db"].parent / "audit.jsonl"))
    return hostile


def test_the_names_were_loaded_as_given(site: dict):
    import duckdb

    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        names = {
            r[0]
            for r in con.sql(
                "select name from divisions where division_code in ($1, $2)",
                params=[site["township"], site["community"]],
            ).fetchall()
        }
        orgs = con.sql("select count(*) from organizations where name like '%evil%'").fetchall()[0]
    finally:
        con.close()
    assert any(IMG_TAG in n for n in names) and any(IMAGE in n for n in names)
    assert orgs is not None and orgs[0] >= 1


# ---------------------------------------------------------------- every page, every role

# Pages edited by someone else at the time of writing, with the line still to be escaped: strict,
# so the mark has to go when the line is fixed.
ROLE_PAGES = [
    pytest.param(user, p.file)
    for user, township in (("admin", None), ("leader", None), ("town", "x"))
    for p in nav.PAGES
    if roles.may_open("analyst" if user == "town" else user, p.key, township)
]


@pytest.mark.parametrize(("user", "page"), ROLE_PAGES)
def test_hostile_url_and_names_stay_text(site: dict, user: str, page: str):
    at = open_as(user, page, **dict.fromkeys(PARAMS, ALL))
    assert not (found := problems(at)), "\n".join(found)


def test_a_made_up_community_in_the_url_is_named_as_text(site: dict):
    for payload in PAYLOADS:
        at = open_as("admin", "views/community.py", community=payload)
        warnings = [w.value for w in at.warning]
        assert any("链接中的社区代码" in w and "不存在" in w for w in warnings), warnings
        assert any(payload in _plain(w) for w in warnings)  # says what was wrong, as typed
        assert not (found := problems(at)), "\n".join(found)


def test_the_hostile_community_opens_with_its_name_as_text(site: dict):
    at = open_as("admin", "views/community.py", community=site["community"])
    assert f"东门{IMAGE}{SCRIPT}" in rendered(at)
    assert not (found := problems(at)), "\n".join(found)


def test_the_hostile_organisation_profile_is_text(site: dict):
    for org in site["orgs"]:
        at = open_as("admin", "views/organizations.py", org=org)
        assert not (found := problems(at)), "\n".join(found)
    at = open_as("admin", "views/organizations.py", org=ALL)
    assert not (found := problems(at)), "\n".join(found)


def test_report_title_with_a_hostile_county_name_is_text(site: dict):
    for user in ("admin", "town"):
        at = open_as(user, "views/report.py")
        assert f"Xx县{IMG_TAG}" in rendered(at)
        assert not (found := problems(at)), "\n".join(found)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_made_up_share_code_is_named_as_text(site: dict, payload: str):
    at = open_as("admin", "views/overview.py", v=payload)
    assert not (found := problems(at)), "\n".join(found)
    warnings = [w.value for w in at.warning]
    assert any("分享链接" in w and "不存在或已失效" in w for w in warnings), warnings
    assert any(payload[:40] in _plain(w) for w in warnings)
