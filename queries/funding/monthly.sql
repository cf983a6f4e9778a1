-- Cumulative payments per month on the selected year's grants, and on the previous year's, against each year's budget.
-- grain: one row per period ('current' = year of $as_of up to $as_of, 'previous' = the whole year before) and month 1-12
-- params: $as_of (date); $township, $area, $fields narrow the payments and approved_yuan (budget_yuan is county-wide)
with periods as (
    select 'current' as period, $as_of::date as cutoff_on
    union all
    select 'previous' as period, make_date(year($as_of::date)::int - 1, 12, 31) as cutoff_on
),
scoped as (
    select p.period, p.cutoff_on, g.grant_id, g.approved_yuan
    from periods p,
    lateral (select * from funding_grants(p.cutoff_on) where year = year(p.cutoff_on)) g
    where ($township is null or g.township_code = $township)
      and ($area is null or g.area_type = $area)
      and ($fields is null or list_contains($fields, g.org_field))
),
paid as (
    -- cutoff_on is within the grants' own year, so every payment counted falls in that year
    select s.period, month(d.paid_on) as month, sum(d.amount_yuan) as paid_yuan
    from scoped s
    join disbursements d on d.grant_id = s.grant_id and d.paid_on <= s.cutoff_on
    group by all
),
months as (
    select p.period, p.cutoff_on, m.month
    from periods p, range(1, 13) m(month)
)
select
    m.period,
    year(m.cutoff_on) as year,
    m.month::int as month,
    coalesce(pd.paid_yuan, 0)::decimal(14, 2) as paid_yuan,
    case when m.month <= month(m.cutoff_on) then
        sum(coalesce(pd.paid_yuan, 0)) over (partition by m.period order by m.month)
    end::decimal(14, 2) as cumulative_paid_yuan,
    (select sum(budget_yuan) from fund_budgets b where b.year = year(m.cutoff_on)) as budget_yuan,
    (select sum(approved_yuan) from scoped s where s.period = m.period) as approved_yuan
from months m
left join paid pd on pd.period = m.period and pd.month = m.month
order by m.period, m.month;
