-- Current evaluation grades (1A–5A) of active organisations and how many expire within a year.
-- grain: one row per grade 1..5, zero counts included
-- params: $as_of, $township, $area, $fields
with g as (
    select *
    from governance_grades($as_of::date)
    where ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields, field))
)
select
    s.grade::integer as grade,
    count(g.org_id) as count_orgs,
    count(g.org_id) filter (where g.expires_within_year) as count_expiring
from range(1, 6) s(grade)
left join g on g.grade = s.grade
group by s.grade
order by s.grade;
