-- The as-of year's money up to the date, per fund source and in total: budget (county-wide, null without budget rows), approved and disbursed of the grants in scope.
-- grain: one row per fund source with a budget or a grant in year($as_of), plus a total row (is_total)
-- params: $as_of (date), $township (code or null: grants placed in that township or its communities; budgets stay county-wide)
with b as (
    select fund_source, budget_yuan
    from fund_budgets
    where year = year($as_of::date)
),
g as (
    select fund_source, approved_yuan, paid_yuan
    from funding_grants($as_of::date)
    where year = year($as_of::date)
      and ($township is null or township_code = $township)
),
budget_sums as (
    select fund_source, sum(budget_yuan) as budget_yuan, count(*) as count_budget_rows
    from b
    group by grouping sets ((fund_source), ())
),
grant_sums as (
    select
        fund_source,
        sum(approved_yuan) as approved_yuan,
        sum(paid_yuan) as disbursed_yuan,
        count(*) as count_grants
    from g
    group by grouping sets ((fund_source), ())
),
keys as (
    select fund_source from b
    union
    select fund_source from g
    union
    select null
)
select
    k.fund_source,
    k.fund_source is null as is_total,
    l.label as fund_source_label,
    l.sort_order,
    bs.budget_yuan::decimal(14, 2) as budget_yuan,
    coalesce(bs.count_budget_rows, 0) as count_budget_rows,
    coalesce(gs.approved_yuan, 0)::decimal(14, 2) as approved_yuan,
    coalesce(gs.disbursed_yuan, 0)::decimal(14, 2) as disbursed_yuan,
    coalesce(gs.count_grants, 0) as count_grants,
    gs.disbursed_yuan / nullif(bs.budget_yuan, 0) as execution_rate,
    gs.disbursed_yuan / nullif(gs.approved_yuan, 0) as paid_rate
from keys k
left join lookup_fund_source l on l.code = k.fund_source
left join budget_sums bs on bs.fund_source is not distinct from k.fund_source
left join grant_sums gs on gs.fund_source is not distinct from k.fund_source
order by k.fund_source is null desc, l.sort_order;
