-- Every micro-project started in the year of a date, with its organisation, place and status on that date.
-- grain: one row per project in scope (stopped ones included), by start date
-- params: $as_of (date), $township, $area, $fields (null = all)
select
    project_id,
    name,
    org_id,
    org_name,
    township_name,
    community_name,
    field,
    budget_yuan,
    start_on,
    case when end_on <= $as_of::date then end_on end as end_on,
    beneficiaries,
    status_on_date,
    case when status_on_date = 'completed' then satisfaction_rate end as satisfaction_rate
from micro_project_status($as_of::date)
where start_year = year($as_of::date)
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields::varchar[], field))
order by start_on, project_id;
