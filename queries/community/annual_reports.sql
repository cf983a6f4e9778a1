-- Annual reports of the community's organisations for the year due in $as_of's year (report year - 1).
-- grain: one row per organisation owing that report
-- params: $as_of (date), $fields (field codes or null), $community (division code)
select
    o.org_id,
    o.name as org_name,
    r.report_year,
    r.due_on,
    r.submitted_on,
    r.filing_status,
    r.days_late,
    r.result
from annual_report_status($as_of::date) r
join organizations o using (org_id)
where o.community_code = $community
  and r.report_year = year($as_of::date) - 1
  and ($fields is null or list_contains($fields, o.field))
order by r.filing_status, r.days_late desc nulls last, o.name;
