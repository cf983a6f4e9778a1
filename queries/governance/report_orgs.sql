-- The organisations behind one annual-report figure of the chosen due year (e.g. the late ones).
-- grain: one row per report (organisation and report year)
-- params: $as_of, $year (due year), $township, $area, $fields, $bucket (due, submitted, on_time, late, overdue, not_due, pass, basic_pass, fail, pending)
select
    org_id,
    name,
    credit_code,
    township_name,
    community_name,
    field,
    report_year,
    due_on,
    case when is_submitted then submitted_on end as submitted_on,
    filing_status,
    days_late,
    case when is_submitted then result end as result
from governance_reports($as_of::date)
where due_year = $year
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields, field))
  and case $bucket
      when 'due' then filing_status <> 'not_due'
      when 'submitted' then is_submitted
      when 'pending' then is_submitted and result is null
      when 'pass' then is_submitted and result = 'pass'
      when 'basic_pass' then is_submitted and result = 'basic_pass'
      when 'fail' then is_submitted and result = 'fail'
      else filing_status = $bucket
  end
order by township_code, org_id;
