"""Accounts, sign-in, roles, township scope and masking, as each kind of user meets them."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from pathlib import Path

import duckdb
import pytest

from access import accounts, audit, roles, sessions
from dashboard import nav
from queries import scope
from tests.conftest import TEST_PASSWORD

AS_OF = dt.date(2025, 12, 31)


# ---------------------------------------------------------------- accounts and passwords


def test_password_hash_is_salted_and_verifies():
    a, b = accounts.hash_password("correct horse"), accounts.hash_password("correct horse")
    assert a != b  # a fresh salt each time
    assert a.startswith("scrypt$") and "correct horse" not in a
    assert accounts.verify_password("correct horse", a)
    assert not accounts.verify_password("correct horsE", a)
    assert not accounts.verify_password("x", "not-a-hash")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "张三", "role": "admin", "password": "long-enough"}, "账户名「张三」不可用"),
        ({"name": "zhang", "role": "boss", "password": "long-enough"}, "角色「boss」不存在"),
        ({"name": "zhang", "role": "admin", "password": "short"}, "密码太短"),
        (
            {"name": "zhang", "role": "analyst", "password": "long-enough", "township": "3401"},
            "12位统计用区划代码",
        ),
        ({"name": "zhang", "role": "admin", "password": None}, "请设置密码"),
    ],
)
def test_bad_accounts_are_refused_with_a_reason(tmp_path: Path, kwargs: dict, message: str):
    path = tmp_path / "users.toml"
    name, role, password = kwargs.pop("name"), kwargs.pop("role"), kwargs.pop("password")
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add(name, role, password, path=path, **kwargs)
    assert accounts.load(path) == {}


def test_users_file_round_trips_and_is_private(tmp_path: Path):
    path = tmp_path / "users.toml"
    accounts.add("admin", "admin", "pw-123456", display_name="管理员", path=path)
    accounts.add(
        "town01", "analyst", "pw-123456", township="340129001000", email="A@x.cn", path=path
    )
    loaded = accounts.load(path)
    assert loaded["town01"].township == "340129001000"
    assert loaded["admin"].display_name == "管理员"
    assert path.stat().st_mode & 0o077 == 0  # hashes are secrets too
    assert accounts.by_email("a@X.cn", path) == loaded["town01"]
    with pytest.raises(accounts.AccountError, match="已存在"):
        accounts.add("admin", "leader", "pw-123456", path=path)
    with pytest.raises(accounts.AccountError, match="最后一个管理员"):
        accounts.remove("admin", path)
    accounts.remove("town01", path)
    assert set(accounts.load(path)) == {"admin"}


def test_wrong_password_then_lockout(tmp_path: Path):
    path = tmp_path / "users.toml"
    accounts.add("lock", "leader", "right-password", path=path)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.AccountError, match="账户名或密码不正确"):
            accounts.authenticate("lock", "wrong-password", path)
    with pytest.raises(accounts.AccountError, match="暂时锁定"):
        accounts.authenticate("lock", "right-password", path)
    accounts.FAILURES.clear("lock")
    assert accounts.authenticate("lock", "right-password", path).role == "leader"
    with pytest.raises(accounts.AccountError, match="账户名或密码不正确"):
        accounts.authenticate("nobody", "right-password", path)


def test_session_tokens_expire_and_stop_on_password_change_or_sign_out(tmp_path: Path):
    path = tmp_path / "users.toml"
    account = accounts.add("lead", "leader", "pw-123456", path=path)
    token = sessions.issue(account, hours=1, path=path)
    assert sessions.check(token, path).status == "ok"
    assert sessions.check(token, path, now=time.time() + 3601).status == "expired"
    payload, sig = token.split(".")
    forged = payload.replace(payload[-2:], "AA") + "." + sig
    assert sessions.check(forged, path).status == "invalid"
    accounts.add("lead", "leader", "new-password", replace=True, path=path)
    assert sessions.check(token, path).status == "invalid"  # the password changed
    fresh = sessions.issue(accounts.load(path)["lead"], path=path)
    sessions.revoke(fresh, path)
    assert sessions.check(fresh, path).status == "invalid"


def test_every_page_is_given_to_some_role_and_admin_has_them_all():
    keys = {p.key for p in nav.PAGES}
    # Every page but the township pages (a township's own submission) is the admin's.
    assert keys - roles.TOWNSHIP_PAGES <= roles.PAGES["admin"]
    assert keys >= roles.TOWNSHIP_PAGES
    assert not roles.TOWNSHIP_PAGES & roles.PAGES["admin"]
    for role in roles.ROLES:
        assert "overview" in roles.PAGES[role]  # the default page opens for everyone
    # Each role sees at least what the one before it sees.
    order = list(roles.ROLES)
    for lower, higher in itertools.pairwise(order):
        assert roles.PAGES[lower] < roles.PAGES[higher]


# ---------------------------------------------------------------- the copies a user reads


def _count(db: Path, query: str, **params: object) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or None).fetchall()[0][0]
    finally:
        con.close()


def test_township_copy_holds_only_that_township(demo_db: Path, demo_township: str):
    live = Path(demo_db).resolve()
    copy = scope.view_file(demo_db, live, demo_township, masked=True)
    q_town = (
        "select count(*) from organizations where community_code in "
        "(select division_code from divisions where township_code = $t)"
    )
    assert _count(copy, "select count(*) from organizations") == _count(
        live, q_town, t=demo_township
    )
    assert _count(copy, "select count(*) from organizations") > 0
    # Nothing of another township in any table that names a division or an organisation.
    assert (
        _count(
            copy,
            "select count(*) from divisions where level <> 'county' and "
            "coalesce(township_code, division_code) <> $t",
            t=demo_township,
        )
        == 0
    )
    orgs_elsewhere = _count(
        live,
        "select count(*) from organizations where community_code not in "
        "(select division_code from divisions where township_code = $t)",
        t=demo_township,
    )
    assert orgs_elsewhere > 0
    for table in ("annual_reports", "evaluations", "credit_ratings", "inspections", "grants"):
        assert (
            _count(
                copy,
                f"select count(*) from {table} where org_id is not null "
                "and org_id not in (select org_id from organizations)",
            )
            == 0
        ), table
    assert (
        _count(
            copy,
            "select count(*) from grants where org_id is null and division_code not in "
            "(select division_code from divisions where level <> 'county')",
        )
        == 0
    )
    for table in ("micro_projects", "points_ledger", "lounges"):
        assert _count(copy, f"select count(*) from {table}") == _count(
            live,
            f"select count(*) from {table} where community_code in "
            "(select division_code from divisions where township_code = $t)",
            t=demo_township,
        ), table
    assert _count(copy, "select count(*) from micro_projects") > 0
    assert _count(copy, "select count(*) from fund_budgets") == 0
    assert _count(copy, "select count(*) from etl_rejects") == 0
    # The marts still work on the copy and count the township only.
    assert _count(copy, "select count_active from headline($d)", d=AS_OF) == _count(
        live,
        "select count(*) from organizations o join divisions d on d.division_code = o.community_code "
        "where d.township_code = $t and o.established_on <= $d "
        "and (o.dissolved_on is null or o.dissolved_on > $d)",
        t=demo_township,
        d=AS_OF,
    )


def test_a_table_without_a_township_rule_is_emptied(demo_db: Path, tmp_path: Path, demo_township):
    # A new source added later must not leak to township accounts before someone writes its rule.
    live = tmp_path / "data" / "warehouse.duckdb"
    live.parent.mkdir()
    live.write_bytes(Path(demo_db).resolve().read_bytes())
    con = duckdb.connect(str(live))
    con.execute("create table new_source as select * from organizations")
    con.close()
    copy = scope.view_file(live, live, demo_township, masked=False)
    assert _count(copy, "select count(*) from new_source") == 0
    assert _count(copy, "select count(*) from lookup_field") == _count(
        live, "select count(*) from lookup_field"
    )


def test_masked_copy_hides_names_and_phones(demo_db: Path):
    live = Path(demo_db).resolve()
    copy = scope.view_file(demo_db, live, None, masked=True)
    con = duckdb.connect(str(copy), read_only=True)
    query = "select leader_name, leader_phone, org_id from organizations"
    pairs = con.execute(query).fetchall()
    con.close()
    con = duckdb.connect(str(live), read_only=True)
    clear = {org: (name, phone) for name, phone, org in con.execute(query).fetchall()}
    con.close()
    checked = 0
    for name, phone, org in pairs:
        real_name, real_phone = clear[org]
        if real_name and len(real_name) == 3:
            assert name == real_name[0] + "*" + real_name[2]
            checked += 1
        if real_name and len(real_name) == 2:
            assert name == real_name[0] + "*"
        if real_phone and len(real_phone) == 11:
            assert phone == real_phone[:3] + "****" + real_phone[-4:]
    assert checked > 100
    # Made once per build: the second call returns the same file without copying again.
    mtime = copy.stat().st_mtime_ns
    assert scope.view_file(demo_db, live, None, masked=True) == copy
    assert copy.stat().st_mtime_ns == mtime
    assert scope.view_file(demo_db, live, None, masked=False) == live  # admin reads the live file


# ---------------------------------------------------------------- sign-in and roles in the app


def test_sign_in_form_wrong_password_then_right(app, users_file):
    at = app(user=None)
    assert [t.value for t in at.title] == ["社区社会组织数据看板"]
    assert not at.metric  # nothing of the data before signing in
    at.text_input(key="sign_in_name").input("leader")
    at.text_input(key="sign_in_password").input("wrong-password")
    at.button[0].click().run()
    assert any("账户名或密码不正确" in e.value for e in at.error)
    at.text_input(key="sign_in_name").input("leader")
    at.text_input(key="sign_in_password").input(TEST_PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.metric  # the overview's tiles
    assert any("测试leader · 领导" in c.value for c in at.sidebar.caption)
    events = [e["event"] for e in audit.read(users_file)]
    assert "sign_in_failed" in events and "sign_in" in events


def test_expired_session_says_so(app):
    at = app(user="leader")
    at.session_state["_signed_in_at"] = time.time() - 13 * 3600
    at.run()
    assert any("登录已过期" in w.value for w in at.warning)
    assert not at.metric


@pytest.mark.parametrize(
    ("user", "page", "allowed"),
    [
        ("leader", "views/sql.py", False),
        ("leader", "views/organizations.py", False),
        ("leader", "views/community.py", True),
        ("planner", "views/organizations.py", True),
        ("planner", "views/sql.py", False),
        ("analyst", "views/sql.py", True),
        ("analyst", "views/import_data.py", False),
        ("analyst", "views/audit.py", False),
        ("admin", "views/audit.py", True),
        ("admin", "views/accounts.py", True),
    ],
)
def test_pages_refuse_roles_by_url(app, user, page, allowed):
    at = app(user=user)
    at.switch_page(page).run()
    refused = [e.value for e in at.error if "无权使用" in e.value]
    if allowed:
        assert not refused and not at.exception
    else:
        title = next(p.title for p in nav.PAGES if p.file == page)
        assert refused == [
            f"您的账户（{roles.label(user)}）无权使用「{title}」页面。如需使用，请联系管理员调整权限。"
        ]


def test_menu_lists_only_the_pages_of_the_role():
    leader = accounts.Account("l", "leader")
    shown = {nav.BY_KEY[k].title for k in nav.menu(leader)}
    assert shown == {"总览", "地图", "社区", "报告"} | (
        {"大屏"} if "screen" in nav.BY_KEY else set()
    )
    planner = {nav.BY_KEY[k].title for k in nav.menu(accounts.Account("p", "planner"))}
    assert {"组织", "资金", "监管"} <= planner and "查询" not in planner
    admin = accounts.Account("a", "admin")
    assert nav.menu(admin) == [p.key for p in nav.PAGES if p.key not in roles.TOWNSHIP_PAGES]
    assert "rounds" in nav.menu(admin) and "submit" not in nav.menu(admin)
    # A township account (any role but leader) also has its submission page; a leader does not.
    town = accounts.Account("t", "analyst", township="340129001000")
    assert nav.menu(town) == [
        p.key for p in nav.PAGES if p.key in roles.PAGES["analyst"] | roles.TOWNSHIP_PAGES
    ]
    assert "submit" in nav.menu(town) and "rounds" not in nav.menu(town)
    town_leader = accounts.Account("tl", "leader", township="340129001000")
    assert "submit" not in nav.menu(town_leader)


def test_personal_data_masked_for_all_but_admin(app, sql):
    org, name, phone = sql(
        "select org_id, leader_name, leader_phone from organizations "
        "where length(leader_name) = 3 and length(leader_phone) = 11 order by org_id limit 1"
    )[0]
    # Markdown escapes the mask's asterisks (潘\\*磊): compare the text as a reader sees it.
    texts = lambda at: " ".join(m.value for m in at.markdown).replace("\\", "")  # noqa: E731
    admin = app("views/organizations.py", org=org)
    assert name in texts(admin) and phone in texts(admin)
    for user in ("planner", "analyst"):
        at = app("views/organizations.py", user=user, org=org)
        shown = texts(at)
        assert name not in shown and phone not in shown
        assert f"{name[0]}*{name[2]}" in shown
        assert f"{phone[:3]}****{phone[-4:]}" in shown


def test_detail_downloads_only_for_analysts(app):
    planner = app("views/organizations.py", user="planner")
    assert any("明细数据仅限分析人员下载" in c.value for c in planner.caption)
    assert not [b for b in planner.get("download_button") if "org_dl_list" in str(b.proto.id)]
    analyst = app("views/organizations.py", user="analyst")
    assert not any("明细数据仅限分析人员下载" in c.value for c in analyst.caption)
    assert analyst.get("download_button")


def test_township_account_sees_its_township_everywhere(app, sql, demo_db, demo_township):
    (town_name,) = sql("select name from divisions where division_code = $t", t=demo_township)[0]
    (n_town,) = sql(
        "select count(*) from organizations o join divisions d on d.division_code = o.community_code"
        " where d.township_code = $t and o.established_on <= $d"
        " and (o.dissolved_on is null or o.dissolved_on > $d)",
        t=demo_township,
        d=AS_OF,
    )[0]
    # A page: the sidebar's township is fixed, the organisation list holds only its own.
    at = app("views/organizations.py", user="town", year="2025")
    assert at.selectbox(key="f_township").value == demo_township
    assert at.selectbox(key="f_township").disabled
    shown = [m.value for m in at.markdown if re.match(r"共 \*\*[\d,]+家\*\*", m.value)]
    assert shown and f"共 **{n_town:,}家**" in shown[0]
    # A link to another township's data changes nothing.
    other = sql(
        "select division_code from divisions where level = 'township' and division_code <> $t "
        "order by 1 limit 1",
        t=demo_township,
    )[0][0]
    at = app("views/overview.py", user="town", township=other)
    assert at.selectbox(key="f_township").value == demo_township
    # The SQL workbench: the analyst's own SQL reaches only the township's rows.
    at = app("views/sql.py", user="town")
    at.text_area(key="sql_text").input("select count(*) as n from organizations").run()
    at.button(key="sql_run").click().run()
    counts = [d.value for d in at.dataframe if "n" in d.value.columns]
    total_town = sql(
        "select count(*) from organizations o join divisions d on d.division_code = o.community_code"
        " where d.township_code = $t",
        t=demo_township,
    )[0][0]
    assert counts and int(counts[-1]["n"].iloc[0]) == total_town
    # The report: scope fixed to the township; the same sentences as the admin's township report,
    # county comparisons included (county totals, not other townships' rows).
    from reports import content

    at = app("views/report.py", user="town")
    assert at.selectbox(key="rp_scope").options == [town_name]
    assert at.selectbox(key="rp_scope").disabled
    expected = content.build(Path(demo_db), demo_township, AS_OF)
    paragraphs = ["".join(p) for sec in expected.sections for p in sec.paragraphs]
    assert any("全县平均水平" in p for p in paragraphs)
    shown = " ".join(m.value for m in at.markdown)
    assert all(p in shown for p in paragraphs)


def test_audit_page_lists_events(app, users_file):
    audit.record("sql", "analyst", users_file, sql="select 1", rows=1)
    at = app("views/audit.py")
    frame = next(d.value for d in at.dataframe)
    assert "运行查询" in set(frame["事件"])


def test_demo_accounts_are_made_once(tmp_path: Path):
    path = tmp_path / "users.toml"
    made = accounts.demo_accounts("340129001000", path)
    assert {a.name for a in made} == {"admin", "leader", "planner", "analyst", "town"}
    assert accounts.authenticate("town", accounts.DEMO_PASSWORD, path).township == "340129001000"
    assert accounts.demo_accounts("340129001000", path) == []  # never overwrites


def test_user_cli(tmp_path: Path, monkeypatch):
    from click.testing import CliRunner

    from orgdash.cli import app as cli

    db = tmp_path / "warehouse.duckdb"
    monkeypatch.delenv("ORGDASH_USERS", raising=False)
    runner = CliRunner()
    res = runner.invoke(
        cli,
        ["user", "add", "zhang", "--role", "planner", "--password-stdin", "--db", str(db)],
        input="a-good-password\n",
    )
    assert res.exit_code == 0, res.output
    assert "已添加账户 zhang（规划）" in res.output
    res = runner.invoke(cli, ["user", "list", "--db", str(db)])
    assert "zhang" in res.output and "规划" in res.output
    res = runner.invoke(
        cli,
        ["user", "add", "li", "--role", "chief", "--password-stdin", "--db", str(db)],
        input="a-good-password\n",
    )
    assert res.exit_code == 1 and "角色「chief」不存在" in res.output
    res = runner.invoke(cli, ["user", "remove", "zhang", "--db", str(db)])
    assert res.exit_code == 0 and "已删除账户 zhang" in res.output
    events = [e["event"] for e in audit.read(db)]
    assert events == ["user_add", "user_remove"]


def test_accounts_are_parsed_once_per_version_of_the_file(tmp_path):
    """load() is asked for every link a page draws: parsed once per version of the file, yet a
    change is seen at once and a caller's dict is its own."""
    from access import accounts as acc

    path = tmp_path / "users.toml"
    acc.add("chief", "admin", "a-real-password-1", path=path)
    acc._parsed.cache_clear()
    first = acc.load(path)
    first.pop("chief")  # the caller's own dict
    assert "chief" in acc.load(path)
    assert acc._parsed.cache_info().misses == 1
    acc.add("clerk", "planner", "a-real-password-2", path=path)
    assert set(acc.load(path)) == {"chief", "clerk"}
