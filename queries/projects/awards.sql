-- The awards given in the year of a date: organisation, place, honour and level.
-- grain: one row per award in scope, highest level first
-- params: $as_of (date), $township, $area, $fields (the organisation's; null = all)
select a.year, a.level, a.title, a.org_id, a.org_name, a.field, a.township_name, a.community_name
from awards_given($as_of::date) a
join lookup_award_level l on l.code = a.level
where a.year = year($as_of::date)
  and ($township is null or a.township_code = $township)
  and ($area is null or a.area_type = $area)
  and ($fields is null or list_contains($fields::varchar[], a.field))
order by l.sort_order, a.org_name;
