-- title: 各乡镇服务领域构成
-- description: 数据截止日各乡镇现有组织按服务领域计数（领域名称来自代码表 lookup_field），以及最多的领域。
-- grain: one row per township
with a as (
    select township_name, township_code, field from organizations_active
)
select
    township_name as 乡镇,
    count(*) as 合计,
    count(*) filter (where field = 'resident_services') as 为民服务,
    count(*) filter (where field = 'charity') as 公益慈善,
    count(*) filter (where field = 'culture_sports') as 文体活动,
    count(*) filter (where field = 'mediation') as 矛盾调处,
    count(*) filter (where field = 'rural_revitalization') as 乡村振兴,
    count(*) filter (where field = 'mutual_aid') as 邻里互助,
    count(*) filter (where field = 'other') as 其他,
    (select label from lookup_field where code = mode(a.field)) as 最多的领域
from a
group by township_name, township_code
order by township_code;
