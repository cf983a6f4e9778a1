-- The county's headline figures as the speech states them: totals, split, averages, charter rates.
-- grain: one row
-- params: as_of (macro argument, date)
create or replace macro headline(as_of) as table
with a as (select * from active_organizations(as_of)),
communities as (
    select
        count(*) filter (where area_type = 'urban') as count_urban_communities,
        count(*) filter (where area_type = 'rural') as count_rural_communities,
        count(*) filter (where meets_floor) as count_communities_meeting_floor,
        count(*) as count_communities
    from community_density(as_of)
)
select
    as_of as as_of_date,
    count(*) as count_active,
    count(*) filter (where a.status = 'registered') as count_registered,
    count(*) filter (where a.status = 'filed') as count_filed,
    count(*) filter (where a.area_type = 'urban') as count_urban,
    count(*) filter (where a.area_type = 'rural') as count_rural,
    any_value(c.count_urban_communities) as count_urban_communities,
    any_value(c.count_rural_communities) as count_rural_communities,
    count(*) filter (where a.area_type = 'urban') / nullif(any_value(c.count_urban_communities), 0)
        as avg_per_urban_community,
    count(*) filter (where a.area_type = 'rural') / nullif(any_value(c.count_rural_communities), 0)
        as avg_per_rural_community,
    avg(case when a.party_in_charter then 1.0 else 0.0 end) as party_in_charter_rate,
    avg(case when a.integrity_in_charter then 1.0 else 0.0 end) as integrity_in_charter_rate,
    avg(case when a.has_party_branch then 1.0 else 0.0 end) as party_branch_rate,
    any_value(c.count_communities_meeting_floor) as count_communities_meeting_floor,
    any_value(c.count_communities) as count_communities
from a
cross join communities c;
