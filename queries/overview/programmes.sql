-- The programmes at a glance on a date and a year earlier: micro-projects begun that year, their beneficiaries, points participants, 睦邻客厅.
-- grain: two rows: period 'current' ($as_of) and 'previous' (the same day a year earlier); a source not loaded gives null figures
-- params: $as_of (date), $township, $area, $fields (micro-projects only; points and lounges have no field)
with periods as (
    select 'current' as period, $as_of::date as day
    union all
    select 'previous', ($as_of::date - interval 1 year)::date
),
projects as (
    select pe.period, count(p.project_id) as count_projects,
        coalesce(sum(p.beneficiaries), 0)::bigint as beneficiaries
    from periods pe
    left join lateral (
        select * from micro_project_status(pe.day) s
        where s.start_year = year(pe.day)
          and s.status_on_date <> 'cancelled'
          and ($township is null or s.township_code = $township)
          and ($area is null or s.area_type = $area)
          and ($fields is null or list_contains($fields::varchar[], s.field))
    ) p on true
    group by pe.period
),
points as (
    select pe.period, count(z.community_code) as count_pilots,
        coalesce(sum(z.count_residents_12m), 0)::bigint as count_residents_12m
    from periods pe
    left join lateral (
        select * from points_participation(pe.day) q
        where q.is_pilot
          and ($township is null or q.township_code = $township)
          and ($area is null or q.area_type = $area)
    ) z on true
    group by pe.period
),
rooms as (
    select pe.period, count(r.lounge_id) as count_lounges,
        count(r.lounge_id) filter (where r.stars >= 4) as count_lounges_4plus
    from periods pe
    left join lateral (
        select * from lounges_rated(pe.day) l
        where ($township is null or l.township_code = $township)
          and ($area is null or l.area_type = $area)
    ) r on true
    group by pe.period
),
loaded as (
    select
        (select count(*) from micro_projects) > 0 as has_projects,
        (select count(*) from points_ledger) > 0 as has_points,
        (select count(*) from lounges) > 0 as has_lounges
)
select
    pe.period,
    case when x.has_projects then p.count_projects end as count_projects,
    case when x.has_projects then p.beneficiaries end as beneficiaries,
    case when x.has_points then z.count_pilots end as count_pilots,
    case when x.has_points then z.count_residents_12m end as count_residents_12m,
    case when x.has_lounges then r.count_lounges end as count_lounges,
    case when x.has_lounges then r.count_lounges_4plus end as count_lounges_4plus
from periods pe
cross join loaded x
join projects p using (period)
join points z using (period)
join rooms r using (period)
order by pe.period;
