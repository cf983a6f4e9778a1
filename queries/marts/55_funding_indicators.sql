-- Every grant with its payments on a date and its place: township, community, urban/rural, organisation field.
-- grain: one row per grant approved on or before as_of (township_code null for grants to the county level)
-- params: as_of (macro argument, date)
create or replace macro funding_grants(as_of) as table
select
    g.*,
    d.level as division_level,
    -- township rows carry their own code as township_code; the county row has none
    d.township_code,
    t.name as township_name,
    case when d.level = 'community' then d.division_code end as community_code,
    case when d.level = 'community' then d.name end as community_name,
    d.area_type,
    o.name as org_name,
    o.field as org_field
from grant_payments(as_of) g
join divisions d on d.division_code = g.division_code
left join divisions t on t.division_code = d.township_code
left join organizations o on o.org_id = g.org_id;

-- Budget execution per year and fund source at each year's end (the as-of date for its own year):
-- the 年度预算执行率 the bureau reports, so years compare like with like.
-- grain: one row per year (up to year(as_of)) and fund source
-- params: as_of (macro argument, date)
create or replace macro funding_execution_year_end(as_of) as table
select f.*, least(make_date(y.year::int, 12, 31), as_of) as cutoff_on
from range(
    least(
        coalesce((select min(year) from fund_budgets), 9999),
        coalesce((select min(year) from grants), 9999)
    ),
    year(as_of) + 1
) y(year),
lateral (
    select * from fund_execution(least(make_date(y.year::int, 12, 31), as_of)) e
    where e.year = y.year
) f
order by f.year, f.fund_source;
