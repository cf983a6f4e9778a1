-- Grants of any year approved more than $lag_days days before $as_of whose payments lag (paid share below $paid_below).
-- grain: one row per lagging grant, longest waiting first
-- params: $as_of (date), $lag_days (integer), $paid_below (1.0 = not fully paid, 0.5 = less than half paid), $township, $area, $fields
select
    grant_id,
    year,
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
    last_paid_on,
    date_diff('day', approved_on, $as_of::date) as days_since_approval,
    date_diff('day', last_paid_on, $as_of::date) as days_since_last_payment
from funding_grants($as_of::date)
where date_diff('day', approved_on, $as_of::date) > $lag_days
  and paid_rate < $paid_below
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields, org_field))
order by days_since_approval desc, grant_id;
