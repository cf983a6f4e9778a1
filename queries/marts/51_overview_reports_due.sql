-- Annual reports falling due in a year's window: report year = year(as_of) − 1, due on or before as_of.
-- grain: one row per organisation whose report for that year was due by as_of, with place and field
-- params: as_of (macro argument, date); submission rate = count(is_submitted) / count(*)
create or replace macro annual_reports_due(as_of) as table
select
    s.org_id,
    s.report_year,
    s.due_on,
    s.submitted_on,
    s.result,
    s.filing_status,
    s.days_late,
    s.is_submitted,
    o.field,
    o.community_code,
    d.township_code,
    d.area_type
from annual_report_status(as_of) s
join organizations o on o.org_id = s.org_id
join divisions d on d.division_code = o.community_code
where s.report_year = year(as_of) - 1
  and s.due_on <= as_of;
