-- The largest grants of the selected year by approved amount, with organisation, place and share paid.
-- grain: one row per grant, at most 20, largest first
-- params: $as_of (date), $year, $township, $area, $fields
select
    grant_id,
    title,
    fund_source,
    purpose,
    org_id,
    org_name,
    community_name,
    township_name,
    approved_on,
    approved_yuan,
    paid_yuan,
    paid_rate,
    last_paid_on
from funding_grants($as_of::date)
where year = $year
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields, org_field))
order by approved_yuan desc, grant_id
limit 20;
