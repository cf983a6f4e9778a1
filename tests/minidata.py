"""A tiny valid set of source files, written by hand, for rule tests (given rows -> rejects)."""

from __future__ import annotations

from pathlib import Path

from etl.normalize import credit_check_char

CODE = "51341100MJ0000001"
CREDIT = CODE + credit_check_char(CODE)
AS_OF = "2025-12-31"

FILES: dict[str, str] = {
    "行政区划.csv": (
        "区划代码,名称,层级,上级代码,委员会类型,城乡分类代码,常住人口,户数,经度,纬度\n"
        "341100000000,测试县,县,341100000000,,,,,117.1,31.1\n"
        "341100001000,城关街道,乡镇,341100000000,,,,,117.1,31.1\n"
        '341100001001,东门社区,社区,341100001000,居委会,111,"5,000",2000,117.1,31.1\n'
        "341100001201,河口村,社区,341100001000,村委会,220,1200,400,117.2,31.2\n"
    ),
    "边界.geojson": (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"区划代码":"341100001001"},'
        '"geometry":{"type":"Polygon","coordinates":[[[117,31],[117.1,31],[117.1,31.1],[117,31]]]}}]}'
    ),
    "服务平台.csv": (
        "平台编号,名称,层级,所在区划代码,启用日期,面积,经度,纬度\n"
        "P1,中心,县级,341100000000,2020-01-01,500,117.1,31.1\n"
    ),
    "社会组织名录.csv": (
        "组织编号,组织名称,统一社会信用代码,登记类型,组织形式,服务领域,所属社区代码,成立日期,注销日期,"
        "负责人,联系电话,成员数,志愿者数,党建入章,清廉入章,建立党组织,指导单位\n"
        f"O1,甲协会,{CREDIT},登记,社会团体,为民服务,341100001001,2020/1/5,,张三,13800000000,10,5,是,√,Y,街道\n"
        "O2,乙队,,备案,,文体活动,341100001201,2021年3月1日,,李四,,8,2,1,1,0,村委\n"
        "O3,丙队,,备案,,其他,341100001201,20190101,2024-05-05,王五,,3,0,否,否,否,村委\n"
    ),
    "资金预算.csv": '年度,资金来源,预算金额\n2025,县级专项资金,"2,000,000"\n',
    "资金安排.csv": (
        "项目编号,年度,资金来源,用途,组织编号,区划代码,项目名称,批复金额,批复日期\n"
        "G1,2025,县级专项资金,项目资助,O1,341100001001,邻里项目,10万,2025-03-01\n"
        "G2,2025,县级专项资金,人员培训,,341100001000,骨干培训,20000,2025-04-01\n"
    ),
    "资金拨付.csv": '拨付编号,项目编号,拨付日期,拨付金额\nB1,G1,2025-04-01,60000\nB2,G1,2025-09-01,"40,000"\n',
    "年报.csv": "组织编号,年度,应报日期,报送日期,结果\nO1,2024,2025-05-31,2025-06-10,合格\n",
    "等级评估.csv": "组织编号,评估年度,得分,等级\nO1,2024,812,4A\n",
    "信用评价.csv": "org_id,year,rating\nO1,2025,A\n",
    "异常名录.csv": "组织编号,名录类型,列入日期,移出日期,原因\nO1,活动异常名录,2024-07-01,2024-09-01,未按时年报\n",
    "专项抽查.csv": "抽查编号,组织编号,抽查日期,结果\nC1,O1,2025-06-01,合规\n",
    # The county's programmes (optional sources).
    "微项目.csv": (
        "编号,名称,组织编号,社区代码,领域,预算,开始日期,结束日期,受益人数,状态,满意度\n"
        'M1,邻里食堂,O1,341100001001,为民服务,"8,000",2025-03-01,2025-06-30,320,已结项,95%\n'
        "M2,广场舞展演,O2,341100001201,文体活动,5000,2025-05-01,,120,实施中,\n"
    ),
    "积分台账.csv": (
        "居民编号,社区代码,日期,活动类型,积分\n"
        "JM0001,341100001001,2025-03-02,志愿服务,10\n"
        "JM0002,341100001001,2025-04-10,邻里互助,5\n"
        "JM0001,341100001001,2025-11-20,环境整治,5\n"
    ),
    "培训.csv": (
        "日期,名称,层级,区划代码,参训人数,参训组织\n"
        "2025-04-15,社区社会组织负责人培训班,县级,341100000000,80,60\n"
        "2025-06-20,业务骨干培训班,乡镇级,341100001000,35,20\n"
    ),
    "表彰奖励.csv": "年度,组织编号,荣誉名称,级别\n2024,O1,优秀社区社会组织,县级\n",
    "睦邻客厅.csv": (
        "编号,社区代码,名称,面积,星级,评定日期,经度,纬度\n"
        "L1,341100001001,东门睦邻客厅,120,四星级,2024-10-01,117.1,31.1\n"
        "L2,341100001201,河口睦邻客厅,80,3,2025-09-01,,\n"
    ),
}


def write(
    folder: Path,
    extra_rows: dict[str, str] | None = None,
    replace: dict[str, str | bytes] | None = None,
) -> Path:
    """Write the files into folder; append extra_rows[file] lines; replace whole files (or drop with '')."""
    folder.mkdir(parents=True, exist_ok=True)
    extra_rows = extra_rows or {}
    replace = replace or {}
    for name, text in FILES.items():
        content: str | bytes = replace.get(name, text + extra_rows.get(name, ""))
        if content == "" and name in replace:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (folder / "manifest.toml").write_text(f"as_of = {AS_OF}\n", encoding="utf-8")
    return folder
