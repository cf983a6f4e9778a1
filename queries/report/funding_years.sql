-- Budget, approved and disbursed for the five years up to the as-of year, each year at its year end (the as-of date for its own year).
-- grain: one row per year from year($as_of) − 4; budget_yuan null without budget rows, approved null without grants
-- params: $as_of (date), $township (code or null: grants in that township; budgets are county-wide)
with years as (
    select y.year, least(make_date(y.year::int, 12, 31), $as_of::date) as cutoff_on
    from range(year($as_of::date) - 4, year($as_of::date) + 1) y(year)
),
g as (
    select
        y.year,
        sum(g.approved_yuan) as approved_yuan,
        sum(g.paid_yuan) as disbursed_yuan,
        count(*) as count_grants
    from years y,
    lateral (select * from funding_grants(y.cutoff_on) where year = y.year) g
    where $township is null or g.township_code = $township
    group by y.year
),
b as (
    select year, sum(budget_yuan) as budget_yuan from fund_budgets group by year
)
select
    y.year::integer as year,
    b.budget_yuan::decimal(14, 2) as budget_yuan,
    g.approved_yuan::decimal(14, 2) as approved_yuan,
    g.disbursed_yuan::decimal(14, 2) as disbursed_yuan,
    coalesce(g.count_grants, 0) as count_grants
from years y
left join b on b.year = y.year
left join g on g.year = y.year
order by y.year;
