-- Communities to pick from on the community page, in the chosen township and area.
-- grain: one row per community (社区 or 行政村)
-- params: $township (code or null), $area ('urban'/'rural'/null)
select
    d.division_code as community_code,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type
from divisions d
left join divisions t on t.division_code = d.township_code
where d.level = 'community'
  and ($township is null or d.township_code = $township)
  and ($area is null or d.area_type = $area)
order by d.division_code;
