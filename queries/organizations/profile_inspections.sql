-- One organisation's special inspections (专项抽查) and their results.
-- grain: one row per inspection
-- params: $org, $as_of
select inspection_id, inspected_on, result
from inspections
where org_id = $org and inspected_on <= $as_of::date
order by inspected_on desc;
