-- Micro-projects started in the year of a date per field of service: count, budget, beneficiaries (stopped ones left out).
-- grain: one row per field with at least one project in scope, most projects first
-- params: $as_of (date), $township, $area, $fields (null = all)
select
    field,
    count(*) as count_projects,
    sum(budget_yuan)::decimal(14, 2) as budget_yuan,
    coalesce(sum(beneficiaries), 0)::bigint as beneficiaries
from micro_project_status($as_of::date)
where start_year = year($as_of::date)
  and status_on_date <> 'cancelled'
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields::varchar[], field))
group by field
order by count_projects desc, field;
