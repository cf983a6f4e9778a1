-- Registered organisations expected to disclose that had not disclosed their annual work report for the year before a date's year by that date.
-- grain: one row per registered organisation of disclosure_status($as_of) with disclosed_annual_report false
-- params: $as_of, $township, $area, $fields
select
    s.org_id,
    s.name,
    p.credit_code,
    s.status,
    s.field,
    s.township_name,
    s.community_name,
    s.disclosure_year,
    s.disclosed_finances,
    s.count_disclosures_12m,
    s.last_disclosed_on
from disclosure_status($as_of::date) s
join governance_org_places p using (org_id)
where not s.disclosed_annual_report
  and s.status = 'registered'
  and ($township is null or s.township_code = $township)
  and ($area is null or s.area_type = $area)
  and ($fields is null or list_contains($fields, s.field))
order by s.township_name, s.community_name, s.org_id;
