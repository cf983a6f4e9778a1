-- Active organisations per community against the national floor (community_floor: count_active's threshold in queries/indicators.toml).
-- grain: one row per community (社区 or 行政村), communities without organisations included
-- params: as_of (macro argument, date)
create or replace macro community_density(as_of) as table
with counts as (
    select
        community_code,
        count(*) as count_active,
        count(*) filter (where status = 'registered') as count_registered,
        count(*) filter (where status = 'filed') as count_filed
    from active_organizations(as_of)
    group by community_code
)
select
    d.division_code as community_code,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type,
    d.urban_rural_code,
    d.population,
    d.households,
    d.lon,
    d.lat,
    coalesce(c.count_active, 0) as count_active,
    coalesce(c.count_registered, 0) as count_registered,
    coalesce(c.count_filed, 0) as count_filed,
    community_floor(d.area_type) as floor,
    per_1000(coalesce(c.count_active, 0), d.population) as per_1000_residents,
    coalesce(c.count_active, 0) / community_floor(d.area_type) as floor_ratio,
    coalesce(c.count_active, 0) >= community_floor(d.area_type) as meets_floor
from divisions d
left join counts c on c.community_code = d.division_code
left join divisions t on t.division_code = d.township_code
where d.level = 'community';
