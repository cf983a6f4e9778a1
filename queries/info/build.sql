-- One kept build's identity and size, for the list of builds (orgdash builds, the 导入 page).
-- grain: one row
-- params: none
select as_of_date, built_at, etl_run_id,
       (select sum(rows_loaded) from etl_sources)::BIGINT as rows_loaded
from warehouse_info;
