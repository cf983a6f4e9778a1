-- The year's targets of the report's place with progress: the county (township null) or one township.
-- grain: one row per targeted indicator of that place (target_progress), in the catalogue's order
-- params: $as_of (date), $township (code or null for the county)
select *
from target_progress($as_of::date)
where township_code is not distinct from $township
order by sort_order;
