-- One organisation's annual reports with filing status on a date: on time, late N days, overdue N days.
-- grain: one row per report year
-- params: $org, $as_of
select
    report_year,
    due_on,
    case when is_submitted then submitted_on end as submitted_on,
    filing_status,
    days_late,
    case when is_submitted then result end as result
from annual_report_status($as_of::date)
where org_id = $org
order by report_year desc;
