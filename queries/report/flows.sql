-- Organisations established and dissolved in each of the five years up to the as-of year, and the active count at each year end (the as-of date for its own year).
-- grain: one row per year from year($as_of) − 4
-- params: $as_of (date), $township (code or null for the county; an organisation's community decides its place)
with orgs as (
    select o.established_on, o.dissolved_on
    from organizations o
    join divisions d on d.division_code = o.community_code
    where $township is null or d.township_code = $township
),
years as (
    select y.year::integer as year, least(make_date(y.year::int, 12, 31), $as_of::date) as cutoff_on
    from range(year($as_of::date) - 4, year($as_of::date) + 1) y(year)
)
select
    y.year,
    y.cutoff_on,
    count(*) filter (where year(o.established_on) = y.year and o.established_on <= y.cutoff_on)
        as count_new,
    count(*) filter (where year(o.dissolved_on) = y.year and o.dissolved_on <= y.cutoff_on)
        as count_dissolved,
    count(*) filter (
        where o.established_on <= y.cutoff_on and (o.dissolved_on is null or o.dissolved_on > y.cutoff_on)
    ) as count_active_year_end
from years y
left join orgs o on true
group by y.year, y.cutoff_on
order by y.year;
