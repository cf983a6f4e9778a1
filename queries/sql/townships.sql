-- Township outlines and names: the frame of reference under a query result's quick map.
-- grain: one row per township with a boundary
-- params: none
select t.division_code as township_code, t.name as township_name, b.geojson
from divisions t
join division_boundaries b using (division_code)
where t.level = 'township'
order by t.division_code;
