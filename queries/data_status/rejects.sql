-- Rows the live build rejected, with file, row number as Excel shows it, column, value, rule and the Chinese message.
-- grain: one row per rejected value
-- params: $source (source name, or null for all)
select r.source, s.label as source_label, r.file, r.row, r."column", r.value, r.rule, r.message
from etl_rejects r
left join etl_sources s on s.source = r.source
where ($source is null or r.source = $source)
order by s.rowid, r.file, r.row, r."column";
