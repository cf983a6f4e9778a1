-- 三社联动 in the chosen place on a date: communities linked, 社工站 and 社工室 open, social workers in post (and qualified), active organisations a social worker supports, joint micro-projects of the year.
-- grain: one row; a figure is null when its source was not loaded (linkage_by_community), never 0
-- params: $as_of (date), $township (code or null), $area ('urban'/'rural'/null; social workers then only those posted in such communities)
--
-- The field filter does not apply: social workers and their rooms serve a community, not a field.
with c as (
    select *
    from linkage_by_community($as_of::date)
    where ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
),
w as (
    select sw.*
    from social_workers_active($as_of::date) sw
    left join divisions d on d.division_code = sw.community_code
    where ($township is null or sw.township_code = $township)
      and ($area is null or d.area_type = $area)
),
loaded as (
    select
        (select count(*) from social_work_stations) > 0 as has_stations,
        (select count(*) from social_workers) > 0 as has_workers
)
select
    count(*) as count_communities,
    sum(c.is_linked::int)::bigint as count_linked,
    sum(c.is_linked::int) / nullif(count(*), 0)::double as linked_rate,
    case when any_value(x.has_workers)
        then count(*) filter (where c.count_workers > 0)
    end as count_communities_with_workers,
    case when any_value(x.has_stations)
        then (select count(*) from social_work_stations s
              where s.level = 'township' and s.opened_on <= $as_of::date
                and ($township is null or s.township_code = $township))
    end as count_township_stations,
    sum(c.count_rooms)::bigint as count_rooms,
    case when any_value(x.has_workers) then (select count(*) from w) end as count_workers,
    case when any_value(x.has_workers) then (select count(*) from w where is_qualified) end
        as count_qualified_workers,
    sum(c.count_active)::bigint as count_active,
    sum(c.count_supported)::bigint as count_supported,
    sum(c.count_supported) / nullif(sum(c.count_active), 0)::double as supported_rate,
    sum(c.count_micro_projects)::bigint as count_micro_projects,
    sum(c.count_joint_micro_projects)::bigint as count_joint_micro_projects
from c
cross join loaded x;
