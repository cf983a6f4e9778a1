-- Annual reports of the latest report year due on or before the date: due, submitted on time or late, overdue, and results.
-- grain: one row per township (named with its county when the warehouse holds several) and one total row (is_total), for that report year; no rows when no report was due by $as_of
-- params: $as_of (date), $township (code or null for the county)
with labels as (
    -- A province's warehouse holds a hundred 城关镇: name the county too when it holds several.
    select
        t.division_code as township_code,
        case when (select count(*) from divisions where level = 'county') > 1
            then coalesce(c.name, '') || t.name else t.name end as township_label
    from divisions t
    left join divisions c on c.division_code = t.parent_code
    where t.level = 'township'
),
latest as (
    select max(report_year) as report_year from annual_reports where due_on <= $as_of::date
),
r as (
    select *
    from governance_reports($as_of::date)
    where report_year = (select report_year from latest)
      and due_on <= $as_of::date
      and ($township is null or township_code = $township)
)
select
    any_value(report_year) as report_year,
    township_code,
    case when grouping(township_code) = 0 then any_value(n.township_label) end as township_name,
    grouping(township_code) = 1 as is_total,
    count(*) as count_due,
    count(*) filter (where is_submitted) as count_submitted,
    count(*) filter (where filing_status = 'on_time') as count_on_time,
    count(*) filter (where filing_status = 'late') as count_late,
    count(*) filter (where filing_status = 'overdue') as count_overdue,
    count(*) filter (where is_submitted and result = 'pass') as count_pass,
    count(*) filter (where is_submitted and result = 'basic_pass') as count_basic_pass,
    count(*) filter (where is_submitted and result = 'fail') as count_fail,
    count(*) filter (where is_submitted) / count(*) as submission_rate
from r
left join labels n using (township_code)
group by grouping sets ((township_code), ())
order by is_total desc, township_code;
