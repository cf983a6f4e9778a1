-- Micro-projects started on or before a date, with their status on that date and their place.
-- grain: one row per micro-project started on or before as_of
-- params: as_of (macro argument, date)
--
-- The file holds each project's status today; on an earlier date a project finished later was
-- still running (结项 after the date), and one stopped later was not yet stopped.
create or replace macro micro_project_status(as_of) as table
select
    p.*,
    year(p.start_on) as start_year,
    case
        when p.status = 'completed' and p.end_on <= as_of then 'completed'
        when p.status = 'cancelled' and (p.end_on is null or p.end_on <= as_of) then 'cancelled'
        when p.status = 'planned' then 'planned'
        else 'ongoing'
    end as status_on_date,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type,
    o.name as org_name
from micro_projects p
join divisions d on d.division_code = p.community_code
left join divisions t on t.division_code = d.township_code
left join organizations o on o.org_id = p.org_id
where p.start_on <= as_of;

-- Points participation per community: residents earning points in the 12 months to a date, per 1,000 residents, and points per month.
-- grain: one row per community (社区 or 行政村); communities outside the 积分制 pilot have is_pilot false and null figures
-- params: as_of (macro argument, date)
--
-- The window is (as_of − 1 year, as_of]. Points per month divide the window's points by the months
-- the community has been in the pilot within it (a community that joined in October has three).
create or replace macro points_participation(as_of) as table
with ledger as (
    select * from points_ledger where earned_on <= as_of
),
since as (
    select community_code, min(earned_on) as first_earned_on
    from ledger
    group by community_code
),
recent as (
    select
        community_code,
        count(distinct resident_id) as count_residents,
        sum(points)::bigint as points,
        count(*) as count_entries
    from ledger
    where earned_on > (as_of - interval 1 year)::date
    group by community_code
)
select
    d.division_code as community_code,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type,
    d.population,
    s.first_earned_on is not null as is_pilot,
    s.first_earned_on,
    case when s.first_earned_on is not null then coalesce(r.count_residents, 0) end
        as count_residents_12m,
    case when s.first_earned_on is not null then coalesce(r.points, 0) end as points_12m,
    case when s.first_earned_on is not null then coalesce(r.count_entries, 0) end
        as count_entries_12m,
    case when s.first_earned_on is not null
        then per_1000(coalesce(r.count_residents, 0), d.population)
    end as residents_per_1000,
    case when s.first_earned_on is not null
        then coalesce(r.points, 0)
            / least(12, date_diff('month', s.first_earned_on, as_of::date) + 1)::double
    end as points_per_month
from divisions d
left join divisions t on t.division_code = d.township_code
left join since s on s.community_code = d.division_code
left join recent r on r.community_code = d.division_code
where d.level = 'community';

-- Points participation of each township's pilot communities and of the county's: pilots, residents earning points in the 12 months to a date, per 1,000 residents of the pilots (积分制参与（每千人）of a place: the 项目 page, the report, a province's township map).
-- grain: one row per township with communities (of the area), and one for the county (is_county, township_code null); figures are of pilot communities only, null (counts 0) where none is in the pilot
-- params: as_of (macro argument, date), area (macro argument, 'urban'/'rural'/null)
--
-- A place's rate is its pilots' residents taking part over its pilots' residents, not an average
-- of the communities' rates.
create or replace macro points_by_area(as_of, area) as table
select
    township_code,
    grouping(township_code) = 1 as is_county,
    count(*) filter (where is_pilot) as count_pilots,
    min(year(first_earned_on)) as first_year,
    sum(count_residents_12m)::bigint as count_residents_12m,
    sum(population) filter (where is_pilot)::bigint as population,
    sum(points_12m)::bigint as points_12m,
    per_1000(sum(count_residents_12m), sum(population) filter (where is_pilot))
        as residents_per_1000
from points_participation(as_of)
where area is null or area_type = area
group by grouping sets ((township_code), ());

-- Points earned per calendar month and community: residents taking part, entries, points.
-- grain: one row per community and month with at least one entry, up to as_of
-- params: as_of (macro argument, date)
create or replace macro points_monthly(as_of) as table
select
    date_trunc('month', l.earned_on)::date as month,
    l.community_code,
    d.township_code,
    d.area_type,
    count(distinct l.resident_id) as count_residents,
    count(*) as count_entries,
    sum(l.points)::bigint as points
from points_ledger l
join divisions d on d.division_code = l.community_code
where l.earned_on <= as_of
group by all;

-- Trainings held on or before a date, with the township that held them (none for county-level ones).
-- grain: one row per training
-- params: as_of (macro argument, date)
create or replace macro trainings_held(as_of) as table
select
    tr.*,
    year(tr.held_on) as year,
    case when tr.level <> 'county' then d.township_code end as township_code,
    case when tr.level <> 'county' then t.name end as township_name,
    case when tr.level = 'community' then d.name end as community_name,
    case when tr.level = 'community' then d.area_type end as area_type
from trainings tr
left join divisions d on d.division_code = tr.division_code
left join divisions t on t.division_code = d.township_code
where tr.held_on <= as_of;

-- Awards (表彰) given up to a date's year, with the organisation's field and place.
-- grain: one row per award
-- params: as_of (macro argument, date)
create or replace macro awards_given(as_of) as table
select
    a.*,
    p.name as org_name,
    p.status as org_status,
    p.field,
    p.community_code,
    p.community_name,
    p.township_code,
    p.township_name,
    p.area_type
from awards a
join governance_org_places p using (org_id)
where a.year <= year(as_of);

-- 睦邻客厅 rated on or before a date (or not rated yet), placed by their own coordinates or else at their community's point.
-- grain: one row per lounge
-- params: as_of (macro argument, date)
create or replace macro lounges_rated(as_of) as table
select
    l.lounge_id,
    l.name,
    l.community_code,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type,
    l.floor_area_m2,
    l.stars,
    l.rated_on,
    coalesce(l.lon, d.lon) as lon,
    coalesce(l.lat, d.lat) as lat,
    l.lon is not null and l.lat is not null as has_own_position
from lounges l
join divisions d on d.division_code = l.community_code
left join divisions t on t.division_code = d.township_code
where l.rated_on is null or l.rated_on <= as_of;

-- Per-community programme figures for the year of a date: micro-projects started, points participation, 睦邻客厅 (map, community page).
-- grain: one row per community; a figure whose source was not loaded is null (no data), not zero
-- params: as_of (macro argument, date), fields (macro argument, varchar[] of field codes, null = all; micro-projects only)
--
-- Micro-projects count those started in year(as_of) up to as_of and not stopped by then.
create or replace macro community_programmes(as_of, fields) as table
with projects as (
    select
        community_code,
        count(*) as count_micro_projects,
        sum(budget_yuan) as micro_project_budget_yuan,
        sum(beneficiaries)::bigint as micro_project_beneficiaries
    from micro_project_status(as_of)
    where start_year = year(as_of)
      and status_on_date <> 'cancelled'
      and (fields is null or list_contains(fields, field))
    group by community_code
),
rooms as (
    select community_code, count(*) as count_lounges, max(stars) as best_stars
    from lounges_rated(as_of)
    group by community_code
),
loaded as (
    select
        (select count(*) from micro_projects) > 0 as has_projects,
        (select count(*) from lounges) > 0 as has_lounges
)
select
    p.community_code,
    p.community_name,
    p.township_code,
    p.township_name,
    p.area_type,
    p.population,
    case when x.has_projects then coalesce(pr.count_micro_projects, 0) end as count_micro_projects,
    case when x.has_projects then coalesce(pr.micro_project_budget_yuan, 0) end::decimal(14, 2)
        as micro_project_budget_yuan,
    case when x.has_projects then coalesce(pr.micro_project_beneficiaries, 0) end
        as micro_project_beneficiaries,
    p.is_pilot,
    p.first_earned_on,
    p.count_residents_12m,
    p.residents_per_1000,
    p.points_12m,
    p.points_per_month,
    case when x.has_lounges then coalesce(r.count_lounges, 0) end as count_lounges,
    r.best_stars
from points_participation(as_of) p
cross join loaded x
left join projects pr on pr.community_code = p.community_code
left join rooms r on r.community_code = p.community_code;
