-- Township (乡镇/街道) outlines and names, drawn over the communities as context.
-- grain: one row per township with a boundary (simplified for drawing: map_shapes)
-- params: $township (code or null for every township)
select
    t.division_code as township_code,
    t.name as township_name,
    b.geojson,
    b.xmin,
    b.ymin,
    b.xmax,
    b.ymax
from divisions t
join map_shapes b on b.division_code = t.division_code
where t.level = 'township'
  and ($township is null or t.division_code = $township)
order by t.division_code;
