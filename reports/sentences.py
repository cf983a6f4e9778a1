"""The report's sentences, written from plain rows (dicts) the way the bureau's speech writes them.

Every function returns a sentence, or None when its data is missing: a sentence is left out rather
than written with a zero the data never said. `place` is 全县 or the township's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from queries.indicators import catalogue, progress_phrase
from reports import wording as w

Row = dict[str, Any]

# The speech names each level's platform with its own noun.
PLATFORM_NOUNS = {
    "county": "县级社会组织党群服务中心",
    "township": "乡镇级社会组织服务平台",
    "village": "村级社会组织服务站",
}
LIST_NAMED = 10  # communities below the floor named one by one before "等N个"


def period(as_of: dt.date) -> str:
    """'2025年' for a year-end date, '2025年以来' for a date inside the year."""
    return f"{as_of.year}年" if (as_of.month, as_of.day) == (12, 31) else f"{as_of.year}年以来"


# 基本情况 ---------------------------------------------------------------------------------------


def basics(place: str, as_of: dt.date, row: Row, fields: Sequence[Row]) -> str:
    """The speech's opening sentence: totals, registered and filed, urban and rural averages, fields.

    fields: rows (field, field_label, count_active), largest first; 其他 is not a field to name.
    """
    head = w.as_of(as_of, place)
    if not row.get("count_active"):
        return f"{head}尚无登记备案的城乡社区社会组织。"
    text = f"{head}登记备案城乡社区社会组织{w.count(row['count_active'])}家"
    split = w.items([("登记", row["count_registered"]), ("备案", row["count_filed"])])
    clauses = [f"{text}，其中，{split}"]
    if row.get("count_urban_communities"):
        if row["count_urban"]:
            clauses.append(
                f"城市社区社会组织有{w.count(row['count_urban'])}家，"
                f"平均每个社区{w.average(row['avg_per_urban_community'])}家"
            )
        else:
            clauses.append("城市社区尚无社区社会组织")
    if row.get("count_rural_communities"):
        if row["count_rural"]:
            clauses.append(
                f"农村社区社会组织有{w.count(row['count_rural'])}家，"
                f"平均每个行政村{w.average(row['avg_per_rural_community'])}家"
            )
        else:
            clauses.append("农村社区尚无社区社会组织")
    named = [f["field_label"] for f in fields if f["field"] != "other" and f["count_active"]]
    sentence = "；".join(clauses)
    if named:
        # 等: the speech lists the fields as examples, and 其他 or unnamed ones remain.
        etc = len(named) > 1 or len(named) < len([f for f in fields if f["count_active"]])
        sentence += f"，在{w.join(named, etc=etc)}领域发挥着重要作用"
    return sentence + "。"


def basics_compare(place: str, row: Row, county: Row) -> str | None:
    """A township against the county: its share of the total and its averages beside the county's."""
    if not row.get("count_active") or not county.get("count_active"):
        return None
    parts = [
        f"{place}社区社会组织占全县总数的{w.percent(row['count_active'] / county['count_active'])}"
    ]
    for area, noun in (("urban", "城市社区平均每个社区"), ("rural", "农村社区平均每个行政村")):
        mine, theirs = row.get(f"avg_per_{area}_community"), county.get(f"avg_per_{area}_community")
        if mine is None or theirs is None or not row.get(f"count_{area}"):
            continue
        # One decimal here: 近23 beside 超过22 would hide which is higher.
        word = w.compare(mine, theirs)
        parts.append(
            f"{noun}{mine:.1f}家，{word}全县平均水平（{theirs:.1f}家）"
            if word != "持平于"
            else f"{noun}{mine:.1f}家，与全县平均水平持平"
        )
    return "；".join(parts) + "。"


def township_extremes(townships: Sequence[Row]) -> str | None:
    """Which township has the most organisations and which the fewest (county scope)."""
    rows = [t for t in townships if t.get("count_communities")]
    if len(rows) < 2:
        return None
    top = max(rows, key=lambda t: t["count_active"])
    low = min(rows, key=lambda t: t["count_active"])
    if top["count_active"] == low["count_active"]:
        return None
    return (
        f"从各乡镇（街道）看，{top['township_name']}最多，有{w.count(top['count_active'])}家；"
        f"{low['township_name']}最少，有{w.count(low['count_active'])}家。"
    )


# 党建引领 ---------------------------------------------------------------------------------------


def party(place: str, row: Row, county: Row | None = None) -> str | None:
    """党建入章率 and 清廉入章率 (均达100% when both are full), and party branches."""
    if not row.get("count_active"):
        return None
    p, i = row["party_in_charter_rate"], row["integrity_in_charter_rate"]
    if w.percent(p) == w.percent(i):
        verb = "均达" if p == 1 else "均为"
        text = f"{place}社区社会组织党建入章率和清廉入章率{verb}{w.percent(p)}"
        if county is not None and county.get("count_active"):
            cp, ci = county["party_in_charter_rate"], county["integrity_in_charter_rate"]
            text += (
                f"（全县均为{w.percent(cp)}）"
                if w.percent(cp) == w.percent(ci)
                else f"（全县分别为{w.percent(cp)}、{w.percent(ci)}）"
            )
    else:
        text = f"{place}社区社会组织党建入章率{w.percent(p)}、清廉入章率{w.percent(i)}"
        if county is not None and county.get("count_active"):
            text += (
                f"（全县分别为{w.percent(county['party_in_charter_rate'])}、"
                f"{w.percent(county['integrity_in_charter_rate'])}）"
            )
    branches = row.get("count_party_branch")
    if branches:
        text += f"，已建立党组织的有{w.count(branches)}家，占{w.percent(row['party_branch_rate'])}"
        if county is not None and county.get("count_active"):
            text += f"（全县为{w.percent(county['party_branch_rate'])}）"
    elif branches == 0:
        text += "，尚无组织建立党组织"
    return text + "。"


def party_coverage(place: str, row: Row | None) -> str | None:
    """The speech's 社区社会组织建立联合党支部: 「全县已建立联合党支部120个，覆盖社区社会组织871家，
    另有43家由单独党支部覆盖；党组织覆盖率41.2%，122个城乡社区实现党组织覆盖。」

    row: report/party_coverage. No 党组织 file, or no organisations (as party()): None; no
    党组织覆盖 file: the branches only."""
    if not row or not row.get("count_party_orgs_loaded") or not row["count_active"]:
        return None
    joint, single = row["count_joint_branches"], row["count_single_branches"]
    text = f"{place}已建立联合党支部{w.count(joint)}个" if joint else f"{place}尚未建立联合党支部"
    if not row.get("count_coverage_loaded"):
        if single:
            text += f"，单独党支部{w.count(single)}个"
        return text + "。"
    if joint:
        text += f"，覆盖社区社会组织{w.count(row['count_in_joint_branch'])}家"
    if row["count_own_branch_only"]:
        text += f"，另有{w.count(row['count_own_branch_only'])}家由单独党支部覆盖"
    text += f"；党组织覆盖率{w.percent(row['covered_rate'])}"
    if row["count_communities_covered"]:
        text += f"，{w.count(row['count_communities_covered'])}个城乡社区实现党组织覆盖"
    return text + "。"


# 平台建设 ---------------------------------------------------------------------------------------


def platforms(place: str, row: Row, when: str, county_scope: bool) -> str | None:
    """'目前，全县建有县级…1家、乡镇级…12家、村级…180家，形成了县、乡、村三级…体系。'"""
    if not row.get("count_platforms_loaded"):
        return None
    levels = ("county", "township", "village") if county_scope else ("township", "village")
    counts = [(PLATFORM_NOUNS[lv], row[f"count_{lv}"]) for lv in levels]
    listed = w.items(counts)
    if not listed:
        return f"{when}，{place}尚未建立社会组织服务平台。"
    text = f"{when}，{place}建有{listed}"
    if county_scope and all(n for _, n in counts):
        text += "，形成了县、乡、村三级社会组织服务平台体系"
    return text + "。"


def stations(place: str, row: Row) -> str | None:
    """How many communities have a village-level station and how many have none."""
    if not row.get("count_platforms_loaded") or not row.get("count_communities"):
        return None
    total, with_station = row["count_communities"], row["count_communities_with_station"]
    lead = (
        f"{place}{w.count(total)}个城乡社区"
        if place == "全县"
        else f"{place}辖区{w.count(total)}个城乡社区"
    )
    if with_station == total:
        return f"{lead}均已建有村级社会组织服务站。"
    if with_station == 0:
        return f"{lead}尚未建立村级社会组织服务站。"
    return (
        f"{lead}中，{w.count(with_station)}个已建有村级社会组织服务站，"
        f"覆盖率{w.percent(with_station / total)}；尚有{w.count(total - with_station)}个未建站。"
    )


# 资金支持 ---------------------------------------------------------------------------------------


def funding(place: str, as_of: dt.date, total: Row | None, sources: Sequence[Row]) -> str | None:
    """County: budget (by source), approved, disbursed, execution rate; budget left out if none."""
    if total is None:
        return None
    has_budget = bool(total.get("count_budget_rows"))
    has_grants = bool(total.get("count_grants"))
    if not has_budget and not has_grants:
        return None
    parts = []
    if has_budget:
        text = f"{period(as_of)}，{place}社区社会组织发展资金预算{w.money(total['budget_yuan'])}"
        by_source = w.items(
            [(s["fund_source_label"], s["budget_yuan"]) for s in sources if s.get("budget_yuan")],
            unit="元",
        )
        if len([s for s in sources if s.get("budget_yuan")]) > 1:
            text += f"，其中{by_source}"
        parts.append(text)
    if has_grants:
        lead = "" if has_budget else f"{period(as_of)}，{place}"
        grants = (
            f"{lead}已批复项目{w.count(total['count_grants'])}个、{w.money(total['approved_yuan'])}，"
            f"已拨付{w.money(total['disbursed_yuan'])}"
        )
        if has_budget and total.get("execution_rate") is not None:
            grants += f"，预算执行率{w.percent(total['execution_rate'])}"
        elif total.get("paid_rate") is not None:
            grants += f"，拨付率{w.percent(total['paid_rate'])}"
        parts.append(grants)
    return "；".join(parts) + "。"


def funding_township(
    place: str, as_of: dt.date, total: Row | None, county_total: Row | None
) -> str | None:
    """A township's grants (budgets are county-wide), beside the county's."""
    if total is None or not total.get("count_grants"):
        return None
    text = (
        f"{period(as_of)}，全县批复给{place}及所属社区、社会组织的项目{w.count(total['count_grants'])}个、"
        f"{w.money(total['approved_yuan'])}"
    )
    if county_total and county_total.get("approved_yuan"):
        text += (
            f"，占全县批复金额的{w.percent(total['approved_yuan'] / county_total['approved_yuan'])}"
        )
    text += f"；已拨付{w.money(total['disbursed_yuan'])}，拨付率{w.percent(total['paid_rate'])}"
    if county_total and county_total.get("paid_rate") is not None:
        text += f"（全县为{w.percent(county_total['paid_rate'])}）"
    return text + "。"


def funding_purposes(purposes: Sequence[Row]) -> str | None:
    """'按用途分，项目资助166.18万元（占54.8%）、平台运营60.24万元、…' largest first."""
    rows = [p for p in purposes if p.get("approved_yuan")]
    if not rows:
        return None
    first, rest = rows[0], rows[1:]
    parts = [
        f"{first['purpose_label']}{w.money(first['approved_yuan'])}"
        f"（占{w.percent(first['approved_share'])}）"
    ]
    parts += [f"{p['purpose_label']}{w.money(p['approved_yuan'])}" for p in rest]
    return f"按用途分，批复资金中{w.join(parts)}。"


def special_fund(row: Row | None) -> str | None:
    """'2021年以来，县级专项资金每年预算不少于200万元。' (needs two budgeted years or more)."""
    if not row or not row.get("count_years") or row["count_years"] < 2:
        return None
    if row["count_years"] != row["last_year"] - row["first_year"] + 1:
        return None  # a year without a budget row: "every year" would not be true
    return (
        f"{row['first_year']}年以来，县级专项资金每年预算不少于{w.money(row['min_budget_yuan'])}。"
    )


# 培训表彰 (speech: 优化环境 — 开展专业培训, 完善激励机制) ----------------------------------------

LEVEL_NOUNS = {"county": "县级", "township": "乡镇级", "community": "社区级"}


def trainings(place: str, as_of: dt.date, row: Row | None) -> str | None:
    """'2025年，全县举办社区社会组织培训23期，参训1137人次，其中县级4期、乡镇级12期、社区级7期。'"""
    if not row or not row.get("count_trainings_loaded"):
        return None
    if not row["count_trainings"]:
        return f"{period(as_of)}，{place}未举办社区社会组织培训。"
    text = (
        f"{period(as_of)}，{place}举办社区社会组织培训{w.count(row['count_trainings'])}期，"
        f"参训{w.count(row['participants'])}人次"
    )
    if row.get("org_count"):
        text += f"（{w.count(row['org_count'])}家次社会组织参加）"
    levels = [(noun, row[f"count_{lv}"]) for lv, noun in LEVEL_NOUNS.items()]
    if sum(1 for _, n in levels if n) > 1:
        text += f"，其中{w.items(levels, unit='期')}"
    return text + "。"


def awards(place: str, as_of: dt.date, rows: Sequence[Row]) -> str | None:
    """'2025年，全县社区社会组织获得各级表彰23项，其中省级1项、市级6项、县级16项。'"""
    if not rows or not rows[0].get("count_awards_loaded"):
        return None
    total = sum(r["count_awards"] for r in rows)
    if not total:
        return f"{period(as_of)}，{place}社区社会组织未获得表彰。"
    given = [(r["level_label"], r["count_awards"]) for r in rows if r["count_awards"]]
    if len(given) == 1:
        return f"{period(as_of)}，{place}社区社会组织获得{given[0][0]}表彰{w.count(total)}项。"
    return (
        f"{period(as_of)}，{place}社区社会组织获得各级表彰{w.count(total)}项，"
        f"其中{w.items(given, unit='项')}。"
    )


# 监督管理 ---------------------------------------------------------------------------------------


def annual_reports(place: str, row: Row | None, county: Row | None = None) -> str | None:
    """The latest report year due: due, submitted (on time, late), overdue, results."""
    if not row or not row.get("count_due"):
        return None
    text = (
        f"{row['report_year']}年度年报{place}应报{w.count(row['count_due'])}家，"
        f"已报送{w.count(row['count_submitted'])}家，报送率{w.percent(row['submission_rate'])}"
    )
    if county and county.get("count_due"):
        text += f"（全县为{w.percent(county['submission_rate'])}）"
    timing = w.items([("按期报送", row["count_on_time"]), ("逾期报送", row["count_late"])])
    if timing and row["count_late"]:
        text += f"，其中{timing}"
    if row["count_overdue"]:
        text += f"；尚有{w.count(row['count_overdue'])}家逾期未报"
    text += "。"
    results = w.items(
        [
            ("合格", row["count_pass"]),
            ("基本合格", row["count_basic_pass"]),
            ("不合格", row["count_fail"]),
        ]
    )
    if results:
        text += f"已报送年报中，{results}。"
    return text


def grades(place: str, rows: Sequence[Row], county_rows: Sequence[Row] | None = None) -> str | None:
    """Grades in force (5A first), the 3A-and-above share of registered organisations, expiring."""
    if not rows or not rows[0].get("count_evaluations_loaded"):
        return None
    total = sum(r["count_orgs"] for r in rows)
    registered = rows[0]["count_registered"]
    if not total:
        return None
    split = w.items([(f"{r['grade']}A级", r["count_orgs"]) for r in rows])
    top = sum(r["count_orgs"] for r in rows if r["grade"] >= 3)
    text = f"{place}等级评估在有效期内的社会组织{w.count(total)}家，其中{split}"
    if registered:
        text += f"；3A级以上{w.count(top)}家，占登记社会组织的{w.percent(top / registered)}"
        if county_rows:
            c_top = sum(r["count_orgs"] for r in county_rows if r["grade"] >= 3)
            c_reg = county_rows[0]["count_registered"]
            if c_reg:
                text += f"（全县为{w.percent(c_top / c_reg)}）"
    expiring = sum(r["count_expiring"] for r in rows)
    if expiring:
        text += f"；{w.count(expiring)}家的评估等级将在一年内到期"
    return text + "。"


def ratings(place: str, rows: Sequence[Row]) -> str | None:
    """'2025年信用评价156家，其中守信115家、…' (the latest rating year by the date)."""
    total = sum(r["count_orgs"] for r in rows)
    if not rows or not total:
        return None
    split = w.items([(r["rating_label"], r["count_orgs"]) for r in rows])
    return f"{rows[0]['year']}年{place}参加信用评价的社会组织{w.count(total)}家，其中{split}。"


def listings(place: str, when: str, rows: Sequence[Row]) -> str | None:
    """Organisations currently on the abnormal list and the serious-dishonesty list."""
    if not rows or not rows[0].get("count_listings_loaded"):
        return None
    listed = [(r["list_label"], r["count_orgs"]) for r in rows]
    if not any(n for _, n in listed):
        return f"{when}，{place}没有社区社会组织被列入{w.join(label for label, _ in listed)}。"
    parts = [f"列入{label}的{w.count(n)}家" for label, n in listed if n]
    return f"{when}，{place}社区社会组织中{w.join(parts)}。"


def inspections(place: str, as_of: dt.date, rows: Sequence[Row]) -> str | None:
    """'2025年开展专项抽查52家次，其中合规41家次、整改4家次、违规7家次。'"""
    total = sum(r["count_inspections"] for r in rows)
    if not total:
        return None
    split = w.items([(r["result_label"], r["count_inspections"]) for r in rows], unit="家次")
    subject = "" if place == "全县" else f"对{place}社区社会组织"
    return f"{period(as_of)}{subject}开展专项抽查{w.count(total)}家次，其中{split}。"


# The speech's 二是加强监督管理: 重大事项报告制度、信息公开制度; 四是开展信用评价: 资格核查.


def major_matters(place: str, as_of: dt.date, row: Row | None) -> str | None:
    """「落实重大事项报告制度，2025年全县社区社会组织发生重大事项50项，按时报告40项，按时报告率81.6%；
    逾期报告5项、逾期未报告4项（另有1项尚在10天报告期限内）。」 (report/major_matters)"""
    if not row or not row.get("count_matters_loaded"):
        return None
    head = f"落实重大事项报告制度，{period(as_of)}{place}社区社会组织"
    if not row["count_matters"]:
        return f"{head}未发生须报告的重大事项。"
    text = f"{head}发生重大事项{w.count(row['count_matters'])}项，按时报告{w.count(row['count_on_time'])}项"
    if row["on_time_rate"] is not None:
        text += f"，按时报告率{w.percent(row['on_time_rate'])}"
    behind = w.items(
        [("逾期报告", row["count_late"]), ("逾期未报告", row["count_overdue"])], unit="项"
    )
    if behind:
        text += f"；{behind}"
    if row["count_pending"]:
        text += f"（另有{w.count(row['count_pending'])}项尚在{row['report_days']}天报告期限内）"
    return text + "。"


def disclosure(place: str, row: Row | None) -> str | None:
    """「落实信息公开制度，全县应公开2024年度工作报告的登记社会组织148家，已公开120家，信息公开率81.1%，
    其中同时公开财务收支的100家。」 (report/disclosure; the rate is of registered organisations)"""
    if not row or not row.get("count_disclosures_loaded") or not row["count_registered_expected"]:
        return None
    year = row["disclosure_year"]
    text = (
        f"落实信息公开制度，{place}应公开{year}年度工作报告的登记社会组织"
        f"{w.count(row['count_registered_expected'])}家，已公开"
        f"{w.count(row['count_registered_annual_report'])}家，"
        f"信息公开率{w.percent(row['registered_annual_report_rate'])}"
    )
    if row["count_registered_finances"]:
        text += f"，公开财务收支的{w.count(row['count_registered_finances'])}家"
    filed = row["count_annual_report"] - row["count_registered_annual_report"]
    if filed:
        text += f"；另有{w.count(filed)}家备案的社区社会组织主动公开年度工作报告"
    return text + "。"


def eligibility(place: str, as_of: dt.date, row: Row | None) -> str | None:
    """The speech's 信用评价结果作为政府购买服务、评先评优的重要依据: 「经核查，2025年全县资金安排105项、
    表彰奖励23项中，有4项资助、1项表彰的对象在决定时处于活动异常名录或严重违法失信名单中、信用等级
    低于B级或年报逾期未报（在名录中的5项、信用等级低于B级的1项、年报逾期未报的4项，一项可有几种情况），
    涉及资金7.91万元。」 (report/eligibility)"""
    if not row or not (row.get("count_grants_loaded") or row.get("count_awards_loaded")):
        return None
    checked = w.items(
        [("资金安排", row["count_grants"]), ("表彰奖励", row["count_awards"])], unit="项"
    )
    if not checked:
        return None
    line = f"{row['min_rating']}级"
    head = f"经核查，{period(as_of)}{place}{checked}"
    if not (row["count_flagged_grants"] or row["count_flagged_awards"]):
        return (
            f"{head}的对象在决定时均不在活动异常名录或严重违法失信名单中，信用等级均不低于{line}，"
            "也没有逾期未报的年报。"
        )
    flagged = "、".join(
        f"{w.count(n)}项{noun}"
        for noun, n in (
            ("资助", row["count_flagged_grants"]),
            ("表彰", row["count_flagged_awards"]),
        )
        if n
    )
    why = [
        ("处于活动异常名录或严重违法失信名单中", "在名录中", row["count_listed"]),
        (f"信用等级低于{line}", f"信用等级低于{line}", row["count_below_rating_line"]),
        ("年报逾期未报", "年报逾期未报", row["count_overdue_report"]),
    ]
    shown = [(long, short, n) for long, short, n in why if n]
    text = f"{head}中，有{flagged}的对象在决定时"
    text += "、".join(long for long, _, _ in shown[:-1])
    text += ("或" if len(shown) > 1 else "") + shown[-1][0]
    if len(shown) > 1:
        counts = "、".join(f"{short}的{w.count(n)}项" for _, short, n in shown)
        text += f"（{counts}，一项可有几种情况）"
    if row["count_flagged_grants"] and float(row["flagged_amount_yuan"]):
        text += f"，涉及资金{w.money(row['flagged_amount_yuan'])}"
    return text + "。"


# 创新模式 (speech: 推行“三社联动”, 实施“微项目”计划, 推广“积分制”管理; 睦邻客厅星级评定) ----------


def linkage(place: str, as_of: dt.date, row: Row | None) -> str | None:
    """「全县以社区为平台、社会组织为载体、社会工作者为支撑推行“三社联动”，建成乡镇社工站12个、
    村（社区）社工室33个，47个社区（村）配备社会工作者，在岗社会工作者94名（其中持证71名），
    支持社区社会组织279家，2025年联合实施微项目22个；88个社区（村）实现“三社联动”，占71%。」

    row: report/linkage. Without the 社工站 and 社会工作者 files: None; a clause whose file is
    missing is left out (no micro-projects file: no joint micro-projects)."""
    if not row or not (row.get("count_stations_loaded") or row.get("count_workers_loaded")):
        return None
    parts = []
    if row["count_stations_loaded"]:
        built = w.items(
            [
                ("乡镇社工站", row["count_township_stations"]),
                ("村（社区）社工室", row["count_rooms"]),
            ],
            unit="个",
        )
        parts.append(f"建成{built}" if built else "尚未建成社工站（室）")
    if row["count_workers_loaded"]:
        if row["count_workers"]:
            parts.append(
                f"{w.count(row['count_communities_with_workers'])}个社区（村）配备社会工作者"
                if row["count_communities_with_workers"]
                else "社会工作者均在乡镇社工站"
            )
            parts.append(
                f"在岗社会工作者{w.count(row['count_workers'])}名"
                f"（其中持证{w.count(row['count_qualified_workers'])}名）"
            )
            parts.append(f"支持社区社会组织{w.count(row['count_supported'])}家")
            if row["count_projects_loaded"]:
                parts.append(
                    f"{period(as_of)}联合实施微项目{w.count(row['count_joint_micro_projects'])}个"
                )
        else:
            parts.append("尚无在岗社会工作者")
    lead = f"{place}以社区为平台、社会组织为载体、社会工作者为支撑推行“三社联动”，"
    text = lead + "，".join(parts)
    if row["count_communities"]:
        text += (
            f"；{w.count(row['count_linked'])}个社区（村）实现“三社联动”，"
            f"占{w.percent(row['count_linked'] / row['count_communities'])}"
        )
    return text + "。"


STAR_NOUNS = "一二三四五"


def micro_projects(place: str, as_of: dt.date, row: Row | None) -> str | None:
    """'2025年，全县社区社会组织围绕居民需求实施微项目84个，受益群众12864人次，投入资金131.54万元…'"""
    if not row or not row.get("count_projects_loaded"):
        return None
    if not row["count_projects"]:
        return f"{period(as_of)}，{place}尚无社区社会组织实施的微项目。"
    text = (
        f"{period(as_of)}，{place}社区社会组织围绕居民需求实施微项目{w.count(row['count_projects'])}个，"
        f"受益群众{w.count(row['beneficiaries'])}人次，投入资金{w.money(row['budget_yuan'])}"
    )
    status = w.items(
        [
            ("已结项", row["count_completed"]),
            ("实施中", row["count_ongoing"]),
            ("已立项待实施", row["count_planned"]),
        ],
        unit="个",
    )
    if status:
        text += f"，其中{status}"
    if row.get("satisfaction_rate") is not None:
        text += f"；已结项项目群众满意度平均{w.percent(row['satisfaction_rate'])}"
    text += "。"
    first, year = row.get("first_year"), row["year"]
    if first is not None and first < year and row.get("count_projects_total"):
        text += (
            f"{first}年以来累计实施微项目{w.count(row['count_projects_total'])}个，"
            f"受益群众{w.count(row['beneficiaries_total'])}人次。"
        )
    return text


def points(place: str, when: str, row: Row | None) -> str | None:
    """'2022年以来，全县在20个社区（村）试点推行“积分制”管理，近12个月有2627名居民获得积分…'"""
    if not row or not row.get("count_entries_loaded"):
        return None
    if not row["count_pilots"]:
        return f"{when}，{place}尚未试点推行“积分制”管理。"
    text = (
        f"{row['first_year']}年以来，{place}在{w.count(row['count_pilots'])}个社区（村）"
        f"试点推行“积分制”管理，近12个月有{w.count(row['count_residents_12m'])}名居民获得积分"
        f"{w.count(row['points_12m'])}分"
    )
    if row.get("residents_per_1000") is not None:
        text += f"，试点社区每千名常住人口中有{row['residents_per_1000']:.1f}人参与"
    return text + "。"


def lounges(place: str, when: str, rows: Sequence[Row]) -> str | None:
    """'目前，全县已评定星级的睦邻客厅46个，其中五星级7个、…；四星级以上15个，占32.6%。'"""
    if not rows or not rows[0].get("count_lounges_loaded"):
        return None
    total = sum(r["count_lounges"] for r in rows)
    if not total:
        return f"{when}，{place}尚无评定星级的睦邻客厅。"
    split = w.items(
        [(f"{STAR_NOUNS[r['stars'] - 1]}星级", r["count_lounges"]) for r in rows], unit="个"
    )
    top = sum(r["count_lounges"] for r in rows if r["stars"] >= 4)
    text = f"{when}，{place}已评定星级的睦邻客厅{w.count(total)}个，其中{split}"
    if top and top < total:
        text += f"；四星级以上{w.count(top)}个，占{w.percent(top / total)}"
    return text + "。"


# 与上年相比 -------------------------------------------------------------------------------------


def growth(
    place: str,
    row: Row,
    prev: Row | None,
    county: Row | None = None,
    county_prev: Row | None = None,
) -> str | None:
    """'全县社区社会组织2216家，比上年增加254家；其中登记156家，比上年增加3家；…'"""
    if not prev or not prev.get("count_active") or not row.get("count_active"):
        return None
    text = (
        f"{place}社区社会组织{w.count(row['count_active'])}家，"
        f"{w.change(row['count_active'], prev['count_active'])}"
    )
    if row["count_active"] != prev["count_active"]:
        text += f"，{'增长' if row['count_active'] > prev['count_active'] else '下降'}"
        text += w.percent(abs(row["count_active"] / prev["count_active"] - 1)) or ""
        if county and county_prev and county_prev.get("count_active"):
            ratio = county["count_active"] / county_prev["count_active"] - 1
            text += f"（全县{'增长' if ratio >= 0 else '下降'}{w.percent(abs(ratio))}）"
    text += (
        f"；其中登记{w.count(row['count_registered'])}家，"
        f"{w.change(row['count_registered'], prev['count_registered'])}"
        f"；备案{w.count(row['count_filed'])}家，{w.change(row['count_filed'], prev['count_filed'])}"
    )
    return text + "。"


def flows(as_of: dt.date, row: Row | None) -> str | None:
    """'2025年新成立298家、注销44家。'"""
    if not row or not (row["count_new"] or row["count_dissolved"]):
        return None
    split = w.items([("新成立", row["count_new"]), ("注销", row["count_dissolved"])])
    return f"{period(as_of)}{split}。"


def floor_change(row: Row, prev: Row | None) -> str | None:
    if not prev or not prev.get("count_active") or not row.get("count_communities"):
        return None
    n, p = row["count_communities_meeting_floor"], prev["count_communities_meeting_floor"]
    return f"达到国家标准的城乡社区{w.count(n)}个，{w.change(n, p, '个')}。"


def money_change(
    place: str, as_of: dt.date, total: Row | None, prev: Row | None, county_scope: bool
) -> str | None:
    """Budget (county only) and disbursed against the same date a year earlier."""
    if not total or not prev:
        return None
    parts = []
    if county_scope and total.get("count_budget_rows") and prev.get("count_budget_rows"):
        parts.append(
            f"资金预算{w.money(total['budget_yuan'])}，{w.change(total['budget_yuan'], prev['budget_yuan'], '元')}"
        )
    if total.get("count_grants") and prev.get("count_grants"):
        same_time = "" if (as_of.month, as_of.day) == (12, 31) else "同期"
        subject = "" if county_scope else f"{place}项目"
        parts.append(
            f"{subject}已拨付{w.money(total['disbursed_yuan'])}，"
            + w.change(total["disbursed_yuan"], prev["disbursed_yuan"], "元").replace(
                "比上年", f"比上年{same_time}"
            )
        )
    return "；".join(parts) + "。" if parts else None


def report_rate_change(row: Row | None, prev: Row | None) -> str | None:
    if not row or not prev or not row.get("count_due") or not prev.get("count_due"):
        return None
    return (
        f"{row['report_year']}年度年报报送率{w.percent(row['submission_rate'])}，"
        f"{w.rate_change(row['submission_rate'], prev['submission_rate'])}。"
    )


def grades_change(rows: Sequence[Row], prev: Sequence[Row]) -> str | None:
    if not rows or not prev or not rows[0].get("count_evaluations_loaded"):
        return None
    top = sum(r["count_orgs"] for r in rows if r["grade"] >= 3)
    before = sum(r["count_orgs"] for r in prev if r["grade"] >= 3)
    if not top and not before:
        return None
    return f"3A级以上社会组织{w.count(top)}家，{w.change(top, before)}。"


# 未达标社区 -------------------------------------------------------------------------------------

FLOOR_RULE = catalogue().floor_rule()  # the national floor (queries/indicators.toml)


def floor(place: str, row: Row, below: Sequence[Row], county: Row | None = None) -> str | None:
    """How many communities meet the floor, and the ones below it by name with their counts."""
    total = row.get("count_communities")
    if not total:
        return None
    meeting = row["count_communities_meeting_floor"]
    lead = f"{FLOOR_RULE}，{place}{w.count(total)}个城乡社区"
    if meeting == total:
        return f"{lead}均已达到标准。"
    text = f"{lead}中，{w.count(meeting)}个达到标准，达标率{w.percent(meeting / total)}"
    if county and county.get("count_communities"):
        text += f"（全县为{w.percent(county['count_communities_meeting_floor'] / county['count_communities'])}）"
    text += f"；尚有{w.count(total - meeting)}个未达标"
    groups = []
    for area, noun in (("urban", "城市社区"), ("rural", "行政村")):
        rows = [b for b in below if b["area_type"] == area]
        if not rows:
            continue
        names = [
            (
                f"{b['township_name']}{b['community_name']}"
                if place == "全县"
                else b["community_name"]
            )
            + f"{w.count(b['count_active'])}家"
            for b in rows[:LIST_NAMED]
        ]
        listed = w.join(names) + (f"等{len(rows)}个" if len(rows) > LIST_NAMED else "")
        groups.append(f"{noun}{w.count(len(rows))}个（{listed}）")
    if groups:
        text += "，其中" + "，".join(groups)
    return text + "。"


# 年度目标完成情况 ---------------------------------------------------------------------------------


def target(row: Row) -> str:
    """'年报报送率94.2%，距年度目标95%差0.8个百分点。' (and 按时间进度 for 资金执行率 before the
    year's end): the words the 总览 and the 大屏 use too (queries.indicators.progress_phrase)."""
    ind = catalogue()[row["indicator"]]
    default = row["target_basis"] == "default"
    goal = (ind.default_label or "默认目标") if default else "年度目标"
    text = progress_phrase(ind, row["actual"], row["target"], row.get("expected_now"), goal)
    if row["target_basis"] == "county":
        text += "（沿用全县目标）"
    return text + "。"
