-- The years the data covers, for the year picker: from the first year with money or reports to the as-of year.
-- grain: one row per year, newest first
-- params: none
with bounds as (
    select
        least(
            coalesce((select min(year) from fund_budgets), 9999),
            coalesce((select min(year) from grants), 9999),
            year((select as_of_date from warehouse_info))
        ) as first_year,
        year((select as_of_date from warehouse_info)) as last_year
)
select unnest(range(first_year, last_year + 1)) as year from bounds order by year desc;
