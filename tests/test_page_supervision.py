"""重大事项报告, 信息公开 and 资格核查 on the pages (issue 18): the 监管 sections, the 资金 page's flagged
approvals, a flagged organisation's profile, the 总览's line and the 大屏's, each against direct SQL
on the base tables (tests/linkage_sql.py); and what the pages say when the sources are missing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from dashboard import formats as fmt
from tests import linkage_sql as x

GOV = "views/governance.py"
AS_OF = dt.date(2025, 12, 31)
YUNFAN = "340129201000"  # 云畈乡: two flagged grants and a flagged award in 2025


def metrics(at) -> dict:  # type: ignore[no-untyped-def]
    return {m.label: m for m in at.metric}


def table(at, column: str) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    for df in at.dataframe:
        if column in df.value.columns:
            return pl.from_pandas(df.value)
    raise AssertionError(f"no table with column {column}")


def chart(at, title_part: str) -> dict:  # type: ignore[no-untyped-def]
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        if title_part in ((spec["layout"].get("title") or {}).get("text") or ""):
            return spec
    raise AssertionError(f"no chart titled …{title_part}…")


def texts(at) -> str:  # type: ignore[no-untyped-def]
    parts = [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]
    return "\n".join(p.value for p in parts)


def rate(n: int, d: int) -> str:
    return f"{n / d * 100:.1f}%"


# ---------------------------------------------------------------- 监管


def test_major_matters_on_the_governance_page_match_sql(app, demo_db):
    at = app(GOV)
    m = metrics(at)
    e = x.matters(demo_db, AS_OF)
    assert e["matters"] > 20 and e["late"] and e["overdue"]  # the demo has each kind
    assert m["重大事项"].value == f"{e['matters']}项"
    assert m["按时报告"].value == f"{e['on_time']}项"
    assert m["逾期报告"].value == f"{e['late']}项"
    assert m["逾期未报告"].value == f"{e['overdue']}项"
    judged = e["on_time"] + e["late"] + e["overdue"]
    assert m["按时报告率"].value == rate(e["on_time"], judged)
    late = table(at, "距事项发生（天）")
    assert late.height == e["late"] + e["overdue"]
    assert sorted(late["报告情况"].unique().to_list()) == ["逾期报告", "逾期未报告"]
    # An overdue matter has no report date; every late one took more than the 10 days.
    overdue = late.filter(pl.col("报告情况") == "逾期未报告")
    assert (overdue["报告日期"] == "").all()
    assert (late.filter(pl.col("报告情况") == "逾期报告")["报告用时（天）"] > 10).all()
    per_town = table(at, "按时报告率（%）")
    total = per_town.filter(pl.col("乡镇（街道）") == "合计").row(0, named=True)
    assert total["重大事项（项）"] == e["matters"]
    assert per_town.filter(pl.col("乡镇（街道）") != "合计")["重大事项（项）"].sum() == e["matters"]
    spec = chart(at, "重大事项报告情况")
    assert sum(sum(t["x"]) for t in spec["data"]) == e["matters"]
    assert "事项发生后10天内（或事前）报告的为按时报告" in texts(at)


def test_disclosure_on_the_governance_page_matches_sql(app, demo_db):
    at = app(GOV)
    m = metrics(at)
    e = x.disclosure(demo_db, AS_OF)
    assert 0 < e["annual_report"] < e["registered"]
    assert m["应公开的登记组织"].value == f"{e['registered']}家"
    assert m["已公开年度工作报告"].value == f"{e['annual_report']}家"
    assert m["信息公开率"].value == rate(e["annual_report"], e["registered"])
    assert m["财务收支公开率"].value == rate(e["finances"], e["registered"])
    by_town = table(at, "信息公开率（%）")
    towns = by_town.filter(pl.col("乡镇（街道）") != "合计")
    assert towns["登记组织（家）"].sum() == e["registered"]
    assert towns["公开年度工作报告（家）"].sum() == e["annual_report"]
    # The rate per township, against direct SQL for one of them.
    one = x.disclosure(demo_db, AS_OF, YUNFAN)
    row = towns.filter(pl.col("乡镇（街道）") == "云畈乡").row(0, named=True)
    assert row["信息公开率（%）"] == round(one["annual_report"] / one["registered"] * 100, 1)
    spec = chart(at, "登记组织2024年度工作报告公开率")
    assert len(spec["data"][0]["y"]) == 12  # one bar per township
    silent = next(e for e in at.expander if e.label.startswith("未公开2024年度工作报告的登记组织"))
    assert f"（{e['registered'] - e['annual_report']}家）" in silent.label


def test_eligibility_on_the_governance_page_matches_sql(app, demo_db):
    at = app(GOV)
    m = metrics(at)
    e = x.eligibility(demo_db, AS_OF)
    assert e["flagged_grants"] and e["flagged_awards"]  # the demo plants both
    assert m["存疑的资金安排"].value == f"{len(e['flagged_grants'])}项"
    assert m["存疑的资金安排"].delta == f"共核查{e['grants']}项"
    assert m["存疑的表彰奖励"].value == f"{len(e['flagged_awards'])}项"
    assert m["存疑的表彰奖励"].delta == f"共核查{e['awards']}项"
    assert m["存疑资金金额"].value == fmt.yuan(e["amount"])
    flags = table(at, "存疑原因")
    assert flags.height == len(e["flagged_grants"]) + len(e["flagged_awards"])
    assert set(flags["组织编号"]) == e["flagged_orgs"]
    assert flags["存疑原因"].str.contains("决定时在|信用等级|年报逾期未报").all()
    said = texts(at)
    # The rule is stated, with the line from the build's settings (orgdash.toml, default B).
    assert "或决定前最近一个年度的信用等级低于B级（基本守信，即C、D级）" in said
    assert "信用评价结果作为政府购买服务、评先评优的重要依据" in said
    assert (
        f"存疑原因（一项决定可有几条）：决定时在异常名录或失信名单中{e['listed']}项，"
        f"信用等级低于标准{e['low']}项，年报逾期未报{e['overdue']}项。"
    ) in said


def test_governance_sections_follow_the_township_filter(app, demo_db):
    at = app(GOV)
    at.sidebar.selectbox(key="f_township").set_value(YUNFAN).run()
    assert not at.exception
    m = metrics(at)
    mm = x.matters(demo_db, AS_OF, YUNFAN)
    assert m["重大事项"].value == f"{mm['matters']}项"
    d = x.disclosure(demo_db, AS_OF, YUNFAN)
    assert m["应公开的登记组织"].value == f"{d['registered']}家"
    e = x.eligibility(demo_db, AS_OF, YUNFAN)
    assert m["存疑的资金安排"].value == f"{len(e['flagged_grants'])}项"
    assert m["存疑的资金安排"].delta == f"共核查{e['grants']}项"
    assert set(table(at, "存疑原因")["组织编号"]) == e["flagged_orgs"]
    # Units are the township's communities now.
    assert "社区（村）" in table(at, "按时报告率（%）").columns


# ---------------------------------------------------------------- 资金, 组织, 总览, 大屏


def test_funding_page_lists_the_flagged_approvals(app, demo_db):
    at = app("views/funding.py")
    e = x.eligibility(demo_db, AS_OF)
    n = len(e["flagged_grants"])
    share = fmt.rate(float(e["amount"]) / _approved_to_orgs(demo_db))
    assert (
        f"2025年批复给社会组织的{e['grants']}个资助项目中，{n}个的受助组织在批复时存疑，"
        f"涉及批复资金{fmt.yuan(e['amount'])}（占{share}）"
    ) in texts(at)
    listed = table(at, "存疑原因")
    assert set(listed["项目编号"]) == e["flagged_grants"]
    assert round(listed["批复（万元）"].sum(), 2) == round(float(e["amount"]) / 10_000, 2)
    assert [h.value for h in at.subheader].count("2025年资格核查存疑的资助项目") == 1


def _approved_to_orgs(db: Path) -> float:
    from tests.dbutil import sql

    ((total,),) = sql(
        db,
        """select sum(approved_yuan) from grants
           where org_id is not null and year = 2025 and approved_on <= date '2025-12-31'""",
    )
    return float(total)


def test_a_flagged_organisation_profile_shows_every_new_record(app, demo_db):
    from tests.dbutil import sql

    org = sorted(x.eligibility(demo_db, AS_OF)["flagged_orgs"])[0]
    at = app("views/organizations.py", org=org)
    flags = x.org_flags(demo_db, AS_OF, org)
    assert flags
    (warning,) = [w.value for w in at.warning if w.value.startswith("资格核查")]
    assert "在决定时存疑" in warning
    labels = [t.label for t in at.tabs]
    assert f"资格核查（{flags}）" in labels
    ((party,),) = sql(
        demo_db,
        """select count(*) from party_org_coverage c join party_organizations p using (party_org_id)
           where c.org_id = $o and p.founded_on <= $d and (p.dissolved_on is null or p.dissolved_on > $d)
             and coalesce(c.covered_from, p.founded_on) <= $d
             and (c.covered_until is null or c.covered_until > $d)""",
        o=org,
        d=AS_OF,
    )
    ((members,),) = sql(
        demo_db, "select count(*) from federation_members where org_id = $o and joined_on <= $d",
        o=org, d=AS_OF,
    )  # fmt: skip
    ((matters,),) = sql(
        demo_db, "select count(*) from major_matter_reports where org_id = $o and matter_on <= $d",
        o=org, d=AS_OF,
    )  # fmt: skip
    ((shown,),) = sql(
        demo_db, "select count(*) from info_disclosures where org_id = $o and disclosed_on <= $d",
        o=org, d=AS_OF,
    )  # fmt: skip
    assert f"党组织（{party}）" in labels
    assert f"联合会（{members}）" in labels
    assert f"重大事项（{matters}）" in labels
    assert f"信息公开（{shown}）" in labels
    assert table(at, "存疑原因").height == flags


def test_overview_has_one_eligibility_line(app, demo_db):
    at = app()
    e = x.eligibility(demo_db, AS_OF)
    line = f"资格核查：2025年存疑资助{len(e['flagged_grants'])}项、表彰{len(e['flagged_awards'])}项"
    links = [ln for ln in at.get("page_link") if ln.proto.page == "governance"]
    assert [ln.value for ln in links] == [line]


def test_screen_attention_has_the_flagged_decisions(app, demo_db):
    at = app("views/screen.py")
    e = x.eligibility(demo_db, AS_OF)
    n = len(e["flagged_grants"]) + len(e["flagged_awards"])
    boxes = "".join(h.proto.body for h in at.get("html"))
    assert f"2025年资格核查存疑<b>{n}</b>项 <span>" in boxes
    assert (
        f"资金安排{len(e['flagged_grants'])}项（{fmt.yuan(e['amount'])}）、"
        f"表彰奖励{len(e['flagged_awards'])}项"
    ) in boxes


# ---------------------------------------------------------------- sources not imported


@pytest.fixture(scope="module")
def without_sources(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county that keeps none of the eight ledgers of issue 18, nor grants and awards."""
    out = tmp_path_factory.mktemp("nolinkage") / "warehouse.duckdb"
    return x.without(demo_db, out, (*x.LINKAGE_TABLES, "disbursements", "grants", "awards"))


def test_missing_sources_say_so_on_the_governance_page(without_sources, users_file):
    from tests.conftest import page_once

    with page_once(without_sources, users_file, GOV) as at:
        pass
    infos = " ".join(i.value for i in at.info)
    assert "重大事项报告暂无数据（未导入「重大事项报告」台账）" in infos
    assert "信息公开暂无数据（未导入「信息公开」台账）" in infos
    assert "资格核查暂无数据（未导入「资金安排」和「表彰奖励」）" in infos
    m = metrics(at)
    for label in ("重大事项", "按时报告率", "信息公开率", "存疑的资金安排"):
        assert label not in m  # no zeros the data never said


def test_missing_sources_say_so_on_a_profile(without_sources, users_file, monkeypatch):
    from tests.conftest import open_as

    monkeypatch.setenv("ORGDASH_DB", str(without_sources))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    at = open_as("admin", "views/organizations.py", org="SZ34012900592")
    infos = " ".join(i.value for i in at.info)
    for what in (
        "「党组织覆盖」台账",
        "「联合会成员」台账",
        "「重大事项报告」台账",
        "「信息公开」台账",
    ):
        assert f"暂无数据（未导入{what}）" in infos
    assert not [w for w in at.warning if w.value.startswith("资格核查")]
