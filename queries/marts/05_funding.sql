-- Money per grant: approved, paid up to a date, share paid, last payment.
-- grain: one row per grant
-- params: as_of (macro argument, date)
create or replace macro grant_payments(as_of) as table
with paid as (
    select
        grant_id,
        sum(amount_yuan) as paid_yuan,
        max(paid_on) as last_paid_on,
        count(*) as count_payments
    from disbursements
    where paid_on <= as_of
    group by grant_id
)
select
    g.*,
    coalesce(p.paid_yuan, 0)::decimal(14, 2) as paid_yuan,
    coalesce(p.paid_yuan, 0) / g.approved_yuan as paid_rate,
    p.last_paid_on,
    coalesce(p.count_payments, 0) as count_payments
from grants g
left join paid p using (grant_id)
where g.approved_on <= as_of;

-- Budget vs approved vs disbursed per year and fund source; execution rate = disbursed / budget.
-- grain: one row per year and fund source
-- params: as_of (macro argument, date)
create or replace macro fund_execution(as_of) as table
with approved as (
    select year, fund_source, sum(approved_yuan) as approved_yuan, sum(paid_yuan) as disbursed_yuan,
           count(*) as count_grants
    from grant_payments(as_of)
    group by all
),
keys as (
    select year, fund_source from fund_budgets union select year, fund_source from approved
)
select
    k.year,
    k.fund_source,
    coalesce(b.budget_yuan, 0)::decimal(14, 2) as budget_yuan,
    coalesce(a.approved_yuan, 0)::decimal(14, 2) as approved_yuan,
    coalesce(a.disbursed_yuan, 0)::decimal(14, 2) as disbursed_yuan,
    coalesce(a.count_grants, 0) as count_grants,
    a.disbursed_yuan / nullif(b.budget_yuan, 0) as execution_rate
from keys k
left join fund_budgets b using (year, fund_source)
left join approved a using (year, fund_source)
order by k.year, k.fund_source;
