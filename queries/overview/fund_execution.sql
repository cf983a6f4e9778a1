-- Fund execution for the selected year and the year before: county-wide, disbursed ÷ budget over all sources (the fund_execution mart); for a township, area or field, disbursed ÷ approved of its grants, since budgets are set county-wide only.
-- grain: two rows: period 'current' (grants of $year, paid by $as_of) and 'previous' ($year − 1, paid by the same day a year earlier)
-- params: $as_of (date), $year (integer), $township, $area, $fields (null = all); a grant's place is its division, its field its organisation's
with periods as (
    select 'current' as period, $year::integer as year
    union all
    select 'previous', $year::integer - 1
),
county as (
    select 'current' as period, year, budget_yuan, approved_yuan, disbursed_yuan, count_grants
    from fund_execution($as_of::date)
    union all
    select 'previous', year, budget_yuan, approved_yuan, disbursed_yuan, count_grants
    from fund_execution(($as_of::date - interval 1 year)::date)
),
county_year as (
    select p.period, sum(c.budget_yuan) as budget_yuan, sum(c.approved_yuan) as approved_yuan,
           sum(c.disbursed_yuan) as disbursed_yuan, sum(c.count_grants)::bigint as count_grants
    from periods p
    join county c on c.period = p.period and c.year = p.year
    group by p.period
),
grants_both as (
    select 'current' as period, * from grant_payments($as_of::date)
    union all
    select 'previous', * from grant_payments(($as_of::date - interval 1 year)::date)
),
scoped_year as (
    select p.period, sum(g.approved_yuan) as approved_yuan, sum(g.paid_yuan) as disbursed_yuan,
           count(*) as count_grants
    from periods p
    join grants_both g on g.period = p.period and g.year = p.year
    join divisions d on d.division_code = g.division_code
    left join organizations o on o.org_id = g.org_id
    where ($township is null or d.township_code = $township)
      and ($area is null or d.area_type = $area)
      and ($fields is null or list_contains($fields::varchar[], o.field))
    group by p.period
),
scope as (
    select ($township is not null or $area is not null or $fields is not null) as is_scoped
)
select
    p.period,
    p.year,
    case when s.is_scoped then 'approved' else 'budget' end as basis,
    case when not s.is_scoped then c.budget_yuan end::decimal(14, 2) as budget_yuan,
    coalesce(case when s.is_scoped then g.approved_yuan else c.approved_yuan end, 0)::decimal(14, 2)
        as approved_yuan,
    coalesce(case when s.is_scoped then g.disbursed_yuan else c.disbursed_yuan end, 0)::decimal(14, 2)
        as disbursed_yuan,
    coalesce(case when s.is_scoped then g.count_grants else c.count_grants end, 0) as count_grants,
    case
        when s.is_scoped then g.disbursed_yuan / nullif(g.approved_yuan, 0)
        else c.disbursed_yuan / nullif(c.budget_yuan, 0)
    end as execution_rate
from periods p
cross join scope s
left join county_year c on c.period = p.period
left join scoped_year g on g.period = p.period
order by p.period;
