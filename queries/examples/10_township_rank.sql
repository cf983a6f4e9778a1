-- title: 乡镇组织数排名与累计占比
-- description: 窗口函数示例：各乡镇现有组织数的排名、占全县比例和从多到少的累计占比。
-- grain: one row per township
with per_township as (
    select township_name, count(*) as n from organizations_active group by township_name
)
select
    township_name as 乡镇,
    n as 组织数,
    rank() over (order by n desc) as 排名,
    round(n * 100.0 / sum(n) over (), 1) as "占全县（%）",
    round(sum(n) over (order by n desc, township_name) * 100.0 / sum(n) over (), 1) as "累计占比（%）"
from per_township
order by 排名, 乡镇;
