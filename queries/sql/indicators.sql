-- The indicator catalogue as this build was made with it (queries/indicators.toml): the SQL workbench's 指标目录 tab.
-- grain: one row per indicator
-- params: none
select *
from indicator_catalogue
order by sort_order;
