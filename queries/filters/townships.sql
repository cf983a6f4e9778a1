-- Townships for the sidebar picker, in code order.
-- grain: one row per township
-- params: none
select division_code as township_code, name as township_name
from divisions
where level = 'township'
order by division_code;
