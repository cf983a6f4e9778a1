-- Communities below the national floor (community_floor: indicator_catalogue's count_active threshold) on a date.
-- grain: one row per community below its floor, urban first, then by township and community code (the township named with its county when the warehouse holds several)
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
)
select
    community_code,
    community_name,
    township_code,
    n.township_label as township_name,
    area_type,
    count_active,
    floor,
    floor - count_active as count_short
from community_density($as_of::date)
left join labels n using (township_code)
where not meets_floor
  and ($township is null or township_code = $township)
order by area_type = 'rural', township_code, community_code;
