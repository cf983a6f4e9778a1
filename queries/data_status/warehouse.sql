-- What the live warehouse is: as-of date, when and by which run it was built, from which folder, and its totals.
-- grain: one row
-- params: none
select
    w.as_of_date,
    w.built_at,
    w.etl_run_id,
    w.county_name,
    w.source_dir,
    (select count(*) from etl_sources where file_name is not null) as count_files,
    (select sum(rows_read) from etl_sources)::bigint as rows_read,
    (select sum(rows_loaded) from etl_sources)::bigint as rows_loaded,
    (select sum(rows_rejected) from etl_sources)::bigint as rows_rejected
from warehouse_info w;
