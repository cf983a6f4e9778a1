-- One community's programmes in the year of a date: micro-projects begun, points participation, 睦邻客厅.
-- grain: one row, or none when the code names no community
-- params: $as_of (date), $fields (field codes or null; micro-projects only), $community (division code)
select *
from community_programmes($as_of::date, $fields::varchar[])
where community_code = $community;
