"""The public register (信息公开查询, /public): residents search without signing in and see public
facts only; nothing else of the dashboard opens for them (docs/ACCESS.md, "The public register")."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from access import accounts as acc
from access import audit, links, public_limit, sessions
from dashboard import media_gate, nav, public
from dashboard.safe import md
from tests.conftest import signed_in

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
SIGN_IN_TITLE = "社区社会组织数据看板"
PUBLIC_TITLE = "社区社会组织信息公开查询"
TEXT_KINDS = (
    "title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"
)  # fmt: skip
# Columns of the warehouse that must never reach the register (docs/ACCESS.md).
PRIVATE = (
    "leader_name",
    "leader_phone",
    "members",
    "volunteers",
    "party_in_charter",
    "integrity_in_charter",
    "has_party_branch",
    "guide_unit",
    "score",
    "rating",
    "reason",
    "resident_id",
    "amount_yuan",
    "approved_yuan",
    "budget_yuan",
)


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def site(demo_db: Path, users_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The demo warehouse with a users file, audit log, links file and limit of this test's own
    (the rate limit's records live beside the users file)."""
    users = tmp_path / "users.toml"
    shutil.copy(users_file, users)
    config = tmp_path / "orgdash.toml"
    config.write_text("[access]\npublic_searches_per_minute = 100\n", encoding="utf-8")
    env = {
        "ORGDASH_DB": demo_db,
        "ORGDASH_USERS": users,
        "ORGDASH_AUDIT": tmp_path / "audit.jsonl",
        "ORGDASH_CONFIG": config,
        "ORGDASH_LINKS": tmp_path / "links.json",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    return SimpleNamespace(db=demo_db, users=users, config=config, audit=tmp_path / "audit.jsonl")


def visit(page: str | None = None, user: str | None = None, **params: str):  # type: ignore[no-untyped-def]
    """The app in a fresh session, not signed in unless user is given, at page (a views/ file)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if user is not None:
        signed_in(at, user)
    if page is not None:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def search(at, by: str, text: str):  # type: ignore[no-untyped-def]
    at.radio(key="public_by").set_value(by)
    # set_value, not input(): AppTest's input() drops text past max_chars as the browser does,
    # while a client speaking the websocket itself can send any length. The server cuts it.
    at.text_input(key="public_text").set_value(text)
    next(b for b in at.button if b.label == "查询").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at) -> list[str]:  # type: ignore[no-untyped-def]
    """Everything the page says: every text element, expander label and link label."""
    out = [str(e.value) for kind in TEXT_KINDS for e in at.get(kind)]
    out += [e.label for e in at.expander]
    out += [link.proto.label for link in at.get("page_link")]
    return out


def page_text(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(texts(at))


def found(at) -> list[str]:  # type: ignore[no-untyped-def]
    """The organisation names listed (the expander labels, 「名称（存续）」)."""
    return [e.label.rsplit("（", 1)[0] for e in at.expander]


def q(db: Path, query: str, **params: object) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def known(demo_db: Path) -> dict:
    """A demo organisation with every kind of public fact: registered (a credit code), a grade
    in force, on the abnormal-operation list now, and a report for the last due year. Its facts
    are read here straight from the warehouse tables, not through the register's SQL."""
    as_of = q(demo_db, "select as_of_date from warehouse_info")[0][0]
    last_due = q(demo_db, "select max(report_year) from annual_reports where due_on < $d", d=as_of)
    row = q(
        demo_db,
        """
        select o.org_id, o.name, o.credit_code, f.label, c.name, t.name, o.leader_name,
               o.leader_phone, e.grade, e.evaluated_year, l.listed_on, r.submitted_on, r.due_on,
               rr.label
        from organizations o
        join divisions c on c.division_code = o.community_code
        join divisions t on t.division_code = c.township_code
        join lookup_field f on f.code = o.field
        join evaluations e on e.org_id = o.org_id
        join credit_listings l on l.org_id = o.org_id and l.list_type = 'abnormal'
        join annual_reports r on r.org_id = o.org_id and r.report_year = $year
        left join lookup_report_result rr on rr.code = r.result
        where o.credit_code is not null and o.dissolved_on is null
          and e.evaluated_year + 4 >= year($d) and e.evaluated_year <= year($d)
          and e.evaluated_year = (select max(evaluated_year) from evaluations x
                                  where x.org_id = o.org_id and x.evaluated_year <= year($d))
          and l.listed_on <= $d and (l.removed_on is null or l.removed_on > $d)
          and r.submitted_on is not null
        order by o.org_id limit 1
        """,
        d=as_of,
        year=last_due[0][0],
    )
    assert row, "the demo has no organisation with a grade, a listing and a report"
    keys = [
        "org_id",
        "name",
        "credit_code",
        "field",
        "community",
        "township",
        "leader_name",
        "leader_phone",
        "grade",
        "evaluated_year",
        "listed_on",
        "submitted_on",
        "due_on",
        "result",
    ]
    has_table = q(
        demo_db, "select count(*) from duckdb_tables() where table_name = 'info_disclosures'"
    )
    disclosed = (
        has_table[0][0]
        and q(
            demo_db,
            "select count(*) from info_disclosures where org_id = $o and disclosed_on <= $d",
            o=row[0][0],
            d=as_of,
        )[0][0]
    )
    return {
        **dict(zip(keys, row[0], strict=True)),
        "as_of": as_of,
        "report_year": last_due[0][0],
        "disclosed": bool(disclosed),
    }


def cn(d) -> str:  # type: ignore[no-untyped-def]
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------- what a resident sees


def test_sign_in_page_offers_the_register(site) -> None:
    at = visit()
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert [(ln.proto.label, ln.proto.page) for ln in at.get("page_link")] == [
        ("信息公开查询（无需登录）", "public")
    ]


def test_anonymous_search_shows_the_public_facts_of_a_known_organisation(site, known) -> None:
    at = visit(nav.PUBLIC.file)
    assert [t.value for t in at.title] == [PUBLIC_TITLE]
    assert not at.get("page_link")[0].proto.page  # 工作人员登录: the root, i.e. the sign-in
    # A credit code as a clerk types it: lower case, full-width, with spaces.
    typed = " ".join(known["credit_code"].lower()).replace("1", "１")
    search(at, "credit_code", typed)
    assert found(at) == [known["name"]]
    facts = at.expander[0].markdown[0].value
    grade_until = cn(known["as_of"].replace(year=known["evaluated_year"] + 4, month=12, day=31))
    on_time = known["submitted_on"] <= known["due_on"]
    for line in (
        f"统一社会信用代码：{known['credit_code']}",
        "登记/备案：登记",
        f"服务领域：{known['field']}",
        f"所在社区：{known['township']}{known['community']}",
        "状态：存续",
        f"评估等级：{known['grade']}A，有效期至{grade_until}",
        f"信用状况：列入活动异常名录（{cn(known['listed_on'])}起）",
        f"{known['report_year']}年度报告：{'按时报送' if on_time else '逾期报送'}，"
        f"年检结论：{known['result']}",
    ):
        assert line in facts, (line, facts)
    # What the demo holds of 信息公开 for it (the source is optional, and newer than the demo).
    if known["disclosed"]:
        assert "信息公开：" in facts and "暂无信息公开数据" not in facts
    else:
        assert "信息公开：暂无信息公开数据" in facts
    assert f"数据截至{cn(known['as_of'])}" in page_text(at)
    # Personal data of this very organisation: neither clear nor masked.
    masked_phone = known["leader_phone"][:3] + "****" + known["leader_phone"][-4:]
    for secret in (known["leader_name"], known["leader_phone"], masked_phone, known["org_id"]):
        assert secret not in page_text(at)


def test_search_by_name_and_by_community(site, demo_db) -> None:
    at = search(visit(nav.PUBLIC.file), "name", "爱心")
    names = found(at)
    expected = q(
        demo_db,
        "select count(*) from organizations where contains(name, '爱心')",
    )[0][0]
    assert len(names) == min(expected, public.LIMIT) and all("爱心" in n for n in names)
    community = q(demo_db, "select name from divisions where level = 'community' order by 1")[0][0]
    search(at, "community", community)
    in_it = q(
        demo_db,
        """select o.name from organizations o join divisions c on c.division_code = o.community_code
           where contains(c.name, $c)""",
        c=community,
    )
    assert sorted(found(at)) == sorted(n for (n,) in in_it)[: public.LIMIT]


def test_results_are_capped(site, demo_db) -> None:
    many = q(demo_db, "select count(*) from organizations where contains(name, '协会')")[0][0]
    assert many > public.LIMIT
    at = search(visit(nav.PUBLIC.file), "name", "协会")
    assert len(at.expander) == public.LIMIT == 50
    assert f"结果较多，只显示前{public.LIMIT}家" in page_text(at)
    assert not any(e.proto.expanded for e in at.expander)  # many results: folded, one line each


def test_private_fields_never_appear(site, demo_db) -> None:
    """Searches that list many organisations, and searches for personal data itself: no clear or
    masked 负责人 name or phone number of any listed organisation ever shows."""
    at = visit(nav.PUBLIC.file)
    people = q(demo_db, "select name, leader_name, leader_phone from organizations")
    by_name = {n: (leader, phone) for n, leader, phone in people}
    shown: set[str] = set()
    text = ""
    for by, words in (
        ("name", "协会"),
        ("name", "服务"),
        ("community", "社区"),
        ("community", "村"),
    ):
        search(at, by, words)
        shown |= set(found(at))
        text += page_text(at) + "\n".join(m.value for e in at.expander for m in e.markdown)
    assert len(shown) > 100
    for name in shown:
        leader, phone = by_name[name]
        for secret in (leader, phone, phone[:3] + "****" + phone[-4:]):
            assert secret not in text, (name, secret)
        if len(leader) >= 3:
            assert leader[0] + "*" * (len(leader) - 2) + leader[-1] not in text
    # A 负责人's name or phone is not a way in: the search reads names, codes and communities only.
    leader, phone = next((lead, ph) for lead, ph in by_name.values() if len(lead) >= 3)
    for secret in (leader, phone):
        search(at, "name", secret)
        assert not at.expander and "没有找到" in page_text(at)


def test_the_register_reads_only_public_columns(site, demo_db, tmp_path) -> None:
    """A copy of the warehouse whose private columns all hold a marker: whatever is searched, no
    marker comes back, and the columns are exactly the documented ones."""
    db = tmp_path / "marked.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    con.execute(
        "update organizations set leader_name = '标记姓名', leader_phone = '19999999999', "
        "guide_unit = '标记单位', members = 987654, volunteers = 876543"
    )
    con.execute("update evaluations set score = 999.25")
    con.execute("update credit_listings set reason = '标记原因'")
    con.close()
    markers = {"标记姓名", "19999999999", "标记单位", 987654, 876543, 999.25, "标记原因"}
    for by, text in (("name", "协会"), ("community", "社区"), ("name", "中心")):
        result = public.run(public.check(by, text), db=db)
        assert result.rows.columns == list(public.COLUMNS)
        cells = {v for row in result.rows.iter_rows() for v in row}
        assert not cells & markers
    sql = " ".join((ROOT / "queries" / "public" / f).read_text("utf-8") for f in ("search.sql",))
    body = "\n".join(ln for ln in sql.splitlines() if not ln.lstrip().startswith("--"))
    assert not [c for c in PRIVATE if f".{c}" in body or f" {c}," in body], PRIVATE
    # The register reads the county's masked copy, never the live file with clear phone numbers.
    copy = public._db()
    assert copy != site.db.resolve() and copy.name == "county-masked.duckdb"
    assert q(copy, "select count(*) from organizations where leader_phone like '%****%'")[0][0] > 0


# ---------------------------------------------------------------- nothing else opens


@pytest.mark.parametrize("spec", nav.PAGES, ids=[p.key for p in nav.PAGES])
def test_every_page_by_url_as_anonymous_shows_the_sign_in_only(site, spec) -> None:
    # With the parameters pages read (deep links, filters) set: they change nothing.
    at = visit(spec.file, org="SZ34012900008", community="340129002005", year="2024", township="x")
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert at.text_input(key="sign_in_name") is not None
    assert [ln.proto.page for ln in at.get("page_link")] == ["public"]
    for kind in ("metric", "dataframe", "plotly_chart", "deck_gl_json_chart", "download_button"):
        assert not at.get(kind), (spec.key, kind)
    assert not at.sidebar.get("markdown") and not at.expander
    assert set(texts(at)) <= {SIGN_IN_TITLE, "**请登录**", nav.PUBLIC_LINK} | {
        c.value for c in at.caption if c.value.startswith("演示账户")
    }


def test_a_share_link_does_not_open_for_an_anonymous_visitor(site, demo_db, known) -> None:
    code = links.create("organizations", {"org": known["org_id"]}, demo_db)
    for page in (None, nav.PUBLIC.file):
        at = visit(page, v=code)
        title = SIGN_IN_TITLE if page is None else PUBLIC_TITLE
        assert [t.value for t in at.title] == [title]
        assert not at.dataframe and not at.metric and not at.expander
        assert known["org_id"] not in page_text(at) and known["name"] not in page_text(at)
    # The same link signed in does open the organisation's profile (so the test above can fail).
    at = visit(None, user="planner", v=code)
    assert known["org_id"] in page_text(at) and known["name"] in page_text(at)


def test_the_register_ignores_url_parameters(site) -> None:
    at = visit(nav.PUBLIC.file, org="SZ34012900008", q="爱心", community="[点此](http://evil)")
    assert not at.expander and "爱心" not in page_text(at) and "evil" not in page_text(at)


def test_a_signed_in_account_may_use_the_register_too(site) -> None:
    at = search(visit(nav.PUBLIC.file, user="leader"), "name", "爱心")
    assert at.expander
    assert any("测试leader" in c.value for c in at.sidebar.caption)  # the account box stays
    assert audit.read()[-1]["user"] == "leader"


# ---------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "payload",
    [
        "'; drop table organizations; --",
        "爱心' or '1'='1",
        "%%",
        "__",
        "\\%",
        "<img src=x onerror=alert(1)>",
        "[登录已过期,点此重新登录](http://evil)",
        "**粗体** `code` $x$",
        "x" * 500,
    ],
)
def test_hostile_search_text_is_harmless(site, demo_db, payload) -> None:
    before = q(demo_db, "select count(*) from organizations")[0][0]
    at = search(visit(nav.PUBLIC.file), "name", payload)
    # Bound, not formatted: no SQL runs from the text; % and _ match themselves, not everything.
    assert not at.expander
    assert q(demo_db, "select count(*) from organizations")[0][0] == before
    typed = public.normalise(payload)
    assert len(typed) <= public.MAX_TEXT
    info = " ".join(i.value for i in at.info)
    assert md(typed) in info  # shown as typed, escaped
    assert "<img" not in info and "**粗体**" not in info
    assert not re.search(r"(?<!\\)\]\(", info)  # no link: every ] of the text is escaped
    entry = audit.read()[-1]
    assert entry["event"] == "public_search" and entry["outcome"] == "ok"
    assert len(entry["text"]) <= public.MAX_TEXT + 1


def test_wildcards_in_the_search_match_themselves() -> None:
    assert public.like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"
    assert public.normalise("  ＡＢＣ\u0000 \t 社区\n") == "ABC 社区"
    with pytest.raises(public.Invalid, match="至少输入2个字"):
        public.check("name", " 爱 ")
    with pytest.raises(public.Invalid, match="18位"):
        public.check("credit_code", "51340129MJ0XJDRNWO")  # O is not in the alphabet
    assert public.check("credit_code", "５１３４０１２９mj0xjdrnwm").text == "51340129MJ0XJDRNWM"
    with pytest.raises(public.Invalid):
        public.check("leader_name", "张三")  # only the three ways of searching


# ---------------------------------------------------------------- rate limit


def test_the_rate_limit_trips_and_resets(tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    a, b = "198.51.100.7", "203.0.113.9"
    now = 1_000.0
    for i in range(3):
        assert public_limit.take(a, 3, users, now + i).allowed
    refused = public_limit.take(a, 3, users, now + 10)
    assert not refused.allowed and refused.first_refusal and refused.wait == pytest.approx(50)
    assert refused.message == "查询过于频繁，请稍后再试（约 50 秒后）。"
    again = public_limit.take(a, 3, users, now + 20)
    assert not again.allowed and not again.first_refusal  # one audit line per run of refusals
    assert public_limit.take(b, 3, users, now + 20).allowed  # another client is not slowed
    # The oldest search ages out after a minute: one more is allowed, refusals did not count.
    back = public_limit.take(a, 3, users, now + 60)
    assert back.allowed and back.refused == 2
    assert not public_limit.take(a, 3, users, now + 60.5).allowed
    file = public_limit.limit_path(users)
    assert file.parent == tmp_path and file.stat().st_mode & 0o077 == 0
    assert public_limit.reset(a, users) == 1
    assert public_limit.take(a, 3, users, now + 61).allowed


def test_ipv6_clients_are_counted_per_64() -> None:
    assert public_limit.client_key("2001:db8:1:2::1") == public_limit.client_key(
        "2001:db8:1:2:ffff::9"
    )
    assert public_limit.client_key("2001:db8:1:3::1") != public_limit.client_key("2001:db8:1:2::1")
    assert public_limit.client_key("::ffff:198.51.100.7") == "198.51.100.7"


def test_the_page_refuses_too_many_searches_and_audits_once(
    site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.config.write_text("[access]\npublic_searches_per_minute = 2\n", encoding="utf-8")
    clock = [10_000.0]
    monkeypatch.setattr(public_limit, "clock", lambda: clock[0])
    at = visit(nav.PUBLIC.file)
    search(at, "name", "爱心")
    search(at, "name", "协会")
    assert at.expander
    for _ in range(3):
        search(at, "name", "服务")
        assert any("查询过于频繁，请稍后再试" in e.value for e in at.error)
        assert not at.expander  # nothing searched
    other = visit(nav.PUBLIC.file)  # a new tab of the same client: the same count
    search(other, "name", "服务")
    assert any("查询过于频繁" in e.value for e in other.error)
    clock[0] += 61
    search(at, "name", "服务")
    assert not at.error and at.expander
    events = [e for e in audit.read() if e["event"] == "public_search"]
    assert [e["outcome"] for e in events] == ["ok", "ok", "throttled", "ok"]
    assert events[-1]["refused_before"] == 4


# ---------------------------------------------------------------- audit


def test_every_search_is_audited_with_text_capped_and_client(site, known) -> None:
    at = visit(nav.PUBLIC.file)
    search(at, "name", known["name"])
    search(at, "credit_code", "123")
    search(at, "community", "园" * 300)
    search(at, "name", "协会")
    events = [e for e in audit.read() if e["event"] == "public_search"]
    assert [(e["outcome"], e["by"], e["user"], e["client"]) for e in events] == [
        ("ok", "name", "", "127.0.0.1"),
        ("invalid", "credit_code", "", "127.0.0.1"),
        ("ok", "community", "", "127.0.0.1"),
        ("ok", "name", "", "127.0.0.1"),
    ]
    assert [(e.get("rows"), e.get("capped")) for e in events] == [
        (1, False),
        (None, None),
        (0, False),
        (public.LIMIT, True),
    ]
    # Streamlit 1.67 cuts a text_input's value to max_chars on the server (TextInputSerde), and
    # the audit cuts again whatever reaches it.
    assert events[2]["text"] == "园" * public.MAX_TEXT
    assert public._audited_text("园" * 300) == "园" * public.MAX_TEXT + "…"
    said = [audit.describe(e) for e in events]
    assert (
        said[0] == f"匿名访客信息公开查询（按组织名称）“{known['name']}”：1条结果，来源 127.0.0.1"
    )
    assert said[1].startswith(
        "匿名访客信息公开查询（按统一社会信用代码）“123”：输入不符合要求，未查询"
    )
    assert said[3] == (
        "匿名访客信息公开查询（按组织名称）“协会”：50条结果（超过上限，只显示前面的），来源 127.0.0.1"
    )
    throttled = {"event": "public_search", "user": "", "outcome": "throttled", "searches": 20,
                 "by": "name", "text": "x", "client": "198.51.100.7"}  # fmt: skip
    assert audit.describe(throttled).startswith(
        "匿名访客信息公开查询过于频繁被拒绝，来源 198.51.100.7"
    )
    assert audit.EVENTS["public_search"] == "信息公开查询"


def test_the_audit_page_lists_public_searches_in_chinese(site) -> None:
    search(visit(nav.PUBLIC.file), "name", "爱心")
    at = visit("views/audit.py", user="admin")
    table = at.dataframe[0].value
    row = table[table["事件"] == "信息公开查询"]
    assert len(row) == 1 and row["详情"].iloc[0].startswith(
        "匿名访客信息公开查询（按组织名称）“爱心”"
    )


# ---------------------------------------------------------------- disclosed items


def _with_disclosures(demo_db: Path, tmp_path: Path, rows: list[tuple] | None) -> Path:
    """A copy of the demo warehouse whose info_disclosures (etl/sources.py: org_id, item, year,
    disclosed_on, channel) holds these rows, plus a column no register may read; rows=None: a
    build from before the source, without the table."""
    db = tmp_path / f"disclosures-{len(rows) if rows is not None else 'none'}.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    con.execute("drop table if exists info_disclosures")
    if rows is not None:
        con.execute(
            "create table info_disclosures (org_id varchar, item varchar, year integer, "
            "disclosed_on date, channel varchar, contact_person varchar)"
        )
        if rows:
            con.executemany("insert into info_disclosures values (?, ?, ?, ?, ?, ?)", rows)
        for enum, codes in (
            ("disclosure_item", [("annual_report", "年度工作报告"), ("finances", "财务收支")]),
            ("disclosure_channel", [("website", "网站"), ("notice_board", "社区公示栏")]),
        ):
            con.execute(
                f"create table if not exists lookup_{enum} "
                "(code varchar, label varchar, sort_order integer)"
            )
            for n, (code, label) in enumerate(codes):
                if not con.execute(
                    f"select 1 from lookup_{enum} where code = ?", [code]
                ).fetchall():
                    con.execute(f"insert into lookup_{enum} values (?, ?, ?)", [code, label, n])
    con.close()
    return db


def test_disclosed_items_are_listed_and_their_absence_said(site, demo_db, known, tmp_path) -> None:
    import datetime as dt

    org, as_of = known["org_id"], known["as_of"]
    rows = [
        (org, "annual_report", 2024, dt.date(2025, 3, 1), "website", "王小明"),
        (org, "finances", 2024, dt.date(2025, 8, 1), "notice_board", "13800001111"),
        (org, "<b>x</b>", 2025, dt.date(2025, 9, 1), None, None),  # a code without a label
        (org, "finances", 2025, as_of + dt.timedelta(days=1), "website", None),  # after as-of
    ]
    db = _with_disclosures(demo_db, tmp_path, rows)
    result = public.run(public.check("credit_code", known["credit_code"]), db=db)
    line = public.facts(result.rows.row(0, named=True), result.disclosures[org])[-1]
    assert line == (
        "信息公开："
        "\n    - 2025年度 &lt;b&gt;x&lt;/b&gt;（2025年9月1日公开）"
        "\n    - 2024年度 财务收支（2025年8月1日公开，公开渠道：社区公示栏）"
        "\n    - 2024年度 年度工作报告（2025年3月1日公开，公开渠道：网站）"
    )
    assert "王小明" not in line and "13800001111" not in line  # a column not on the public list
    # An organisation without items: said, not left blank.
    other = public.run(public.check("name", "协会"), db=db)
    assert other.disclosures is not None
    without = next(r for r in other.rows.iter_rows(named=True) if r["org_id"] != org)
    assert public.facts(without, other.disclosures.get(without["org_id"]))[-1] == (
        "信息公开：暂无信息公开数据"
    )
    # A build whose table is empty (the source is optional), and one from before the source.
    for rows_or_none in ([], None):
        db = _with_disclosures(demo_db, tmp_path, rows_or_none)
        bare = public.run(public.check("credit_code", known["credit_code"]), db=db)
        assert (bare.disclosures is None) is (rows_or_none is None)
        items = None if bare.disclosures is None else bare.disclosures.get(org)
        assert public.facts(bare.rows.row(0, named=True), items)[-1] == "信息公开：暂无信息公开数据"


def test_no_warehouse_says_so_without_a_path(site, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ORGDASH_DB", str(tmp_path / "nowhere" / "warehouse.duckdb"))
    at = search(visit(nav.PUBLIC.file), "name", "爱心")
    assert [w.value for w in at.warning] == ["数据尚未发布，请稍后再试。"]
    assert "nowhere" not in page_text(at)
    entry = audit.read()[-1]
    assert (entry["outcome"], entry["reason"]) == ("failed", "数据仓库尚未生成")
    assert audit.describe(entry) == (
        "匿名访客信息公开查询（按组织名称）“爱心”：查询失败（数据仓库尚未生成），来源 127.0.0.1"
    )


def test_a_failing_search_is_audited_and_shown_as_an_incident(
    site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import errors

    monkeypatch.setattr(errors, "RAISE", False)  # as in production: the guard's message

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("IO Error: /srv/orgdash/data/views/x.duckdb")

    monkeypatch.setattr(public, "run", broken)
    at = search(visit(nav.PUBLIC.file), "name", "爱心")
    assert any("页面出现意外错误，已记录（编号" in e.value for e in at.error)
    assert "/srv/orgdash" not in page_text(at)
    events = audit.read()
    assert [(e["event"], e.get("outcome"), e.get("page")) for e in events] == [
        ("public_search", "failed", None),
        ("page_error", None, "public"),
    ]


# ---------------------------------------------------------------- /media needs a signed-in browser


def test_media_gate_rules(site) -> None:
    account = acc.load()["admin"]
    token = sessions.issue(account, 1)
    cookie = [(b"cookie", f"a=b; {media_gate.COOKIE}={token}".encode())]
    assert media_gate.signed_in(cookie)
    assert not media_gate.signed_in([])
    assert not media_gate.signed_in([(b"cookie", f"{media_gate.COOKIE}=forged.sig".encode())])
    assert not media_gate.signed_in([(b"cookie", f"{media_gate.COOKIE}={token}x".encode())])
    sessions.revoke(token)  # signed out: the cookie no longer opens files
    assert not media_gate.signed_in(cookie)
    expired = sessions.issue(account, -1)
    assert not media_gate.signed_in([(b"cookie", f"{media_gate.COOKIE}={expired}".encode())])
    for path, gated in [
        ("/media/abc.csv", True),
        ("//media/abc.csv", True),
        ("/static/../media/abc.csv", True),
        ("/media", True),
        ("/static/media/KaTeX_Main-Regular.woff2", False),
        ("/public", False),
        ("/_stcore/health", False),
    ]:
        assert media_gate.is_media(path) is gated, path
    assert media_gate.is_media("/orgdash/media/x.csv", "/orgdash")
    assert not media_gate.is_media("/media/x.csv", "/orgdash")


def test_server_installs_both_gates() -> None:
    text = (ROOT / "dashboard" / "server.py").read_text("utf-8")
    assert "Middleware(MediaGate)" in text and "Middleware(UploadGate)" in text


def test_the_agent_api_stays_off() -> None:
    """Streamlit 1.67's agent API drives the app over HTTP without a browser (and hands out media
    URLs): off by default, and kept off in .streamlit/config.toml should the default change."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["enableAgentApi"] is False


def test_audit_log_lines_are_json(site) -> None:
    search(visit(nav.PUBLIC.file), "name", "<script>alert(1)</script>")
    line = site.audit.read_text("utf-8").splitlines()[-1]
    assert json.loads(line)["text"] == "<script>alert(1)</script>"
