"""组织 page on the demo warehouse: the filtered list against direct SQL, search, the ?org= profile."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl

PAGE = "views/organizations.py"
AS_OF = dt.date(2025, 12, 31)


def total_shown(at) -> int | None:
    """The '共 N家' line above the list, or None when the page shows no list."""
    for md in at.markdown:
        hit = re.match(r"共 \*\*([\d,]+)家\*\*", md.value)
        if hit:
            return int(hit.group(1).replace(",", ""))
    return None


def org_table(at) -> pl.DataFrame:
    """The list of organisations (the table with a 信用名录 column)."""
    return next(
        pl.from_pandas(d.value)
        for d in at.dataframe
        if "组织编号" in d.value.columns and "信用名录" in d.value.columns
    )


def _count(sql, where: str = "true", **params: object) -> int:
    ((n,),) = sql(
        f"""
        select count(*)
        from organizations o
        join divisions d on d.division_code = o.community_code
        where o.established_on <= $as_of
          and (o.dissolved_on is null or o.dissolved_on > $as_of)
          and {where}
        """,
        as_of=AS_OF,
        **params,
    )
    return n


def test_list_count_follows_the_filters_as_direct_sql(app, sql):
    at = app(PAGE)
    assert not at.exception
    assert total_shown(at) == _count(sql) == 2216
    table = org_table(at)
    assert table.height == 500  # capped; the total is stated above it
    assert "统一社会信用代码" in table.columns and "org_id" not in table.columns

    town = sql("select division_code from divisions where level = 'township' order by 1")[2][0]
    at.sidebar.selectbox(key="f_township").set_value(town).run()
    at.selectbox(key="org_status").set_value("registered").run()
    assert not at.exception
    expected = _count(sql, "d.township_code = $t and o.status = 'registered'", t=town)
    assert 0 < expected < 500
    assert total_shown(at) == expected
    assert org_table(at).height == expected
    assert set(org_table(at)["登记类型"]) == {"登记"}

    # Community picker appears once a township is chosen.
    community = sql(
        "select community_code, count(*) from organizations o join divisions d"
        " on d.division_code = o.community_code where d.township_code = $t"
        " group by 1 order by 2 desc limit 1",
        t=town,
    )[0][0]
    at.selectbox(key="org_status").set_value("all").run()
    at.selectbox(key="org_community").set_value(community).run()
    assert total_shown(at) == _count(sql, "o.community_code = $c", c=community)

    # Dissolved ones are their own filter.
    at.selectbox(key="org_community").set_value("all").run()
    at.selectbox(key="org_state").set_value("dissolved").run()
    ((dissolved,),) = sql(
        "select count(*) from organizations o join divisions d on d.division_code = o.community_code"
        " where o.dissolved_on <= $as_of and d.township_code = $t",
        as_of=AS_OF,
        t=town,
    )
    assert total_shown(at) == dissolved


def test_grade_and_credit_list_filters(app, sql):
    at = app(PAGE)
    at.selectbox(key="org_listed").set_value("dishonest").run()
    ((listed,),) = sql(
        """
        select count(distinct l.org_id) from credit_listings l join organizations o using (org_id)
        where l.list_type = 'dishonest' and l.listed_on <= $d
          and (l.removed_on is null or l.removed_on > $d)
          and (o.dissolved_on is null or o.dissolved_on > $d)
        """,
        d=AS_OF,
    )
    assert listed > 0
    assert total_shown(at) == listed
    assert all("严重违法失信名单" in v for v in org_table(at)["信用名录"])

    at.selectbox(key="org_listed").set_value("all").run()
    at.selectbox(key="org_grade").set_value("a3plus").run()
    ((graded,),) = sql(
        """
        with latest as (
            select *, row_number() over (partition by org_id order by evaluated_year desc) as n
            from evaluations where evaluated_year <= 2025
        )
        select count(*) from latest l join organizations o using (org_id)
        where n = 1 and grade >= 3 and evaluated_year + 4 >= 2025
          and (o.dissolved_on is null or o.dissolved_on > $d)
        """,
        d=AS_OF,
    )
    assert total_shown(at) == graded
    assert set(org_table(at)["评估等级"]) <= {"3A", "4A", "5A"}


def test_search_takes_text_literally(app, sql):
    at = app(PAGE)

    def search(text: str) -> int | None:
        at.text_input(key="org_search").input(text).run()
        assert not at.exception, text
        return total_shown(at)

    # Case-insensitive substring of name, org id or credit code, counted directly with strpos.
    ((expected,),) = sql(
        """
        select count(*) from organizations
        where established_on <= $d and (dissolved_on is null or dissolved_on > $d)
          and (strpos(name, '协会') > 0 or strpos(lower(org_id), '协会') > 0
               or strpos(lower(coalesce(credit_code, '')), '协会') > 0)
        """,
        d=AS_OF,
    )
    assert search("协会") == expected > 0
    (code,) = sql("select credit_code from organizations where credit_code is not null limit 1")[0]
    assert search(f"  {code.lower()} ") == 1

    # A % or _ is a character to find, not a wildcard: no demo name has one, so nothing matches.
    ((percent,),) = sql("select count(*) from organizations where strpos(name, '%') > 0")
    assert percent == 0
    for text in ["%", "_", "100%", "'", "社区' or '1'='1", "\\", "x" * 500]:
        assert search(text) is None
        assert any("没有符合条件" in i.value for i in at.info)


def test_profile_from_query_param_shows_late_and_overdue_reports(app, sql):
    # An organisation with a late report (and an overdue one if the demo has such a case).
    org, late_days, late_year = sql(
        """
        select r.org_id, date_diff('day', r.due_on, r.submitted_on), r.report_year
        from annual_reports r
        where r.submitted_on > r.due_on and r.submitted_on <= $d
        order by (select count(*) from annual_reports x where x.org_id = r.org_id
                  and x.submitted_on is null and x.due_on < $d) desc, r.org_id
        limit 1
        """,
        d=AS_OF,
    )[0]
    overdue = sql(
        "select report_year, date_diff('day', due_on, $d) from annual_reports"
        " where org_id = $o and submitted_on is null and due_on < $d",
        o=org,
        d=AS_OF,
    )
    (name,) = sql("select name from organizations where org_id = $o", o=org)[0]

    at = app(PAGE, org=org)
    assert not at.exception
    assert at.query_params["org"] == org  # the choice stays in the URL
    assert any(name in h.value for h in at.subheader)
    reports = next(pl.from_pandas(d.value) for d in at.dataframe if "报送情况" in d.value.columns)
    row = reports.filter(pl.col("报告年度") == f"{late_year}年度").row(0, named=True)
    assert row["报送情况"] == f"逾期报送 {late_days}天"
    for year, days in overdue:
        row = reports.filter(pl.col("报告年度") == f"{year}年度").row(0, named=True)
        assert row["报送情况"] == f"逾期未报 {days}天"
        assert row["年检结果"] == "未报"
    n_reports = sql("select count(*) from annual_reports where org_id = $o", o=org)[0][0]
    assert reports.height == n_reports
    assert any(t.label == f"年报（{n_reports}）" for t in at.tabs)

    # The filing chart draws days late per report year.
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    bar = spec["data"][0]
    assert f"{late_year}年度" in bar["x"]
    assert late_days in bar["y"]

    # Registration details are shown as stored (masking comes later).
    (phone,) = sql("select leader_phone from organizations where org_id = $o", o=org)[0]
    assert any(phone in m.value for m in at.markdown if phone)


def test_unknown_org_in_the_link_says_so(app):
    at = app(PAGE, org="NO-SUCH-ORG")
    assert not at.exception
    assert any("没有找到组织编号为「NO-SUCH-ORG」" in i.value for i in at.info)
    assert total_shown(at) == 2216  # the list still works


def test_filing_text_and_record_chart():
    from dashboard.charts import organizations as charts

    assert charts.filing_text("on_time", None) == "按时报送"
    assert charts.filing_text("late", 12) == "逾期报送 12天"
    assert charts.filing_text("overdue", 214) == "逾期未报 214天"
    frame = pl.DataFrame(
        {
            "report_year": [2024, 2023],
            "filing_status": ["overdue", "on_time"],
            "days_late": [214, None],
        }
    )
    fig = charts.report_record(frame)
    bar = fig.data[0]
    assert list(bar.x) == ["2023年度", "2024年度"]  # oldest first
    assert list(bar.y) == [0, 214]
    assert list(bar.text) == ["按时报送", "逾期未报 214天"]
