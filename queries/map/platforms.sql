-- Service platforms open on the date, placed by their coordinates, with the division they serve.
-- grain: one row per platform (county centre, township platforms, village-level stations)
-- params: $as_of (date), $township (code or null: no county centre then), $area (urban/rural/null: village stations only)
select
    p.platform_id,
    p.name as platform_name,
    p.level,
    p.division_code,
    d.name as division_name,
    d.township_code,
    t.name as township_name,
    p.opened_on,
    p.floor_area_m2,
    p.lon,
    p.lat
from platforms p
join divisions d on d.division_code = p.division_code
left join divisions t on t.division_code = d.township_code
where p.opened_on <= $as_of
  and p.lon is not null and p.lat is not null
  and ($township is null or d.township_code = $township)
  and ($area is null or p.level <> 'village' or d.area_type = $area)
order by p.level, p.platform_id;
