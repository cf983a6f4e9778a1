-- Townships for the sidebar picker, in code order, with their county (the parent, as on the map): a province's pickers and league name it.
-- grain: one row per township
-- params: none
select t.division_code as township_code, t.name as township_name, k.name as county_name
from divisions t
left join divisions k on k.division_code = t.parent_code
where t.level = 'township'
order by t.division_code;
