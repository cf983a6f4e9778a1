"""监管 page on the demo warehouse: figures against direct SQL, filters, lists behind figures."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

PAGE = "views/governance.py"
AS_OF = dt.date(2025, 12, 31)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at) -> dict[str, dict]:
    """Plotly figures on the page by title."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {s["layout"]["title"]["text"]: s for s in specs}


def _reports(sql, as_of: dt.date, township: str | None = None) -> dict[str, int]:
    # Independent of the marts: reports due in as_of's year, status judged on as_of.
    (row,) = sql(
        """
        select
            count(*),
            count(*) filter (where r.submitted_on <= $as_of),
            count(*) filter (where r.submitted_on <= r.due_on),
            count(*) filter (where r.submitted_on > r.due_on and r.submitted_on <= $as_of),
            count(*) filter (where r.submitted_on is null or r.submitted_on > $as_of)
        from annual_reports r
        join organizations o using (org_id)
        join divisions d on d.division_code = o.community_code
        where year(r.due_on) = year($as_of) and r.due_on <= $as_of
          and ($township is null or d.township_code = $township)
        """,
        as_of=as_of,
        township=township,
    )
    return dict(zip(["due", "submitted", "on_time", "late", "overdue"], row, strict=True))


def _grades(sql, as_of: dt.date, township: str | None = None) -> dict[int, tuple[int, int]]:
    rows = sql(
        """
        with latest as (
            select e.*, row_number() over (partition by e.org_id order by e.evaluated_year desc) as n
            from evaluations e where e.evaluated_year <= year($as_of)
        )
        select l.grade,
               count(*),
               count(*) filter (where make_date(l.evaluated_year + 4, 12, 31) < $as_of + interval 1 year)
        from latest l
        join organizations o using (org_id)
        join divisions d on d.division_code = o.community_code
        where l.n = 1
          and make_date(l.evaluated_year + 4, 12, 31) >= $as_of
          and (o.dissolved_on is null or o.dissolved_on > $as_of)
          and ($township is null or d.township_code = $township)
        group by l.grade
        """,
        as_of=as_of,
        township=township,
    )
    return {g: (n, e) for g, n, e in rows}


def _listed(sql, as_of: dt.date, list_type: str, township: str | None = None) -> int:
    ((n,),) = sql(
        """
        select count(distinct l.org_id)
        from credit_listings l
        join organizations o using (org_id)
        join divisions d on d.division_code = o.community_code
        where l.list_type = $t and l.listed_on <= $as_of
          and (l.removed_on is null or l.removed_on > $as_of)
          and (o.dissolved_on is null or o.dissolved_on > $as_of)
          and ($township is null or d.township_code = $township)
        """,
        t=list_type,
        as_of=as_of,
        township=township,
    )
    return n


def test_county_figures_match_direct_sql(app, sql):
    at = app(PAGE)
    m = metrics(at)
    r = _reports(sql, AS_OF)
    assert r["due"] > 100  # the demo has registered organisations reporting
    assert m["应报"] == f"{r['due']:,}家"
    assert m["已报送"] == f"{r['submitted']:,}家"
    assert m["报送率"] == f"{r['submitted'] / r['due'] * 100:.1f}%"
    assert m["按时报送"] == f"{r['on_time']}家"
    assert m["逾期报送"] == f"{r['late']}家"
    assert m["逾期未报"] == f"{r['overdue']}家"

    g = _grades(sql, AS_OF)
    assert m["持有有效等级"] == f"{sum(n for n, _ in g.values())}家"
    assert m["3A及以上"] == f"{sum(n for k, (n, _) in g.items() if k >= 3)}家"
    assert m["一年内到期"] == f"{sum(e for _, e in g.values())}家"

    assert m["当前列入活动异常名录"] == f"{_listed(sql, AS_OF, 'abnormal')}家"
    assert m["当前列入严重违法失信名单"] == f"{_listed(sql, AS_OF, 'dishonest')}家"

    ((active, branch),) = sql(
        "select count(*), count(*) filter (where has_party_branch) from organizations"
        " where established_on <= $d and (dissolved_on is null or dissolved_on > $d)",
        d=AS_OF,
    )
    assert active == 2216
    assert m["党建入章率"] == "100.0%"  # the speech: 100 %
    assert m["建立党组织占比"] == f"{branch / active * 100:.1f}%"

    # The grade chart draws the same counts, 1A..5A.
    spec = charts(at)["有效评估等级分布"]
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert bars[0]["x"] == ["1A", "2A", "3A", "4A", "5A"]
    drawn = [a + b for a, b in zip(bars[0]["y"], bars[1]["y"], strict=True)]
    assert drawn == [g.get(k, (0, 0))[0] for k in range(1, 6)]

    assert_lists_match_figures(at)


def test_township_and_year_filters_change_the_figures(app, sql):
    at = app(PAGE)
    (town,) = sql(
        "select township_code from divisions where level = 'township' order by township_code"
    )[0]
    county = metrics(at)
    at.sidebar.selectbox(key="f_township").set_value(town).run()
    assert not at.exception
    m = metrics(at)
    r = _reports(sql, AS_OF, town)
    assert m["应报"] == f"{r['due']}家" != county["应报"]
    assert m["报送率"] == f"{r['submitted'] / r['due'] * 100:.1f}%"
    g = _grades(sql, AS_OF, town)
    assert m["持有有效等级"] == f"{sum(n for n, _ in g.values())}家"
    assert m["当前列入活动异常名录"] == f"{_listed(sql, AS_OF, 'abnormal', town)}家"

    # Back to the county, an earlier year: reports and lists are judged on that year's end.
    at.sidebar.selectbox(key="f_township").set_value("all").run()
    at.sidebar.selectbox(key="f_year").set_value(2023).run()
    assert not at.exception
    m = metrics(at)
    as_of = dt.date(2023, 12, 31)
    r = _reports(sql, as_of)
    assert m["应报"] == f"{r['due']}家"
    assert m["逾期未报"] == f"{r['overdue']}家"
    assert m["当前列入活动异常名录"] == f"{_listed(sql, as_of, 'abnormal')}家"


LISTS = [
    ("gov_reports_list", "late", "逾期报送"),
    ("gov_reports_list", "overdue", "逾期未报"),
    ("gov_grades_list", "a3plus", "3A及以上"),
    ("gov_listings_list", "abnormal", "当前列入活动异常名录"),
    ("gov_charter_list", "party_branch", None),
]


def assert_lists_match_figures(at) -> None:
    """Open each 查看名单 picker in turn: the table it adds has as many rows as the figure."""
    for select_key, bucket, metric in LISTS:
        before = [_shape(d.value) for d in at.dataframe]
        at.selectbox(key=select_key).set_value(bucket).run()
        assert not at.exception
        if metric is None:  # party branches: the count is the rate tile's second line
            shown = next(m for m in at.metric if m.label == "建立党组织占比").delta
        else:
            shown = metrics(at)[metric]
        expected = int(shown.rstrip("家").replace(",", ""))
        assert expected > 0, select_key
        caption = next(c.value for c in at.caption if "：共" in c.value)
        assert f"共 {expected:,}家" in caption
        new = [d.value for d in at.dataframe if _shape(d.value) not in before]
        assert len(new) == 1, "the picker adds exactly one table"
        # Lists longer than the cap show the cap and say so; the download has them all.
        assert len(new[0]) == min(expected, 500)
        assert "组织名称" in new[0].columns
        at.selectbox(key=select_key).set_value("—").run()


def _shape(frame) -> tuple:
    return (tuple(frame.columns), len(frame))


def test_township_and_field_without_registered_organisations_shows_empty_states(app, sql):
    rows = sql(
        """
        select d.township_code, f.code
        from (select distinct township_code from divisions where level = 'community') d
        cross join lookup_field f
        where not exists (
            select 1 from annual_reports r
            join organizations o using (org_id)
            join divisions c on c.division_code = o.community_code
            where c.township_code = d.township_code and o.field = f.code
              and year(r.due_on) = 2025
        )
        order by 1, 2
        """
    )
    town, field = rows[0]
    at = app(PAGE)
    at.sidebar.selectbox(key="f_township").set_value(town).run()
    at.sidebar.multiselect(key="f_field").set_value([field]).run()
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    assert "没有应报送的年度工作报告" in infos
    assert "应报" not in metrics(at)


def test_chart_builders_on_tiny_frames():
    from dashboard.charts import governance as charts

    reports = pl.DataFrame(
        {
            "due_year": [2024, 2025],
            "report_year": [2023, 2024],
            "count_on_time": [8, 9],
            "count_late": [1, 0],
            "count_overdue": [1, 1],
            "submission_rate": [0.9, 0.9],
        }
    )
    fig = charts.reports_by_year(reports)
    assert [t.name for t in fig.data] == ["按时报送", "逾期报送", "逾期未报"]
    assert list(fig.data[0].x) == ["2023年度", "2024年度"]

    units = pl.DataFrame(
        {
            "unit_code": ["002", "001"],
            "unit_name": ["乙社区", "甲社区"],
            "count_pass": [3, 4],
            "count_basic_pass": [1, 0],
            "count_fail": [0, 1],
            "count_overdue": [1, 0],
        }
    )
    fig = charts.report_results_by_unit(units, "社区（村）")
    assert [t.name for t in fig.data] == ["合格", "基本合格", "不合格", "未报"]
    assert list(fig.data[0].y) == ["乙社区", "甲社区"]  # code order top-down: 甲 on top
    assert fig.layout.title.text == "各社区（村）年检结果"

    grades = pl.DataFrame({"grade": [1, 2, 3, 4, 5], "count_orgs": [0, 1, 4, 2, 0]})
    grades = grades.with_columns(count_expiring=pl.Series([0, 0, 1, 0, 0]))
    fig = charts.grade_mix(grades)
    assert list(fig.data[0].y) == [0, 1, 3, 2, 0]
    assert list(fig.data[1].y) == [0, 0, 1, 0, 0]
    assert fig.layout.font.family.startswith("Noto Sans CJK SC")

    ratings = pl.DataFrame(
        {
            "year": [2025, 2025],
            "rating": ["A", "B"],
            "rating_label": ["守信", "基本守信"],
            "sort_order": [1, 2],
            "count_orgs": [5, 2],
        }
    )
    fig = charts.rating_mix(ratings)
    assert [t.name for t in fig.data] == ["A（守信）", "B（基本守信）"]
