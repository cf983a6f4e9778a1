-- The warehouse's table macros (the shared indicator definitions) and the arguments they take.
-- grain: one row per table macro
-- params: none
with described(name, label) as (
    -- Macros carry no comment in the warehouse: the documented ones (docs/WAREHOUSE.md) get one.
    values
        ('active_organizations', '某日现有的社会组织（成立不晚于该日、当日未注销），含乡镇、城乡'),
        ('community_density', '各社区组织数、登记/备案、国家标准（城市10家、农村5家）、每千人组织数、是否达标'),
        ('headline', '讲话口径的全县总数：登记、备案、城乡、平均每社区、入章率、达标社区'),
        ('organization_flows', '每年新成立、注销和年末现有的组织数'),
        ('grant_payments', '每个资金项目的批复、已拨付、拨付率和最近拨付日期'),
        ('fund_execution', '每年各资金来源的预算、批复、拨付和执行率（拨付 ÷ 预算）'),
        ('annual_report_status', '每个组织每年度年报：按期、迟报（天数）、逾期未报、未到期'),
        ('evaluation_current', '各组织有效期内的评估等级（五年有效）、是否3A以上、一年内到期'),
        ('credit_listings_current', '某日仍在活动异常名录或严重违法失信名单中的记录')
)
select
    f.function_name as name,
    f.parameters,
    d.label
from duckdb_functions() f
left join described d on d.name = f.function_name
where f.function_type = 'table_macro' and not f.internal and f.schema_name = 'main'
order by d.label is null, f.function_name;
