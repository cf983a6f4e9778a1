-- Organisations established and dissolved per calendar year, and the active count at each year end.
-- grain: one row per year from the first establishment to the as-of year
-- params: as_of (macro argument, date)
create or replace macro organization_flows(as_of) as table
with years as (
    select unnest(range(
        (select min(year(established_on)) from organizations),
        year(as_of) + 1
    )) as year
)
select
    y.year,
    (select count(*) from organizations where year(established_on) = y.year
        and established_on <= as_of) as count_new,
    (select count(*) from organizations where year(dissolved_on) = y.year
        and dissolved_on <= as_of) as count_dissolved,
    (select count(*) from active_organizations(least(make_date(y.year, 12, 31), as_of))) as count_active_year_end
from years y
order by y.year;
