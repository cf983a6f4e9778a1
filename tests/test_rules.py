"""Each validation rule on a tiny hand-made set: one bad row in, the named reject out."""

from __future__ import annotations

import pytest

from etl.config import EtlConfig
from etl.pipeline import check_dir
from tests import minidata

LENIENT = EtlConfig(max_reject_share=1.0)  # rule tests look at rows, not the share threshold


def test_mini_set_is_clean(tmp_path):
    result = check_dir(minidata.write(tmp_path), config=LENIENT)
    assert result.ok, result.failures
    assert result.rejects.is_empty(), result.rejects.to_dicts()


ORG = (
    "O9,新组织,{cc},{status},,为民服务,{comm},2022-01-01,{dis},赵六,13900000000,5,1,是,是,否,街道\n"
)


def org(cc="", status="备案", comm="341100001001", dis=""):  # type: ignore[no-untyped-def]
    return {"社会组织名录.csv": ORG.format(cc=cc, status=status, comm=comm, dis=dis)}


BAD_CHECK = minidata.CREDIT[:-1] + ("0" if minidata.CREDIT[-1] != "0" else "1")

CASES = [
    # (what, extra rows, file, Excel row, column, rule)
    ("credit code checksum", org(BAD_CHECK, "登记"), "社会组织名录.csv", 5, "统一社会信用代码", "credit_code_checksum"),
    ("registered without code", org("", "登记"), "社会组织名录.csv", 5, "统一社会信用代码", "credit_code_required"),
    ("filed with a code", org(minidata.CREDIT, "备案"), "社会组织名录.csv", 5, "统一社会信用代码", "credit_code_filed"),
    ("unknown community", org(comm="341100001099"), "社会组织名录.csv", 5, "所属社区代码", "community_exists"),
    ("township as community", org(comm="341100001000"), "社会组织名录.csv", 5, "所属社区代码", "is_community"),
    ("dissolved before established", org(dis="2021-01-01"), "社会组织名录.csv", 5, "注销日期", "dissolved_after_established"),
    ("established after as-of", {"社会组织名录.csv": ORG.format(cc="", status="备案", comm="341100001001", dis="").replace("2022-01-01", "2026-03-01")},
     "社会组织名录.csv", 5, "成立日期", "after_as_of"),
    ("duplicate org id", {"社会组织名录.csv": "O2,乙队重复,,备案,,文体活动,341100001201,2021-03-01,,李四,,8,2,1,1,0,村委\n"},
     "社会组织名录.csv", 3, "组织编号", "duplicate"),  # every copy; the first is row 3
    ("unknown field", {"社会组织名录.csv": ORG.format(cc="", status="备案", comm="341100001001", dis="").replace("为民服务", "养老")},
     "社会组织名录.csv", 5, "服务领域", "enum"),
    ("bad yes/no", {"社会组织名录.csv": ORG.format(cc="", status="备案", comm="341100001001", dis="").replace("是,是,否", "是,也许,否")},
     "社会组织名录.csv", 5, "清廉入章", "type_bool"),
    ("missing required", {"社会组织名录.csv": ORG.format(cc="", status="备案", comm="341100001001", dis="").replace("新组织", "")},
     "社会组织名录.csv", 5, "组织名称", "required"),
    ("division parent missing", {"行政区划.csv": "341100002001,西门社区,社区,341100002000,居委会,111,3000,1000,117.1,31.1\n"},
     "行政区划.csv", 6, "上级代码", "parent_exists"),
    ("community without committee type", {"行政区划.csv": "341100001002,南门社区,社区,341100001000,,111,3000,1000,117.1,31.1\n"},
     "行政区划.csv", 6, "委员会类型", "committee_type"),
    ("lon/lat outside China", {"行政区划.csv": "341100001002,南门社区,社区,341100001000,居委会,111,3000,1000,31.1,117.1\n"},
     "行政区划.csv", 6, "经度", "in_china"),
    ("level disagrees with code", {"行政区划.csv": "341100001003,北门社区,乡镇,341100000000,,,3000,1000,117.1,31.1\n"},
     "行政区划.csv", 6, "层级", "level_code"),
    ("division code not 12 digits", {"行政区划.csv": "34110000100,错码,社区,341100001000,居委会,111,3000,1000,117.1,31.1\n"},
     "行政区划.csv", 6, "区划代码", "type_division_code"),
    ("platform in unknown division", {"服务平台.csv": "P2,站,村级,341100009001,2021-01-01,50,117.1,31.1\n"},
     "服务平台.csv", 3, "所在区划代码", "division_exists"),
    ("negative budget", {"资金预算.csv": "2024,上级补助,-5\n"}, "资金预算.csv", 3, "预算金额", "non_negative"),
    ("negative members", {"社会组织名录.csv": ORG.format(cc="", status="备案", comm="341100001001", dis="").replace(",5,1,", ",-5,1,")},
     "社会组织名录.csv", 5, "成员数", "non_negative"),
    ("negative population", {"行政区划.csv": "341100001002,南门社区,社区,341100001000,居委会,111,-3000,1000,117.1,31.1\n"},
     "行政区划.csv", 6, "常住人口", "non_negative"),
    ("grant for unknown org", {"资金安排.csv": "G3,2025,县级专项资金,项目资助,O77,341100001001,项目,5000,2025-05-01\n"},
     "资金安排.csv", 4, "组织编号", "org_exists"),
    ("grant in unknown division", {"资金安排.csv": "G3,2025,县级专项资金,人员培训,,341100009000,培训,5000,2025-05-01\n"},
     "资金安排.csv", 4, "区划代码", "division_exists"),
    ("zero grant", {"资金安排.csv": "G3,2025,县级专项资金,人员培训,,341100001000,培训,0,2025-05-01\n"},
     "资金安排.csv", 4, "批复金额", "positive"),
    ("unreadable amount", {"资金安排.csv": "G3,2025,县级专项资金,人员培训,,341100001000,培训,五千元,2025-05-01\n"},
     "资金安排.csv", 4, "批复金额", "type_amount"),
    ("payment over approval", {"资金拨付.csv": "B3,G1,2025-10-01,1\n"}, "资金拨付.csv", 4, "拨付金额", "paid_over_approved"),
    ("payment for unknown grant", {"资金拨付.csv": "B3,G9,2025-10-01,100\n"}, "资金拨付.csv", 4, "项目编号", "grant_exists"),
    ("impossible date", {"资金拨付.csv": "B3,G2,2025年13月5日,100\n"}, "资金拨付.csv", 4, "拨付日期", "type_date"),
    ("result without submission", {"年报.csv": "O1,2023,2024-05-31,,合格\n"}, "年报.csv", 3, "结果", "result_without_submission"),
    ("grade disagrees with score", {"等级评估.csv": "O1,2021,650,4A\n"}, "等级评估.csv", 3, "等级", "grade_band"),
    ("unknown rating", {"信用评价.csv": "O1,2024,E\n"}, "信用评价.csv", 3, "rating", "enum"),  # English header as written
    ("removed before listed", {"异常名录.csv": "O1,活动异常名录,2025-07-01,2025-06-01,未年报\n"},
     "异常名录.csv", 3, "移出日期", "removed_after_listed"),
    ("inspection of unknown org", {"专项抽查.csv": "C2,O404,2025-06-01,合规\n"}, "专项抽查.csv", 3, "组织编号", "org_exists"),
    ("unknown inspection result", {"专项抽查.csv": "C2,O1,2025-06-01,待定\n"}, "专项抽查.csv", 3, "结果", "enum"),  # as the file heads it
    # The county's programmes
    *[(what, {"微项目.csv": row + "\n"}, "微项目.csv", 4, column, rule) for what, row, column, rule in [
        ("micro-project of unknown org", "M3,项目,O77,341100001001,为民服务,5000,2025-03-01,,10,实施中,", "组织编号", "org_exists"),
        ("micro-project in unknown community", "M3,项目,O1,341100001099,为民服务,5000,2025-03-01,,10,实施中,", "社区代码", "community_exists"),
        ("micro-project in a township", "M3,项目,O1,341100001000,为民服务,5000,2025-03-01,,10,实施中,", "社区代码", "is_community"),
        ("micro-project outside its org's community", "M3,项目,O1,341100001201,为民服务,5000,2025-03-01,,10,实施中,", "社区代码", "community_matches_org"),
        ("micro-project before its org existed", "M3,项目,O2,341100001201,为民服务,5000,2020-06-01,2020-09-01,10,已结项,90%", "开始日期", "org_active"),
        ("micro-project after its org dissolved", "M3,项目,O3,341100001201,其他,5000,2025-01-01,,10,实施中,", "开始日期", "org_active"),
        ("micro-project starting after as-of", "M3,项目,O1,341100001001,为民服务,5000,2026-02-01,,10,立项,", "开始日期", "after_as_of"),
        ("micro-project ending before it starts", "M3,项目,O1,341100001001,为民服务,5000,2025-05-01,2025-04-01,10,已结项,90%", "结束日期", "end_after_start"),
        ("completed micro-project without end", "M3,项目,O1,341100001001,为民服务,5000,2025-05-01,,10,已结项,90%", "结束日期", "end_required"),
        ("completed micro-project ending after as-of", "M3,项目,O1,341100001001,为民服务,5000,2025-05-01,2026-03-01,10,已结项,90%", "结束日期", "after_as_of"),
        ("satisfaction over 100 %", "M3,项目,O1,341100001001,为民服务,5000,2025-05-01,2025-06-01,10,已结项,120", "满意度", "rate_range"),
        ("satisfaction in words", "M3,项目,O1,341100001001,为民服务,5000,2025-05-01,2025-06-01,10,已结项,很满意", "满意度", "type_rate"),
        ("negative micro-project budget", "M3,项目,O1,341100001001,为民服务,-5000,2025-05-01,,10,实施中,", "预算", "non_negative"),
        ("negative beneficiaries", "M3,项目,O1,341100001001,为民服务,5000,2025-05-01,,-10,实施中,", "受益人数", "non_negative"),
        ("unknown project status", "M3,项目,O1,341100001001,为民服务,5000,2025-05-01,,10,暂停,", "状态", "enum"),
    ]],
    ("duplicate micro-project id", {"微项目.csv": "M1,又一个,O1,341100001001,为民服务,5000,2025-05-01,,10,实施中,\n"},
     "微项目.csv", 2, "编号", "duplicate"),
    *[(what, {"积分台账.csv": row + "\n"}, "积分台账.csv", 5, column, rule) for what, row, column, rule in [
        ("resident id is a mobile number", "13800138000,341100001001,2025-03-02,志愿服务,10", "居民编号", "pseudonymous"),
        ("resident id is an ID card number", "34112219800101123X,341100001001,2025-03-02,志愿服务,10", "居民编号", "pseudonymous"),
        ("points in a township", "JM0003,341100001000,2025-03-02,志愿服务,10", "社区代码", "is_community"),
        ("points dated after as-of", "JM0003,341100001001,2026-01-02,志愿服务,10", "日期", "after_as_of"),
        ("negative points", "JM0003,341100001001,2025-03-02,志愿服务,-10", "积分", "non_negative"),
        ("unknown activity type", "JM0003,341100001001,2025-03-02,跳舞,10", "活动类型", "enum"),
    ]],
    *[(what, {"培训.csv": row + "\n"}, "培训.csv", 4, column, rule) for what, row, column, rule in [
        ("training level disagrees with division", "2025-08-01,财务培训,县级,341100001000,30,20", "层级", "level_division"),
        ("training in unknown division", "2025-08-01,财务培训,乡镇级,341100009000,30,20", "区划代码", "division_exists"),
        ("more organisations than trainees", "2025-08-01,财务培训,乡镇级,341100001000,30,45", "参训组织", "orgs_within_participants"),
        ("training after as-of", "2026-01-08,财务培训,县级,341100000000,30,20", "日期", "after_as_of"),
        ("negative trainees", "2025-08-01,财务培训,县级,341100000000,-30,", "参训人数", "non_negative"),
    ]],
    ("same training twice", {"培训.csv": "2025-04-15,社区社会组织负责人培训班,县级,341100000000,80,60\n"},
     "培训.csv", 2, "日期", "duplicate"),
    *[(what, {"表彰奖励.csv": row + "\n"}, "表彰奖励.csv", 3, column, rule) for what, row, column, rule in [
        ("award to unknown org", "2024,O77,优秀社区社会组织,县级", "组织编号", "org_exists"),
        ("award in a later year", "2026,O1,优秀社区社会组织,县级", "年度", "after_as_of"),
        ("award before the org existed", "2020,O2,优秀社区社会组织,县级", "年度", "org_active"),
        ("unknown award level", "2024,O1,先进集体,区级", "级别", "enum"),
    ]],
    ("duplicate award", {"表彰奖励.csv": "2024,O1,优秀社区社会组织,市级\n"}, "表彰奖励.csv", 2, "年度", "duplicate"),
    *[(what, {"睦邻客厅.csv": row + "\n"}, "睦邻客厅.csv", 4, column, rule) for what, row, column, rule in [
        ("six stars", "L3,341100001001,南门睦邻客厅,60,6,2025-05-01,,", "星级", "stars_range"),
        ("six stars in words", "L3,341100001001,南门睦邻客厅,60,六星级,2025-05-01,,", "星级", "stars_range"),
        ("zero stars", "L3,341100001001,南门睦邻客厅,60,0,2025-05-01,,", "星级", "stars_range"),
        ("stars in words", "L3,341100001001,南门睦邻客厅,60,很好,2025-05-01,,", "星级", "type_stars"),
        ("lounge in a township", "L3,341100001000,南门睦邻客厅,60,3,2025-05-01,,", "社区代码", "is_community"),
        ("lounge rated after as-of", "L3,341100001001,南门睦邻客厅,60,3,2026-05-01,,", "评定日期", "after_as_of"),
        ("lounge with longitude only", "L3,341100001001,南门睦邻客厅,60,3,2025-05-01,117.1,", "经度", "lon_lat_pair"),
        ("lounge lon/lat swapped", "L3,341100001001,南门睦邻客厅,60,3,2025-05-01,31.1,117.1", "经度", "in_china"),
        ("negative lounge area", "L3,341100001001,南门睦邻客厅,-60,3,2025-05-01,,", "面积", "non_negative"),
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
    assert hit["row"] == row  # the row number the clerk sees in Excel (header is row 1)
    assert hit["column"] == column
    assert hit["message"] and not hit["message"].isascii()  # a Chinese sentence, not a code
    # Only the bad row is rejected: the rest of the file still loads.
    checked = next(c for c in result.checked if c.file == file)
    assert checked.accepted.height == checked.rows_read - checked.rows_rejected


def test_duplicate_rejects_every_copy_and_names_the_rows(tmp_path):
    extra = {
        "社会组织名录.csv": "O2,乙队重复,,备案,,文体活动,341100001201,2021-03-01,,李四,,8,2,1,1,0,村委\n"
    }
    result = check_dir(minidata.write(tmp_path, extra_rows=extra), config=LENIENT)
    dup = result.rejects.filter(rule="duplicate")
    assert sorted(dup["row"].to_list()) == [3, 5]
    assert "第3、5行" in dup["message"][0]


def test_reference_to_a_rejected_row_says_fix_upstream(tmp_path):
    bad = minidata.FILES["社会组织名录.csv"].replace("O1,甲协会", "O1,")  # O1 loses its name
    result = check_dir(minidata.write(tmp_path, replace={"社会组织名录.csv": bad}), config=LENIENT)
    msgs = result.rejects.filter(file="年报.csv", rule="org_exists")["message"].to_list()
    assert msgs and "本身被拒收" in msgs[0] and "第2行" in msgs[0]


def test_grade_bands_are_configurable(tmp_path):
    folder = minidata.write(tmp_path)
    strict = EtlConfig(
        max_reject_share=1.0, grade_bands={4: (850, 900), 3: (700, 850), 5: (900, 1000)}
    )
    result = check_dir(folder, config=strict)
    assert result.rejects.filter(rule="grade_band").height == 1  # 812 is 3A under these bands


def test_blank_parent_is_derived_from_the_code(tmp_path):
    extra = {"行政区划.csv": "341100001002,南门社区,社区,,居委会,111,3000,1000,117.1,31.1\n"}
    result = check_dir(minidata.write(tmp_path, extra_rows=extra), config=LENIENT)
    divs = next(c for c in result.checked if c.source.name == "divisions").accepted
    row = divs.filter(division_code="341100001002").row(0, named=True)
    assert row["parent_code"] == "341100001000" and row["township_code"] == "341100001000"


BOWTIE = "[[[117,31],[117.1,31.1],[117.1,31],[117,31.1],[117,31]]]"


@pytest.mark.parametrize(
    ("feature", "rule", "text"),
    [
        (f'{{"type":"Feature","properties":{{"区划代码":"341100001201"}},"geometry":{{"type":"Polygon","coordinates":{BOWTIE}}}}}',
         "valid_polygon", "自相交"),
        ('{"type":"Feature","properties":{"区划代码":"341100001201"},"geometry":{"type":"Point","coordinates":[117,31]}}',
         "valid_polygon", "Point"),
        ('{"type":"Feature","properties":{"区划代码":"341100001201"},"geometry":{"type":"Polygon","coordinates":[[[17,31],[17.1,31],[17.1,31.1],[17,31]]]}}',
         "valid_polygon", "不在中国境内"),
        ('{"type":"Feature","properties":{"区划代码":"341100009999"},"geometry":{"type":"Polygon","coordinates":[[[117,31],[117.1,31],[117.1,31.1],[117,31]]]}}',
         "division_exists", "不存在"),
    ],
    ids=["self-intersecting", "not a polygon", "outside China", "unknown code"],
)  # fmt: skip
def test_boundary_rules(tmp_path, feature, rule, text):
    base = minidata.FILES["边界.geojson"]
    doc = base[: base.rindex("]}")] + "," + feature + "]}"
    result = check_dir(minidata.write(tmp_path, replace={"边界.geojson": doc}), config=LENIENT)
    hit = result.rejects.filter(file="边界.geojson", rule=rule)
    assert hit.height == 1 and hit["row"][0] == 2 and text in hit["message"][0]


def test_programme_sources_normalise_what_clerks_type(tmp_path):
    extra = {
        "微项目.csv": "M3,助老,O1,341100001001,为民服务,1.2万,2025/5/1,2025年7月1日,80,完成,0.9\n"
        "M4,助学,O1,341100001001,公益,3000,20250601,,40,进行中,88\n",
        "睦邻客厅.csv": "L3,341100001001,南门睦邻客厅,60㎡,★★★★★,2025-05-01,,\n",
    }
    result = check_dir(minidata.write(tmp_path, extra_rows=extra), config=LENIENT)
    assert result.rejects.is_empty(), result.rejects.to_dicts()
    projects = next(c for c in result.checked if c.source.name == "micro_projects").accepted
    rates = dict(zip(projects["project_id"], projects["satisfaction_rate"], strict=True))
    assert rates == {"M1": 0.95, "M2": None, "M3": 0.9, "M4": 0.88}
    m3 = projects.filter(project_id="M3").row(0, named=True)
    assert (m3["status"], m3["field"], float(m3["budget_yuan"])) == (
        "completed",
        "resident_services",
        12000.0,
    )
    lounges = next(c for c in result.checked if c.source.name == "lounges").accepted
    assert dict(zip(lounges["lounge_id"], lounges["stars"], strict=True)) == {
        "L1": 4,
        "L2": 3,
        "L3": 5,
    }


def test_a_real_identity_never_reaches_the_reject_report(tmp_path):
    extra = {"积分台账.csv": "34112219800101123X,341100001001,2025-03-02,志愿服务,10\n"}
    result = check_dir(minidata.write(tmp_path, extra_rows=extra), config=LENIENT)
    hit = result.rejects.filter(rule="pseudonymous")
    assert hit["value"].to_list() == ["341****3X"]
    assert "34112219800101123X" not in str(result.rejects.to_dicts())


OPTIONAL = ["微项目.csv", "积分台账.csv", "培训.csv", "表彰奖励.csv", "睦邻客厅.csv"]


def test_programme_files_are_optional_and_their_absence_is_noted(tmp_path):
    result = check_dir(
        minidata.write(tmp_path, replace=dict.fromkeys(OPTIONAL, "")), config=LENIENT
    )
    assert result.ok, result.failures
    noted = [n for n in result.notes if "（可选）" in n]
    assert len(noted) == 5 and any("「积分台账」" in n for n in noted)


def test_a_required_file_still_fails_the_load(tmp_path):
    result = check_dir(minidata.write(tmp_path, replace={"社会组织名录.csv": ""}), config=LENIENT)
    assert not result.ok
    assert [f.rule for f in result.failures] == ["missing_file"]
