-- Annual reports counted in each due year up to the chosen one, per township (per county with $by_county, a province's; per community once a township is chosen) and in total.
-- grain: one row per due year and unit (township, county with $by_county, or community within $township), plus one total per due year (is_total)
-- params: $as_of (status date), $year (last due year), $township, $area, $fields, $by_county (true: per county, with no township chosen)
with r as (
    select
        u.*,
        case when $township is not null then u.community_code
             when $by_county then k.division_code
             else u.township_code end as unit_code,
        case when $township is not null then u.community_name
             when $by_county then k.name
             else u.township_name end as unit_name
    from governance_reports($as_of::date) u
    -- a province's county is the township's parent, as on the map (map/township_areas.sql)
    left join divisions t on $by_county and t.division_code = u.township_code
    left join divisions k on k.division_code = t.parent_code
    where due_year <= $year
      and ($township is null or u.township_code = $township)
      and ($area is null or u.area_type = $area)
      and ($fields is null or list_contains($fields, field))
)
select
    due_year,
    any_value(report_year) as report_year,
    unit_code,
    case when grouping(unit_code) = 0 then any_value(unit_name) end as unit_name,
    grouping(unit_code) = 1 as is_total,
    count(*) filter (where filing_status <> 'not_due') as count_due,
    count(*) filter (where is_submitted) as count_submitted,
    count(*) filter (where filing_status = 'on_time') as count_on_time,
    count(*) filter (where filing_status = 'late') as count_late,
    count(*) filter (where filing_status = 'overdue') as count_overdue,
    count(*) filter (where filing_status = 'not_due') as count_not_due,
    count(*) filter (where is_submitted and result = 'pass') as count_pass,
    count(*) filter (where is_submitted and result = 'basic_pass') as count_basic_pass,
    count(*) filter (where is_submitted and result = 'fail') as count_fail,
    count(*) filter (where is_submitted and result is null) as count_pending,
    count(*) filter (where is_submitted) / nullif(count(*) filter (where filing_status <> 'not_due'), 0)
        as submission_rate,
    count(*) filter (where filing_status = 'on_time')
        / nullif(count(*) filter (where filing_status <> 'not_due'), 0) as on_time_rate
from r
group by grouping sets ((due_year), (due_year, unit_code))
order by due_year, unit_code nulls first;
