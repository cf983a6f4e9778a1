"""The contract for every source file: headers, types, keys and enumerations (docs/DOMAIN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# Enumerations: English code -> Chinese label, plus the extra spellings clerks use.
# The first label is the canonical one stored in the lookup table.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Enum:
    name: str  # lookup table is lookup_<name>
    label: str  # what it is, in Chinese
    codes: dict[str, str]  # code -> canonical Chinese label (ordered)
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> more inputs

    def accepted(self) -> dict[str, str]:
        """Every accepted input spelling (already NFKC-normalised, lower-case) -> code."""
        out: dict[str, str] = {}
        for code, label in self.codes.items():
            for spelling in (code, label, *self.spellings.get(code, ())):
                out[spelling.strip().lower()] = code
        return out


ENUMS: dict[str, Enum] = {
    e.name: e
    for e in [
        Enum(
            "division_level",
            "区划层级",
            {"county": "县", "township": "乡镇", "community": "社区"},
            {
                "county": ("县级", "区县"),
                "township": ("乡镇级", "街道", "乡", "镇", "乡镇/街道", "乡镇街道"),
                "community": ("村", "村社区", "村(社区)", "社区/村", "村居", "行政村"),
            },
        ),
        Enum(
            "area_type",
            "城乡类型",
            {"urban": "城市社区", "rural": "农村社区"},
            {
                "urban": ("居委会", "居民委员会", "社区居委会", "城市"),
                "rural": ("村委会", "村民委员会", "行政村", "农村"),
            },
        ),
        # 统计用城乡划分代码 (国家统计局《统计用区划代码和城乡划分代码》): a code table for the
        # labels only. divisions.urban_rural_code stays text: a code outside it loads as written
        # and is shown without a label.
        Enum(
            "urban_rural",
            "城乡分类",
            {
                "111": "主城区",
                "112": "城乡结合区",
                "121": "镇中心区",
                "122": "镇乡结合区",
                "123": "特殊区域",
                "210": "乡中心区",
                "220": "村庄",
            },
        ),
        Enum(
            "platform_level",
            "平台层级",
            {"county": "县级", "township": "乡镇级", "village": "村级"},
            {
                "county": ("县",),
                "township": ("乡镇", "街道级", "乡镇(街道)级"),
                "village": ("村", "村(社区)级", "社区级", "村社区级"),
            },
        ),
        Enum(
            "org_status",
            "登记类型",
            {"registered": "登记", "filed": "备案"},
            {"registered": ("已登记", "登记成立"), "filed": ("已备案",)},
        ),
        Enum(
            "legal_form",
            "组织形式",
            {
                "social_group": "社会团体",
                "social_service_agency": "社会服务机构",
                "foundation": "基金会",
            },
            {
                "social_group": ("社团",),
                "social_service_agency": ("民办非企业单位", "民非", "民办非企业"),
            },
        ),
        Enum(
            "field",
            "服务领域",
            {
                "resident_services": "为民服务",
                "charity": "公益慈善",
                "culture_sports": "文体活动",
                "mediation": "矛盾调处",
                "rural_revitalization": "乡村振兴",
                "mutual_aid": "邻里互助",
                "other": "其他",
            },
            {
                "culture_sports": ("文体", "文化体育"),
                "mediation": ("矛盾调解", "纠纷调解"),
                "charity": ("慈善", "公益"),
                "mutual_aid": ("互助",),
            },
        ),
        Enum(
            "fund_source",
            "资金来源",
            {
                "county_special_fund": "县级专项资金",
                "higher_level": "上级补助",
                "welfare_lottery": "福彩公益金",
                "charity": "慈善捐赠",
            },
            {
                "county_special_fund": ("专项资金", "县专项资金", "县级专项"),
                "higher_level": ("上级补助资金", "上级资金"),
                "welfare_lottery": ("福利彩票公益金", "彩票公益金"),
                "charity": ("社会捐赠", "慈善资金"),
            },
        ),
        Enum(
            "grant_purpose",
            "资金用途",
            {
                "project": "项目资助",
                "training": "人员培训",
                "venue": "场地租赁",
                "award": "表彰奖励",
                "platform": "平台运营",
            },
            {"training": ("培训",), "venue": ("场地",), "award": ("奖励", "表彰")},
        ),
        Enum(
            "report_result",
            "年报结果",
            {"pass": "合格", "basic_pass": "基本合格", "fail": "不合格"},
        ),
        Enum(
            "credit_rating",
            "信用等级",
            {"A": "守信", "B": "基本守信", "C": "失信风险", "D": "严重失信"},
            {"A": ("A级",), "B": ("B级",), "C": ("C级",), "D": ("D级",)},
        ),
        Enum(
            "list_type",
            "名录类型",
            {"abnormal": "活动异常名录", "dishonest": "严重违法失信名单"},
            {"abnormal": ("异常名录", "活动异常"), "dishonest": ("严重违法失信", "失信名单")},
        ),
        Enum(
            "inspection_result",
            "抽查结果",
            {"compliant": "合规", "rectify": "整改", "violation": "违规"},
            {"rectify": ("责令整改", "限期整改"), "violation": ("违法违规",)},
        ),
        Enum(
            "project_status",
            "项目状态",
            {
                "planned": "立项",
                "ongoing": "实施中",
                "completed": "已结项",
                "cancelled": "已终止",
            },
            {
                "planned": ("已立项", "待实施", "未开始"),
                "ongoing": ("进行中", "在建", "正在实施", "实施"),
                "completed": ("结项", "已完成", "完成", "已结束"),
                "cancelled": ("终止", "已取消", "取消", "撤销"),
            },
        ),
        Enum(
            "activity_type",
            "积分活动类型",
            {
                "volunteer": "志愿服务",
                "neighbour_help": "邻里互助",
                "environment": "环境整治",
                "civility": "文明实践",
                "safety": "平安巡防",
                "consultation": "议事协商",
                "other": "其他",
            },
            {
                "volunteer": ("志愿活动", "志愿者服务"),
                "neighbour_help": ("互助", "邻里帮扶"),
                "environment": ("环境卫生", "人居环境整治", "垃圾分类"),
                "civility": ("新时代文明实践", "移风易俗", "文明创建"),
                "safety": ("平安建设", "巡逻", "治安巡逻"),
                "consultation": ("议事", "民主协商", "居民议事"),
            },
        ),
        Enum(
            "training_level",
            "培训层级",
            {"county": "县级", "township": "乡镇级", "community": "社区级"},
            {
                "county": ("县",),
                "township": ("乡镇", "街道级", "乡镇(街道)级"),
                "community": ("社区", "村级", "村(社区)级", "村社区级"),
            },
        ),
        Enum(
            "award_level",
            "表彰级别",
            {
                "national": "国家级",
                "provincial": "省级",
                "municipal": "市级",
                "county": "县级",
            },
            {
                "national": ("全国", "国家", "全国性"),
                "provincial": ("省", "省部级"),
                "municipal": ("市", "地市级", "市厅级"),
                "county": ("县", "县区级", "区县级"),
            },
        ),
        # ---- 三社联动, 党建, 行业自律, 重大事项和信息公开 (speech: 强化监管, 创新模式)
        Enum(
            "station_level",
            "社工站层级",
            {"township": "乡镇社工站", "community": "村（社区）社工室"},
            {
                "township": (
                    "乡镇(街道)社工站",
                    "街道社工站",
                    "镇社工站",
                    "乡镇级",
                    "乡镇",
                    "街道",
                ),
                "community": (
                    "村(社区)社工室",
                    "社区社工室",
                    "村社工室",
                    "社工室",
                    "村(社区)级",
                    "社区级",
                    "村级",
                ),
            },
        ),
        Enum(
            "sw_qualification",
            "社会工作职业资格",
            {
                "assistant": "助理社会工作师",
                "intermediate": "社会工作师",
                "senior": "高级社会工作师",
                "none": "无",
            },
            {
                "assistant": ("助理社工师", "初级", "初级社会工作师"),
                "intermediate": ("社工师", "中级", "中级社会工作师"),
                "senior": ("高级社工师", "高级"),
                "none": ("无资格", "未取得", "暂无", "没有", "-", "—", "/"),
            },
        ),
        Enum(
            "party_org_kind",
            "党组织组建方式",
            {"joint_branch": "联合党支部", "single_branch": "单独党支部"},
            {
                "joint_branch": ("联合支部", "联合党组织", "联建党支部", "联合"),
                "single_branch": ("单独组建党支部", "独立党支部", "单建党支部", "单独组建", "单独"),
            },
        ),
        Enum(
            "federation_kind",
            "联合会类型",
            {"federation": "联合会", "association": "行业协会"},
            {
                "federation": ("社会组织联合会", "联盟", "联合会(联盟)"),
                "association": ("协会", "行业协会商会", "商会"),
            },
        ),
        Enum(
            "federation_level",
            "联合会层级",
            {"county": "县级", "township": "乡镇级"},
            {"county": ("县",), "township": ("乡镇", "街道级", "乡镇(街道)级", "街道")},
        ),
        Enum(
            "matter_kind",
            "重大事项类型",
            {
                "leader_change": "变更法定代表人/负责人",
                "large_spending": "大额资金使用",
                "major_event": "重大活动",
                "foreign_donation": "接受境外捐赠",
                "other": "其他",
            },
            {
                "leader_change": (
                    "变更法定代表人",
                    "变更负责人",
                    "法定代表人变更",
                    "负责人变更",
                    "更换负责人",
                    "变更法定代表人(负责人)",
                ),
                "large_spending": ("大额资金", "大额支出", "大额资金支出"),
                "major_event": ("举办重大活动", "大型活动", "重大活动举办"),
                "foreign_donation": ("境外捐赠", "接受境外捐助", "境外捐助"),
            },
        ),
        Enum(
            "disclosure_item",
            "信息公开事项",
            {
                "annual_report": "年度工作报告",
                "finances": "财务收支",
                "activities": "活动开展情况",
                "fees": "收费标准",
                "other": "其他",
            },
            {
                "annual_report": ("年度报告", "年报", "工作报告"),
                "finances": ("财务收支情况", "财务报告", "财务公开", "收支情况"),
                "activities": ("活动情况", "活动开展", "开展活动情况"),
                "fees": ("收费项目及标准", "服务收费标准", "收费"),
            },
        ),
        Enum(
            "disclosure_channel",
            "信息公开渠道",
            {
                "notice_board": "社区公示栏",
                "wechat": "微信公众号",
                "website": "网站",
                "credit_platform": "社会组织信用信息公示平台",
                "other": "其他",
            },
            {
                "notice_board": ("公示栏", "公开栏", "宣传栏", "村务公开栏"),
                "wechat": ("微信", "公众号", "微信群"),
                "website": ("门户网站", "政府网站", "官网"),
                "credit_platform": (
                    "信用信息公示平台",
                    "全国社会组织信用信息公示平台",
                    "信用平台",
                ),
            },
        ),
    ]
}


def _target_indicators() -> Enum:
    """The indicators a yearly target can be set for: queries/indicators.toml's `target = true`
    entries, named by their labels or aliases (the targets source's 指标 column)."""
    from queries.indicators import catalogue

    chosen = catalogue().targetable()
    return Enum(
        "target_indicator",
        "目标指标",
        {i.key: i.label for i in chosen},
        {i.key: i.aliases for i in chosen if i.aliases},
    )


ENUMS["target_indicator"] = _target_indicators()

# Statuses the marts derive (annual_report_status, major_matter_status), never written by a clerk:
# code tables all the same, so every page, chart, the public register and the report name a status
# one way (lookup_filing_status, lookup_matter_status).
ENUMS["filing_status"] = Enum(
    "filing_status",
    "年报报送情况",
    {"on_time": "按时报送", "late": "逾期报送", "overdue": "逾期未报", "not_due": "未到报送期"},
)
ENUMS["matter_status"] = Enum(
    "matter_status",
    "重大事项报告情况",
    {"on_time": "按时报告", "late": "逾期报告", "overdue": "逾期未报告", "pending": "未到报告期限"},
)

# ---------------------------------------------------------------------------
# Columns and sources
# ---------------------------------------------------------------------------

# Column kinds understood by etl.normalize; sql type used in the warehouse.
KIND_SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "id": "VARCHAR",
    "division_code": "VARCHAR",
    "credit_code": "VARCHAR",
    "phone": "VARCHAR",
    "date": "DATE",
    "amount": "DECIMAL(14,2)",
    "int": "BIGINT",
    "year": "INTEGER",
    "float": "DOUBLE",
    "lon": "DOUBLE",
    "lat": "DOUBLE",
    "bool": "BOOLEAN",
    "enum": "VARCHAR",
    "grade": "TINYINT",
    "rate": "DOUBLE",  # 0–1; clerks write 95%, 0.95 or 95
    "stars": "TINYINT",  # 1–5; clerks write 4, 4星, 四星级, ★★★★
    # Organisations named in one cell: org ids or credit codes separated by 、 (or ，,；; / space,
    # a line break); stored as the org ids (credit codes resolved against the registry).
    "org_list": "VARCHAR[]",
}


@dataclass(frozen=True)
class Column:
    name: str  # warehouse column (English)
    label: str  # Chinese header as the bureau writes it
    kind: str  # a key of KIND_SQL_TYPES
    required: bool = False  # a row without a value is rejected
    enum: str | None = None  # for kind == "enum": a key of ENUMS
    aliases: tuple[str, ...] = ()  # other header spellings accepted besides name and label
    derived: bool = False  # computed by the ETL, not read from the file

    @property
    def sql_type(self) -> str:
        return KIND_SQL_TYPES[self.kind]

    def headers(self) -> tuple[str, ...]:
        return (self.label, self.name, *self.aliases)


@dataclass(frozen=True)
class Source:
    name: str  # English name, also the warehouse table
    label: str  # Chinese name of the file as the bureau calls it
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # warehouse column names; empty: every row is its own
    file_stems: tuple[str, ...] = ()  # extra file-name spellings that identify the source
    geojson: bool = False
    # An optional source may be missing from a load (a county that does not keep points yet): its
    # table is created empty and the load says so in a note instead of failing.
    required: bool = True

    @property
    def table(self) -> str:
        return self.name

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def file_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.derived)

    def names(self) -> tuple[str, ...]:
        return (self.label, self.name, *self.file_stems)


def _c(name: str, label: str, kind: str, **kw) -> Column:  # type: ignore[no-untyped-def]
    return Column(name, label, kind, **kw)


SOURCES: tuple[Source, ...] = (
    Source(
        "divisions",
        "行政区划",
        (
            _c(
                "division_code",
                "区划代码",
                "division_code",
                required=True,
                aliases=("统计用区划代码", "代码"),
            ),
            _c("name", "名称", "text", required=True, aliases=("区划名称",)),
            _c("level", "层级", "enum", required=True, enum="division_level", aliases=("级别",)),
            _c("parent_code", "上级代码", "division_code", aliases=("上级区划代码",)),
            _c("township_code", "所属乡镇代码", "division_code", derived=True),
            _c("area_type", "委员会类型", "enum", enum="area_type", aliases=("城乡类型",)),
            _c("urban_rural_code", "城乡分类代码", "text", aliases=("城乡分类",)),
            _c("population", "常住人口", "int", aliases=("人口",)),
            _c("households", "户数", "int"),
            _c("lon", "经度", "lon"),
            _c("lat", "纬度", "lat"),
        ),
        ("division_code",),
        ("区划", "division"),
    ),
    Source(
        "division_boundaries",
        "边界",
        (
            _c("division_code", "区划代码", "division_code", required=True),
            _c("geojson", "边界", "text", required=True),
        ),
        ("division_code",),
        ("行政区划边界", "区划边界", "boundaries", "boundary"),
        geojson=True,
    ),
    Source(
        "platforms",
        "服务平台",
        (
            _c("platform_id", "平台编号", "id", required=True),
            _c("name", "名称", "text", required=True, aliases=("平台名称",)),
            _c("level", "层级", "enum", required=True, enum="platform_level"),
            _c(
                "division_code",
                "所在区划代码",
                "division_code",
                required=True,
                aliases=("区划代码",),
            ),
            _c("opened_on", "启用日期", "date"),
            _c("floor_area_m2", "面积", "float", aliases=("面积(平方米)", "建筑面积")),
            _c("lon", "经度", "lon"),
            _c("lat", "纬度", "lat"),
        ),
        ("platform_id",),
        ("社会组织服务平台", "platform"),
    ),
    Source(
        "organizations",
        "社会组织名录",
        (
            _c("org_id", "组织编号", "id", required=True),
            _c("name", "组织名称", "text", required=True, aliases=("名称",)),
            _c("credit_code", "统一社会信用代码", "credit_code", aliases=("信用代码",)),
            _c(
                "status",
                "登记类型",
                "enum",
                required=True,
                enum="org_status",
                aliases=("登记备案",),
            ),
            _c("legal_form", "组织形式", "enum", enum="legal_form", aliases=("组织类型",)),
            _c("field", "服务领域", "enum", required=True, enum="field", aliases=("领域",)),
            _c(
                "community_code",
                "所属社区代码",
                "division_code",
                required=True,
                aliases=("社区代码",),
            ),
            _c("established_on", "成立日期", "date", required=True, aliases=("成立时间",)),
            _c("dissolved_on", "注销日期", "date", aliases=("注销时间",)),
            _c("leader_name", "负责人", "text", aliases=("负责人姓名",)),
            _c("leader_phone", "联系电话", "phone", aliases=("电话",)),
            _c("members", "成员数", "int", aliases=("会员数", "成员人数")),
            _c("volunteers", "志愿者数", "int", aliases=("志愿者人数",)),
            _c("party_in_charter", "党建入章", "bool"),
            _c("integrity_in_charter", "清廉入章", "bool"),
            _c("has_party_branch", "建立党组织", "bool", aliases=("党组织",)),
            _c("guide_unit", "指导单位", "text", aliases=("业务指导单位",)),
        ),
        ("org_id",),
        ("组织名录", "社区社会组织名录", "organizations", "organisations"),
    ),
    Source(
        "fund_budgets",
        "资金预算",
        (
            _c("year", "年度", "year", required=True),
            _c("fund_source", "资金来源", "enum", required=True, enum="fund_source"),
            _c(
                "budget_yuan", "预算金额", "amount", required=True, aliases=("预算金额(元)", "预算")
            ),
        ),
        ("year", "fund_source"),
        ("预算", "budgets"),
    ),
    Source(
        "grants",
        "资金安排",
        (
            _c("grant_id", "项目编号", "id", required=True),
            _c("year", "年度", "year", required=True),
            _c("fund_source", "资金来源", "enum", required=True, enum="fund_source"),
            _c(
                "purpose",
                "用途",
                "enum",
                required=True,
                enum="grant_purpose",
                aliases=("资金用途",),
            ),
            _c("org_id", "组织编号", "id"),
            _c("division_code", "区划代码", "division_code", required=True),
            _c("title", "项目名称", "text", required=True),
            _c("approved_yuan", "批复金额", "amount", required=True, aliases=("批复金额(元)",)),
            _c("approved_on", "批复日期", "date", required=True),
        ),
        ("grant_id",),
        ("资金安排表", "项目资金", "grants"),
    ),
    Source(
        "disbursements",
        "资金拨付",
        (
            _c("disbursement_id", "拨付编号", "id", required=True),
            _c("grant_id", "项目编号", "id", required=True),
            _c("paid_on", "拨付日期", "date", required=True),
            _c("amount_yuan", "拨付金额", "amount", required=True, aliases=("拨付金额(元)",)),
        ),
        ("disbursement_id",),
        ("拨付", "disbursements", "payments"),
    ),
    Source(
        "annual_reports",
        "年报",
        (
            _c("org_id", "组织编号", "id", required=True),
            _c("report_year", "年度", "year", required=True, aliases=("报告年度",)),
            _c("due_on", "应报日期", "date", required=True),
            _c("submitted_on", "报送日期", "date"),
            _c("result", "结果", "enum", enum="report_result", aliases=("年报结果", "检查结果")),
        ),
        ("org_id", "report_year"),
        ("年度报告", "年检", "annual_reports"),
    ),
    Source(
        "evaluations",
        "等级评估",
        (
            _c("org_id", "组织编号", "id", required=True),
            _c("evaluated_year", "评估年度", "year", required=True),
            _c("score", "得分", "float", required=True, aliases=("评估得分",)),
            _c("grade", "等级", "grade", required=True, aliases=("评估等级",)),
        ),
        ("org_id", "evaluated_year"),
        ("评估", "evaluations"),
    ),
    Source(
        "credit_ratings",
        "信用评价",
        (
            _c("org_id", "组织编号", "id", required=True),
            _c("year", "年度", "year", required=True),
            _c("rating", "信用等级", "enum", required=True, enum="credit_rating"),
        ),
        ("org_id", "year"),
        ("信用等级", "credit_ratings"),
    ),
    Source(
        "credit_listings",
        "异常名录",
        (
            _c("org_id", "组织编号", "id", required=True),
            _c("list_type", "名录类型", "enum", required=True, enum="list_type"),
            _c("listed_on", "列入日期", "date", required=True),
            _c("removed_on", "移出日期", "date"),
            _c("reason", "原因", "text", aliases=("列入原因",)),
        ),
        (),
        ("信用名录", "活动异常名录", "credit_listings"),
    ),
    Source(
        "inspections",
        "专项抽查",
        (
            _c("inspection_id", "抽查编号", "id", required=True),
            _c("org_id", "组织编号", "id", required=True),
            _c("inspected_on", "抽查日期", "date", required=True),
            _c(
                "result",
                "结果",
                "enum",
                required=True,
                enum="inspection_result",
                aliases=("抽查结果",),
            ),
        ),
        ("inspection_id",),
        ("抽查", "inspections"),
    ),
    # ---- The county's own programmes (speech: 优化环境, 创新模式). Optional: a county that does
    # ---- not run one of them yet still loads.
    Source(
        "micro_projects",
        "微项目",
        (
            _c("project_id", "编号", "id", required=True, aliases=("项目编号", "微项目编号")),
            _c("name", "名称", "text", required=True, aliases=("项目名称", "微项目名称")),
            _c(
                "org_id",
                "组织编号",
                "id",
                required=True,
                aliases=("实施组织编号", "承接组织编号"),
            ),
            _c(
                "community_code",
                "社区代码",
                "division_code",
                required=True,
                aliases=("所属社区代码", "实施社区代码"),
            ),
            _c("field", "领域", "enum", required=True, enum="field", aliases=("服务领域",)),
            _c("budget_yuan", "预算", "amount", aliases=("预算金额", "项目预算")),
            _c("start_on", "开始日期", "date", required=True, aliases=("开始时间", "实施日期")),
            _c("end_on", "结束日期", "date", aliases=("结束时间", "结项日期")),
            _c("beneficiaries", "受益人数", "int", aliases=("受益人次", "受益群众")),
            _c(
                "status",
                "状态",
                "enum",
                required=True,
                enum="project_status",
                aliases=("项目状态",),
            ),
            _c("satisfaction_rate", "满意度", "rate", aliases=("群众满意度", "满意率")),
        ),
        ("project_id",),
        ("微项目台账", "micro_projects"),
        required=False,
    ),
    Source(
        "points_ledger",
        "积分台账",
        (
            _c("resident_id", "居民编号", "id", required=True, aliases=("居民代码", "积分卡号")),
            _c(
                "community_code",
                "社区代码",
                "division_code",
                required=True,
                aliases=("所属社区代码",),
            ),
            _c("earned_on", "日期", "date", required=True, aliases=("积分日期", "获得日期")),
            _c(
                "activity_type",
                "活动类型",
                "enum",
                required=True,
                enum="activity_type",
                aliases=("积分事项", "积分类型"),
            ),
            _c("points", "积分", "int", required=True, aliases=("分值", "获得积分")),
        ),
        (),
        ("积分明细", "积分制", "points_ledger", "points"),
        required=False,
    ),
    Source(
        "trainings",
        "培训",
        (
            _c("held_on", "日期", "date", required=True, aliases=("培训日期", "举办日期")),
            _c("name", "名称", "text", required=True, aliases=("培训名称", "培训班名称")),
            _c(
                "level",
                "层级",
                "enum",
                required=True,
                enum="training_level",
                aliases=("培训层级", "级别"),
            ),
            # Not in the bureau's list of headers, but without it a township's trainings cannot
            # be told apart: the division that held it (optional; county-level ones may leave it).
            _c("division_code", "区划代码", "division_code", aliases=("举办单位区划代码",)),
            _c("participants", "参训人数", "int", required=True, aliases=("培训人数", "参训人次")),
            _c("org_count", "参训组织", "int", aliases=("参训组织数",)),
        ),
        ("held_on", "name"),
        ("培训记录", "培训台账", "trainings"),
        required=False,
    ),
    Source(
        "awards",
        "表彰奖励",
        (
            _c("year", "年度", "year", required=True, aliases=("表彰年度",)),
            _c("org_id", "组织编号", "id", required=True),
            _c("title", "荣誉名称", "text", required=True, aliases=("荣誉称号", "表彰名称")),
            _c("level", "级别", "enum", required=True, enum="award_level", aliases=("表彰级别",)),
        ),
        ("year", "org_id", "title"),
        ("表彰", "荣誉表彰", "awards"),
        required=False,
    ),
    Source(
        "lounges",
        "睦邻客厅",
        (
            _c("lounge_id", "编号", "id", required=True, aliases=("客厅编号",)),
            _c(
                "community_code",
                "社区代码",
                "division_code",
                required=True,
                aliases=("所属社区代码",),
            ),
            _c("name", "名称", "text", required=True, aliases=("客厅名称",)),
            _c("floor_area_m2", "面积", "float", aliases=("面积(平方米)", "建筑面积")),
            _c("stars", "星级", "stars", aliases=("评定星级",)),
            _c("rated_on", "评定日期", "date", aliases=("评星日期",)),
            # Optional: without them the map puts a lounge on its community's point.
            _c("lon", "经度", "lon"),
            _c("lat", "纬度", "lat"),
        ),
        ("lounge_id",),
        ("睦邻客厅星级", "lounges"),
        required=False,
    ),
    # ---- 三社联动 (社区 + 社会组织 + 社会工作者), 联合党支部 and 大党委, 联合会/行业协会 (行业自律),
    # ---- 重大事项报告制度 and 信息公开制度 (speech: 强化监管, 创新模式). Optional, like the
    # ---- programmes: a county that does not keep one of these ledgers yet still loads.
    Source(
        "social_work_stations",
        "社工站",
        (
            _c("station_id", "社工站编号", "id", required=True, aliases=("站点编号", "编号")),
            _c("name", "名称", "text", required=True, aliases=("社工站名称", "站点名称")),
            _c(
                "level",
                "层级",
                "enum",
                required=True,
                enum="station_level",
                aliases=("类型", "站点类型", "级别"),
            ),
            _c(
                "township_code",
                "所属乡镇代码",
                "division_code",
                required=True,
                aliases=("乡镇代码", "乡镇(街道)代码", "所属乡镇(街道)代码"),
            ),
            # A 村（社区）社工室 names its community; a 乡镇社工站 may name the community it sits in.
            _c(
                "community_code",
                "社区代码",
                "division_code",
                aliases=("所在社区代码", "村(社区)代码"),
            ),
            _c(
                "opened_on",
                "建站日期",
                "date",
                required=True,
                aliases=("启用日期", "成立日期", "建成日期"),
            ),
        ),
        ("station_id",),
        ("社工站台账", "社会工作站", "乡镇社工站"),
        required=False,
    ),
    Source(
        "social_workers",
        "社会工作者",
        (
            # A pseudonymous number the station gives (SG0001): never an ID-card or mobile number.
            _c(
                "worker_id",
                "社工编号",
                "id",
                required=True,
                aliases=("社会工作者编号", "人员编号", "编号"),
            ),
            _c("station_id", "社工站编号", "id", aliases=("所属社工站编号", "站点编号")),
            _c(
                "community_code",
                "社区代码",
                "division_code",
                aliases=("所在社区代码", "服务社区代码"),
            ),
            _c(
                "qualification",
                "职业资格",
                "enum",
                required=True,
                enum="sw_qualification",
                aliases=("职业资格等级", "资格等级", "社会工作职业资格"),
            ),
            _c(
                "supported_org_ids",
                "服务的社会组织",
                "org_list",
                aliases=("支持的社会组织", "联系的社会组织", "服务组织", "结对社会组织"),
            ),
            _c("joined_on", "入职日期", "date", required=True, aliases=("到岗日期", "上岗日期")),
            _c("left_on", "离职日期", "date", aliases=("离岗日期", "退出日期")),
        ),
        ("worker_id",),
        ("社工名册", "社工台账", "社会工作者台账"),
        required=False,
    ),
    Source(
        "party_organizations",
        "党组织",
        (
            _c("party_org_id", "党组织编号", "id", required=True, aliases=("支部编号",)),
            _c("name", "党组织名称", "text", required=True, aliases=("名称", "支部名称")),
            _c(
                "kind",
                "组建方式",
                "enum",
                required=True,
                enum="party_org_kind",
                aliases=("党组织类型", "组建形式", "类型"),
            ),
            # The community's (or township's) 大党委 the branch is part of.
            _c(
                "division_code",
                "所属大党委区划代码",
                "division_code",
                required=True,
                aliases=("大党委区划代码", "所属大党委", "纳入大党委", "区划代码"),
            ),
            _c("founded_on", "成立日期", "date", required=True, aliases=("组建日期", "成立时间")),
            _c("dissolved_on", "撤销日期", "date", aliases=("撤销时间",)),
        ),
        ("party_org_id",),
        ("党组织名录", "社会组织党组织", "党支部"),
        required=False,
    ),
    Source(
        "party_org_coverage",
        "党组织覆盖",
        (
            _c("party_org_id", "党组织编号", "id", required=True, aliases=("支部编号",)),
            # Each row covers one organisation or one community (one of the two, not both).
            _c("org_id", "组织编号", "id", aliases=("覆盖组织编号", "社会组织编号")),
            _c(
                "community_code",
                "社区代码",
                "division_code",
                aliases=("覆盖社区代码", "村(社区)代码"),
            ),
            _c("covered_from", "纳入日期", "date", aliases=("覆盖日期", "开始日期")),
            _c("covered_until", "退出日期", "date", aliases=("移出日期", "结束日期")),
        ),
        (),
        ("党支部覆盖", "党建覆盖"),
        required=False,
    ),
    Source(
        "federations",
        "联合会",
        (
            _c("federation_id", "联合会编号", "id", required=True, aliases=("协会编号", "编号")),
            _c("name", "名称", "text", required=True, aliases=("联合会名称", "协会名称")),
            _c(
                "kind",
                "类型",
                "enum",
                required=True,
                enum="federation_kind",
                aliases=("联合会类型",),
            ),
            _c("level", "层级", "enum", required=True, enum="federation_level", aliases=("级别",)),
            _c(
                "division_code",
                "所在区划代码",
                "division_code",
                required=True,
                aliases=("区划代码",),
            ),
            _c("founded_on", "成立日期", "date", required=True, aliases=("成立时间",)),
        ),
        ("federation_id",),
        ("行业协会", "联合会名录"),
        required=False,
    ),
    Source(
        "federation_members",
        "联合会成员",
        (
            _c("federation_id", "联合会编号", "id", required=True, aliases=("协会编号",)),
            _c(
                "org_id",
                "组织编号",
                "id",
                required=True,
                aliases=("会员组织编号", "成员组织编号"),
            ),
            _c("joined_on", "加入日期", "date", required=True, aliases=("入会日期", "加入时间")),
            _c("left_on", "退出日期", "date", aliases=("退会日期", "退出时间")),
        ),
        ("federation_id", "org_id", "joined_on"),
        ("联合会会员", "行业协会成员", "行业协会会员"),
        required=False,
    ),
    Source(
        "major_matter_reports",
        "重大事项报告",
        (
            _c("org_id", "组织编号", "id", required=True),
            _c(
                "matter_kind",
                "事项类型",
                "enum",
                required=True,
                enum="matter_kind",
                aliases=("重大事项类型", "事项类别", "报告事项"),
            ),
            _c(
                "matter_on",
                "事项日期",
                "date",
                required=True,
                aliases=("发生日期", "事项发生日期"),
            ),
            # Empty: not reported (found otherwise, e.g. by an inspection).
            _c("reported_on", "报告日期", "date", aliases=("报告时间", "报送日期")),
            _c("description", "事项内容", "text", aliases=("事项摘要", "主要内容")),
        ),
        ("org_id", "matter_kind", "matter_on"),
        ("重大事项", "重大事项报告台账"),
        required=False,
    ),
    Source(
        "info_disclosures",
        "信息公开",
        (
            _c("org_id", "组织编号", "id", required=True),
            _c(
                "item",
                "公开事项",
                "enum",
                required=True,
                enum="disclosure_item",
                aliases=("公开内容", "信息公开事项"),
            ),
            # The year the information is about (2024 for the 2024 annual work report).
            _c("year", "年度", "year", required=True, aliases=("所属年度",)),
            _c("disclosed_on", "公开日期", "date", required=True, aliases=("公开时间", "发布日期")),
            _c(
                "channel",
                "公开渠道",
                "enum",
                enum="disclosure_channel",
                aliases=("公开方式", "发布渠道"),
            ),
        ),
        (),
        ("信息公开台账", "信息公示"),
        required=False,
    ),
    # ---- The leadership's yearly targets (issue 17): per county (乡镇（街道）代码 empty) or per
    # ---- township, for the indicators queries/indicators.toml marks `target = true`. Written by
    # ---- the admin's 目标 page through a new build, or uploaded like any file. Optional: without
    # ---- it only the default targets (the national floor) apply.
    Source(
        "targets",
        "年度目标",
        (
            _c("year", "年度", "year", required=True, aliases=("目标年度",)),
            _c(
                "township_code",
                "乡镇（街道）代码",
                "division_code",
                aliases=("乡镇代码", "乡镇(街道)区划代码", "区划代码"),
            ),
            _c(
                "indicator",
                "指标",
                "enum",
                required=True,
                enum="target_indicator",
                aliases=("指标名称", "目标指标"),
            ),
            # As typed (95%, 0.95, 30家): what it means depends on the indicator's unit.
            _c("target_text", "目标值", "text", required=True, aliases=("目标",)),
            # The number: a rate as 0–1 (95% → 0.95), a count or an average as written.
            _c("target_value", "目标值（数值）", "float", derived=True),
            _c("note", "说明", "text", aliases=("备注", "依据")),
        ),
        (),
        ("目标",),
        required=False,
    ),
)

SOURCES_BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}
