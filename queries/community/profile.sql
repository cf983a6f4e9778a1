-- One community's place and size: township, urban/rural, classification code and its label (lookup_urban_rural), residents, households.
-- grain: one row, or none when the code names no community
-- params: $community (division code)
select
    d.division_code as community_code,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type,
    d.urban_rural_code,
    u.label as urban_rural_label,
    d.population,
    d.households
from divisions d
left join divisions t on t.division_code = d.township_code
left join lookup_urban_rural u on u.code = d.urban_rural_code
where d.level = 'community' and d.division_code = $community;
