"""Meeting reports on the demo warehouse: sentences against direct SQL, wording rules, missing data
left out, and Word / PowerPoint / Excel / Markdown files read back with their own libraries."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import duckdb
import openpyxl
import pptx
import pytest
from lxml import etree

from queries import READ_CONFIG
from queries.indicators import catalogue
from reports import build, charts, content, sentences
from reports import wording as w

AS_OF = dt.date(2025, 12, 31)
# The report labels the organisations as the catalogue and the pages do: 社会组织数（家）.
ORGS = catalogue()["count_active"]
ROOT = Path(__file__).resolve().parent.parent
# The sentence, word for word: every number and the order of the fields come from the data.
BASICS = (
    "截至2025年12月31日，全县登记备案城乡社区社会组织2,216家，其中，登记156家、备案2,060家；"
    "城市社区社会组织有1,030家，平均每个社区近23家；农村社区社会组织有1,186家，平均每个行政村15家，"
    "在为民服务、公益慈善、文体活动、矛盾调处、乡村振兴、邻里互助等领域发挥着重要作用。"
)
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A_NS = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def query(db: Path, sql: str, **params: object) -> list[tuple]:
    """Straight SQL on the warehouse, without the marts the report uses."""
    con = duckdb.connect(str(db), read_only=True, config=dict(READ_CONFIG))
    try:
        return con.execute(sql, params or None).fetchall()
    finally:
        con.close()


ACTIVE = """
    select o.*, d.area_type, d.township_code from organizations o
    join divisions d on d.division_code = o.community_code
    where o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
"""


def counts(db: Path, day: dt.date, township: str | None = None) -> dict:
    row = query(
        db,
        f"""select count(*), count(*) filter (where status = 'registered'),
                count(*) filter (where status = 'filed'),
                count(*) filter (where area_type = 'urban'), count(*) filter (where area_type = 'rural'),
                count(*) filter (where party_in_charter), count(*) filter (where has_party_branch)
            from ({ACTIVE}) a where $t is null or township_code = $t""",
        d=day,
        t=township,
    )[0]
    communities = query(
        db,
        """select count(*) filter (where area_type = 'urban'), count(*) filter (where area_type = 'rural')
           from divisions where level = 'community' and ($t is null or township_code = $t)""",
        t=township,
    )[0]
    keys = ("total", "registered", "filed", "urban", "rural", "party", "branch")
    return {
        **dict(zip(keys, row, strict=True)),
        "n_urban": communities[0],
        "n_rural": communities[1],
    }


@pytest.fixture(scope="module")
def county(demo_db: Path) -> content.Report:
    return content.build(demo_db, "county", AS_OF)


@pytest.fixture(scope="module")
def town(demo_db: Path) -> tuple[str, str]:
    """The first township in code order: (code, name)."""
    return query(
        demo_db, "select division_code, name from divisions where level = 'township' order by 1"
    )[0]


@pytest.fixture(scope="module")
def township(demo_db: Path, town: tuple[str, str]) -> content.Report:
    return content.build(demo_db, town[0], AS_OF)


@pytest.fixture(scope="module")
def files(county: content.Report) -> dict[str, bytes]:
    """The county report in every format, rendered once (charts drawn once, shared by Word and PPT)."""
    return {fmt: build.render(county, fmt) for fmt in build.FORMATS}


def section(report: content.Report, key: str) -> str:
    return next((s.text() for s in report.sections if s.key == key), "")


# Wording --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (22.9, "近23"),
        (1030 / 45, "近23"),
        (22.5, "近23"),
        (23.0, "23"),
        (1186 / 79, "15"),  # 15.01 shows as 15.0: plain
        (23.4, "超过23"),
        (23.5, "近24"),
        (0.4, "不足1"),
        (None, None),
    ],
)
def test_average_wording(value, expected):
    assert w.average(value) == expected


@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        (w.percent, (1.0,), "100.0%"),
        (w.percent, (0.412455,), "41.2%"),
        (w.percent, (0.99996,), "近100%"),  # never a full 100 % that is not
        (w.percent, (0.0004,), "不足0.1%"),
        (w.percent, (0.5,), "50.0%"),
        (w.money, (2_500_000,), "250万元"),
        (w.money, (3_029_800,), "302.98万元"),
        (w.money, (149_000,), "14.9万元"),
        (w.money, (3_600,), "3,600元"),
        (w.money, (326_055_800,), "3.26亿元"),  # a province's totals
        (w.money, (100_000_000,), "1亿元"),
        (w.money, (99_990_000,), "9,999万元"),
        (w.big, (99_999,), "99,999"),
        (w.big, (221_600,), "22.16万"),
        (w.big, (1_567_456,), "156.75万"),
        (w.big, (100_000,), "10万"),
        (w.change, (2216, 1962), "比上年增加254家"),
        (w.change, (156, 158), "比上年减少2家"),
        (w.change, (8, 8, "个"), "与上年持平"),
        (w.change, (3_490_000, 3_140_000, "万元"), "比上年增加35万元"),
        (w.rate_change, (0.942, 0.930), "比上年提高1.2个百分点"),
        (w.rate_change, (0.90, 0.92), "比上年下降2.0个百分点"),
        (w.join, (["为民服务", "公益慈善"], True), "为民服务、公益慈善等"),
        (w.items, ([("登记", 156), ("备案", 2060)],), "登记156家、备案2,060家"),
        (w.items, ([("登记", 0), ("备案", 5)],), "备案5家"),
        (w.date, (AS_OF,), "2025年12月31日"),
        (w.ordinal, (7,), "七"),
        (w.ordinal, (12,), "十二"),
    ],
)
def test_number_wording(func, args, expected):
    assert func(*args) == expected


ROW = {
    "count_active": 2216,
    "count_registered": 156,
    "count_filed": 2060,
    "count_urban": 1030,
    "count_rural": 1186,
    "count_urban_communities": 45,
    "count_rural_communities": 79,
    "avg_per_urban_community": 1030 / 45,
    "avg_per_rural_community": 1186 / 79,
}
FIELDS = [
    {"field": "resident_services", "field_label": "为民服务", "count_active": 9},
    {"field": "other", "field_label": "其他", "count_active": 2},
    {"field": "charity", "field_label": "公益慈善", "count_active": 1},
]


@pytest.mark.parametrize(
    ("case", "row", "present", "absent"),
    [
        ("22.9 → 近23", {"avg_per_urban_community": 22.9}, ["平均每个社区近23家"], []),
        ("23.0 → 23", {"avg_per_urban_community": 23.0}, ["平均每个社区23家"], ["近23", "超过23"]),
        ("23.4 → 超过23", {"avg_per_urban_community": 23.4}, ["平均每个社区超过23家"], []),
        (
            "no organisations",
            {
                "count_active": 0,
                "count_registered": 0,
                "count_filed": 0,
                "count_urban": 0,
                "count_rural": 0,
            },
            ["全县尚无登记备案的城乡社区社会组织。"],
            ["平均", "0家", "领域"],
        ),
        (
            "no villages in scope",
            {"count_rural": 0, "count_rural_communities": 0, "avg_per_rural_community": None},
            ["平均每个社区近23家"],
            ["行政村", "农村"],
        ),
        ("all registered", {"count_filed": 0}, ["其中，登记156家；"], ["备案0家"]),
    ],
)
def test_basics_sentence_cases(case, row, present, absent):
    text = sentences.basics("全县", AS_OF, {**ROW, **row}, FIELDS)
    for part in present:
        assert part in text, case
    for part in absent:
        assert part not in text, case
    if row.get("count_active") != 0:
        assert text.endswith("在为民服务、公益慈善等领域发挥着重要作用。")  # 其他 is not named


FUNDING_TOTAL = {
    "count_budget_rows": 4,
    "budget_yuan": 3_490_000,
    "count_grants": 136,
    "approved_yuan": 3_029_800,
    "disbursed_yuan": 2_402_700,
    "execution_rate": 2_402_700 / 3_490_000,
    "paid_rate": 2_402_700 / 3_029_800,
}


@pytest.mark.parametrize(
    ("case", "make", "expected"),
    [
        (
            "budget and grants",
            lambda: sentences.funding("全县", AS_OF, FUNDING_TOTAL, []),
            "预算349万元",
        ),
        (
            "no budget rows: the budget is left out, not 0",
            lambda: sentences.funding(
                "全县", AS_OF, {**FUNDING_TOTAL, "count_budget_rows": 0, "budget_yuan": None}, []
            ),
            "2025年，全县已批复项目136个、302.98万元，已拨付240.27万元，拨付率79.3%。",
        ),
        (
            "no money source at all",
            lambda: sentences.funding(
                "全县", AS_OF, {**FUNDING_TOTAL, "count_budget_rows": 0, "count_grants": 0}, []
            ),
            None,
        ),
        (
            "no platforms source",
            lambda: sentences.platforms("全县", {"count_platforms_loaded": 0}, "目前", True),
            None,
        ),
        (
            "no credit-list source",
            lambda: sentences.listings(
                "全县",
                "目前",
                [{"list_label": "活动异常名录", "count_orgs": 0, "count_listings_loaded": 0}],
            ),
            None,
        ),
        (
            "credit lists loaded, nobody listed",
            lambda: sentences.listings(
                "全县",
                "目前",
                [{"list_label": "活动异常名录", "count_orgs": 0, "count_listings_loaded": 5}],
            ),
            "目前，全县没有社区社会组织被列入活动异常名录。",
        ),
        (
            "no evaluations source",
            lambda: sentences.grades("全县", [{"count_evaluations_loaded": 0, "count_orgs": 0}]),
            None,
        ),
        ("no reports due", lambda: sentences.annual_reports("全县", None), None),
        (
            "no micro-project source",
            lambda: sentences.micro_projects("全县", AS_OF, {"count_projects_loaded": 0}),
            None,
        ),
        (
            "micro-projects loaded, none this year",
            lambda: sentences.micro_projects(
                "城关街道", AS_OF, {"count_projects_loaded": 9, "count_projects": 0}
            ),
            "2025年，城关街道尚无社区社会组织实施的微项目。",
        ),
        (
            "micro-projects in the first year: no 以来 total",
            lambda: sentences.micro_projects(
                "全县",
                AS_OF,
                {
                    "count_projects_loaded": 3,
                    "count_projects": 3,
                    "beneficiaries": 200,
                    "budget_yuan": 24_000,
                    "count_completed": 0,
                    "count_ongoing": 3,
                    "count_planned": 0,
                    "satisfaction_rate": None,
                    "first_year": 2025,
                    "year": 2025,
                    "count_projects_total": 3,
                    "beneficiaries_total": 200,
                },
            ),
            "2025年，全县社区社会组织围绕居民需求实施微项目3个，受益群众200人次，投入资金2.4万元，"
            "其中实施中3个。",
        ),
        (
            "no points ledger",
            lambda: sentences.points("全县", "目前", {"count_entries_loaded": 0}),
            None,
        ),
        (
            "points loaded, no pilot in the township",
            lambda: sentences.points(
                "城关街道", "目前", {"count_entries_loaded": 50, "count_pilots": 0}
            ),
            "目前，城关街道尚未试点推行“积分制”管理。",
        ),
        (
            "no lounge source",
            lambda: sentences.lounges(
                "全县", "目前", [{"stars": 5, "count_lounges": 0, "count_lounges_loaded": 0}]
            ),
            None,
        ),
        (
            "lounges all five-star: no 四星级以上 share",
            lambda: sentences.lounges(
                "全县",
                "目前",
                [
                    {"stars": 5, "count_lounges": 2, "count_lounges_loaded": 2},
                    {"stars": 4, "count_lounges": 0, "count_lounges_loaded": 2},
                ],
            ),
            "目前，全县已评定星级的睦邻客厅2个，其中五星级2个。",
        ),
        ("no training source", lambda: sentences.trainings("全县", AS_OF, None), None),
        (
            "trainings loaded, none this year",
            lambda: sentences.trainings(
                "全县", AS_OF, {"count_trainings_loaded": 4, "count_trainings": 0}
            ),
            "2025年，全县未举办社区社会组织培训。",
        ),
        (
            "no award source",
            lambda: sentences.awards(
                "全县",
                AS_OF,
                [{"level_label": "县级", "count_awards": 0, "count_awards_loaded": 0}],
            ),
            None,
        ),
        (
            "awards at one level only",
            lambda: sentences.awards(
                "城关街道",
                AS_OF,
                [
                    {"level_label": "市级", "count_awards": 0, "count_awards_loaded": 9},
                    {"level_label": "县级", "count_awards": 2, "count_awards_loaded": 9},
                ],
            ),
            "2025年，城关街道社区社会组织获得县级表彰2项。",
        ),
        ("no previous year", lambda: sentences.growth("全县", ROW, {"count_active": 0}), None),
        ("special fund in one year only", lambda: sentences.special_fund({"count_years": 1}), None),
        (
            "special fund every year",
            lambda: sentences.special_fund(
                {
                    "count_years": 5,
                    "first_year": 2021,
                    "last_year": 2025,
                    "min_budget_yuan": 2_000_000,
                }
            ),
            "2021年以来，县级专项资金每年预算不少于200万元。",
        ),
    ],
)
def test_sentences_with_missing_data(case, make, expected):
    got = make()
    if expected is None:
        assert got is None, case
    else:
        assert got is not None and expected in got, case


# Content against the data ------------------------------------------------------------------------


def test_basics_paragraph_is_the_speech_sentence(county, demo_db):
    c = counts(demo_db, AS_OF)
    assert (c["total"], c["registered"], c["filed"], c["urban"], c["rural"]) == (
        2216,
        156,
        2060,
        1030,
        1186,
    )
    fields = query(
        demo_db,
        f"""select l.label from ({ACTIVE}) a join lookup_field l on l.code = a.field
            where a.field <> 'other' group by l.label order by count(*) desc""",
        d=AS_OF,
    )
    assert (
        "、".join(f for (f,) in fields)
        == "为民服务、公益慈善、文体活动、矛盾调处、乡村振兴、邻里互助"
    )
    assert county.sections[0].title == "基本情况"
    assert county.sections[0].paragraphs[0][0] == BASICS


def test_sections_in_the_speech_order(county):
    # Each section under its part and the speech's theme (tests/test_report_layout.py: the
    # headings as the Word file writes them).
    assert [h for h, _ in county.numbered()] == [
        "一、基本情况",
        "（一）夯实基础：党建引领",
        "（一）夯实基础：平台建设",
        "（二）优化环境：资金支持",
        "（二）优化环境：培训表彰",
        "（三）强化监管：监督管理",
        "（四）创新模式",
        "三、与上年相比",
        "四、未达标社区",
    ]
    assert county.title == "Xx县社区社会组织发展情况报告"


def test_party_and_platform_sentences_match_sql(county, demo_db):
    c = counts(demo_db, AS_OF)
    assert c["party"] == c["total"]
    branch = w.percent(c["branch"] / c["total"])
    assert (
        f"全县社区社会组织党建入章率和清廉入章率均达100.0%，已建立党组织的有{w.count(c['branch'])}家，占{branch}。"
        in section(county, "party")
    )
    levels = dict(
        query(
            demo_db,
            "select level, count(*) from platforms where opened_on <= $d group by level",
            d=AS_OF,
        )
    )
    assert levels == {"county": 1, "township": 12, "village": 180}
    assert (
        "目前，全县建有县级社会组织党群服务中心1家、乡镇级社会组织服务平台12家、村级社会组织服务站180家，"
        "形成了县、乡、村三级社会组织服务平台体系。"
    ) in section(county, "platforms")
    without = query(
        demo_db,
        """select count(*) from divisions c where level = 'community' and not exists (
               select 1 from platforms p where p.division_code = c.division_code and p.level = 'village')""",
    )[0][0]
    assert f"尚有{without}个未建站" in section(county, "platforms")


def test_funding_sentences_match_sql(county, demo_db):
    budget = query(demo_db, "select sum(budget_yuan) from fund_budgets where year = 2025")[0][0]
    approved, paid, n = query(
        demo_db,
        """select sum(g.approved_yuan), sum(coalesce(p.paid, 0)), count(*) from grants g
           left join (select grant_id, sum(amount_yuan) as paid from disbursements
                      where paid_on <= $d group by grant_id) p using (grant_id)
           where g.year = 2025 and g.approved_on <= $d""",
        d=AS_OF,
    )[0]
    text = section(county, "funding")
    assert f"2025年，全县社区社会组织发展资金预算{w.money(budget)}" in text
    assert (
        f"已批复项目{n}个、{w.money(approved)}，已拨付{w.money(paid)}，预算执行率{w.percent(paid / budget)}。"
    ) in text
    top_purpose = query(
        demo_db,
        """select l.label, sum(approved_yuan) from grants g join lookup_grant_purpose l on l.code = g.purpose
           where year = 2025 group by l.label order by 2 desc limit 1""",
    )[0]
    assert f"按用途分，批复资金中{top_purpose[0]}{w.money(top_purpose[1])}" in text
    least = query(
        demo_db,
        "select min(b) from (select year, sum(budget_yuan) as b from fund_budgets where fund_source = 'county_special_fund' group by year)",
    )[0][0]
    assert f"县级专项资金每年预算不少于{w.money(least)}" in text


def test_supervision_sentences_match_sql(county, demo_db):
    due, submitted, overdue = query(
        demo_db,
        """select count(*), count(*) filter (where submitted_on <= $d),
                  count(*) filter (where submitted_on is null or submitted_on > $d)
           from annual_reports where report_year = 2024 and due_on <= $d""",
        d=AS_OF,
    )[0]
    text = section(county, "supervision")
    assert (
        f"2024年度年报全县应报{due}家，已报送{submitted}家，报送率{w.percent(submitted / due)}"
        in text
    )
    assert f"尚有{overdue}家逾期未报" in text
    listed = dict(
        query(
            demo_db,
            f"""select l.list_type, count(distinct l.org_id) from credit_listings l
                join ({ACTIVE}) a on a.org_id = l.org_id
                where l.listed_on <= $d and (l.removed_on is null or l.removed_on > $d)
                group by l.list_type""",
            d=AS_OF,
        )
    )
    assert (
        f"列入活动异常名录的{listed['abnormal']}家、列入严重违法失信名单的{listed['dishonest']}家"
        in text
    )
    inspected = query(demo_db, "select count(*) from inspections where year(inspected_on) = 2025")[
        0
    ][0]
    assert f"2025年开展专项抽查{inspected}家次" in text


def test_changes_on_the_previous_year_match_sql(county, demo_db):
    now, before = counts(demo_db, AS_OF), counts(demo_db, dt.date(2024, 12, 31))
    text = section(county, "changes")
    assert (
        f"全县社区社会组织{w.count(now['total'])}家，{w.change(now['total'], before['total'])}"
        in text
    )
    assert (
        f"其中登记{w.count(now['registered'])}家，{w.change(now['registered'], before['registered'])}"
        in text
    )
    new, gone = query(
        demo_db,
        """select count(*) filter (where year(established_on) = 2025),
                  count(*) filter (where year(dissolved_on) = 2025) from organizations""",
    )[0]
    assert f"2025年新成立{w.count(new)}家、注销{w.count(gone)}家。" in text
    budgets = dict(query(demo_db, "select year, sum(budget_yuan) from fund_budgets group by year"))
    assert (
        f"资金预算{w.money(budgets[2025])}，{w.change(budgets[2025], budgets[2024], '万元')}"
        in text
    )


def test_communities_below_the_floor_are_named(county, demo_db):
    below = query(
        demo_db,
        f"""select t.name, c.name, count(a.org_id), c.area_type from divisions c
            join divisions t on t.division_code = c.township_code
            left join ({ACTIVE}) a on a.community_code = c.division_code
            where c.level = 'community' group by all
            having count(a.org_id) < case c.area_type when 'urban' then 10 else 5 end""",
        d=AS_OF,
    )
    total = query(demo_db, "select count(*) from divisions where level = 'community'")[0][0]
    text = section(county, "floor")
    assert f"全县{total}个城乡社区中，{total - len(below)}个达到标准" in text
    assert f"尚有{len(below)}个未达标" in text
    for town_name, name, n, _ in below:
        assert f"{town_name}{name}{n}家" in text
    assert county.tables()[-1].frame.height == len(below)


def test_township_scope_is_the_township_beside_the_county(township, town, demo_db):
    code, name = town
    c, whole = counts(demo_db, AS_OF, code), counts(demo_db, AS_OF)
    assert township.title == f"Xx县{name}社区社会组织发展情况报告"
    first, second = (p[0] for p in township.sections[0].paragraphs[:2])
    assert first.startswith(
        f"截至2025年12月31日，{name}登记备案城乡社区社会组织{w.count(c['total'])}家，"
        f"其中，登记{w.count(c['registered'])}家、备案{w.count(c['filed'])}家；"
        f"城市社区社会组织有{w.count(c['urban'])}家，平均每个社区{w.average(c['urban'] / c['n_urban'])}家"
    )
    assert f"{name}社区社会组织占全县总数的{w.percent(c['total'] / whole['total'])}" in second
    mine, theirs = c["urban"] / c["n_urban"], whole["urban"] / whole["n_urban"]
    assert f"{w.compare(mine, theirs)}全县平均水平（{theirs:.1f}家）" in second
    assert f"（全县为{w.percent(whole['branch'] / whole['total'])}）" in section(township, "party")
    # Its own platforms only: no county centre in a township's report.
    stations = query(
        demo_db,
        """select count(*) from platforms p join divisions d on d.division_code = p.division_code
           where p.level = 'village' and d.township_code = $t""",
        t=code,
    )[0][0]
    assert f"村级社会组织服务站{stations}家" in section(township, "platforms")
    assert "县级社会组织党群服务中心" not in section(township, "platforms")
    approved = query(
        demo_db,
        """select sum(approved_yuan) from grants g join divisions d on d.division_code = g.division_code
           where g.year = 2025 and d.township_code = $t""",
        t=code,
    )[0][0]
    assert f"全县批复给{name}及所属社区、社会组织的项目" in section(township, "funding")
    assert str(w.money(approved)) in section(township, "funding")
    assert "预算" not in section(township, "funding")  # budgets are county-wide
    communities = query(
        demo_db,
        "select count(*) from divisions where level = 'community' and township_code = $t",
        t=code,
    )[0][0]
    assert township.tables()[0].frame.height == communities


def test_training_and_award_sentences_match_sql(county, demo_db):
    classes, people, orgs = query(
        demo_db,
        "select count(*), sum(participants), sum(org_count) from trainings where year(held_on) = 2025",
    )[0]
    levels = dict(
        query(
            demo_db, "select level, count(*) from trainings where year(held_on) = 2025 group by 1"
        )
    )
    text = section(county, "training")
    assert (
        f"2025年，全县举办社区社会组织培训{classes}期，参训{w.count(people)}人次（{orgs}家次社会组织参加），"
        f"其中县级{levels['county']}期、乡镇级{levels['township']}期、社区级{levels['community']}期。"
    ) in text
    awards = dict(query(demo_db, "select level, count(*) from awards where year = 2025 group by 1"))
    names = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}
    split = "、".join(f"{names[k]}{awards[k]}项" for k in names if awards.get(k))
    assert f"2025年，全县社区社会组织获得各级表彰{sum(awards.values())}项，其中{split}。" in text


PROJECTS_2025 = """
    select count(*), sum(beneficiaries), sum(budget_yuan),
           count(*) filter (where status = 'completed'), count(*) filter (where status = 'ongoing'),
           count(*) filter (where status = 'planned'),
           avg(satisfaction_rate) filter (where status = 'completed')
    from micro_projects p join divisions d on d.division_code = p.community_code
    where year(p.start_on) = 2025 and p.status <> 'cancelled' and ($t is null or d.township_code = $t)
"""


def test_innovation_sentences_match_sql(county, demo_db):
    n, people, budget, done, running, planned, satisfied = query(demo_db, PROJECTS_2025, t=None)[0]
    text = section(county, "innovation")
    # The sentence: "实施微项目X个，受益群众X人次…"
    assert (
        f"2025年，全县社区社会组织围绕居民需求实施微项目{n}个，受益群众{w.count(people)}人次，"
        f"投入资金{w.money(budget)}，其中已结项{done}个、实施中{running}个、已立项待实施{planned}个；"
        f"已结项项目群众满意度平均{w.percent(satisfied)}。"
    ) in text
    total, total_people = query(
        demo_db,
        "select count(*), sum(beneficiaries) from micro_projects where status <> 'cancelled'",
    )[0]
    assert f"2021年以来累计实施微项目{total}个，受益群众{w.count(total_people)}人次。" in text
    pilots, first, residents, points, population = query(
        demo_db,
        """with pilot as (
               select community_code, min(earned_on) as since from points_ledger group by 1),
           recent as (
               select * from points_ledger where earned_on > date '2024-12-31')
           select (select count(*) from pilot), (select min(year(since)) from pilot),
                  (select count(distinct (community_code, resident_id)) from recent),
                  (select sum(points) from recent),
                  (select sum(population) from divisions where division_code in
                       (select community_code from pilot))""",
    )[0]
    assert (
        f"{first}年以来，全县在{pilots}个社区（村）试点推行“积分制”管理，"
        f"近12个月有{w.count(residents)}名居民获得积分{w.count(points)}分，"
        f"试点社区每千名常住人口中有{residents * 1000 / population:.1f}人参与。"
    ) in text
    stars = dict(query(demo_db, "select stars, count(*) from lounges group by 1"))
    nouns = "一二三四五"
    split = "、".join(f"{nouns[k - 1]}星级{stars[k]}个" for k in (5, 4, 3, 2, 1) if stars.get(k))
    top = stars.get(5, 0) + stars.get(4, 0)
    assert (
        f"目前，全县已评定星级的睦邻客厅{sum(stars.values())}个，其中{split}；"
        f"四星级以上{top}个，占{w.percent(top / sum(stars.values()))}。"
    ) in text
    table = next(t for t in county.tables() if "微项目、积分制和睦邻客厅" in t.title)
    assert table.frame["微项目（个）"].to_list()[-1] == n  # the 合计 row
    assert table.frame.height == 13  # twelve townships and the total


def test_township_innovation_is_its_own(township, town, demo_db):
    code, name = town
    n, people, *_ = query(demo_db, PROJECTS_2025, t=code)[0]
    assert (
        f"2025年，{name}社区社会组织围绕居民需求实施微项目{n}个，受益群众{w.count(people)}人次"
        in section(township, "innovation")
    )
    rooms = query(
        demo_db,
        """select count(*) from lounges l join divisions d on d.division_code = l.community_code
           where d.township_code = $t""",
        t=code,
    )[0][0]
    assert f"目前，{name}已评定星级的睦邻客厅{rooms}个" in section(township, "innovation")
    levels = dict(
        query(
            demo_db,
            """select t.level, count(*) from trainings t
               join divisions d on d.division_code = t.division_code
               where year(t.held_on) = 2025 and t.level <> 'county' and d.township_code = $t
               group by 1""",
            t=code,
        )
    )
    classes = section(township, "training").split("。")[0]
    assert classes.startswith(f"2025年，{name}举办社区社会组织培训{sum(levels.values())}期")
    assert "县级" not in classes  # the county centre's classes are the county's, not a township's


def test_docx_carries_the_new_sections(files, county):
    d = docx.Document(io.BytesIO(files["docx"]))
    paragraphs = [p.text for p in d.paragraphs]
    assert "2.培训表彰" in paragraphs
    assert "（四）创新模式，探索社区社会组织参与基层治理新路径" in paragraphs
    innovation = section(county, "innovation").split("\n")[0]
    assert innovation in paragraphs
    assert any("实施微项目" in p and "受益群众" in p for p in paragraphs)
    heads = [[c.text for c in t.rows[0].cells] for t in d.tables]
    at = next(i for i, t in enumerate(county.tables()) if "微项目" in t.title)
    assert heads[at][:4] == ["乡镇（街道）", "微项目（个）", "投入资金（万元）", "受益群众（人次）"]


@pytest.fixture(scope="module")
def no_programmes_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse of a county that tracks none of the programmes yet."""
    db = tmp_path_factory.mktemp("noprog") / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    try:
        # 创新模式 also reports 三社联动 (social workers): a county without it keeps none either.
        for t in (
            "micro_projects", "points_ledger", "trainings", "awards", "lounges",
            "social_work_stations", "social_workers",
        ):  # fmt: skip
            con.execute(f"delete from {t}")
    finally:
        con.close()
    return db


def test_missing_programme_sources_leave_their_sections_out(no_programmes_db):
    report = content.build(no_programmes_db, "county", AS_OF)
    titles = [s.title for s in report.sections]
    assert "培训表彰" not in titles and "创新模式" not in titles
    assert [h for h, _ in report.numbered()][-1] == "四、未达标社区"
    assert not any(h.text.startswith("（四）") for h in report.outline())
    assert "微项目" not in report.text() and "睦邻客厅" not in report.text()


@pytest.fixture(scope="module")
def thin_db(demo_db: Path, town: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse without budgets, and with one township emptied of organisations."""
    db = tmp_path_factory.mktemp("thin") / "warehouse.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("delete from fund_budgets")
        con.execute(
            """delete from organizations where community_code in (
                   select division_code from divisions where township_code = $t)""",
            {"t": town[0]},
        )
    finally:
        con.close()
    return db


def test_missing_budgets_leave_the_budget_out(thin_db):
    report = content.build(thin_db, "county", AS_OF)
    funding = section(report, "funding")
    assert funding and "预算" not in funding and "拨付率" in funding
    assert "资金预算" not in section(report, "changes")
    assert "0万元" not in report.text()
    assert all("预算（万元）" not in t.frame.columns for t in report.tables())


def test_township_without_organisations_says_so(thin_db, town):
    report = content.build(thin_db, town[0], AS_OF)
    assert report.sections[0].paragraphs[0] == [
        f"截至2025年12月31日，{town[1]}尚无登记备案的城乡社区社会组织。"
    ]
    assert "平均每个" not in report.text()
    assert "党建引领" not in [s.title for s in report.sections]


def test_unknown_township_and_future_date_are_refused(demo_db):
    with pytest.raises(content.ReportError, match="没有编码为"):
        content.build(demo_db, "999999999000", AS_OF)
    with pytest.raises(content.ReportError, match="晚于数据截止日期"):
        content.build(demo_db, "county", dt.date(2026, 1, 1))


# The files -------------------------------------------------------------------------------------


def test_charts_are_pngs_in_a_cjk_font(chart_images, county):
    assert len(county.charts()) == 4
    fig = charts.figure(county.charts()[0])
    assert "Noto Sans CJK SC" in fig.layout.font.family
    png = charts.png(county.charts()[0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_docx_reads_back(chart_images, files, county):
    d = docx.Document(io.BytesIO(files["docx"]))
    paragraphs = [p.text for p in d.paragraphs]
    assert paragraphs[0] == county.title
    assert BASICS in paragraphs
    assert "一、基本情况" in paragraphs and "四、未达标社区" in paragraphs
    heading = next(p for p in d.paragraphs if p.text == "一、基本情况")
    assert heading.style is not None and heading.style.name == "Heading 1"
    # Real tables, one per report table, with the Chinese headers and the figures.
    assert len(d.tables) == len(county.tables())
    first = d.tables[0]
    assert [c.text for c in first.rows[0].cells] == county.tables()[0].frame.columns
    assert first.rows[-1].cells[0].text == "合计" and first.rows[-1].cells[2].text == "2216"
    # Every chart as a picture, captioned.
    assert len(d.inline_shapes) == len(county.charts()) == 4
    assert sum(p.text.startswith("图") for p in d.paragraphs) == 4
    assert d.core_properties.title == county.title


def test_docx_declares_east_asian_fonts(files):
    with zipfile.ZipFile(io.BytesIO(files["docx"])) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))  # every part is well-formed XML
        styles = etree.fromstring(z.read("word/styles.xml"))
        fonts = etree.fromstring(z.read("word/fontTable.xml"))

    def rfonts(style_id: str) -> dict:
        style = styles.find(f"{W_NS}style[@{W_NS}styleId='{style_id}']")
        return {
            k.replace(W_NS, ""): v for k, v in style.find(f"{W_NS}rPr/{W_NS}rFonts").attrib.items()
        }

    assert rfonts("Normal")["eastAsia"] == "仿宋_GB2312"
    assert rfonts("Heading1")["eastAsia"] == "黑体"
    assert rfonts("Title")["eastAsia"] == "方正小标宋简体"
    # Theme fonts would override the declared ones: none left on the styles used.
    for style_id in ("Normal", "Heading1", "Title"):
        assert not any(k.endswith("Theme") or k == "cstheme" for k in rfonts(style_id))
    defaults = styles.find(f"{W_NS}docDefaults/{W_NS}rPrDefault/{W_NS}rPr")
    assert defaults.find(f"{W_NS}rFonts").get(f"{W_NS}eastAsia") == "仿宋_GB2312"
    assert defaults.find(f"{W_NS}lang").get(f"{W_NS}eastAsia") == "zh-CN"
    declared = {f.get(f"{W_NS}name") for f in fonts.findall(f"{W_NS}font")}
    assert {"仿宋_GB2312", "黑体", "宋体"} <= declared


def test_pptx_reads_back(chart_images, files, county):
    deck = pptx.Presentation(io.BytesIO(files["pptx"]))
    slides = list(deck.slides)
    texts = ["\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in slides]
    assert county.title in texts[0]
    assert any(BASICS in t for t in texts)
    # A slide per section (heading and key figures), per chart and per table (12 townships fit one).
    pictures = [sh for s in slides for sh in s.shapes if sh.shape_type == 13]
    tables = [sh.table for s in slides for sh in s.shapes if sh.has_table]
    assert len(pictures) == len(county.charts()) == 4
    assert len(tables) == len(county.tables())
    assert len(slides) == 1 + len(county.sections) + 4 + len(county.tables())
    assert [tables[0].cell(0, j).text for j in range(len(tables[0].columns))] == county.tables()[
        0
    ].frame.columns
    assert any("2,216家" in t and "近23家" in t for t in texts)  # key figures
    # Every run names its East-Asian face (a:ea), after the Latin one.
    with zipfile.ZipFile(io.BytesIO(files["pptx"])) as z:
        slide = etree.fromstring(z.read("ppt/slides/slide2.xml"))
    runs = slide.findall(f".//{A_NS}r/{A_NS}rPr")
    assert runs and all(r.find(f"{A_NS}ea") is not None for r in runs)
    assert {r.find(f"{A_NS}ea").get("typeface") for r in runs} <= {"黑体", "微软雅黑"}
    assert all(
        list(r).index(r.find(f"{A_NS}ea")) == list(r).index(r.find(f"{A_NS}latin")) + 1
        for r in runs
    )


def test_xlsx_one_sheet_per_table_with_number_formats(files, county):
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    tables = county.tables()
    assert book.sheetnames == ["报告正文", *(t.title[:31] for t in tables)]
    assert book["报告正文"]["A1"].value == county.title
    assert BASICS in [c.value for c in book["报告正文"]["A"]]
    for table in tables:
        sheet = book[table.title[:31]]
        assert [c.value for c in sheet[2]] == table.frame.columns
        assert sheet.max_row == 2 + table.frame.height + (2 if table.note else 0)
    towns = book[tables[0].title]
    assert towns["A3"].value == tables[0].frame.row(0)[0]
    assert towns["C3"].value == tables[0].frame.row(0)[2] and towns["C3"].number_format == "#,##0"
    assert towns["F3"].number_format == "0.0"  # average per community
    money = book["2025年资金预算执行情况"]
    assert [c.value for c in money[2]][:2] == ["资金来源", "预算（万元）"]
    assert money["B3"].number_format == "#,##0.00" and money["B3"].value == 250.0
    assert money["F3"].number_format == "0.0%" and 0 < money["F3"].value < 1
    total = next(r for r in money.iter_rows(min_row=3) if r[0].value == "合计")
    assert total[1].value == 349.0 and total[0].font.bold


def test_markdown_has_the_sentences_and_tables(files, county):
    text = files["md"].decode("utf-8")
    assert text.startswith(f"# {county.title}")
    assert "## 一、基本情况" in text and BASICS in text
    assert "| 乡镇（街道） | 城乡社区（个） |" in text
    assert "| 合计 | 124 | 2216 |" in text


def test_cli_writes_every_format(chart_images, demo_db, tmp_path):
    # Side by side; the charts (a Chromium per process) only in Word: PowerPoint comes without
    # (--no-charts) to keep the test quick; its pictures are checked in-process above.
    runs = {"docx": [], "md": [], "pptx": ["--no-charts"], "xlsx": []}
    procs = {
        fmt: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "orgdash",
                "report",
                "--db",
                str(demo_db),
                "--scope",
                "county",
                "--as-of",
                "2025-12-31",
                "--format",
                fmt,
                "--out",
                str(tmp_path / f"报告.{fmt}"),
                *extra,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for fmt, extra in runs.items()
    }
    for fmt, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, (fmt, out, err)
        assert "已生成" in out
    word = docx.Document(tmp_path / "报告.docx")
    assert BASICS in [p.text for p in word.paragraphs] and len(word.inline_shapes) == 4
    deck = pptx.Presentation(tmp_path / "报告.pptx")
    assert not [sh for s in deck.slides for sh in s.shapes if sh.shape_type == 13]
    assert any(sh.has_table for s in deck.slides for sh in s.shapes)
    assert "报告正文" in openpyxl.load_workbook(tmp_path / "报告.xlsx").sheetnames
    md = (tmp_path / "报告.md").read_text(encoding="utf-8")
    assert BASICS in md and "**表1　各乡镇（街道）社区社会组织情况**" in md
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"报告.{f}" for f in sorted(runs)]


def test_cli_without_chromium_writes_the_report_and_says_where_charts_are_missing(
    demo_db, tmp_path
):
    # kaleido's own sync server waited for a browser that never started: the CLI hung for ever.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "orgdash",
            "report",
            "--db",
            str(demo_db),
            "--scope",
            "county",
            "--format",
            "docx",
            "--out",
            str(tmp_path / "报告.docx"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "BROWSER_PATH": str(tmp_path / "no-chromium")},
    )
    assert proc.returncode == 0, proc.stderr
    word = docx.Document(tmp_path / "报告.docx")
    missing = [p.text for p in word.paragraphs if "未能生成" in p.text]
    assert missing == [
        f"（图表「{c.title}」未能生成：服务器上缺少 Chromium 浏览器。）"
        for c in content.build(demo_db, "county", None).charts()
    ]
    assert not word.inline_shapes
    assert BASICS in [p.text for p in word.paragraphs]


def test_cli_refuses_an_unknown_township(demo_db, tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "orgdash",
            "report",
            "--db",
            str(demo_db),
            "--scope",
            "340129999000",
            "--format",
            "xlsx",
            "--out",
            str(tmp_path / "x.xlsx"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "没有编码为 340129999000 的乡镇（街道）" in proc.stderr
    assert not (tmp_path / "x.xlsx").exists()


# A province: several counties in one warehouse ------------------------------------------------


@pytest.fixture(scope="module")
def province_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two demo counties (24 townships, two of each name) loaded as `orgdash load` does it."""
    from demo.synthetic import generate
    from etl.pipeline import load_dir

    raw = tmp_path_factory.mktemp("province") / "raw"
    generate(raw, scale=2)
    db = raw.parent / "warehouse.duckdb"
    load_dir(raw, db)
    return db


# Shortened past 12 rows and 12 bars, 5 from each end: the 24 townships of two counties then
# behave as a province's 1,200 do at the real limits (40 rows, 30 bars, 10 from each end).
SHORT = {"PRINT_ROWS": 12, "PRINT_EACH": 5, "CHART_BARS": 12, "CHART_EACH": 5}


@pytest.fixture(scope="module")
def province(province_db: Path) -> content.Report:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in SHORT.items():
            mp.setattr(content, name, value)
        return content.build(province_db, "county", AS_OF)


def township_counts(db: Path) -> list[tuple[str, int, int, int]]:
    """(county name + township name, active, registered, filed) per township, in code order."""
    return query(
        db,
        f"""select c.name || t.name, count(a.org_id),
                   count(a.org_id) filter (where a.status = 'registered'),
                   count(a.org_id) filter (where a.status = 'filed')
            from divisions t join divisions c on c.division_code = t.parent_code
            left join ({ACTIVE}) a on a.township_code = t.division_code
            where t.level = 'township' group by t.division_code, 1 order by t.division_code""",
        d=AS_OF,
    )


def ranked(rows: list[tuple], key: int, descending: bool = True) -> list[tuple]:
    """Rows by one value, ties in code order (the order the rows came in)."""
    return sorted(rows, key=lambda r: -r[key] if descending else r[key])


def test_a_county_report_keeps_every_row_and_bar(county):
    assert all(t.brief is None and t.printed(1) is t for t in county.tables())
    assert all(c.note is None and not c.horizontal for c in county.charts())


def test_province_names_each_township_with_its_county(province_db):
    report = content.build(province_db, "county", AS_OF)  # the real limits: 24 rows fit
    towns = township_counts(province_db)
    assert len({name for name, *_ in towns}) == len(towns) == 24  # two 城关街道 made distinct
    table = report.tables()[0]
    assert table.brief is None
    assert table.frame["乡镇（街道）"].to_list() == [name for name, *_ in towns] + ["合计"]
    assert table.frame[ORGS.header].to_list()[:-1] == [n for _, n, *_ in towns]
    top = max(towns, key=lambda r: r[1])
    low = min(towns, key=lambda r: r[1])
    assert (
        f"从各乡镇（街道）看，{top[0]}最多，有{top[1]}家；{low[0]}最少，有{low[1]}家。"
        in report.sections[0].text()
    )
    below = query(
        province_db,
        f"""select c.name || t.name || m.name, count(a.org_id) from divisions m
            join divisions t on t.division_code = m.township_code
            join divisions c on c.division_code = t.parent_code
            left join ({ACTIVE}) a on a.community_code = m.division_code
            where m.level = 'community' group by all
            having count(a.org_id) < case any_value(m.area_type) when 'urban' then 10 else 5 end""",
        d=AS_OF,
    )
    assert {name[:3] for name, _ in below} == {"Xx县", "望源县"}  # both counties fall short
    floor_text = section(report, "floor")
    for name, n in below:
        assert f"{name}{n}家" in floor_text


def test_long_table_prints_the_ends_of_its_ranking(province, province_db):
    towns = township_counts(province_db)
    table = province.tables()[0]
    assert table.frame.height == 25  # Excel and Markdown keep every township and the total
    brief = table.printed(1)
    order = ranked(towns, 1)
    expected = order[:5] + order[-5:]
    assert brief.frame["乡镇（街道）"].to_list() == [n for n, *_ in expected] + ["合计"]
    assert brief.frame[ORGS.header].to_list() == [n for _, n, *_ in expected] + [
        sum(n for _, n, *_ in towns)
    ]
    assert brief.title == "各乡镇（街道）社区社会组织情况（节选）"
    rows = brief.rows()
    assert rows[5][0] == "……" and len(rows) == 12
    assert brief.note is not None
    assert brief.note.startswith(
        "全县共24个乡镇（街道），表中列出社会组织数最多的5个和最少的5个，按社会组织数从多到少排列；"
    )
    assert brief.note.endswith("完整表格见本报告Excel版表1。")


def test_long_tables_of_attention_print_the_worst(province, province_db):
    tables = {t.title: t for t in province.tables()}
    due = query(
        province_db,
        """select c.name || t.name, count(*) filter (where r.submitted_on <= $d) / count(*),
                   count(*) filter (where r.submitted_on is null or r.submitted_on > $d)
            from annual_reports r join organizations o using (org_id)
            join divisions m on m.division_code = o.community_code
            join divisions t on t.division_code = m.township_code
            join divisions c on c.division_code = t.parent_code
            where r.report_year = 2024 and r.due_on <= $d
            group by t.division_code, 1 order by t.division_code""",
        d=AS_OF,
    )
    reports = tables["各乡镇（街道）2024年度年报报送情况"].printed(5)
    shown = reports.frame.head(10)
    lowest = sorted(due, key=lambda r: (r[1], -r[2]))[:10]
    assert [round(x, 9) for x in shown["报送率"].to_list()] == [round(r[1], 9) for r in lowest]
    worst_rate = max(r[1] for r in lowest)
    assert all(r[1] >= worst_rate for r in due if r[0] not in shown["乡镇（街道）"].to_list())
    assert reports.frame["乡镇（街道）"].to_list()[-1] == "合计"
    assert reports.rows()[10][0] == "……"
    assert "表中列出报送率最低的10个" in (reports.note or "")


def test_long_chart_draws_the_largest_and_smallest(chart_images, province, province_db):
    towns = township_counts(province_db)
    chart = next(c for c in province.charts() if c.kind == "stacked")
    order = ranked(towns, 1)
    expected = [*order[:5], None, *order[-5:]]
    assert chart.frame["乡镇（街道）"].to_list() == [r[0] if r else "……" for r in expected]
    assert chart.frame["登记"].to_list() == [r[2] if r else None for r in expected]
    assert chart.frame["备案"].to_list() == [r[3] if r else None for r in expected]
    assert chart.title == "社会组织数最多和最少的各5个乡镇（街道）" and chart.horizontal
    assert chart.note is not None and chart.note.startswith(
        "全县共24个乡镇（街道），图中为社会组织数最多的5个和最少的5个"
    )
    fig = charts.figure(chart)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.orientation for b in bars] == ["h", "h"]
    assert list(bars[0].y)[::-1] == chart.frame["乡镇（街道）"].to_list()  # largest on top
    totals = next(t for t in fig.data if t.type == "scatter")
    assert list(totals.text)[::-1][5].strip() == ""  # the …… category has no total
    assert charts.png(chart).startswith(b"\x89PNG\r\n\x1a\n")


def test_province_files_print_briefs_and_excel_keeps_every_row(province, province_db):
    towns = township_counts(province_db)
    word = docx.Document(io.BytesIO(build.render(province, "docx", with_charts=False)))
    first = word.tables[0]
    assert len(first.rows) == 1 + 12  # header, 5 + …… + 5, 合计
    assert [r.cells[0].text for r in first.rows][6] == "……"
    paragraphs = [p.text for p in word.paragraphs]
    assert "表1　各乡镇（街道）社区社会组织情况（节选）" in paragraphs
    assert any(
        p.startswith("注：全县共24个乡镇（街道）") and p.endswith("Excel版表1。")
        for p in paragraphs
    )
    deck = pptx.Presentation(io.BytesIO(build.render(province, "pptx", with_charts=False)))
    slide = next(
        s
        for s in deck.slides
        if any(sh.has_text_frame and sh.text_frame.text.startswith("表1　") for sh in s.shapes)
    )
    grid = next(sh.table for sh in slide.shapes if sh.has_table)
    assert len(grid.rows) == 13
    assert any(
        sh.has_text_frame and sh.text_frame.text.startswith("注：全县共24个乡镇（街道）")
        for sh in slide.shapes
    )
    book = openpyxl.load_workbook(io.BytesIO(build.render(province, "xlsx")))
    sheet = book["各乡镇（街道）社区社会组织情况"]
    assert [sheet.cell(3 + i, 1).value for i in range(24)] == [n for n, *_ in towns]
    assert sheet.cell(27, 1).value == "合计"


def test_township_with_many_communities_prints_the_ends(demo_db, town):
    # A township of 10 communities behaves as one of 60 would at the real limits.
    code, name = town
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            "PRINT_ROWS": 4,
            "PRINT_EACH": 2,
            "CHART_BARS": 4,
            "CHART_EACH": 2,
        }.items():
            mp.setattr(content, key, value)
        report = content.build(demo_db, code, AS_OF)
    communities = query(
        demo_db,
        f"""select m.name, count(a.org_id),
                   case m.area_type when 'urban' then 10 else 5 end
            from divisions m left join ({ACTIVE}) a on a.community_code = m.division_code
            where m.level = 'community' and m.township_code = $t
            group by m.division_code, m.name, m.area_type order by m.division_code""",
        d=AS_OF,
        t=code,
    )
    order = ranked(communities, 1)
    ends = [*order[:2], None, *order[-2:]]
    chart = next(c for c in report.charts() if c.kind == "bars_floor")
    assert chart.title == f"{name}社会组织数最多和最少的各2个城乡社区" and chart.horizontal
    assert chart.frame["社区（村）"].to_list() == [r[0] if r else "……" for r in ends]
    assert chart.frame[ORGS.label].to_list() == [r[1] if r else None for r in ends]
    assert chart.frame["国家标准"].to_list() == [r[2] if r else None for r in ends]
    fig = charts.figure(chart)
    floor = next(t for t in fig.data if t.type == "scatter")
    assert (
        floor.marker.symbol == "line-ns"
        and list(floor.x)[::-1] == chart.frame["国家标准"].to_list()
    )
    table = report.tables()[0].printed(1)
    assert table.frame["社区（村）"].to_list() == [r[0] for r in (*order[:2], *order[-2:])]
    assert table.note is not None and table.note.startswith(
        f"{name}共{len(communities)}个城乡社区，表中列出社会组织数最多的2个和最少的2个"
    )
