-- The warehouse's table macros (the shared indicator definitions) and the arguments they take.
-- grain: one row per table macro
-- params: none
with described(name, label) as (
    -- Macros carry no comment in the warehouse: the documented ones (docs/WAREHOUSE.md) get one.
    values
        ('active_organizations', '某日现有的社会组织（成立不晚于该日、当日未注销），含乡镇、城乡'),
        ('community_density', '各社区组织数、登记/备案、国家标准（floor，数值见指标目录 indicator_catalogue）、每千人组织数、是否达标'),
        ('community_indicators', '各社区的地图指标（第二个参数为服务领域列表，null 为全部）：密度、人均资金、年报报送率、3A占比、每千人志愿者数等'),
        ('area_indicators', '全县和各乡镇（街道）可设目标的指标，每个指标一列（列名见指标目录）'),
        ('target_progress', '全县和各乡镇当年目标的完成情况：实际、目标、是否达成、差距、按时间进度应达'),
        ('headline', '讲话口径的全县总数：登记、备案、城乡、平均每社区、入章率、达标社区'),
        ('organization_flows', '每年新成立、注销和年末现有的组织数'),
        ('grant_payments', '每个资金项目的批复、已拨付、拨付率和最近拨付日期'),
        ('fund_execution', '每年各资金来源的预算、批复、拨付和执行率（拨付 ÷ 预算）'),
        ('annual_report_status', '每个组织每年度年报：按期、迟报（天数）、逾期未报、未到期'),
        ('evaluation_current', '各组织有效期内的评估等级（五年有效）、是否3A以上、一年内到期'),
        ('credit_listings_current', '某日仍在活动异常名录或严重违法失信名单中的记录'),
        ('linkage_by_community', '三社联动：各社区的社工室、驻社区社工、社工服务的组织、联动微项目'),
        ('linkage_by_township', '三社联动：各乡镇的社工站、联动社区、社工、社工服务的组织'),
        ('party_coverage_by_community', '党组织覆盖：各社区被覆盖的组织、社区是否覆盖、大党委中的党组织'),
        ('party_coverage_by_township', '党组织覆盖：各乡镇覆盖的社区和组织'),
        ('federation_membership_by_township', '行业自律：各乡镇加入联合会、行业协会的组织'),
        ('major_matter_status', '重大事项：事项日期、报告用时（天）、按期/迟报/逾期未报/未到期'),
        ('disclosure_by_township', '信息公开：各乡镇上一年度年度工作报告、财务收支公开率'),
        ('eligibility_flags', '资格核查：批复资金、表彰时组织在名录中、信用等级低于线或年报逾期的，附原因'),
        ('eligibility_summary', '资格核查：每年资金安排、表彰奖励的核查数、问题数及金额')
)
select
    f.function_name as name,
    f.parameters,
    d.label
from duckdb_functions() f
left join described d on d.name = f.function_name
where f.function_type = 'table_macro' and not f.internal and f.schema_name = 'main'
order by d.label is null, f.function_name;
