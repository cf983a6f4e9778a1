"""信息公开查询: the public register residents open without signing in (docs/ACCESS.md, "The public
register"). Read-only, one fixed search (queries/public/search.sql) on the county's masked copy,
at most LIMIT organisations, public facts only; rate-limited per client and audited.

Nothing here reads URL parameters, follows short links or draws a download, chart or image: the
anonymous surface is this form and its answer.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

import queries
from access import audit, public_limit
from access.accounts import Account
from access.settings import load_settings
from dashboard import auth, mobile
from dashboard.formats import cn_date
from dashboard.safe import md
from queries import scope
from reports import wording as w

KEY = "public"  # the URL path: /public
TITLE = "信息公开查询"
FILE = "views/public.py"
LINK_LABEL = "信息公开查询（无需登录）"
LIMIT = 50  # organisations shown for one search at most
MIN_TEXT = 2  # characters of a name or community: one character lists half the county
MAX_TEXT = 40  # characters kept of what was typed (the longest demo name has 15)
PER_ORG = 10  # disclosed items shown per organisation, newest first
BY = {"name": "组织名称", "credit_code": "统一社会信用代码", "community": "所在社区"}
# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V).
CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
NO_DISCLOSURES = "暂无信息公开数据"
NOT_PUBLISHED = "数据尚未发布，请稍后再试。"
# A form and a list read best in one column of text width; the app's layout is "wide" for the
# staff pages' charts. On a phone the column is the screen (the rule only caps the width).
NARROW_CSS = """
<style>
[data-testid="stMainBlockContainer"] { max-width: 920px; }
</style>
"""
_RESULT = "_public_result"
# What public/search.sql returns, and nothing more: docs/ACCESS.md ("The public register") says
# why each is public. org_id stays on the server (it finds the disclosed items) and is never shown.
COLUMNS = (
    "org_id",
    "name",
    "credit_code",
    "status_label",
    "legal_form_label",
    "field_label",
    "community_name",
    "township_name",
    "established_on",
    "dissolved_on",
    "is_active",
    "grade",
    "grade_valid_until",
    "on_abnormal_list",
    "abnormal_since",
    "on_dishonest_list",
    "dishonest_since",
    "report_year",
    "report_filing_status",
    "report_filing_label",
    "report_result_label",
    "as_of_date",
)
DISCLOSURE_COLUMNS = ("org_id", "item", "period", "disclosed_on", "channel")


class Invalid(ValueError):
    """What was typed cannot be searched; the message says what to type instead."""


@dataclass(frozen=True)
class Search:
    by: str  # a key of BY
    text: str  # normalised, at most MAX_TEXT characters

    def params(self) -> dict[str, object]:
        """The bound parameters of public/search.sql (nothing is ever formatted into its text)."""
        return {
            "by": self.by,
            "pattern": like_pattern(self.text) if self.by != "credit_code" else "",
            "code": self.text if self.by == "credit_code" else "",
            "limit": LIMIT + 1,  # one more than shown: tells "more than LIMIT" from exactly LIMIT
        }


@dataclass
class Result:
    search: Search
    rows: pl.DataFrame
    capped: bool
    disclosures: dict[str, list[dict]] | None  # None: the warehouse has no disclosure table
    as_of: dt.date | None = None


def normalise(raw: object) -> str:
    """What was typed, as the warehouse writes names: NFKC (full-width letters and digits become
    ASCII), control characters dropped, runs of spaces made one, at most MAX_TEXT characters."""
    text = unicodedata.normalize("NFKC", str(raw or "")[: MAX_TEXT * 4])
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())[:MAX_TEXT]


def like_pattern(text: str) -> str:
    """A substring pattern for ILIKE … ESCAPE '\\': the visitor's % _ and \\ match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def check(by: str, raw: object) -> Search:
    """The search to run, or Invalid with a Chinese message saying what to type."""
    if by not in BY:
        raise Invalid("请选择查询方式。")
    text = normalise(raw)
    if by == "credit_code":
        code = re.sub(r"[\s\-]", "", text).upper()
        if not CREDIT_CODE.fullmatch(code):
            raise Invalid(
                "统一社会信用代码应为18位，由数字和大写字母组成（不含 I、O、Z、S、V），"
                "如 51340129MJ1234567X。备案的社区社会组织没有统一社会信用代码，请按名称查询。"
            )
        return Search(by, code)
    if len(text) < MIN_TEXT:
        raise Invalid(f"请至少输入{MIN_TEXT}个字，如组织名称中的“爱心”“志愿”或社区名称。")
    return Search(by, text)


def _db() -> Path:
    """The county's masked copy of the live build (what any non-admin reads): even a mistake in
    the public query could not show a clear 负责人 name or phone number, which it never holds."""
    pointer = queries.db_path()
    live = queries.live_file(pointer)  # FileNotFoundError without a warehouse
    return scope.view_file(pointer, live, None, masked=True)


def run(search: Search, db: Path | None = None) -> Result:
    """The organisations matching a search, with their disclosed items (no Streamlit)."""
    db = db or _db()
    # select(): a column someone adds to the SQL is not shown until it is listed (and documented)
    rows = queries.run("public/search", db, **search.params()).select(COLUMNS)
    capped = rows.height > LIMIT
    rows = rows.head(LIMIT)
    as_of = rows["as_of_date"][0] if rows.height else None
    disclosures: dict[str, list[dict]] | None = None
    if queries.run("public/has_disclosures", db)["has_disclosures"][0]:
        disclosures = {}
        if rows.height:
            items = queries.run(
                "public/disclosures", db, orgs=rows["org_id"].to_list(), per_org=PER_ORG
            ).select(DISCLOSURE_COLUMNS)
            for item in items.iter_rows(named=True):
                disclosures.setdefault(item["org_id"], []).append(item)
    return Result(search, rows, capped, disclosures, as_of)


# ---------------------------------------------------------------- the page


def client() -> str:
    """The visitor's address (dashboard/auth.py: a proxy on this machine may name it)."""
    return auth.client_address()


def _audited_text(raw: object) -> str:
    text = str(raw or "")
    return text[:MAX_TEXT] + ("…" if len(text) > MAX_TEXT else "")


def submit(by: str, raw: object, account: Account | None) -> Result | str:
    """One search from the form: counted against the client's limit, checked, run, audited.
    Returns the result, or the Chinese message to show instead."""
    user = account.name if account is not None else None
    where = client()
    limit = load_settings().public_searches_per_minute
    verdict = public_limit.take(where, limit)
    base: dict[str, Any] = {
        "by": by if by in BY else "?",
        "text": _audited_text(raw),
        "client": where,
    }
    if not verdict.allowed:
        if verdict.first_refusal:  # later refusals of the same run are only counted
            audit.record(
                "public_search", user, outcome="throttled", searches=verdict.searches, **base
            )
        return verdict.message
    before: dict[str, Any] = {"refused_before": verdict.refused} if verdict.refused else {}
    try:
        search = check(by, raw)
    except Invalid as exc:
        audit.record("public_search", user, outcome="invalid", reason=str(exc)[:60], **base)
        return str(exc)
    try:
        result = run(search)
    except FileNotFoundError:  # no warehouse yet: nothing to search, and no path to show
        audit.record("public_search", user, outcome="failed", reason="数据仓库尚未生成", **base)
        return NOT_PUBLISHED
    except Exception:  # the page guard shows an incident number; the search is on record too
        audit.record("public_search", user, outcome="failed", **base)
        raise
    audit.record(
        "public_search",
        user,
        outcome="ok",
        rows=result.rows.height,
        capped=result.capped,
        **base,
        **before,
    )
    return result


def page(account: Account | None) -> None:
    """The register: a search form and its answer. Stored in the session so that a rerun (a
    phone turned sideways) keeps the answer on screen."""
    mobile.apply()
    st.html(NARROW_CSS)
    st.title("社区社会组织信息公开查询")
    st.caption(
        "查询本县社区社会组织的登记（备案）状态、评估等级、信用名录和年度报告情况。"
        "本页只显示组织的公开信息，不含任何个人信息；无需登录。"
    )
    with st.form("public_search", border=True):
        by = st.radio(
            "查询方式", list(BY), format_func=BY.__getitem__, horizontal=True, key="public_by"
        )
        raw = st.text_input(
            "查询内容",
            max_chars=MAX_TEXT,
            key="public_text",
            placeholder="如：爱心、志愿者，或18位统一社会信用代码",
        )
        pressed = st.form_submit_button("查询", type="primary")
    state = st.session_state
    if pressed:
        state[_RESULT] = submit(by, raw, account)
    answer = state.get(_RESULT)
    if isinstance(answer, str):
        if answer.startswith(public_limit.REFUSED):
            st.error(answer)
        else:
            st.warning(answer)
    elif isinstance(answer, Result):
        show(answer)
    if account is None:
        st.page_link("views/overview.py", label="工作人员登录")


def show(result: Result) -> None:
    """The organisations found: one card each, expanded when there are few."""
    rows = result.rows
    if rows.height == 0:
        st.info(
            f"没有找到{BY[result.search.by]}包含“{md(result.search.text)}”的社区社会组织。"
            "请检查输入，或换一种查询方式。"
        )
        return
    said = f"找到{rows.height}家组织" if not result.capped else f"结果较多，只显示前{LIMIT}家"
    when = f"，数据{w.as_of(result.as_of)}" if result.as_of else ""
    st.markdown(f"**{said}**{when}。")
    if result.capped:
        st.caption("请输入更完整的名称，或按统一社会信用代码查询。")
    open_all = rows.height <= 3
    for row in rows.iter_rows(named=True):
        items = None if result.disclosures is None else result.disclosures.get(row["org_id"], [])
        state = "存续" if row["is_active"] else "已注销"
        label = f"{md(row['name'])}（{state}）"
        with st.expander(label, expanded=open_all):
            st.markdown("\n".join(f"- {line}" for line in facts(row, items)))


def facts(row: dict, items: list[dict] | None) -> list[str]:
    """The public facts of one organisation, as Markdown lines (every value escaped)."""
    code = (
        md(row["credit_code"])
        if row["credit_code"]
        else "无（备案的社区社会组织不发统一社会信用代码）"
    )
    kind = md(row["status_label"])
    if row["legal_form_label"]:
        kind += f"（{md(row['legal_form_label'])}）"
    place = "".join(md(p) for p in (row["township_name"], row["community_name"]) if p)
    if row["is_active"]:
        standing = f"存续，{cn_date(row['established_on'])}成立"
    elif row["dissolved_on"] is not None:
        standing = f"已注销（{cn_date(row['dissolved_on'])}）"
    else:
        standing = f"尚未成立（{cn_date(row['established_on'])}）"
    if row["grade"] is not None:
        grade = f"{int(row['grade'])}A，有效期至{cn_date(row['grade_valid_until'])}"
    else:
        grade = "无有效评估等级"
    lists = []
    if row["on_abnormal_list"]:
        lists.append(f"列入活动异常名录（{cn_date(row['abnormal_since'])}起）")
    if row["on_dishonest_list"]:
        lists.append(f"列入严重违法失信名单（{cn_date(row['dishonest_since'])}起）")
    listed = "；".join(lists) if lists else "未列入活动异常名录或严重违法失信名单"
    lines = [
        f"统一社会信用代码：{code}",
        f"登记/备案：{kind}",
        f"服务领域：{md(row['field_label'])}",
        f"所在社区：{place or '—'}",
        f"状态：{standing}",
        f"评估等级：{grade}",
        f"信用状况：{listed}",
    ]
    if row["report_year"] is not None:
        year = int(row["report_year"])
        status = row["report_filing_status"]
        if status is None:
            report = "无需报送"
        else:
            report = md(row["report_filing_label"] or status)
            if row["report_result_label"]:
                report += f"，年检结论：{md(row['report_result_label'])}"
        lines.append(f"{year}年度报告：{report}")
    lines.append(f"信息公开：{disclosed(items)}")
    return lines


def disclosed(items: list[dict] | None) -> str:
    """「暂无信息公开数据」, or the items as a list nested under the 信息公开 line, newest first."""
    if not items:
        return NO_DISCLOSURES
    parts = []
    for item in items:
        what = " ".join(md(item[k]) for k in ("period", "item") if item.get(k))
        when = cn_date(item["disclosed_on"]) if item.get("disclosed_on") else ""
        where = md(item["channel"]) if item.get("channel") else ""
        tail = "，".join(b for b in (when and f"{when}公开", where and f"公开渠道：{where}") if b)
        parts.append(what + (f"（{tail}）" if tail else ""))
    return "".join(f"\n    - {part}" for part in parts)
