-- Micro-projects begun in the year of a date, points participants and 睦邻客厅 per township (county report) or per community (township report).
-- grain: one row per township of the county, or per community of the township
-- params: $as_of (date), $township (code or null for the county)
with c as (
    select * from community_programmes($as_of::date, null::varchar[])
    where $township is null or township_code = $township
)
select
    case when $township is null then township_code else community_code end as unit_code,
    case when $township is null then any_value(township_name) else any_value(community_name) end
        as unit_name,
    sum(count_micro_projects)::bigint as count_micro_projects,
    sum(micro_project_budget_yuan)::decimal(14, 2) as micro_project_budget_yuan,
    sum(micro_project_beneficiaries)::bigint as micro_project_beneficiaries,
    count(*) filter (where is_pilot) as count_pilots,
    sum(count_residents_12m)::bigint as count_residents_12m,
    sum(count_lounges)::bigint as count_lounges
from c
group by 1
order by 1;
