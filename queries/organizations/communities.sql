-- Communities of one township for the page's community picker, urban ones first.
-- grain: one row per community (社区 or 行政村) of the township
-- params: $township, $area
select division_code as community_code, name as community_name, area_type
from divisions
where level = 'community'
  and township_code = $township
  and ($area is null or area_type = $area)
order by area_type desc, division_code;
