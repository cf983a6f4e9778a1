-- 三社联动 per township (per county with $by_county, a province's; per community once a township is chosen) on a date: communities linked, rooms, social workers in post, organisations supported, joint micro-projects.
-- grain: one row per unit (township, county with $by_county, or community within $township) with a community in the filters; figures null when their source is not loaded
-- params: $as_of (date), $township (code or null), $area ('urban'/'rural'/null), $by_county (true: per county, with no township chosen)
--
-- A township's social workers include its 乡镇社工站's; a community's are those posted there.
with c as (
    select
        u.*,
        case when $township is not null then u.community_code
             when $by_county then k.division_code
             else u.township_code end as unit_code,
        case when $township is not null then u.community_name
             when $by_county then k.name
             else u.township_name end as unit_name
    from linkage_by_community($as_of::date) u
    -- a province's county is the township's parent, as on the map (map/township_areas.sql)
    left join divisions t on $by_county and t.division_code = u.township_code
    left join divisions k on k.division_code = t.parent_code
    where ($township is null or u.township_code = $township)
      and ($area is null or u.area_type = $area)
),
w as (
    select
        case when $township is not null then sw.community_code
             when $by_county then (select t.parent_code from divisions t
                                   where t.division_code = sw.township_code)
             else sw.township_code end as unit_code,
        count(*) as count_workers,
        count(*) filter (where sw.is_qualified) as count_qualified
    from social_workers_active($as_of::date) sw
    left join divisions d on d.division_code = sw.community_code
    where ($township is null or sw.township_code = $township)
      and ($area is null or d.area_type = $area)
    group by 1
),
loaded as (select (select count(*) from social_workers) > 0 as has_workers)
select
    c.unit_code,
    any_value(c.unit_name) as unit_name,
    count(*) as count_communities,
    sum(c.is_linked::int)::bigint as count_linked,
    sum(c.is_linked::int) / count(*)::double as linked_rate,
    bool_or(c.township_has_station) as has_township_station,
    sum(c.count_rooms)::bigint as count_rooms,
    case when any_value(x.has_workers) then coalesce(any_value(w.count_workers), 0) end
        as count_workers,
    case when any_value(x.has_workers) then coalesce(any_value(w.count_qualified), 0) end
        as count_qualified_workers,
    sum(c.count_active)::bigint as count_active,
    sum(c.count_supported)::bigint as count_supported,
    sum(c.count_supported) / nullif(sum(c.count_active), 0)::double as supported_rate,
    sum(c.count_joint_micro_projects)::bigint as count_joint_micro_projects
from c
cross join loaded x
left join w on w.unit_code = c.unit_code
group by c.unit_code
order by c.unit_code;
