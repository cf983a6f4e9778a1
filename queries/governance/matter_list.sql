-- The major matters of the year of a date not reported on time: reported late, or overdue (not reported and past the days), with the organisation.
-- grain: one row per matter of year($as_of) whose report_status is late or overdue on $as_of
-- params: $as_of, $township, $area, $fields
select
    m.org_id,
    m.org_name as name,
    p.credit_code,
    m.org_status as status,
    m.field,
    m.township_name,
    m.community_name,
    m.matter_kind,
    k.label as matter_label,
    m.matter_on,
    m.reported_on,
    m.days_to_report,
    date_diff('day', m.matter_on, $as_of::date) as days_since_matter,
    m.report_status,
    m.report_days,
    m.description
from major_matter_status($as_of::date) m
join governance_org_places p using (org_id)
left join lookup_matter_kind k on k.code = m.matter_kind
where m.matter_year = year($as_of::date)
  and m.report_status in ('late', 'overdue')
  and ($township is null or m.township_code = $township)
  and ($area is null or m.area_type = $area)
  and ($fields is null or list_contains($fields, m.field))
order by m.report_status = 'late', m.matter_on, m.org_id;
