-- 睦邻客厅 per star rating (一星 to 五星) rated by a date, in scope.
-- grain: one row per star level 5..1, zero counts included
-- params: $as_of (date), $township, $area
with l as (
    select * from lounges_rated($as_of::date)
    where ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
)
select s.stars::integer as stars, count(l.lounge_id) as count_lounges
from range(1, 6) s(stars)
left join l on l.stars = s.stars
group by s.stars
order by s.stars desc;
