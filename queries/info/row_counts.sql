-- Rows read, loaded and rejected per source in the build that made this warehouse.
-- grain: one row per source
-- params: none
select source, label, file_name, encoding, rows_read, rows_loaded, rows_rejected
from etl_sources
order by rowid;
