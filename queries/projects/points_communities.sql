-- Points (积分制) participation per pilot community: residents earning points in the 12 months to a date, per 1,000 residents, points per month.
-- grain: one row per community that had joined the pilot by $as_of, highest participation first
-- params: $as_of (date), $township, $area (the ledger has no field of service)
select
    community_code,
    community_name,
    township_name,
    area_type,
    population,
    first_earned_on,
    count_residents_12m,
    residents_per_1000,
    points_12m,
    points_per_month
from points_participation($as_of::date)
where is_pilot
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
order by residents_per_1000 desc nulls last, community_code;
