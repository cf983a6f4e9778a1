-- Whether the warehouse holds the information-disclosure table (a later source): without it the register says 暂无信息公开数据.
-- grain: one row
-- params: none
select count(*) > 0 as has_disclosures
from duckdb_tables()
where schema_name = 'main' and table_name = 'info_disclosures';
