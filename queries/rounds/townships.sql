-- The townships (乡镇/街道) that submit in a round, with the county each belongs to (etl.rounds).
-- grain: one row per township
-- params: none
select division_code as township_code, name, parent_code as county_code
from divisions
where level = 'township'
order by division_code;
