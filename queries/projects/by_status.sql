-- Micro-projects started in the year of a date by their status on that date (立项, 实施中, 已结项, 已终止).
-- grain: one row per status, in the lookup's order, zero counts included
-- params: $as_of (date), $township, $area, $fields (null = all)
with p as (
    select *
    from micro_project_status($as_of::date)
    where start_year = year($as_of::date)
      and ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields::varchar[], field))
)
select
    l.code as status,
    l.label as status_label,
    count(p.project_id) as count_projects,
    coalesce(sum(p.budget_yuan), 0)::decimal(14, 2) as budget_yuan
from lookup_project_status l
left join p on p.status_on_date = l.code
group by l.code, l.label, l.sort_order
order by l.sort_order;
