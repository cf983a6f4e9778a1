-- Townships whose annual-report submission rate (report year $year − 1, due by $as_of) is below the county's or below 90 %.
-- grain: one row per such township, lowest rate first; county_rate is the county's under the same area and fields
-- params: $as_of (date), $township, $area, $fields (null = all)
with due as (
    select *
    from annual_reports_due($as_of::date)
    where ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields::varchar[], field))
),
county as (
    select count(*) filter (where is_submitted) / nullif(count(*), 0) as county_rate from due
),
per_township as (
    select
        township_code,
        count(*) as count_reports_due,
        count(*) filter (where is_submitted) as count_reports_submitted,
        count(*) filter (where is_submitted) / count(*) as report_submission_rate
    from due
    group by township_code
)
select
    p.township_code,
    t.name as township_name,
    p.count_reports_due,
    p.count_reports_submitted,
    p.report_submission_rate,
    c.county_rate
from per_township p
cross join county c
join divisions t on t.division_code = p.township_code
where (p.report_submission_rate < c.county_rate or p.report_submission_rate < 0.9)
  and ($township is null or p.township_code = $township)
order by p.report_submission_rate, p.township_code;
