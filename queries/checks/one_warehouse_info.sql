-- warehouse_info holds exactly one row.
-- grain: one row when the count is wrong
-- params: none
select count(*) as n from warehouse_info having count(*) <> 1;
