-- Information disclosure (信息公开) of the year before a date's year: organisations expected to disclose, those that disclosed their annual work report and their finances (all, and registered ones), per township (per county with $by_county, a province's; per community once a township is chosen).
-- grain: one row per unit (township, county with $by_county, or community within $township) with an organisation expected to disclose, plus a total row (is_total, always present)
-- params: $as_of, $township, $area, $fields, $by_county (true: per county, with no township chosen)
--
-- Expected: organisations active on $as_of and established by the end of year($as_of) − 1
-- (disclosure_status); a disclosure counts when made on or before $as_of.
with s as (
    select
        u.*,
        case when $township is not null then u.community_code
             when $by_county then k.division_code
             else u.township_code end as unit_code,
        case when $township is not null then u.community_name
             when $by_county then k.name
             else u.township_name end as unit_name
    from disclosure_status($as_of::date) u
    -- a province's county is the township's parent, as on the map (map/township_areas.sql)
    left join divisions t on $by_county and t.division_code = u.township_code
    left join divisions k on k.division_code = t.parent_code
    where ($township is null or u.township_code = $township)
      and ($area is null or u.area_type = $area)
      and ($fields is null or list_contains($fields, field))
)
select
    unit_code,
    case when grouping(unit_code) = 0 then any_value(unit_name) end as unit_name,
    grouping(unit_code) = 1 as is_total,
    year($as_of::date) - 1 as disclosure_year,
    count(*) as count_expected,
    count(*) filter (where disclosed_annual_report) as count_annual_report,
    count(*) filter (where disclosed_finances) as count_finances,
    count(*) filter (where count_disclosures_12m > 0) as count_disclosed_12m,
    count(*) filter (where disclosed_annual_report) / nullif(count(*), 0)::double
        as annual_report_rate,
    count(*) filter (where disclosed_finances) / nullif(count(*), 0)::double as finances_rate,
    count(*) filter (where count_disclosures_12m > 0) / nullif(count(*), 0)::double
        as disclosed_12m_rate,
    count(*) filter (where status = 'registered') as count_registered_expected,
    count(*) filter (where status = 'registered' and disclosed_annual_report)
        as count_registered_annual_report,
    count(*) filter (where status = 'registered' and disclosed_annual_report)
        / nullif(count(*) filter (where status = 'registered'), 0)::double
        as registered_annual_report_rate,
    count(*) filter (where status = 'registered' and disclosed_finances)
        as count_registered_finances,
    count(*) filter (where status = 'registered' and disclosed_finances)
        / nullif(count(*) filter (where status = 'registered'), 0)::double
        as registered_finances_rate
from s
group by grouping sets ((unit_code), ())
order by unit_code nulls first;
