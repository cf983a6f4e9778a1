-- title: 信用名录中的组织
-- description: 数据截止日仍在活动异常名录或严重违法失信名单中的组织：名录、列入日期、已列入天数和原因。
-- grain: one row per listing in force
with as_of as (select as_of_date as d from warehouse_info)
select
    l.org_id as 组织编号,
    o.name as 组织名称,
    t.name as 乡镇,
    lt.label as 名录,
    l.listed_on as 列入日期,
    date_diff('day', l.listed_on, (select d from as_of)) as 已列入天数,
    l.reason as 原因
from credit_listings_current((select d from as_of)) l
join organizations o using (org_id)
join divisions c on c.division_code = o.community_code
join divisions t on t.division_code = c.township_code
join lookup_list_type lt on lt.code = l.list_type
order by lt.sort_order, l.listed_on;
