-- Awards (表彰) per year and level up to the year of a date, by the organisations in scope.
-- grain: one row per year and level with at least one award
-- params: $as_of (date), $township, $area, $fields (the organisation's; null = all)
select year, level, count(*) as count_awards, count(distinct org_id) as count_orgs
from awards_given($as_of::date)
where ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields::varchar[], field))
group by year, level
order by year, level;
