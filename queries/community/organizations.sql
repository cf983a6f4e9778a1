-- The community's active organisations with their current evaluation grade and last annual report.
-- grain: one row per organisation active on $as_of in the community (and chosen fields)
-- params: $as_of (date), $fields (field codes or null), $community (division code)
with last_report as (
    select org_id, report_year, filing_status, days_late, result
    from annual_report_status($as_of::date)
    where due_on <= $as_of
    qualify row_number() over (partition by org_id order by report_year desc) = 1
)
select
    a.org_id,
    a.name as org_name,
    a.status,
    a.legal_form,
    a.field,
    a.established_on,
    a.members,
    a.volunteers,
    a.party_in_charter,
    a.has_party_branch,
    e.grade,
    r.report_year,
    r.filing_status,
    r.days_late
from active_organizations($as_of::date) a
left join evaluation_current($as_of::date) e using (org_id)
left join last_report r using (org_id)
where a.community_code = $community
  and ($fields is null or list_contains($fields, a.field))
order by a.status desc, a.established_on, a.org_id;
