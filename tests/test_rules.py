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
