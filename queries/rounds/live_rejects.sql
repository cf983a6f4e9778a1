-- The rows the live build itself rejected, to tell a submission's new rejects from old ones.
-- grain: one row per (source, row, rule) of the live build's reject report
-- params: none
select distinct source, file, row, rule
from etl_rejects;
