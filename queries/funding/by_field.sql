-- Approved and disbursed per field of the receiving organisation in the selected year; 'none' = grants without one.
-- grain: one row per organisation field with grants, plus 'none' for grants to no organisation (training, platforms)
-- params: $as_of (date), $year, $township, $area, $fields (a field filter leaves out the grants without an organisation)
with g as (
    select * from funding_grants($as_of::date)
    where year = $year
      and ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields, org_field))
)
select
    coalesce(g.org_field, 'none') as field,
    coalesce(any_value(l.sort_order), 99) as sort_order,
    sum(g.approved_yuan)::decimal(14, 2) as approved_yuan,
    sum(g.paid_yuan)::decimal(14, 2) as disbursed_yuan,
    count(*) as count_grants,
    count(distinct g.org_id) as count_orgs,
    sum(g.paid_yuan) / sum(g.approved_yuan) as paid_rate,
    sum(g.approved_yuan) / (select sum(approved_yuan) from g) as approved_share
from g
left join lookup_field l on l.code = g.org_field
group by all
order by sort_order;
