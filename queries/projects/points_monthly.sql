-- Points earned per month in the 24 months to a date, over the pilot communities in scope.
-- grain: one row per month with any entry (at most 24), oldest first
-- params: $as_of (date), $township, $area
--
-- Residents are counted per community and summed: the ledger numbers residents per community.
select
    month,
    count(distinct community_code) as count_communities,
    sum(count_residents)::bigint as count_residents,
    sum(count_entries)::bigint as count_entries,
    sum(points)::bigint as points
from points_monthly($as_of::date)
where month > (date_trunc('month', $as_of::date) - interval 24 month)::date
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
group by month
order by month;
