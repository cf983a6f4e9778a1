-- Every organisation ever known with its place (community, township, urban/rural), for filters and lists.
-- grain: one row per organisation, dissolved ones included
-- params: none
create or replace view governance_org_places as
select
    o.org_id,
    o.name,
    o.credit_code,
    o.status,
    o.legal_form,
    o.field,
    o.community_code,
    o.established_on,
    o.dissolved_on,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type
from organizations o
join divisions d on d.division_code = o.community_code
left join divisions t on t.division_code = d.township_code;

-- Annual reports with filing status on a date and place; counted in due_year (2025年年检 = 2024年度报告).
-- grain: one row per organisation and report year
-- params: as_of (macro argument, date)
create or replace macro governance_reports(as_of) as table
select
    r.org_id,
    r.report_year,
    year(r.due_on) as due_year,
    r.due_on,
    r.submitted_on,
    r.result,
    r.filing_status,
    r.days_late,
    r.is_submitted,
    p.* exclude (org_id)
from annual_report_status(as_of) r
join governance_org_places p using (org_id);

-- Current evaluation grades of organisations still active on a date (a dissolved one's grade lapses).
-- grain: one row per active organisation with a valid grade
-- params: as_of (macro argument, date)
create or replace macro governance_grades(as_of) as table
select
    e.org_id,
    e.evaluated_year,
    e.score,
    e.grade,
    e.valid_until,
    e.is_3a_plus,
    e.expires_within_year,
    p.* exclude (org_id)
from evaluation_current(as_of) e
join governance_org_places p using (org_id)
where p.established_on <= as_of and (p.dissolved_on is null or p.dissolved_on > as_of);

-- Active organisations on each credit list on a date; repeated entries count once (earliest date, all reasons).
-- grain: one row per active organisation and list type in force
-- params: as_of (macro argument, date)
create or replace macro governance_listings(as_of) as table
select
    l.org_id,
    l.list_type,
    min(l.listed_on) as listed_on,
    count(*) as count_entries,
    string_agg(distinct l.reason, '；' order by l.reason) as reasons,
    date_diff('day', min(l.listed_on), as_of) as days_listed,
    any_value(p.name) as name,
    any_value(p.credit_code) as credit_code,
    any_value(p.status) as status,
    any_value(p.field) as field,
    any_value(p.community_name) as community_name,
    any_value(p.township_code) as township_code,
    any_value(p.township_name) as township_name,
    any_value(p.area_type) as area_type
from credit_listings_current(as_of) l
join governance_org_places p using (org_id)
where p.established_on <= as_of and (p.dissolved_on is null or p.dissolved_on > as_of)
group by l.org_id, l.list_type;
