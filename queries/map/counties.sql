-- Counties (县/区) of the warehouse: more than one makes the map a province's, drawn by township with county outlines and names.
-- grain: one row per county; geojson and its bounding box are null for a county without a boundary
-- params: none
select
    k.division_code as county_code,
    k.name as county_name,
    b.geojson,
    b.xmin,
    b.ymin,
    b.xmax,
    b.ymax
from divisions k
left join map_shapes b on b.division_code = k.division_code
where k.level = 'county'
order by k.division_code;
