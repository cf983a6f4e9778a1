-- Joint micro-projects (三社联动) of the year of a date: micro-projects begun that year and not stopped, whose organisation a social worker in post on the start day supported, with the workers.
-- grain: one row per such micro-project (as counted in linkage_by_community.count_joint_micro_projects)
-- params: $as_of (date), $township (code or null), $area ('urban'/'rural'/null)
with p as (
    select *
    from micro_project_status($as_of::date)
    where start_year = year($as_of::date) and status_on_date <> 'cancelled'
      and ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
),
spells as (
    select worker_id, station_id, joined_on, left_on, unnest(supported_org_ids) as org_id
    from social_workers
)
select
    p.project_id,
    p.name,
    p.org_id,
    p.org_name,
    p.township_name,
    p.community_name,
    p.start_on,
    p.status_on_date,
    p.budget_yuan,
    p.beneficiaries,
    count(distinct s.worker_id) as count_workers,
    string_agg(distinct st.name, '、') as station_names
from p
join spells s
    on s.org_id = p.org_id
    and s.joined_on <= p.start_on
    and (s.left_on is null or s.left_on > p.start_on)
left join social_work_stations st on st.station_id = s.station_id
group by all
order by p.start_on, p.project_id;
