-- Per township: communities, active organisations (registered, filed), average per community, communities below the floor, village-level stations open on the date.
-- grain: one row per township, in code order (named with its county when the warehouse holds several)
-- params: $as_of (date)
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
communities as (
    select
        township_code,
        count(*) as count_communities,
        count(*) filter (where not meets_floor) as count_below_floor,
        sum(count_active) as count_active,
        sum(count_registered) as count_registered,
        sum(count_filed) as count_filed
    from community_density($as_of::date)
    group by township_code
),
stations as (
    select d.township_code, count(*) as count_village_stations
    from platforms p
    join divisions d on d.division_code = p.division_code
    where p.level = 'village' and (p.opened_on is null or p.opened_on <= $as_of::date)
    group by d.township_code
)
select
    t.division_code as township_code,
    n.township_label as township_name,
    coalesce(c.count_communities, 0) as count_communities,
    coalesce(c.count_active, 0)::bigint as count_active,
    coalesce(c.count_registered, 0)::bigint as count_registered,
    coalesce(c.count_filed, 0)::bigint as count_filed,
    c.count_active / nullif(c.count_communities, 0) as avg_per_community,
    coalesce(c.count_below_floor, 0) as count_below_floor,
    coalesce(s.count_village_stations, 0) as count_village_stations
from divisions t
left join communities c on c.township_code = t.division_code
left join stations s on s.township_code = t.division_code
join labels n on n.township_code = t.division_code
where t.level = 'township'
order by t.division_code;
