-- Service platforms sited in the community (village-level stations), open on the date.
-- grain: one row per platform
-- params: $as_of (date), $community (division code)
select platform_id, name as platform_name, level, opened_on, floor_area_m2
from platforms
where division_code = $community and opened_on <= $as_of
order by opened_on, platform_id;
