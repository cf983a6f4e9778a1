-- The community's 睦邻客厅 rated by a date, with stars, rating date and floor area.
-- grain: one row per lounge in the community
-- params: $as_of (date), $community (division code)
select lounge_id, name, stars, rated_on, floor_area_m2
from lounges_rated($as_of::date)
where community_code = $community
order by stars desc nulls last, lounge_id;
