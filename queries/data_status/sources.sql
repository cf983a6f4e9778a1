-- The source files the live warehouse was built from: file, encoding, rows read, loaded and rejected.
-- grain: one row per source (a source without a file has null file_name)
-- params: none
select source, label, file_name, encoding, sha256, rows_read, rows_loaded, rows_rejected
from etl_sources
order by rowid;
