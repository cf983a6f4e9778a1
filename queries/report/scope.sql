-- Names a report is written with: the county, the chosen township (null when the code names none), the warehouse's as-of date.
-- grain: one row
-- params: $township (division code of a township, or null for the county)
select
    w.county_name,
    w.as_of_date,
    (select name from divisions where level = 'township' and division_code = $township)
        as township_name
from warehouse_info w;
