-- The inspections behind one inspection figure of the chosen year, with the organisation inspected.
-- grain: one row per inspection
-- params: $as_of, $year, $township, $area, $fields, $bucket (an inspection result code, or 'all')
select
    p.org_id,
    p.name,
    p.credit_code,
    p.township_name,
    p.community_name,
    p.field,
    i.inspection_id,
    i.inspected_on,
    i.result
from inspections i
join governance_org_places p using (org_id)
where year(i.inspected_on) = $year
  and i.inspected_on <= $as_of::date
  and ($township is null or p.township_code = $township)
  and ($area is null or p.area_type = $area)
  and ($fields is null or list_contains($fields, p.field))
  and ($bucket = 'all' or i.result = $bucket)
order by i.inspected_on, i.inspection_id;
