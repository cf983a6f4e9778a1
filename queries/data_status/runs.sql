-- The load attempts recorded up to the build of the live warehouse, failed ones included, newest first.
-- grain: one row per run
-- params: $limit (integer)
select run_id, started_at, finished_at, status, as_of_date, source_dir, rows_read, rows_loaded,
       rows_rejected, reject_report, message
from etl_runs
order by started_at desc, run_id desc
limit $limit;
