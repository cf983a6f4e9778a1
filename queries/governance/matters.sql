-- Major matters (重大事项) of the year of a date, by how they were reported, per township (per county with $by_county, a province's; per community once a township is chosen), with the on-time rate.
-- grain: one row per unit (township, county with $by_county, or community within $township) with a matter that year, plus a total row (is_total, always present)
-- params: $as_of, $township, $area, $fields, $by_county (true: per county, with no township chosen)
--
-- on_time_rate = on time ÷ (on time + late + overdue), as major_matter_by_year: matters still
-- within the reporting days (pending) are not judged yet.
with m as (
    select
        u.*,
        case when $township is not null then u.community_code
             when $by_county then k.division_code
             else u.township_code end as unit_code,
        case when $township is not null then u.community_name
             when $by_county then k.name
             else u.township_name end as unit_name
    from major_matter_status($as_of::date) u
    -- a province's county is the township's parent, as on the map (map/township_areas.sql)
    left join divisions t on $by_county and t.division_code = u.township_code
    left join divisions k on k.division_code = t.parent_code
    where matter_year = year($as_of::date)
      and ($township is null or u.township_code = $township)
      and ($area is null or u.area_type = $area)
      and ($fields is null or list_contains($fields, field))
)
select
    unit_code,
    case when grouping(unit_code) = 0 then any_value(unit_name) end as unit_name,
    grouping(unit_code) = 1 as is_total,
    count(*) as count_matters,
    count(*) filter (where report_status = 'on_time') as count_on_time,
    count(*) filter (where report_status = 'late') as count_late,
    count(*) filter (where report_status = 'overdue') as count_overdue,
    count(*) filter (where report_status = 'pending') as count_pending,
    count(*) filter (where report_status = 'on_time')
        / nullif(count(*) filter (where report_status <> 'pending'), 0)::double as on_time_rate,
    any_value(report_days) as report_days
from m
group by grouping sets ((unit_code), ())
order by unit_code nulls first;
