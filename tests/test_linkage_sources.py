"""三社联动, party organisations, federations, major matters and disclosures: the eight optional
sources' rules (one bad row in, the named reject out), their lists of organisations, their
absence, the 导入 and 上报 flows, and the township copies."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest

from etl import rounds
from etl.config import EtlConfig
from etl.pipeline import check_dir, load_dir
from etl.read import identify_by_content
from etl.sources import SOURCES_BY_NAME
from etl.staging import stage
from queries import scope
from tests import minidata
from tests.dbutil import sql

LENIENT = EtlConfig(max_reject_share=1.0)  # rule tests look at rows, not the share threshold
LINKAGE = {
    "社工站.csv": "social_work_stations",
    "社会工作者.csv": "social_workers",
    "党组织.csv": "party_organizations",
    "党组织覆盖.csv": "party_org_coverage",
    "联合会.csv": "federations",
    "联合会成员.csv": "federation_members",
    "重大事项报告.csv": "major_matter_reports",
    "信息公开.csv": "info_disclosures",
}

# A second township with one community and one organisation, for the rules about areas.
NEW_TOWN = {
    "行政区划.csv": "341100002000,新城镇,乡镇,341100000000,,,,,117.2,31.2\n"
    "341100002001,新城社区,社区,341100002000,居委会,111,3000,1000,117.2,31.2\n",
    "社会组织名录.csv": "O8,丁协会,,备案,,为民服务,341100002001,2022-01-01,,钱七,,5,1,是,是,否,镇\n",
}
# Another organisation in 东门社区 (for the single branch covering two).
O9 = {
    "社会组织名录.csv": "O9,戊队,,备案,,为民服务,341100001001,2022-01-01,,孙八,,5,1,是,是,是,街道\n"
}


def with_(*extras: dict[str, str]) -> dict[str, str]:
    """Extra rows of several files put together (rows of one file one after the other)."""
    out: dict[str, str] = {}
    for e in extras:
        for k, v in e.items():
            out[k] = out.get(k, "") + v
    return out


CASES = [
    # (what, extra rows, file, Excel row, column as headed, rule)
    *[(what, {"社工站.csv": row + "\n"}, "社工站.csv", 4, column, rule) for what, row, column, rule in [
        ("station in an unknown township", "S3,新站,乡镇社工站,341100009000,,2022-01-01", "所属乡镇代码", "division_exists"),
        ("station's township is a community", "S3,新站,乡镇社工站,341100001001,,2022-01-01", "所属乡镇代码", "is_township"),
        ("room without its community", "S3,某社工室,社工室,341100001000,,2022-01-01", "社区代码", "community_required"),
        ("room in a township, not a community", "S3,某社工室,社工室,341100001000,341100001000,2022-01-01", "社区代码", "is_community"),
        ("station opened after as-of", "S3,新站,乡镇社工站,341100001000,,2026-02-01", "建站日期", "after_as_of"),
        ("unknown station level", "S3,新站,县级社工站,341100001000,,2022-01-01", "层级", "enum"),
        ("station without a name", "S3,,乡镇社工站,341100001000,,2022-01-01", "名称", "required"),
    ]],
    ("room outside its township", with_({"社工站.csv": "S3,新城社工室,村（社区）社工室,341100001000,341100002001,2022-01-01\n"}, NEW_TOWN),
     "社工站.csv", 4, "社区代码", "community_in_township"),
    ("duplicate station", {"社工站.csv": "S1,重复,乡镇社工站,341100001000,,2022-01-01\n"}, "社工站.csv", 2, "社工站编号", "duplicate"),
    *[(what, {"社会工作者.csv": row + "\n"}, "社会工作者.csv", 5, column, rule) for what, row, column, rule in [
        ("worker id is a mobile number", "13800138000,S1,,社会工作师,O1,2022-01-01,", "社工编号", "pseudonymous"),
        ("worker id is an ID card number", "34112219800101123X,S1,,无,,2022-01-01,", "社工编号", "pseudonymous"),
        ("worker with neither station nor community", "SG009,,,无,,2022-01-01,", "社工站编号", "station_or_community"),
        ("worker of an unknown station", "SG009,S9,,无,,2022-01-01,", "社工站编号", "station_exists"),
        ("worker in a room, another community", "SG009,S2,341100001201,无,,2022-01-01,", "社区代码", "community_matches_station"),
        ("worker supporting an unknown organisation", 'SG009,S1,,无,"O1、O77",2022-01-01,', "服务的社会组织", "org_exists"),
        ("worker leaving before joining", "SG009,S1,,无,,2022-01-01,2021-01-01", "离职日期", "left_after_joined"),
        ("worker joining after as-of", "SG009,S1,,无,,2026-01-05,", "入职日期", "after_as_of"),
        ("unknown qualification", "SG009,S1,,社工证,,2022-01-01,", "职业资格", "enum"),
        ("worker without a joining date", "SG009,S1,,无,,,", "入职日期", "required"),
    ]],
    ("worker's community outside the station's township", with_({"社会工作者.csv": "SG009,S1,341100002001,无,,2022-01-01,\n"}, NEW_TOWN),
     "社会工作者.csv", 5, "社区代码", "community_in_station_area"),
    ("worker supporting another township's organisation", with_({"社会工作者.csv": "SG009,S1,,无,O8,2022-01-01,\n"}, NEW_TOWN),
     "社会工作者.csv", 5, "服务的社会组织", "org_in_township"),
    *[(what, {"党组织.csv": row + "\n"}, "党组织.csv", 4, column, rule) for what, row, column, rule in [
        ("party organisation in an unknown division", "P3,新支部,联合党支部,341100009001,2022-01-01,", "所属大党委区划代码", "division_exists"),
        ("party organisation in the county's 大党委", "P3,新支部,联合党支部,341100000000,2022-01-01,", "所属大党委区划代码", "township_or_community"),
        ("party organisation founded after as-of", "P3,新支部,联合党支部,341100001001,2026-02-01,", "成立日期", "after_as_of"),
        ("party organisation dissolved before founded", "P3,新支部,联合党支部,341100001001,2022-01-01,2021-01-01", "撤销日期", "dissolved_after_founded"),
        ("unknown kind of party organisation", "P3,新支部,临时党支部,341100001001,2022-01-01,", "组建方式", "enum"),
    ]],
    *[(what, {"党组织覆盖.csv": row + "\n"}, "党组织覆盖.csv", 6, column, rule) for what, row, column, rule in [
        ("coverage by an unknown party organisation", "P9,O1,,2022-01-01,", "党组织编号", "party_org_exists"),
        ("coverage of an unknown organisation", "P1,O77,,2022-01-01,", "组织编号", "org_exists"),
        ("coverage naming neither", "P1,,,2022-01-01,", "组织编号", "org_or_community"),
        ("coverage naming both", "P1,O2,341100001201,2022-01-01,", "社区代码", "org_or_community"),
        ("joint branch covering another community's organisation", "P1,O1,,2022-01-01,", "组织编号", "in_party_area"),
        ("joint branch covering another community", "P1,,341100001001,2022-01-01,", "社区代码", "in_party_area"),
        ("coverage before the party organisation was founded", "P1,O2,,2021-01-01,", "纳入日期", "covered_after_founded"),
        ("coverage ending before it began", "P1,O2,,2022-01-01,2021-09-01", "退出日期", "until_after_from"),
        ("coverage of a township", "P1,,341100001000,2022-01-01,", "社区代码", "is_community"),
    ]],
    ("single branch covering a second organisation", with_({"党组织覆盖.csv": "P2,O9,,2022-01-01,\n"}, O9),
     "党组织覆盖.csv", 5, "组织编号", "single_branch_one_org"),  # both rows; the first is row 5
    *[(what, {"联合会.csv": row + "\n"}, "联合会.csv", 4, column, rule) for what, row, column, rule in [
        ("federation level disagrees with its division", "F3,新协会,行业协会,县级,341100001000,2022-01-01", "层级", "level_division"),
        ("federation in an unknown division", "F3,新协会,行业协会,乡镇级,341100009000,2022-01-01", "所在区划代码", "division_exists"),
        ("federation founded after as-of", "F3,新协会,行业协会,县级,341100000000,2026-01-02", "成立日期", "after_as_of"),
        ("unknown kind of federation", "F3,新协会,商业联盟会,县级,341100000000,2022-01-01", "类型", "enum"),
    ]],
    *[(what, {"联合会成员.csv": row + "\n"}, "联合会成员.csv", 5, column, rule) for what, row, column, rule in [
        ("member of an unknown federation", "F9,O1,2022-03-01,", "联合会编号", "federation_exists"),
        ("member that is an unknown organisation", "F1,O77,2022-03-01,", "组织编号", "org_exists"),
        ("joined before the federation was founded", "F2,O2,2021-06-01,", "加入日期", "joined_after_founded"),
        ("joined before the organisation existed", "F1,O2,2021-02-01,", "加入日期", "org_active"),
        ("joined after the organisation was dissolved", "F1,O3,2024-06-01,", "加入日期", "org_active"),
        ("left before joining", "F1,O2,2022-03-01,2022-01-01", "退出日期", "left_after_joined"),
        ("joined after as-of", "F1,O2,2026-03-01,", "加入日期", "after_as_of"),
    ]],
    ("member of another township's federation", with_({"联合会成员.csv": "F2,O8,2022-03-01,\n"}, NEW_TOWN),
     "联合会成员.csv", 5, "组织编号", "member_in_area"),
    ("duplicate membership", {"联合会成员.csv": "F1,O1,2021-03-01,\n"}, "联合会成员.csv", 2, "联合会编号", "duplicate"),
    *[(what, {"重大事项报告.csv": row + "\n"}, "重大事项报告.csv", 5, column, rule) for what, row, column, rule in [
        ("matter of an unknown organisation", "O77,重大活动,2025-05-01,2025-05-03,", "组织编号", "org_exists"),
        ("future matter not reported ahead", "O1,重大活动,2026-02-01,,", "事项日期", "after_as_of"),
        ("matter reported after as-of", "O1,重大活动,2025-12-20,2026-01-05,", "报告日期", "after_as_of"),
        ("matter before the organisation existed", "O2,重大活动,2021-01-01,2021-01-05,", "事项日期", "org_active"),
        ("matter after the organisation was dissolved", "O3,重大活动,2024-06-01,2024-06-05,", "事项日期", "org_active"),
        ("unknown kind of matter", "O1,年度检查,2025-05-01,2025-05-03,", "事项类型", "enum"),
        ("matter without a date", "O1,重大活动,,2025-05-03,", "事项日期", "required"),
    ]],
    ("the same matter twice", {"重大事项报告.csv": "O1,重大活动,2025-09-20,2025-09-02,又报一次\n"},
     "重大事项报告.csv", 3, "组织编号", "duplicate"),
    *[(what, {"信息公开.csv": row + "\n"}, "信息公开.csv", 5, column, rule) for what, row, column, rule in [
        ("disclosure of an unknown organisation", "O77,年度工作报告,2024,2025-04-01,网站", "组织编号", "org_exists"),
        ("disclosed after as-of", "O1,财务收支,2025,2026-01-10,网站", "公开日期", "after_as_of"),
        ("disclosed before its year", "O1,活动开展情况,2025,2024-12-01,网站", "公开日期", "disclosed_in_or_after_year"),
        ("annual work report disclosed within its year", "O1,年度工作报告,2025,2025-06-01,网站", "公开日期", "report_after_year"),
        ("disclosure for a year before the organisation existed", "O2,活动开展情况,2020,2021-05-01,社区公示栏", "年度", "org_active"),
        ("unknown disclosure item", "O1,会议纪要,2024,2025-04-01,网站", "公开事项", "enum"),
        ("unknown channel", "O1,财务收支,2024,2025-04-01,报纸", "公开渠道", "enum"),
        ("year not readable", "O1,财务收支,二〇二四,2025-04-01,网站", "年度", "type_year"),
    ]],
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "extra", "file", "row", "column", "rule"), CASES, ids=[c[0] for c in CASES]
)
def test_rule_rejects_the_row(tmp_path, what, extra, file, row, column, rule):
    result = check_dir(minidata.write(tmp_path, extra_rows=extra), config=LENIENT)
    rejects = result.rejects.filter(file=file, rule=rule)
    assert rejects.height >= 1, f"{what}: {result.rejects.to_dicts()}"
    hit = rejects.row(0, named=True)
    assert hit["row"] == row  # the row number the clerk sees (header is row 1)
    assert hit["column"] == column
    assert hit["source"] == LINKAGE[file]
    assert hit["message"] and not hit["message"].isascii()  # a Chinese sentence, not a code
    # Only the bad row is rejected: the rest of the file still loads.
    checked = next(c for c in result.checked if c.file == file)
    assert checked.accepted.height == checked.rows_read - checked.rows_rejected
    assert checked.rows_rejected == (2 if rule in ("single_branch_one_org", "duplicate") else 1)


def test_the_mini_set_loads_every_linkage_row(tmp_path):
    result = check_dir(minidata.write(tmp_path), config=LENIENT)
    assert result.ok and result.rejects.is_empty(), result.rejects.to_dicts()
    got = {c.source.name: c.accepted.height for c in result.checked}
    for file, source in LINKAGE.items():
        assert got[source] == len(minidata.FILES[file].splitlines()) - 1, source


def test_messages_name_what_to_fix(tmp_path):
    extra = {
        "社会工作者.csv": 'SG009,S1,,无,"O1、O77、SZ000",2022-01-01,\n',
        "党组织覆盖.csv": "P1,O1,,2022-01-01,\n",
        "联合会.csv": "F3,新协会,行业协会,县级,341100001000,2022-01-01\n",
    }
    result = check_dir(minidata.write(tmp_path, extra_rows=extra), config=LENIENT)
    msg = {r["rule"]: r["message"] for r in result.rejects.to_dicts()}
    assert "「O77、SZ000」在社会组织名录中找不到" in msg["org_exists"]
    assert "组织「甲协会」在东门社区" in msg["in_party_area"]
    assert "河口村“大党委”" in msg["in_party_area"]
    assert "该代码是乡镇（街道）" in msg["level_division"]


def test_a_worker_number_that_is_a_real_identity_is_masked_in_the_report(tmp_path):
    extra = {"社会工作者.csv": "34112219800101123X,S1,,无,,2022-01-01,\n"}
    result = check_dir(minidata.write(tmp_path, extra_rows=extra), config=LENIENT)
    hit = result.rejects.filter(rule="pseudonymous")
    assert hit["value"].to_list() == ["341****3X"]
    assert "34112219800101123X" not in str(result.rejects.to_dicts())


def test_organisations_in_one_cell_as_clerks_write_them(tmp_path):
    """、，; spaces and line breaks separate; credit codes become org ids; 无 is none; repeats go."""
    extra = {
        "社会工作者.csv": f'SG010,S1,,无,"o1 ，O2\nO1",2022-01-01,\n'
        f'SG011,S2,,无,"{minidata.CREDIT.lower()}；O1",2022-01-01,\n'
        "SG012,S1,,无,暂无,2022-01-01,\n"
        "SG013,S1,,无,,2022-01-01,\n"
    }
    result = check_dir(minidata.write(tmp_path, extra_rows=extra), config=LENIENT)
    assert result.rejects.is_empty(), result.rejects.to_dicts()
    workers = next(c for c in result.checked if c.source.name == "social_workers").accepted
    got = dict(zip(workers["worker_id"], workers["supported_org_ids"].to_list(), strict=True))
    assert got["SG010"] == ["O1", "O2"]
    assert got["SG011"] == ["O1"]  # the credit code is O1's: one organisation, one id
    assert got["SG002"] == ["O1"]  # the mini set names O1 by its credit code
    assert got["SG012"] == [] and got["SG013"] is None


def test_an_organisation_rejected_upstream_is_named_as_the_root(tmp_path):
    bad = minidata.FILES["社会组织名录.csv"].replace("O2,乙队", "O2,")  # O2 loses its name
    result = check_dir(minidata.write(tmp_path, replace={"社会组织名录.csv": bad}), config=LENIENT)
    workers = next(c for c in result.checked if c.source.name == "social_workers")
    hit = result.rejects.filter(source="social_workers")
    assert hit.height == 1 and "本身被拒收" in hit["message"][0] and "第3行" in hit["message"][0]
    assert workers.rows_upstream == 1 and workers.reject_share == 0.0
    assert any("社会组织名录第3行被拒收" in n and "社会工作者" in n for n in result.upstream_notes)


def test_the_linkage_files_are_optional_and_their_tables_say_no_data(tmp_path):
    folder = minidata.write(tmp_path / "raw", replace=dict.fromkeys(LINKAGE, ""))
    result = load_dir(folder, tmp_path / "w.duckdb")
    labels = {SOURCES_BY_NAME[s].label for s in LINKAGE.values()}
    noted = {
        lab for lab in labels for n in result.check.notes if f"未提供「{lab}」文件（可选）" in n
    }
    assert noted == labels
    db = tmp_path / "w.duckdb"
    for source in LINKAGE.values():
        assert sql(db, f"select count(*) from {source}") == [(0,)]
    on = "date '2025-12-31'"
    # No data is null, never a zero that reads as "none here".
    assert sql(db, f"select distinct count_workers, is_linked from linkage_by_community({on})") == [
        (None, None)
    ]
    assert sql(db, f"select distinct is_covered from party_coverage_by_org({on})") == [(None,)]
    assert sql(db, f"select distinct is_member from federation_membership_by_org({on})") == [
        (None,)
    ]
    assert sql(db, f"select distinct count_matters from major_matter_by_township({on})") == [
        (None,)
    ]
    assert sql(db, f"select distinct annual_report_rate from disclosure_by_township({on})") == [
        (None,)
    ]
    # The micro-projects still count, linked or not.
    assert sql(db, f"select sum(count_micro_projects) from linkage_by_community({on})") == [(2,)]


@pytest.mark.parametrize("file", sorted(LINKAGE))
def test_a_file_named_any_old_way_is_recognised_by_its_headers(tmp_path, file):
    path = tmp_path / "上报的表格.csv"
    path.write_text(minidata.FILES[file], encoding="utf-8")
    found = identify_by_content(path)
    assert found is not None and found.name == LINKAGE[file]


# ---------------------------------------------------------------- the 导入 page and 上报 rounds


def site(tmp_path: Path, extra: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """A live warehouse loaded from the mini set (with its files archived, as a load keeps them)."""
    replace: dict[str, str | bytes] = dict.fromkeys(drop, "")
    folder = minidata.write(tmp_path / "raw", extra_rows=extra, replace=replace)
    db = tmp_path / "site" / "warehouse.duckdb"
    load_dir(folder, db)
    return db


def test_an_upload_on_the_import_page_is_staged_by_its_headers(tmp_path):
    db = site(tmp_path, drop=("社工站.csv", "社会工作者.csv"))  # a county without a station ledger
    stations = (
        "乡镇（街道）社工站台账\n"  # a title row above the header
        "社工站编号,名称,层级,所属乡镇代码,社区代码,建站日期\n"
        "S1,城关街道社工站,乡镇社工站,341100001000,,2021年6月1日\n"
        "S2,东门社区社工室,社工室,341100001000,,2022-03-01\n"  # no community: rejected
    ).encode("gb18030")
    staged = stage(db, [("2026年一季度台账.csv", stations)], user="录入员")
    assert staged.replaced == [("social_work_stations", "2026年一季度台账.csv")]
    checked = {c.source.name: c for c in staged.check.checked}
    assert checked["social_work_stations"].rows_read == 2
    assert staged.report is not None
    report = pl.read_csv(staged.report.with_suffix(".csv"))
    assert report.select("数据", "行号", "列", "规则").rows() == [
        ("社工站", 4, "社区代码", "community_required")
    ]


def two_town_site(tmp_path: Path, drop: tuple[str, ...] = ()) -> Path:
    return site(tmp_path, extra=NEW_TOWN, drop=drop)


def test_a_township_submits_its_own_major_matters_and_stations_in_a_round(tmp_path):
    db = two_town_site(tmp_path, drop=("社工站.csv", "社会工作者.csv"))
    town = "341100001000"
    rounds.open_round(db, "2026Q1", dt.date(2026, 4, 10), "admin")
    matters = (
        "组织编号,事项类型,事项日期,报告日期,事项内容\n"
        "O1,变更法定代表人/负责人,2025-03-10,2025-03-15,换届选举产生新任会长\n"
        "O1,重大活动,2025-09-20,2025-09-01,举办邻里文化节\n"
        "O1,大额资金使用,2025-06-01,,抽查发现未报告\n"
        "O1,重大活动,2026-02-10,2026-02-12,新春游园\n"
        "O8,重大活动,2026-02-10,2026-02-12,新城镇的事项\n"  # another township's organisation
    ).encode()
    stations = (
        "社工站编号,名称,层级,所属乡镇代码,社区代码,建站日期\n"
        "S1,城关街道社工站,乡镇社工站,341100001000,,2021-06-01\n"
        "S9,新城镇社工站,乡镇社工站,341100002000,,2022-06-01\n"  # another township's station
    ).encode()
    sub = rounds.submit(
        db, "2026Q1", town, [("重大事项.csv", matters), ("乡镇社工站.csv", stations)], "clerk"
    )
    assert sub.accepted, sub.failures
    assert sub.sources["major_matter_reports"].rows == 4
    assert sub.sources["social_work_stations"].rows == 1  # the live build had no station file
    foreign = sub.rejects().filter(pl.col("规则") == "other_township")
    assert sorted(foreign["列"].to_list()) == ["所属乡镇代码", "组织编号"]
    assert all("新城镇" in m for m in foreign["问题及处理办法"])
    loaded = rounds.load_round(db, "2026Q1", "admin")
    assert loaded.result.check.ok
    assert sql(db, "select count(*) from major_matter_reports where matter_on = '2026-02-10'") == [
        (1,)
    ]
    assert sql(db, "select station_id from social_work_stations") == [("S1",)]


def test_a_county_federation_is_refused_to_a_township(tmp_path):
    db = two_town_site(tmp_path)
    rounds.open_round(db, "2026Q1", dt.date(2026, 4, 10), "admin")
    feds = (
        "联合会编号,名称,类型,层级,所在区划代码,成立日期\n"
        "F1,测试县社区社会组织联合会,联合会,县级,341100000000,2021-01-01\n"
        "F2,城关街道文体协会,行业协会,乡镇级,341100001000,2022-01-01\n"
    ).encode()
    sub = rounds.submit(db, "2026Q1", "341100001000", [("联合会.csv", feds)], "clerk")
    refused = sub.rejects().filter(pl.col("规则") == "county_level")
    assert refused["行号"].to_list() == [2] and "县级的联合会" in refused["问题及处理办法"][0]
    assert sub.sources["federations"].rows == 1


def test_the_submit_page_lists_what_townships_submit():
    for source in LINKAGE.values():
        assert source in rounds.SUBMITTABLE
        assert rounds.TOWNSHIP_RULES[source][1].startswith("按")


# ---------------------------------------------------------------- township copies


def test_a_township_copy_keeps_only_its_linkage_rows(tmp_path):
    db = two_town_site(tmp_path)
    # A second township's rows in every linkage table.
    live = Path(db).resolve()
    town = "341100002000"
    copy = scope.view_file(db, live, town, masked=False)
    for source in LINKAGE.values():
        if source == "federations":
            continue
        assert sql(copy, f"select count(*) from {source}") == [(0,)], source
    # County-level federations stay (public), township ones of others go; the rule settings stay.
    assert sql(copy, "select federation_id from federations") == [("F1",)]
    assert sql(copy, "select count(*) from rule_settings") == [(2,)]
    own = scope.view_file(db, live, "341100001000", masked=False)
    for source in LINKAGE.values():
        assert sql(own, f"select count(*) from {source}") == sql(
            live, f"select count(*) from {source}"
        ), source


# ---------------------------------------------------------------- configuration


def test_the_rule_days_and_the_rating_line_come_from_orgdash_toml(tmp_path, monkeypatch):
    toml = tmp_path / "orgdash.toml"
    toml.write_text('[major_matters]\nreport_days = 3\n[eligibility]\nmin_rating = "C"\n', "utf-8")
    monkeypatch.setenv("ORGDASH_CONFIG", str(toml))
    db = site(tmp_path)
    assert sql(db, "select name, value from rule_settings order by name") == [
        ("eligibility_min_rating", "C"),
        ("matter_report_days", "3"),
    ]
    # 5 days to report is late under a 3-day rule (on time under the default 10).
    got = sql(
        db,
        "select matter_kind, days_to_report, report_status "
        "from major_matter_status(date '2025-12-31') order by matter_on",
    )
    assert got == [
        ("leader_change", 5, "late"),
        ("large_spending", None, "overdue"),
        ("major_event", -19, "on_time"),
    ]


def test_a_rating_line_off_the_scale_fails_the_load(tmp_path, monkeypatch):
    from etl.pipeline import LoadFailed

    toml = tmp_path / "orgdash.toml"
    toml.write_text('[eligibility]\nmin_rating = "E"\n', "utf-8")
    monkeypatch.setenv("ORGDASH_CONFIG", str(toml))
    with pytest.raises(LoadFailed, match="min_rating = 「E」不是信用等级之一"):
        site(tmp_path)
    assert not os.path.exists(tmp_path / "site" / "warehouse.duckdb")


def test_sources_table_labels():
    for source in LINKAGE.values():
        s = SOURCES_BY_NAME[source]
        assert not s.required and not s.label.isascii()
