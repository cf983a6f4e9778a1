-- Budget vs approved vs disbursed per year and fund source at each year's end, up to the selected year.
-- grain: one row per year (first year of the data to year($as_of)) and fund source, plus a total row per year (fund_source null)
-- params: $as_of (date); $township, $area, $fields narrow approved/disbursed/paid_rate only (budget_yuan and execution_rate are county-wide)
with county as (
    select * from funding_execution_year_end($as_of::date)
),
scoped as (
    select g.year, g.fund_source, g.approved_yuan, g.paid_yuan
    from (select distinct year, cutoff_on from county) y,
    lateral (select * from funding_grants(y.cutoff_on) where year = y.year) g
    where ($township is null or g.township_code = $township)
      and ($area is null or g.area_type = $area)
      and ($fields is null or list_contains($fields, g.org_field))
),
scoped_sums as (
    select year, fund_source,
        sum(approved_yuan) as approved_yuan,
        sum(paid_yuan) as disbursed_yuan,
        count(*) as count_grants
    from scoped
    group by grouping sets ((year, fund_source), (year))
),
county_sums as (
    select year, fund_source,
        any_value(cutoff_on) as cutoff_on,
        sum(budget_yuan) as budget_yuan,
        sum(approved_yuan) as approved_yuan,
        sum(disbursed_yuan) as disbursed_yuan,
        sum(count_grants) as count_grants
    from county
    group by grouping sets ((year, fund_source), (year))
)
select
    c.year,
    c.fund_source,
    c.cutoff_on,
    c.budget_yuan::decimal(14, 2) as budget_yuan,
    c.approved_yuan::decimal(14, 2) as county_approved_yuan,
    c.disbursed_yuan::decimal(14, 2) as county_disbursed_yuan,
    c.count_grants::bigint as county_count_grants,
    c.disbursed_yuan / nullif(c.budget_yuan, 0) as execution_rate,
    coalesce(s.approved_yuan, 0)::decimal(14, 2) as approved_yuan,
    coalesce(s.disbursed_yuan, 0)::decimal(14, 2) as disbursed_yuan,
    coalesce(s.count_grants, 0) as count_grants,
    s.disbursed_yuan / nullif(s.approved_yuan, 0) as paid_rate
from county_sums c
left join scoped_sums s
    on s.year = c.year and s.fund_source is not distinct from c.fund_source
order by c.year, c.fund_source nulls first;
