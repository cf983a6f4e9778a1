-- The selected year's money and the same date one year earlier: county-wide budget and execution, and the filtered grants.
-- grain: one row per period ('current', 'previous') and fund source, plus a total row per period (fund_source null)
-- params: $as_of (date); $township, $area, $fields narrow the scoped_* columns only (budgets are county-wide)
with periods as (
    select 'current' as period, $as_of::date as cutoff_on
    union all
    select 'previous' as period, ($as_of::date - interval 1 year)::date as cutoff_on
),
county as (
    select p.period, e.fund_source, e.budget_yuan, e.approved_yuan, e.disbursed_yuan
    from periods p,
    lateral (select * from fund_execution(p.cutoff_on) where year = year(p.cutoff_on)) e
),
scoped as (
    select p.period, g.fund_source, g.approved_yuan, g.paid_yuan
    from periods p,
    lateral (select * from funding_grants(p.cutoff_on) where year = year(p.cutoff_on)) g
    where ($township is null or g.township_code = $township)
      and ($area is null or g.area_type = $area)
      and ($fields is null or list_contains($fields, g.org_field))
),
scoped_sums as (
    select
        period,
        fund_source,
        sum(approved_yuan) as approved_yuan,
        sum(paid_yuan) as paid_yuan,
        count(*) as count_grants
    from scoped
    group by grouping sets ((period, fund_source), (period))
),
county_sums as (
    select
        period,
        fund_source,
        sum(budget_yuan) as budget_yuan,
        sum(approved_yuan) as approved_yuan,
        sum(disbursed_yuan) as disbursed_yuan
    from county
    group by grouping sets ((period, fund_source), (period))
)
select
    c.period,
    year(p.cutoff_on) as year,
    p.cutoff_on,
    c.fund_source,
    c.budget_yuan,
    c.approved_yuan as county_approved_yuan,
    c.disbursed_yuan as county_disbursed_yuan,
    c.disbursed_yuan / nullif(c.budget_yuan, 0) as execution_rate,
    coalesce(s.approved_yuan, 0) as scoped_approved_yuan,
    coalesce(s.paid_yuan, 0) as scoped_disbursed_yuan,
    coalesce(s.count_grants, 0) as scoped_count_grants,
    s.paid_yuan / nullif(s.approved_yuan, 0) as scoped_paid_rate
from county_sums c
join periods p using (period)
left join scoped_sums s
    on s.period = c.period and s.fund_source is not distinct from c.fund_source
order by c.period, c.fund_source nulls first;
