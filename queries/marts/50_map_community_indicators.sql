-- Per-community density, floor ratio, funding per resident, report submission, 3A+ share, volunteers per 1,000 (map, profile, report).
-- grain: one row per community (社区 or 行政村), communities without organisations included
-- params: as_of (macro argument, date), fields (macro argument, varchar[] of field codes, null = all)
--
-- Funding is the grants approved in year(as_of) (up to as_of) to the community itself or to any of
-- its organisations; with a field choice only grants to organisations of those fields count.
-- Annual reports are those for year(as_of) - 1, which fall due in year(as_of) (31 May), counted
-- once due: submitted by as_of / due by as_of. Registered organisations only file them.
create or replace macro community_indicators(as_of, fields) as table
with orgs as (
    select org_id, community_code, status, volunteers
    from active_organizations(as_of)
    where fields is null or list_contains(fields, field)
),
counts as (
    select
        community_code,
        count(*) as count_active,
        count(*) filter (where status = 'registered') as count_registered,
        count(*) filter (where status = 'filed') as count_filed,
        sum(volunteers) as count_volunteers
    from orgs
    group by community_code
),
graded as (
    select o.community_code, count(*) as count_3a_plus
    from orgs o
    join evaluation_current(as_of) e using (org_id)
    where o.status = 'registered' and e.is_3a_plus
    group by o.community_code
),
funding as (
    select
        coalesce(o.community_code, g.division_code) as community_code,
        sum(g.approved_yuan) as approved_yuan,
        count(*) as count_grants
    from grant_payments(as_of) g
    left join organizations o using (org_id)
    where g.year = year(as_of)
      and (fields is null or list_contains(fields, o.field))
    group by all
),
reports as (
    select
        o.community_code,
        count(*) as count_reports_due,
        count(*) filter (where r.is_submitted) as count_reports_submitted
    from annual_report_status(as_of) r
    join organizations o using (org_id)
    where r.report_year = year(as_of) - 1
      and r.due_on <= as_of
      and (fields is null or list_contains(fields, o.field))
    group by o.community_code
)
select
    d.division_code as community_code,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type,
    d.population,
    coalesce(c.count_active, 0) as count_active,
    coalesce(c.count_registered, 0) as count_registered,
    coalesce(c.count_filed, 0) as count_filed,
    community_floor(d.area_type) as floor,
    per_1000(coalesce(c.count_active, 0), d.population) as per_1000_residents,
    coalesce(c.count_active, 0) / community_floor(d.area_type) as floor_ratio,
    coalesce(c.count_active, 0) >= community_floor(d.area_type) as meets_floor,
    coalesce(f.approved_yuan, 0)::decimal(14, 2) as approved_yuan,
    coalesce(f.count_grants, 0) as count_grants,
    per_resident(coalesce(f.approved_yuan, 0), d.population) as funding_per_resident,
    coalesce(r.count_reports_due, 0) as count_reports_due,
    coalesce(r.count_reports_submitted, 0) as count_reports_submitted,
    r.count_reports_submitted / nullif(r.count_reports_due, 0) as report_submission_rate,
    coalesce(gr.count_3a_plus, 0) as count_3a_plus,
    coalesce(gr.count_3a_plus, 0) / nullif(c.count_registered, 0) as share_3a_plus,
    coalesce(c.count_volunteers, 0) as count_volunteers,
    per_1000(coalesce(c.count_volunteers, 0), d.population) as volunteers_per_1000
from divisions d
left join divisions t on t.division_code = d.township_code
left join counts c on c.community_code = d.division_code
left join graded gr on gr.community_code = d.division_code
left join funding f on f.community_code = d.division_code
left join reports r on r.community_code = d.division_code
where d.level = 'community';
