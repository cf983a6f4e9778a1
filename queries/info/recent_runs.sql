-- The latest load attempts, failed ones included, newest first.
-- grain: one row per run
-- params: $limit (integer)
select run_id, started_at, finished_at, status, as_of_date, rows_read, rows_loaded, rows_rejected,
       reject_report, message
from etl_runs
order by started_at desc
limit $limit;
