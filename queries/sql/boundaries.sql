-- Boundaries of the divisions a query result names, for its quick map.
-- grain: one row per division with a boundary
-- params: $codes (list of division codes)
select b.division_code, d.name, d.level, b.geojson
from division_boundaries b
join divisions d using (division_code)
where list_contains($codes, b.division_code)
order by d.level, b.division_code;
