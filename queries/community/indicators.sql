-- The picked community's own indicators (counts behind the rates): organisations, money, reports, grades.
-- grain: one row, or none when the code names no community
-- params: $as_of (date), $fields (field codes or null), $community (division code)
select *
from community_indicators($as_of::date, $fields::varchar[])
where community_code = $community;
