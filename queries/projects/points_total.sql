-- Points (积分制) participation in the chosen place on a date: pilot communities, residents earning points in the 12 months before, points, and per 1,000 residents of the pilots (points_by_area).
-- grain: one row; count_entries_loaded = 0 means the points ledger is empty
-- params: $as_of (date), $township, $area (the ledger has no field of service)
select
    (select count(*) from points_ledger) as count_entries_loaded,
    coalesce(p.count_pilots, 0) as count_pilots,
    p.first_year,
    coalesce(p.count_residents_12m, 0)::bigint as count_residents_12m,
    coalesce(p.population, 0)::bigint as population,
    coalesce(p.points_12m, 0)::bigint as points_12m,
    p.residents_per_1000
from (select 1) one
left join points_by_area($as_of::date, $area) p
    on (p.is_county and $township is null) or p.township_code = $township;
