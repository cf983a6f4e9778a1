-- Annual-report submission rate: of the reports for report year $year − 1 due on or before $as_of, the share submitted by $as_of; and the same a year earlier.
-- grain: two rows: period 'current' (report year $year − 1) and 'previous' (report year $year − 2)
-- params: $as_of (date), $township, $area, $fields (null = all); the organisation's community decides the place
with due as (
    select 'current' as period, * from annual_reports_due($as_of::date)
    union all
    select 'previous' as period, * from annual_reports_due(($as_of::date - interval 1 year)::date)
),
periods as (
    select 'current' as period, year($as_of::date) - 1 as report_year
    union all
    select 'previous', year($as_of::date) - 2
)
select
    p.period,
    p.report_year,
    count(d.org_id) as count_due,
    count(d.org_id) filter (where d.is_submitted) as count_submitted,
    count(d.org_id) filter (where d.filing_status = 'on_time') as count_on_time,
    count(d.org_id) filter (where d.filing_status = 'overdue') as count_overdue,
    count(d.org_id) filter (where d.is_submitted) / nullif(count(d.org_id), 0) as submission_rate
from periods p
left join due d
    on d.period = p.period
   and ($township is null or d.township_code = $township)
   and ($area is null or d.area_type = $area)
   and ($fields is null or list_contains($fields::varchar[], d.field))
group by p.period, p.report_year
order by p.period;
