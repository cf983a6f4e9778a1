"""The marts of 三社联动, party-organisation coverage, federations, major-matter reporting,
disclosure and 资格核查 (eligibility): figures worked out by hand on the mini set, on other dates,
and the demo's 资格核查 recomputed in Python from its files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from etl.pipeline import check_dir, load_dir
from tests import minidata
from tests.dbutil import sql

END = "date '2025-12-31'"


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini set, plus for 资格核查: O1 listed again in January 2025, rated C for 2024 and its
    2023 annual report never filed."""
    base = tmp_path_factory.mktemp("mini")
    extra = {
        "异常名录.csv": "O1,活动异常名录,2025-01-10,,未按时年报\n",
        "信用评价.csv": "O1,2024,C\n",
        "年报.csv": "O1,2023,2024-05-31,,\n",
    }
    folder = minidata.write(base / "raw", extra_rows=extra)
    db = base / "w.duckdb"
    load_dir(folder, db)
    return db


def frame(db: Path, query: str) -> pl.DataFrame:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(query).pl()
    finally:
        con.close()


def by(db: Path, query: str, key: str) -> dict[str, dict]:
    return {r[key]: r for r in frame(db, query).to_dicts()}


# ---------------------------------------------------------------- 三社联动


def test_linkage_per_community(mini):
    c = by(mini, f"select * from linkage_by_community({END})", "community_name")
    east, river = c["东门社区"], c["河口村"]
    # 东门: its 社工室 (S2) and SG002 posted there; O1 supported by SG001 and SG002.
    assert (east["count_rooms"], east["count_workers"], east["count_qualified_workers"]) == (
        1,
        1,
        1,
    )
    assert (east["count_active"], east["count_supported"], east["supported_rate"]) == (1, 1, 1.0)
    assert east["township_has_station"] and east["is_linked"]
    # 河口村: no room, SG003 left in June; O2 supported by the township station's SG001.
    assert (river["count_rooms"], river["count_workers"], river["count_supported"]) == (0, 0, 1)
    assert river["is_linked"]
    # M1 (O1) and M2 (O2) began in 2025 while SG001, who supports both, was in post.
    assert (east["count_micro_projects"], east["count_joint_micro_projects"]) == (1, 1)
    assert (river["count_micro_projects"], river["count_joint_micro_projects"]) == (1, 1)


def test_linkage_on_an_earlier_date(mini):
    c = by(mini, "select * from linkage_by_community(date '2022-01-01')", "community_name")
    east, river = c["东门社区"], c["河口村"]
    assert (east["count_rooms"], east["count_workers"]) == (0, 0)  # S2 opened, SG002 came in 2022
    assert east["is_linked"]  # SG001 of the township station supported O1 already
    # 河口村 then: O2 and O3 (dissolved 2024) active, only O2 supported.
    assert (river["count_active"], river["count_supported"], river["supported_rate"]) == (2, 1, 0.5)
    assert (river["count_micro_projects"], river["count_joint_micro_projects"]) == (0, 0)
    t = frame(mini, "select * from linkage_by_township(date '2022-01-01')").row(0, named=True)
    assert (t["count_communities"], t["count_linked"], t["count_workers"]) == (2, 2, 1)
    assert t["has_station"] and t["count_rooms"] == 0


# ---------------------------------------------------------------- party organisations


def test_party_coverage(mini):
    orgs = by(mini, f"select * from party_coverage_by_org({END})", "org_id")
    assert (orgs["O1"]["is_covered"], orgs["O1"]["has_own_branch"]) == (True, True)
    assert (orgs["O2"]["is_covered"], orgs["O2"]["in_joint_branch"]) == (True, True)
    assert orgs["O2"]["party_org_ids"] == ["P1"]
    c = by(mini, f"select * from party_coverage_by_community({END})", "community_name")
    assert (c["东门社区"]["is_named"], c["东门社区"]["is_covered"]) == (False, True)
    assert (c["东门社区"]["count_party_orgs"], c["东门社区"]["count_joint_branches"]) == (1, 0)
    assert (c["河口村"]["is_named"], c["河口村"]["count_joint_branches"]) == (True, 1)
    t = frame(mini, f"select * from party_coverage_by_township({END})").row(0, named=True)
    assert (t["count_covered_communities"], t["covered_rate"], t["count_party_orgs"]) == (2, 1.0, 2)


def test_party_coverage_before_the_joint_branch(mini):
    c = by(mini, "select * from party_coverage_by_community(date '2021-01-01')", "community_name")
    assert c["东门社区"]["is_covered"]  # O1's own branch since July 2020
    river = c["河口村"]  # P1 came in July 2021: O3 was not covered yet
    assert (river["count_active"], river["count_covered"], river["is_covered"]) == (1, 0, False)
    assert river["count_party_orgs"] == 0


# ---------------------------------------------------------------- federations


def test_federation_membership(mini):
    orgs = by(mini, f"select * from federation_membership_by_org({END})", "org_id")
    assert orgs["O1"]["federation_ids"] == ["F1"] and orgs["O2"]["federation_ids"] == ["F2"]
    assert orgs["O2"]["federation_names"] == "城关街道文体协会"
    t = frame(mini, f"select * from federation_membership_by_township({END})").row(0, named=True)
    assert (t["count_active"], t["count_members"], t["member_rate"]) == (2, 2, 1.0)
    assert t["count_township_federations"] == 1
    feds = by(mini, f"select * from federations_current({END})", "federation_id")
    assert feds["F2"]["count_members"] == 1  # O3 left when it was dissolved
    assert feds["F1"]["township_code"] is None and feds["F2"]["township_code"] == "341100001000"
    early = by(mini, "select * from federation_membership_by_org(date '2021-12-31')", "org_id")
    assert early["O2"]["is_member"] is False  # F2 came in 2022


# ---------------------------------------------------------------- 重大事项, 信息公开


def test_major_matters_on_time_late_overdue_pending(mini):
    got = frame(
        mini,
        f"select matter_kind, days_to_report, report_status, report_days "
        f"from major_matter_status({END}) order by matter_on",
    ).rows()
    assert got == [
        ("leader_change", 5, "on_time", 10),
        ("large_spending", None, "overdue", 10),  # never reported, 213 days on
        ("major_event", -19, "on_time", 10),  # reported ahead
    ]
    june = frame(
        mini,
        "select matter_kind, report_status from major_matter_status(date '2025-06-05') "
        "order by matter_on",
    ).rows()
    assert june == [("leader_change", "on_time"), ("large_spending", "pending")]
    y = frame(mini, f"select * from major_matter_by_year({END})").row(0, named=True)
    assert (y["matter_year"], y["count_matters"], y["count_on_time"], y["count_overdue"]) == (
        2025,
        3,
        2,
        1,
    )
    assert y["on_time_rate"] == pytest.approx(2 / 3)
    t = frame(mini, f"select * from major_matter_by_township({END})").row(0, named=True)
    assert (t["count_matters"], t["on_time_rate"]) == (3, pytest.approx(2 / 3))


def test_disclosure_of_last_years_annual_work_report(mini):
    s = by(mini, f"select * from disclosure_status({END})", "org_id")
    assert set(s) == {"O1", "O2"}  # O3 was dissolved
    assert s["O1"]["disclosure_year"] == 2024
    assert (s["O1"]["disclosed_annual_report"], s["O1"]["disclosed_finances"]) == (True, True)
    assert s["O1"]["annual_report_disclosed_on"] == dt.date(2025, 4, 20)
    assert s["O2"]["disclosed_annual_report"] is False and s["O2"]["count_disclosures_12m"] == 1
    t = frame(mini, f"select * from disclosure_by_township({END})").row(0, named=True)
    assert (t["count_expected"], t["count_annual_report"], t["annual_report_rate"]) == (2, 1, 0.5)
    assert (t["registered_annual_report_rate"], t["disclosed_12m_rate"]) == (1.0, 1.0)
    april = frame(mini, "select * from disclosure_by_township(date '2025-04-01')").row(
        0, named=True
    )
    assert april["count_annual_report"] == 0  # O1 disclosed on 20 April


# ---------------------------------------------------------------- 资格核查


def test_eligibility_flags_each_reason_on_the_decision_date(mini):
    flags = by(mini, f"select * from eligibility_flags({END})", "decision_type")
    grant, award = flags["grant"], flags["award"]
    assert grant["decision_id"] == "G1" and grant["decided_on"] == dt.date(2025, 3, 1)
    assert (grant["is_listed"], grant["is_below_rating_line"], grant["has_overdue_report"]) == (
        True,
        True,
        True,
    )
    assert grant["reasons"] == (
        "决定时在活动异常名录（2025年1月10日列入）中；"
        "信用等级C（失信风险，2024年度评价），低于B（基本守信）；2023年度年报逾期未报"
    )
    # The 2024 award (31 Dec 2024): the 2024 listing was removed in September, no rating before
    # 2024, but the 2023 report was overdue.
    assert award["decision_id"] == "2024/O1/优秀社区社会组织"
    assert award["decided_on"] == dt.date(2024, 12, 31)
    assert (award["is_listed"], award["is_below_rating_line"]) == (False, False)
    assert award["reasons"] == "2023年度年报逾期未报" and award["overdue_report_years"] == [2023]
    s = by(mini, f"select * from eligibility_summary({END})", "decision_type")
    assert (s["grant"]["count_decisions"], s["grant"]["count_flagged"]) == (1, 1)
    assert float(s["grant"]["flagged_amount_yuan"]) == 100_000.0  # G2 has no organisation
    assert s["award"]["flagged_amount_yuan"] is None


def test_an_award_of_the_current_year_is_judged_on_the_as_of_date(mini):
    got = frame(mini, "select decided_on, reasons from eligibility_flags(date '2024-06-30')").rows()
    assert got == [(dt.date(2024, 6, 30), "2023年度年报逾期未报")]  # due 31 May, not filed
    assert frame(mini, "select * from eligibility_flags(date '2024-05-30')").is_empty()


def test_the_rating_line_is_the_sites(tmp_path, monkeypatch):
    toml = tmp_path / "orgdash.toml"
    toml.write_text('[eligibility]\nmin_rating = "C"\n', encoding="utf-8")
    monkeypatch.setenv("ORGDASH_CONFIG", str(toml))
    extra = {"信用评价.csv": "O1,2024,C\n"}
    folder = minidata.write(tmp_path / "raw", extra_rows=extra)
    db = tmp_path / "w.duckdb"
    load_dir(folder, db)
    got = frame(
        db, f"select rating, is_below_rating_line, is_flagged from eligibility_checks({END})"
    )
    assert got.filter(pl.col("rating") == "C").rows() == [("C", False, False)]


def _recomputed(demo_dir: Path) -> dict[tuple[str, str], tuple[bool, bool, bool]]:
    """资格核查 worked out in Python from the demo's files as the ETL accepts them."""
    result = check_dir(demo_dir)
    t = {c.source.name: c.accepted for c in result.checked}
    as_of = result.as_of
    scale = list("ABCD")
    decisions = [
        ("grant", g["grant_id"], g["org_id"], g["approved_on"])
        for g in t["grants"].iter_rows(named=True)
        if g["org_id"] is not None and g["approved_on"] <= as_of
    ] + [
        ("award", f"{a['year']}/{a['org_id']}/{a['title']}", a["org_id"], min(dt.date(a["year"], 12, 31), as_of))
        for a in t["awards"].iter_rows(named=True)
        if a["year"] <= as_of.year
    ]  # fmt: skip
    listings: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    for r in t["credit_listings"].iter_rows(named=True):
        listings.setdefault(r["org_id"], []).append((r["listed_on"], r["removed_on"]))
    ratings: dict[str, dict[int, str]] = {}
    for r in t["credit_ratings"].iter_rows(named=True):
        ratings.setdefault(r["org_id"], {})[r["year"]] = r["rating"]
    reports: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    for r in t["annual_reports"].iter_rows(named=True):
        reports.setdefault(r["org_id"], []).append((r["due_on"], r["submitted_on"]))
    out = {}
    for kind, key, org, day in decisions:
        listed = any(a <= day and (b is None or b > day) for a, b in listings.get(org, []))
        before = {y: v for y, v in ratings.get(org, {}).items() if y < day.year}
        low = bool(before) and scale.index(before[max(before)]) > scale.index("B")
        late = any(due < day and (sub is None or sub > day) for due, sub in reports.get(org, []))
        if listed or low or late:
            out[(kind, key)] = (listed, low, late)
    return out


def test_the_demo_eligibility_flags_are_exactly_the_cases_in_its_data(demo_dir, demo_db):
    expected = _recomputed(demo_dir)
    got = frame(
        demo_db,
        f"select decision_type, decision_id, is_listed, is_below_rating_line, has_overdue_report, "
        f"reasons from eligibility_flags({END})",
    )
    assert {(r[0], r[1]): tuple(r[2:5]) for r in got.rows()} == expected
    # The demo shows what the check is for: grants approved to organisations on a list at the
    # time, and an award to an organisation whose annual report was overdue.
    assert sum(1 for (kind, _), v in expected.items() if kind == "grant" and v[0]) >= 2
    assert sum(1 for (kind, _), v in expected.items() if kind == "award" and v[2]) >= 1
    for r in got.iter_rows(named=True):
        assert ("决定时在" in r["reasons"]) == r["is_listed"]
        assert ("年报逾期未报" in r["reasons"]) == r["has_overdue_report"]
        assert ("低于B" in r["reasons"]) == r["is_below_rating_line"]


# ---------------------------------------------------------------- the demo, as the speech says


def test_the_demo_linkage_sources_follow_the_speech(demo_db):
    db = demo_db
    assert sql(db, "select count(*) from etl_rejects where source in ("
               "'social_work_stations', 'social_workers', 'party_organizations', "
               "'party_org_coverage', 'federations', 'federation_members', "
               "'major_matter_reports', 'info_disclosures')") == [(0,)]  # fmt: skip
    # 三社联动: a 社工站 in every township, social workers supporting organisations, joint projects.
    assert sql(
        db,
        "select count(*) from divisions where level = 'township' and division_code not in "
        "(select township_code from social_work_stations where level = 'township')",
    ) == [(0,)]
    linked, joint = sql(
        db,
        f"select avg(is_linked::int), sum(count_joint_micro_projects) "
        f"from linkage_by_community({END})",
    )[0]
    assert 0.3 < linked < 1 and joint > 0
    # 联合党支部 纳入村（社区）“大党委”: joint branches in communities' (and townships') 大党委;
    # coverage agrees with the registry's 建立党组织 for every active organisation.
    levels = sql(
        db,
        "select distinct d.level from party_organizations p join divisions d using (division_code) "
        "where p.kind = 'joint_branch' order by 1",
    )
    assert levels == [("community",), ("township",)]
    assert sql(
        db,
        f"select count(*) from party_coverage_by_org({END}) where is_covered <> has_party_branch",
    ) == [(0,)]
    # 行业协会或联合会: a county 联合会 and 行业协会, township 联合会.
    kinds = sql(db, "select distinct kind, level from federations order by all")
    assert kinds == [
        ("association", "county"),
        ("federation", "county"),
        ("federation", "township"),
    ]
    # 重大事项报告制度: most matters reported on time, some late, a few never.
    statuses = dict(
        sql(db, f"select report_status, count(*) from major_matter_status({END}) group by 1")
    )
    assert statuses["on_time"] > statuses["late"] > 0 and statuses["overdue"] > 0
    # 信息公开制度: most registered organisations disclosed their 2024 annual work report.
    rate = sql(
        db,
        f"select avg(disclosed_annual_report::int) from disclosure_status({END}) "
        "where status = 'registered'",
    )[0][0]
    assert 0.6 < rate < 1
