-- The year's targets with progress for the county and every township (the 总览's target table and the township league, the 大屏).
-- grain: one row per place (township_code null: the county) and targeted indicator, as the target_progress mart
-- params: $as_of (date); the targets of year($as_of) apply
select *
from target_progress($as_of::date)
order by is_county desc, township_code, sort_order;
