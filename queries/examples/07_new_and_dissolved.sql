-- title: 历年新成立与注销
-- description: 每年新成立、注销的组织数和年末现有组织数，以及净增加。
-- grain: one row per year
select
    year as 年度,
    count_new as 新成立,
    count_dissolved as 注销,
    count_new - count_dissolved as 净增加,
    count_active_year_end as 年末现有
from organization_flows((select as_of_date from warehouse_info))
order by year;
