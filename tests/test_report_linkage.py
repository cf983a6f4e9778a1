"""The report's sentences of issue 18 in the speech's words: party-organisation coverage (党建引领),
重大事项按时报告率, 信息公开率 and 资格核查 (强化监管), 三社联动 (创新模式), against direct SQL on the base
tables (tests/linkage_sql.py); no sentence when a source is missing; the PowerPoint carries them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pptx
import pytest

from reports import build, content
from reports import wording as w
from tests import linkage_sql as x

AS_OF = dt.date(2025, 12, 31)
CHENGGUAN = "340129001000"  # 城关街道: nothing flagged in 2025


@pytest.fixture(scope="module")
def county(demo_db: Path) -> content.Report:
    return content.build(demo_db, "county", AS_OF)


@pytest.fixture(scope="module")
def township(demo_db: Path) -> content.Report:
    return content.build(demo_db, CHENGGUAN, AS_OF)


def section(report: content.Report, key: str) -> str:
    return next(s for s in report.sections if s.key == key).text()


def party_sentence(place: str, p: dict) -> str:
    return (
        f"{place}已建立联合党支部{w.count(p['joint'])}个，覆盖社区社会组织{w.count(p['in_joint'])}家，"
        f"另有{w.count(p['covered'] - p['in_joint'])}家由单独党支部覆盖；"
        f"党组织覆盖率{w.percent(p['covered'] / p['active'])}，"
        f"{w.count(p['communities'])}个城乡社区实现党组织覆盖。"
    )


def linkage_sentence(place: str, e: dict) -> str:
    return (
        f"{place}以社区为平台、社会组织为载体、社会工作者为支撑推行“三社联动”，"
        f"建成乡镇社工站{w.count(e['township_stations'])}个、村（社区）社工室{w.count(e['rooms'])}个，"
        f"{w.count(e['communities_with_workers'])}个社区（村）配备社会工作者，"
        f"在岗社会工作者{w.count(e['workers'])}名（其中持证{w.count(e['qualified'])}名），"
        f"支持社区社会组织{w.count(e['supported'])}家，2025年联合实施微项目{w.count(e['joint'])}个；"
        f"{w.count(e['linked'])}个社区（村）实现“三社联动”，"
        f"占{w.percent(e['linked'] / e['communities'])}。"
    )


def test_party_coverage_sentence_matches_sql(county, township, demo_db):
    p = x.party(demo_db, AS_OF)
    assert p["joint"] > 100 and 0 < p["covered"] < p["active"]
    assert party_sentence("全县", p) in section(county, "party")
    figures = {f.label: f.value for f in county.sections[1].figures}
    assert figures["党组织覆盖率"] == w.percent(p["covered"] / p["active"])
    assert party_sentence("城关街道", x.party(demo_db, AS_OF, CHENGGUAN)) in section(
        township, "party"
    )


def test_major_matters_and_disclosure_sentences_match_sql(county, township, demo_db):
    m = x.matters(demo_db, AS_OF)
    text = section(county, "supervision")
    assert (
        f"落实重大事项报告制度，2025年全县社区社会组织发生重大事项{m['matters']}项，"
        f"按时报告{m['on_time']}项，"
        f"按时报告率{w.percent(m['on_time'] / (m['on_time'] + m['late'] + m['overdue']))}；"
        f"逾期报告{m['late']}项、逾期未报告{m['overdue']}项"
        + (f"（另有{m['pending']}项尚在10天报告期限内）" if m["pending"] else "")
        + "。"
    ) in text
    d = x.disclosure(demo_db, AS_OF)
    assert (
        f"落实信息公开制度，全县应公开2024年度工作报告的登记社会组织{d['registered']}家，"
        f"已公开{d['annual_report']}家，信息公开率{w.percent(d['annual_report'] / d['registered'])}，"
        f"公开财务收支的{d['finances']}家。"
    ) in text
    t = x.matters(demo_db, AS_OF, CHENGGUAN)
    assert f"2025年城关街道社区社会组织发生重大事项{t['matters']}项" in section(
        township, "supervision"
    )


def test_eligibility_sentence_matches_sql(county, township, demo_db):
    e = x.eligibility(demo_db, AS_OF)
    grants, awards = len(e["flagged_grants"]), len(e["flagged_awards"])
    assert grants and awards and e["listed"] and e["low"] and e["overdue"]
    assert (
        f"经核查，2025年全县资金安排{e['grants']}项、表彰奖励{e['awards']}项中，"
        f"有{grants}项资助、{awards}项表彰的对象在决定时处于活动异常名录或严重违法失信名单中、"
        f"信用等级低于B级或年报逾期未报（在名录中的{e['listed']}项、信用等级低于B级的{e['low']}项、"
        f"年报逾期未报的{e['overdue']}项，一项可有几种情况），涉及资金{w.money(e['amount'])}。"
    ) in section(county, "supervision")
    # A township where nothing was flagged: the zero the data states is written.
    t = x.eligibility(demo_db, AS_OF, CHENGGUAN)
    assert not t["flagged_grants"] and not t["flagged_awards"]
    assert (
        f"经核查，2025年城关街道资金安排{t['grants']}项、表彰奖励{t['awards']}项的对象在决定时"
        "均不在活动异常名录或严重违法失信名单中，信用等级均不低于B级，也没有逾期未报的年报。"
    ) in section(township, "supervision")


def test_linkage_sentence_opens_the_innovation_section(county, township, demo_db):
    first = section(county, "innovation").split("\n")[0]
    assert first == linkage_sentence("全县", x.linkage(demo_db, AS_OF))
    assert linkage_sentence("城关街道", x.linkage(demo_db, AS_OF, CHENGGUAN)) in section(
        township, "innovation"
    )


def test_a_slide_carries_the_new_sentences(county, demo_db):
    deck = pptx.Presentation(io.BytesIO(build.render(county, "pptx", with_charts=False)))
    slides = [
        "\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in deck.slides
    ]
    supervision = next(t for t in slides if "（三）强化监管：监督管理" in t)
    assert "落实重大事项报告制度" in supervision and "经核查，2025年全县资金安排" in supervision
    assert party_sentence("全县", x.party(demo_db, AS_OF)) in next(
        t for t in slides if "（一）夯实基础：党建引领" in t
    )
    innovation = next(t for t in slides if t.startswith("（四）创新模式"))
    assert linkage_sentence("全县", x.linkage(demo_db, AS_OF)) in innovation


@pytest.fixture(scope="module")
def bare(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> content.Report:
    """A county without the eight ledgers, grants and awards: nothing to say about them."""
    out = tmp_path_factory.mktemp("bare") / "warehouse.duckdb"
    db = x.without(demo_db, out, (*x.LINKAGE_TABLES, "disbursements", "grants", "awards"))
    return content.build(db, "county", AS_OF)


def test_missing_sources_give_no_sentence(bare):
    text = bare.text()
    for words in (
        "联合党支部",
        "党组织覆盖率",
        "重大事项",
        "信息公开",
        "经核查",
        "三社联动",
        "社会工作者",
    ):
        assert words not in text, words
    # The sections themselves stay, with what the other sources say.
    assert "党建入章率" in text and "年度年报" in text
