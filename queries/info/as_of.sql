-- The warehouse's as-of date and build, which every page defaults to.
-- grain: one row
-- params: none
select as_of_date, built_at, etl_run_id, county_name from warehouse_info;
