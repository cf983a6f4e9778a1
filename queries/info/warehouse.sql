-- What this warehouse is: as-of date, when it was built, by which run, for which county.
-- grain: one row
-- params: none
select as_of_date, built_at, etl_run_id, county_code, county_name, source_dir
from warehouse_info;
