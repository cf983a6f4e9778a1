-- title: 历年资金执行率
-- description: 每年各资金来源合计的预算、批复、拨付（截至数据截止日，万元）和执行率（拨付 ÷ 预算）。
-- grain: one row per year
select
    year as 年度,
    round(sum(budget_yuan) / 10000, 2) as "预算（万元）",
    round(sum(approved_yuan) / 10000, 2) as "批复（万元）",
    round(sum(disbursed_yuan) / 10000, 2) as "拨付（万元）",
    round(sum(disbursed_yuan) / nullif(sum(budget_yuan), 0) * 100, 1) as "执行率（%）",
    sum(count_grants)::bigint as 项目数
from fund_execution((select as_of_date from warehouse_info))
group by year
order by year;
