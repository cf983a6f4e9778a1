-- Communities below the national floor (community_floor, from indicator_catalogue), furthest below first.
-- grain: one row per community below its floor
-- params: $as_of (date), $township, $area (null = all); every field counts towards the floor, so no $fields
select
    community_code,
    community_name,
    township_code,
    township_name,
    area_type,
    count_active,
    floor
from community_density($as_of::date)
where not meets_floor
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
order by floor_ratio, township_code, community_code;
