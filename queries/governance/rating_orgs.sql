-- The organisations behind one credit-rating figure of the chosen year.
-- grain: one row per organisation rated that year
-- params: $year, $township, $area, $fields, $bucket (a rating code, or 'all')
select
    p.org_id,
    p.name,
    p.credit_code,
    p.township_name,
    p.community_name,
    p.field,
    c.year,
    c.rating
from credit_ratings c
join governance_org_places p using (org_id)
where c.year = $year
  and ($township is null or p.township_code = $township)
  and ($area is null or p.area_type = $area)
  and ($fields is null or list_contains($fields, p.field))
  and ($bucket = 'all' or c.rating = $bucket)
order by c.rating, p.township_code, p.org_id;
