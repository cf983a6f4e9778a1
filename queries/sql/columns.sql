-- Every column of every table and view: its type and its Chinese label from the column comment.
-- grain: one row per table (or view) and column, in column order
-- params: none
with own as (
    select table_name, column_index, column_name, data_type, comment
    from duckdb_columns()
    where not internal and schema_name = 'main'
),
-- A view's columns have no comments: one borrows the label of the table columns of the same
-- name when they all agree (org_id is 组织编号 everywhere; name differs from table to table).
shared as (
    select column_name, any_value(comment) as comment
    from own
    where comment is not null
    group by column_name
    having count(distinct comment) = 1
)
select
    o.table_name,
    o.column_index,
    o.column_name,
    o.data_type,
    coalesce(o.comment, s.comment) as label
from own o
left join shared s on s.column_name = o.column_name
order by o.table_name, o.column_index;
