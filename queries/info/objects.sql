-- The tables, views and macros a warehouse file holds: rollback finds what an older build lacks, a scoped copy the tables to empty.
-- grain: one row per table, view and macro (a macro with several overloads repeats; DuckDB's built-in macros included)
-- params: none
select table_name as name, 'table' as kind
from duckdb_tables()
where not internal
union all
select view_name, 'view'
from duckdb_views()
where not internal
union all
select function_name, 'macro'
from duckdb_functions()
where function_type like '%macro';
