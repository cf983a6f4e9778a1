-- Active organisations currently on each credit list (活动异常名录, 严重违法失信名单).
-- grain: one row per list type, zero counts included
-- params: $as_of, $township, $area, $fields
with l as (
    select *
    from governance_listings($as_of::date)
    where ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields, field))
)
select
    t.code as list_type,
    t.label as list_label,
    count(l.org_id) as count_orgs,
    count(l.org_id) filter (where year(l.listed_on) = year($as_of::date)) as count_listed_this_year
from lookup_list_type t
left join l on l.list_type = t.code
group by t.code, t.label, t.sort_order
order by t.sort_order;
