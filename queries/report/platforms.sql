-- Service platforms open on a date by level (县级/乡镇级/村级), and the communities with and without a village-level station.
-- grain: one row; count_platforms_loaded = 0 means the platform source is empty (no sentence then)
-- params: $as_of (date), $township (code or null for the county; the county centre counts for the county only)
with open as (
    select p.platform_id, p.level, p.division_code, d.township_code
    from platforms p
    join divisions d on d.division_code = p.division_code
    where p.opened_on is null or p.opened_on <= $as_of::date
),
communities as (
    select division_code
    from divisions
    where level = 'community' and ($township is null or township_code = $township)
)
select
    (select count(*) from platforms) as count_platforms_loaded,
    count(*) filter (where level = 'county' and $township is null) as count_county,
    count(*) filter (where level = 'township' and ($township is null or township_code = $township))
        as count_township,
    count(*) filter (where level = 'village' and ($township is null or township_code = $township))
        as count_village,
    (select count(*) from communities) as count_communities,
    (select count(*) from communities c
        where exists (select 1 from open o where o.level = 'village' and o.division_code = c.division_code))
        as count_communities_with_station
from open;
