-- The points (积分制) pilot on a date: communities in it, residents earning points in the 12 months before, points.
-- grain: one row; count_entries_loaded = 0 means the points ledger is empty (no sentence then)
-- params: $as_of (date), $township (code or null for the county)
select
    (select count(*) from points_ledger) as count_entries_loaded,
    count(*) as count_pilots,
    min(year(first_earned_on)) as first_year,
    coalesce(sum(count_residents_12m), 0)::bigint as count_residents_12m,
    coalesce(sum(population), 0)::bigint as population,
    coalesce(sum(points_12m), 0)::bigint as points_12m,
    sum(count_residents_12m) * 1000.0 / nullif(sum(population), 0) as residents_per_1000
from points_participation($as_of::date)
where is_pilot
  and ($township is null or township_code = $township);
