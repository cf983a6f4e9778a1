-- The codes of one enumeration lookup table and their Chinese labels, in display order.
-- grain: one row per code
-- params: $lookup (name of a lookup_* table, from sql/tables)
select code, label, sort_order
from query_table($lookup)
order by sort_order;
