-- Every table and view an analyst can query, with its Chinese name and its size.
-- grain: one row per table or view of the warehouse (not DuckDB's own catalog)
-- params: none
with described(name, label) as (
    -- Views carry no comment in the warehouse: the documented ones get a name here.
    values
        ('organizations_active', '数据截止日现有的社会组织（含乡镇、社区名称）'),
        ('platforms_by_township', '各乡镇服务平台和没有村级服务站的社区')
)
select
    t.table_name as name,
    'table' as kind,
    t.comment as label,
    t.estimated_size as row_count,
    t.column_count,
    starts_with(t.table_name, 'lookup_') as is_lookup
from duckdb_tables() t
where not t.internal and not t.temporary and t.schema_name = 'main'
union all
select
    v.view_name,
    'view',
    coalesce(v.comment, d.label),
    null,
    v.column_count,
    false
from duckdb_views() v
left join described d on d.name = v.view_name
where not v.internal and not v.temporary and v.schema_name = 'main'
order by is_lookup, kind, name;
