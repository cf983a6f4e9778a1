-- Active organisations per field of service, largest first.
-- grain: one row per field with at least one organisation in scope
-- params: $as_of (date), $township, $area, $fields (null = all)
select field, count(*) as count_active
from active_organizations($as_of::date)
where ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields::varchar[], field))
group by field
order by count_active desc, field;
