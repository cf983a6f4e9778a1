-- The county special fund (县级专项资金) budget over the years up to the as-of year: first year, years budgeted, the smallest yearly budget.
-- grain: one row (count_years 0 when no special-fund budget rows exist)
-- params: $as_of (date)
select
    min(year) as first_year,
    max(year) as last_year,
    count(distinct year) as count_years,
    min(budget_yuan)::decimal(14, 2) as min_budget_yuan
from (
    select year, sum(budget_yuan) as budget_yuan
    from fund_budgets
    where fund_source = 'county_special_fund' and year <= year($as_of::date)
    group by year
);
