-- Approved and disbursed per township (whole county), per county (a province's, $by_county) or per community (one township), approved funding per resident, and that of all the places together.
-- grain: whole county: one row per township plus one for grants to the county itself; $by_county: one row per county, its own grants included; with $township: one row per community of it plus one for grants to the township itself
-- params: $as_of (date), $year, $township, $area, $fields, $by_county (true: per county, with no township chosen; with $area the population is that of the urban or rural communities only)
--
-- average_approved_per_resident_yuan (the same on every row) is the places' approved funding over
-- their residents; money spent at the county or township level itself has none and is left out.
with g as (
    select * from funding_grants($as_of::date)
    where year = $year
      and ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields, org_field))
),
places as (
    select
        case when $township is not null then c.division_code
             -- a province's county is the township's parent, as on the map
             when $by_county then (select t.parent_code from divisions t
                                   where t.division_code = c.township_code)
             else c.township_code end as place_code,
        sum(c.population) as population
    from divisions c
    where c.level = 'community'
      and ($township is null or c.township_code = $township)
      and ($area is null or c.area_type = $area)
    group by 1
),
money as (
    select
        case when $township is not null then coalesce(community_code, township_code)
             -- a province's counties: their own spending (no township) in their rows
             when $by_county then coalesce(
                 (select t.parent_code from divisions t where t.division_code = g.township_code),
                 g.division_code
             )
             else coalesce(township_code, division_code) end as place_code,
        sum(approved_yuan) as approved_yuan,
        sum(paid_yuan) as disbursed_yuan,
        count(*) as count_grants,
        count(distinct org_id) as count_orgs
    from g
    group by 1
),
placed as (
    select
        place_code,
        d.name as place_name,
        d.level as place_level,
        -- a row for money spent at the county or township level itself, with no residents of its own
        (d.level = 'county' and not $by_county) or ($township is not null and d.level = 'township')
            as is_own_level,
        p.population,
        coalesce(m.approved_yuan, 0)::decimal(14, 2) as approved_yuan,
        coalesce(m.disbursed_yuan, 0)::decimal(14, 2) as disbursed_yuan,
        coalesce(m.count_grants, 0) as count_grants,
        coalesce(m.count_orgs, 0) as count_orgs,
        m.disbursed_yuan / nullif(m.approved_yuan, 0) as paid_rate
    from places p
    full join money m using (place_code)
    join divisions d on d.division_code = place_code
)
select
    *,
    per_resident(approved_yuan, population) as approved_per_resident_yuan,
    per_resident(
        sum(approved_yuan) filter (where not is_own_level) over (),
        sum(population) filter (where not is_own_level) over ()
    ) as average_approved_per_resident_yuan
from placed
order by is_own_level, place_code;
