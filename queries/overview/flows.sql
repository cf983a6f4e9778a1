-- Organisations established and dissolved per year up to the as-of date (organization_flows, narrowed to a scope).
-- grain: one row per year from the first establishment to year($as_of)
-- params: $as_of (date), $township, $area, $fields (null = all); an organisation's community decides its place
with orgs as (
    select o.established_on, o.dissolved_on
    from organizations o
    join divisions d on d.division_code = o.community_code
    where ($township is null or d.township_code = $township)
      and ($area is null or d.area_type = $area)
      and ($fields is null or list_contains($fields::varchar[], o.field))
),
years as (
    select unnest(range(
        (select min(year(established_on)) from organizations),
        year($as_of::date) + 1
    )) as year
)
select
    y.year,
    count(*) filter (where year(o.established_on) = y.year and o.established_on <= $as_of::date)
        as count_new,
    count(*) filter (where year(o.dissolved_on) = y.year and o.dissolved_on <= $as_of::date)
        as count_dissolved
from years y
left join orgs o
    on year(o.established_on) = y.year or year(o.dissolved_on) = y.year
group by y.year
order by y.year;
