-- 睦邻客厅 rated by a date per star level, five stars first.
-- grain: one row per star level 5..1, zero counts included; count_lounges_loaded = 0 means the source is empty
-- params: $as_of (date), $township (code or null for the county)
select
    s.stars::integer as stars,
    count(l.lounge_id) as count_lounges,
    (select count(*) from lounges) as count_lounges_loaded
from range(1, 6) s(stars)
left join lounges_rated($as_of::date) l
    on l.stars = s.stars and ($township is null or l.township_code = $township)
group by s.stars
order by s.stars desc;
