-- Communities below the national floor (fewer than 10 organisations in a 社区, 5 in a 行政村) on a date.
-- grain: one row per community below its floor, urban first, then by township and community code
-- params: $as_of (date), $township (code or null for the county)
select
    community_code,
    community_name,
    township_code,
    township_name,
    area_type,
    count_active,
    floor,
    floor - count_active as count_short
from community_density($as_of::date)
where not meets_floor
  and ($township is null or township_code = $township)
order by area_type = 'rural', township_code, community_code;
