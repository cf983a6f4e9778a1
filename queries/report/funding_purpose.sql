-- The as-of year's grants per purpose (项目资助, 人员培训, 场地租赁, 表彰奖励, 平台运营), largest approved first.
-- grain: one row per purpose with at least one grant in scope
-- params: $as_of (date), $township (code or null for the county)
select
    g.purpose,
    l.label as purpose_label,
    count(*) as count_grants,
    sum(g.approved_yuan)::decimal(14, 2) as approved_yuan,
    sum(g.paid_yuan)::decimal(14, 2) as disbursed_yuan,
    sum(g.approved_yuan) / sum(sum(g.approved_yuan)) over () as approved_share
from funding_grants($as_of::date) g
join lookup_grant_purpose l on l.code = g.purpose
where g.year = year($as_of::date)
  and ($township is null or g.township_code = $township)
group by g.purpose, l.label, l.sort_order
order by approved_yuan desc, l.sort_order;
