-- How many counties (县/区) the warehouse holds: more than one is a province's, whose pages break the whole down by county (Filters.params by_county), read on every page run.
-- grain: one row
-- params: none
select count(*) as count_counties
from divisions
where level = 'county';
