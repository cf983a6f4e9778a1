-- Evaluation grades (1A–5A) in force among active organisations on a date, how many expire within a year, and the registered organisations they are out of.
-- grain: one row per grade 5..1, zero counts included; count_evaluations_loaded = 0 means the source is empty
-- params: $as_of (date), $township (code or null for the county)
with g as (
    select * from governance_grades($as_of::date)
    where $township is null or township_code = $township
)
select
    s.grade::integer as grade,
    count(g.org_id) as count_orgs,
    count(g.org_id) filter (where g.expires_within_year) as count_expiring,
    (select count(*) from active_organizations($as_of::date)
        where status = 'registered' and ($township is null or township_code = $township))
        as count_registered,
    (select count(*) from evaluations) as count_evaluations_loaded
from range(1, 6) s(grade)
left join g on g.grade = s.grade
group by s.grade
order by s.grade desc;
