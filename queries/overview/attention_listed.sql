-- Organisations newly put on a credit list (活动异常名录 or 严重违法失信名单) in the selected year, up to the as-of date.
-- grain: one row per listing made in $year
-- params: $as_of (date), $year (integer), $township, $area, $fields (null = all)
select
    l.org_id,
    o.name as org_name,
    l.list_type,
    l.listed_on,
    l.removed_on,
    l.reason,
    d.name as community_name,
    t.name as township_name
from credit_listings l
join organizations o on o.org_id = l.org_id
join divisions d on d.division_code = o.community_code
left join divisions t on t.division_code = d.township_code
where year(l.listed_on) = $year
  and l.listed_on <= $as_of::date
  and ($township is null or d.township_code = $township)
  and ($area is null or d.area_type = $area)
  and ($fields is null or list_contains($fields::varchar[], o.field))
order by (l.list_type = 'dishonest') desc, l.listed_on, l.org_id;
