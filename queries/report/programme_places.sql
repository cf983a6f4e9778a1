-- Micro-projects begun in the year of a date, points participants and 睦邻客厅 per township (county report) or per community (township report).
-- grain: one row per township of the county (named with its county when the warehouse holds several), or per community of the township
-- params: $as_of (date), $township (code or null for the county)
with labels as (
    -- A province's warehouse holds a hundred 城关镇: name the county too when it holds several.
    select
        t.division_code as township_code,
        case when (select count(*) from divisions where level = 'county') > 1
            then coalesce(c.name, '') || t.name else t.name end as township_label
    from divisions t
    left join divisions c on c.division_code = t.parent_code
    where t.level = 'township'
),
c as (
    select * from community_programmes($as_of::date, null::varchar[])
    where $township is null or township_code = $township
)
select
    case when $township is null then township_code else community_code end as unit_code,
    case when $township is null then any_value(n.township_label) else any_value(community_name) end
        as unit_name,
    sum(count_micro_projects)::bigint as count_micro_projects,
    sum(micro_project_budget_yuan)::decimal(14, 2) as micro_project_budget_yuan,
    sum(micro_project_beneficiaries)::bigint as micro_project_beneficiaries,
    count(*) filter (where is_pilot) as count_pilots,
    sum(count_residents_12m)::bigint as count_residents_12m,
    sum(count_lounges)::bigint as count_lounges
from c
left join labels n using (township_code)
group by 1
order by 1;
