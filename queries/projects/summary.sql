-- Micro-projects started in the year of a date and in the year before: how many, their status, budget, beneficiaries, satisfaction.
-- grain: two rows: period 'current' (started in year($as_of), up to $as_of) and 'previous' (the year before, up to the same day a year earlier)
-- params: $as_of (date), $township (code or null), $area ('urban'/'rural'/null), $fields (field codes or null)
--
-- count_projects, budget and beneficiaries leave out projects stopped (已终止) by the date;
-- satisfaction is the mean over projects finished (已结项) by the date that have one.
with p as (
    select 'current' as period, *
    from micro_project_status($as_of::date)
    where start_year = year($as_of::date)
    union all
    select 'previous' as period, *
    from micro_project_status(($as_of::date - interval 1 year)::date)
    where start_year = year($as_of::date) - 1
),
scoped as (
    select * from p
    where ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields::varchar[], field))
)
select
    pe.period,
    count(s.project_id) filter (where s.status_on_date <> 'cancelled') as count_projects,
    count(s.project_id) filter (where s.status_on_date = 'completed') as count_completed,
    count(s.project_id) filter (where s.status_on_date = 'ongoing') as count_ongoing,
    count(s.project_id) filter (where s.status_on_date = 'planned') as count_planned,
    count(s.project_id) filter (where s.status_on_date = 'cancelled') as count_cancelled,
    coalesce(sum(s.budget_yuan) filter (where s.status_on_date <> 'cancelled'), 0)::decimal(14, 2)
        as budget_yuan,
    coalesce(sum(s.beneficiaries) filter (where s.status_on_date <> 'cancelled'), 0)::bigint
        as beneficiaries,
    avg(s.satisfaction_rate) filter (where s.status_on_date = 'completed') as satisfaction_rate,
    count(distinct s.org_id) filter (where s.status_on_date <> 'cancelled') as count_orgs,
    count(distinct s.community_code) filter (where s.status_on_date <> 'cancelled')
        as count_communities
from (values ('current'), ('previous')) pe(period)
left join scoped s on s.period = pe.period
group by pe.period
order by pe.period;
