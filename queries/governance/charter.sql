-- Party building and integrity in the charter, and party branches, among active organisations, per township (per county with $by_county, a province's; per community once a township is chosen).
-- grain: one row per unit (township, county with $by_county, or community within $township), plus a total row (is_total)
-- params: $as_of, $township, $area, $fields, $by_county (true: per county, with no township chosen)
with a as (
    select
        u.*,
        case when $township is not null then u.community_code
             when $by_county then k.division_code
             else u.township_code end as unit_code,
        case when $township is not null then u.community_name
             when $by_county then k.name
             else u.township_name end as unit_name
    from active_organizations($as_of::date) u
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
    count(*) as count_active,
    count(*) filter (where party_in_charter) as count_party_in_charter,
    count(*) filter (where integrity_in_charter) as count_integrity_in_charter,
    count(*) filter (where has_party_branch) as count_party_branch,
    count(*) filter (where party_in_charter) / count(*) as party_in_charter_rate,
    count(*) filter (where integrity_in_charter) / count(*) as integrity_in_charter_rate,
    count(*) filter (where has_party_branch) / count(*) as party_branch_rate
from a
group by grouping sets ((unit_code), ())
order by unit_code nulls first;
