-- title: 近五年年末现有组织数（递归示例）
-- description: 有界 WITH RECURSIVE 示例：从数据截止年往前数五年，逐年计算年末现有的登记、备案组织数。
-- grain: one row per year
with recursive years(y) as (
    select year((select as_of_date from warehouse_info))
    union all
    select y - 1 from years where y > year((select as_of_date from warehouse_info)) - 4
)
select
    y as 年度,
    (select count(*) from active_organizations(make_date(y, 12, 31)) where status = 'registered') as 登记,
    (select count(*) from active_organizations(make_date(y, 12, 31)) where status = 'filed') as 备案
from years
order by y;
