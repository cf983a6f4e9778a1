-- The community's indicators beside its township, the county and its peers (same urban/rural type).
-- grain: one row per scope: community; township, county and peer means over their communities; peer median
-- params: $as_of (date), $fields (field codes or null), $community (division code)
with i as (
    select * from community_indicators($as_of::date, $fields::varchar[])
),
me as (
    select * from i where community_code = $community
)
select 1 as sort_order, 'community' as scope, 1 as count_communities,
    count_active::double as count_active, per_1000_residents, floor_ratio,
    report_submission_rate, funding_per_resident, share_3a_plus
from me
union all
select 2, 'township', count(*),
    avg(count_active), avg(per_1000_residents), avg(floor_ratio),
    avg(report_submission_rate), avg(funding_per_resident), avg(share_3a_plus)
from i where township_code = (select township_code from me)
union all
select 3, 'county', count(*),
    avg(count_active), avg(per_1000_residents), avg(floor_ratio),
    avg(report_submission_rate), avg(funding_per_resident), avg(share_3a_plus)
from i where exists (select 1 from me)
union all
select 4, 'peer_mean', count(*),
    avg(count_active), avg(per_1000_residents), avg(floor_ratio),
    avg(report_submission_rate), avg(funding_per_resident), avg(share_3a_plus)
from i where area_type = (select area_type from me)
union all
select 5, 'peer_median', count(*),
    median(count_active), median(per_1000_residents), median(floor_ratio),
    median(report_submission_rate), median(funding_per_resident), median(share_3a_plus)
from i where area_type = (select area_type from me)
order by sort_order;
