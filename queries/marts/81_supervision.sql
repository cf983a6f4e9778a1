-- Major matters (重大事项) up to a date with the days taken to report them and whether that was on time under the bureau's rule.
-- grain: one row per matter with matter_on <= as_of
-- params: as_of (macro argument, date)
--
-- The rule (rule_settings.matter_report_days, orgdash.toml [major_matters] report_days, default
-- 10): reported within that many days of the matter, or before it (事前报告, days_to_report < 0),
-- is on time; later is late; not reported by as_of and past the days is overdue; not yet reported
-- but still within them is pending. A report dated after as_of was not made yet on as_of.
create or replace macro major_matter_status(as_of) as table
with rule as (
    select value::integer as report_days from rule_settings where name = 'matter_report_days'
)
select
    m.*,
    year(m.matter_on) as matter_year,
    p.name as org_name,
    p.status as org_status,
    p.field,
    p.community_code,
    p.community_name,
    p.township_code,
    p.township_name,
    p.area_type,
    r.report_days,
    case when m.reported_on <= as_of then date_diff('day', m.matter_on, m.reported_on) end
        as days_to_report,
    case
        when m.reported_on <= as_of and date_diff('day', m.matter_on, m.reported_on) <= r.report_days
            then 'on_time'
        when m.reported_on <= as_of then 'late'
        when date_diff('day', m.matter_on, as_of::date) > r.report_days then 'overdue'
        else 'pending'
    end as report_status
from major_matter_reports m
cross join rule r
join governance_org_places p using (org_id)
where m.matter_on <= as_of;

-- Major-matter reporting per year up to a date's year: matters, on time, late, overdue, pending, the on-time rate.
-- grain: one row per matter year with at least one matter (none when 重大事项报告 is not loaded)
-- params: as_of (macro argument, date)
--
-- on_time_rate = on time ÷ (on time + late + overdue): matters still within the days are not judged yet.
create or replace macro major_matter_by_year(as_of) as table
select
    matter_year,
    count(*) as count_matters,
    count(*) filter (where report_status = 'on_time') as count_on_time,
    count(*) filter (where report_status = 'late') as count_late,
    count(*) filter (where report_status = 'overdue') as count_overdue,
    count(*) filter (where report_status = 'pending') as count_pending,
    count(*) filter (where report_status = 'on_time')
        / nullif(count(*) filter (where report_status <> 'pending'), 0)::double as on_time_rate,
    avg(days_to_report) filter (where days_to_report >= 0) as avg_days_to_report
from major_matter_status(as_of)
group by matter_year;

-- Major-matter reporting per township for the year of a date: matters, on time, late, overdue, pending, the on-time rate.
-- grain: one row per township; figures null when 重大事项报告 is not loaded
-- params: as_of (macro argument, date)
create or replace macro major_matter_by_township(as_of) as table
with m as (
    select
        township_code,
        count(*) as count_matters,
        count(*) filter (where report_status = 'on_time') as count_on_time,
        count(*) filter (where report_status = 'late') as count_late,
        count(*) filter (where report_status = 'overdue') as count_overdue,
        count(*) filter (where report_status = 'pending') as count_pending
    from major_matter_status(as_of)
    where matter_year = year(as_of)
    group by township_code
),
loaded as (select (select count(*) from major_matter_reports) > 0 as has_matters)
select
    t.division_code as township_code,
    t.name as township_name,
    case when x.has_matters then coalesce(m.count_matters, 0) end as count_matters,
    case when x.has_matters then coalesce(m.count_on_time, 0) end as count_on_time,
    case when x.has_matters then coalesce(m.count_late, 0) end as count_late,
    case when x.has_matters then coalesce(m.count_overdue, 0) end as count_overdue,
    case when x.has_matters then coalesce(m.count_pending, 0) end as count_pending,
    m.count_on_time / nullif(m.count_on_time + m.count_late + m.count_overdue, 0)::double
        as on_time_rate
from divisions t
cross join loaded x
left join m on m.township_code = t.division_code
where t.level = 'township';

-- Information disclosure (信息公开) of each organisation expected to disclose for the year before a date's year.
-- grain: one row per organisation active on as_of and established by the end of year(as_of) − 1; disclosure figures null when 信息公开 is not loaded
-- params: as_of (macro argument, date)
--
-- disclosure_year = year(as_of) − 1 (on 2025-12-31: the 2024 annual work report and finances).
-- A disclosure counts when made on or before as_of.
create or replace macro disclosure_status(as_of) as table
with d as (
    select * from info_disclosures where disclosed_on <= as_of
),
last_year as (
    select
        org_id,
        min(disclosed_on) filter (where item = 'annual_report') as annual_report_disclosed_on,
        bool_or(item = 'annual_report') as disclosed_annual_report,
        bool_or(item = 'finances') as disclosed_finances,
        list(distinct channel order by channel) filter (where channel is not null) as channels
    from d
    where year = year(as_of) - 1
    group by org_id
),
recent as (
    select org_id, count(*) as count_disclosures_12m
    from d
    where disclosed_on > (as_of - interval 1 year)::date
    group by org_id
),
latest as (
    select org_id, max(disclosed_on) as last_disclosed_on from d group by org_id
),
loaded as (select (select count(*) from info_disclosures) > 0 as has_disclosures)
select
    a.org_id,
    a.name,
    a.status,
    a.field,
    a.community_code,
    a.community_name,
    a.township_code,
    a.township_name,
    a.area_type,
    year(as_of) - 1 as disclosure_year,
    case when x.has_disclosures then coalesce(l.disclosed_annual_report, false) end
        as disclosed_annual_report,
    l.annual_report_disclosed_on,
    case when x.has_disclosures then coalesce(l.disclosed_finances, false) end
        as disclosed_finances,
    l.channels,
    case when x.has_disclosures then coalesce(r.count_disclosures_12m, 0) end
        as count_disclosures_12m,
    t.last_disclosed_on
from active_organizations(as_of) a
cross join loaded x
left join last_year l using (org_id)
left join recent r using (org_id)
left join latest t using (org_id)
where a.established_on <= make_date(year(as_of) - 1, 12, 31);

-- Disclosure rates per township: organisations that disclosed their annual work report and finances for the year before a date's year, all and registered ones.
-- grain: one row per township; rates null when 信息公开 is not loaded
-- params: as_of (macro argument, date)
create or replace macro disclosure_by_township(as_of) as table
select
    t.division_code as township_code,
    t.name as township_name,
    year(as_of) - 1 as disclosure_year,
    count(s.org_id) as count_expected,
    sum(s.disclosed_annual_report::int)::bigint as count_annual_report,
    sum(s.disclosed_annual_report::int) / nullif(count(s.org_id), 0)::double
        as annual_report_rate,
    sum(s.disclosed_finances::int) / nullif(count(s.org_id), 0)::double as finances_rate,
    count(s.org_id) filter (where s.status = 'registered') as count_registered_expected,
    (sum(s.disclosed_annual_report::int) filter (where s.status = 'registered'))::bigint
        as count_registered_annual_report,
    sum(s.disclosed_annual_report::int) filter (where s.status = 'registered')
        / nullif(count(s.org_id) filter (where s.status = 'registered'), 0)::double
        as registered_annual_report_rate,
    sum((s.count_disclosures_12m > 0)::int) / nullif(count(s.org_id), 0)::double
        as disclosed_12m_rate
from divisions t
left join disclosure_status(as_of) s on s.township_code = t.division_code
where t.level = 'township'
group by t.division_code, t.name;
