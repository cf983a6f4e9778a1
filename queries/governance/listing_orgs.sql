-- The organisations currently on one credit list, with when and why they were listed.
-- grain: one row per active organisation on that list
-- params: $as_of, $township, $area, $fields, $bucket (list type code)
select
    org_id,
    name,
    credit_code,
    township_name,
    community_name,
    field,
    list_type,
    listed_on,
    days_listed,
    count_entries,
    reasons
from governance_listings($as_of::date)
where list_type = $bucket
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields, field))
order by listed_on, org_id;
