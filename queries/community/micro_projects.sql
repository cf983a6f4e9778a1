-- The community's micro-projects begun up to a date, newest first, with their organisation and status on that date.
-- grain: one row per micro-project of the community started on or before $as_of
-- params: $as_of (date), $fields (field codes or null), $community (division code)
select
    project_id,
    name,
    org_name,
    field,
    budget_yuan,
    start_on,
    case when end_on <= $as_of::date then end_on end as end_on,
    beneficiaries,
    status_on_date,
    case when status_on_date = 'completed' then satisfaction_rate end as satisfaction_rate
from micro_project_status($as_of::date)
where community_code = $community
  and ($fields is null or list_contains($fields::varchar[], field))
order by start_on desc, project_id;
