-- Micro-projects begun in the year of a date (status on the date, budget, beneficiaries, satisfaction) and since the first year.
-- grain: one row; count_projects_loaded = 0 means the micro-project source is empty (no sentence then)
-- params: $as_of (date), $township (code or null for the county)
--
-- Projects stopped (已终止) by the date are left out of counts, budget and beneficiaries.
with p as (
    select * from micro_project_status($as_of::date)
    where $township is null or township_code = $township
),
live as (
    select * from p where status_on_date <> 'cancelled'
)
select
    (select count(*) from micro_projects) as count_projects_loaded,
    year($as_of::date) as year,
    (select count(*) from live where start_year = year($as_of::date)) as count_projects,
    (select count(*) from live where start_year = year($as_of::date) and status_on_date = 'completed')
        as count_completed,
    (select count(*) from live where start_year = year($as_of::date) and status_on_date = 'ongoing')
        as count_ongoing,
    (select count(*) from live where start_year = year($as_of::date) and status_on_date = 'planned')
        as count_planned,
    (select count(*) from p where start_year = year($as_of::date) and status_on_date = 'cancelled')
        as count_cancelled,
    (select coalesce(sum(budget_yuan), 0) from live where start_year = year($as_of::date))::decimal(14, 2)
        as budget_yuan,
    (select coalesce(sum(beneficiaries), 0) from live where start_year = year($as_of::date))::bigint
        as beneficiaries,
    (select avg(satisfaction_rate) from live
        where start_year = year($as_of::date) and status_on_date = 'completed') as satisfaction_rate,
    (select count(distinct org_id) from live where start_year = year($as_of::date)) as count_orgs,
    (select min(start_year) from live) as first_year,
    (select count(*) from live) as count_projects_total,
    (select coalesce(sum(beneficiaries), 0) from live)::bigint as beneficiaries_total;
