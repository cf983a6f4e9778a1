-- 睦邻客厅 rated by a date in scope, with their stars and where to draw them (own coordinates or the community's point).
-- grain: one row per lounge, most stars first
-- params: $as_of (date), $township, $area (lounges have no field of service)
select
    lounge_id,
    name,
    community_code,
    community_name,
    township_name,
    area_type,
    floor_area_m2,
    stars,
    rated_on,
    lon,
    lat,
    has_own_position
from lounges_rated($as_of::date)
where ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
order by stars desc nulls last, township_name, community_name, lounge_id;
