-- The headline figures for part of the county (a township, urban or rural, some fields of service).
-- grain: one row; with every argument but as_of null it equals headline(as_of)
-- params: as_of (date), township (code or null), area ('urban'/'rural' or null), fields (list of field codes or null), all macro arguments
create or replace macro headline_in_scope(as_of, township, area, fields) as table
with a as (
    select *
    from active_organizations(as_of)
    where (township is null or township_code = township)
      and (area is null or area_type = area)
      and (fields is null or list_contains(fields, field))
),
orgs as (
    select
        count(*) as count_active,
        count(*) filter (where status = 'registered') as count_registered,
        count(*) filter (where status = 'filed') as count_filed,
        count(*) filter (where area_type = 'urban') as count_urban,
        count(*) filter (where area_type = 'rural') as count_rural,
        avg(case when party_in_charter then 1.0 else 0.0 end) as party_in_charter_rate,
        avg(case when integrity_in_charter then 1.0 else 0.0 end) as integrity_in_charter_rate,
        avg(case when has_party_branch then 1.0 else 0.0 end) as party_branch_rate
    from a
),
-- The national floor counts every organisation in a community whatever its field, so the field
-- filter does not apply here: a community is not "below 10" because one field was picked.
communities as (
    select
        count(*) filter (where area_type = 'urban') as count_urban_communities,
        count(*) filter (where area_type = 'rural') as count_rural_communities,
        count(*) filter (where meets_floor) as count_communities_meeting_floor,
        count(*) as count_communities
    from community_density(as_of)
    where (township is null or township_code = township)
      and (area is null or area_type = area)
)
select
    as_of::date as as_of_date,
    o.count_active,
    o.count_registered,
    o.count_filed,
    o.count_urban,
    o.count_rural,
    c.count_urban_communities,
    c.count_rural_communities,
    o.count_urban / nullif(c.count_urban_communities, 0) as avg_per_urban_community,
    o.count_rural / nullif(c.count_rural_communities, 0) as avg_per_rural_community,
    o.party_in_charter_rate,
    o.integrity_in_charter_rate,
    o.party_branch_rate,
    c.count_communities_meeting_floor,
    c.count_communities
from orgs o
cross join communities c;
