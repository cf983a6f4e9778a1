-- Major matters (重大事项) of the year of a date: how many, reported on time, late, overdue, not yet due, and the on-time rate.
-- grain: one row; count_matters_loaded = 0 means the source is empty (no sentence then)
-- params: $as_of (date), $township (code or null for the county)
--
-- on_time_rate = on time ÷ (on time + late + overdue), as major_matter_by_year.
with m as (
    select * from major_matter_status($as_of::date)
    where matter_year = year($as_of::date)
      and ($township is null or township_code = $township)
)
select
    (select count(*) from major_matter_reports) as count_matters_loaded,
    year($as_of::date) as year,
    (select value::integer from rule_settings where name = 'matter_report_days') as report_days,
    count(*) as count_matters,
    count(*) filter (where report_status = 'on_time') as count_on_time,
    count(*) filter (where report_status = 'late') as count_late,
    count(*) filter (where report_status = 'overdue') as count_overdue,
    count(*) filter (where report_status = 'pending') as count_pending,
    count(*) filter (where report_status = 'on_time')
        / nullif(count(*) filter (where report_status <> 'pending'), 0)::double as on_time_rate
from m;
