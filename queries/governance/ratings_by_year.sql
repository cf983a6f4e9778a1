-- Credit ratings (信用评价) per year up to the chosen one, by rating level.
-- grain: one row per year and rating level in the configured list, zero counts included
-- params: $year (last year), $township, $area, $fields
with r as (
    select c.year, c.rating
    from credit_ratings c
    join governance_org_places p using (org_id)
    where c.year <= $year
      and ($township is null or p.township_code = $township)
      and ($area is null or p.area_type = $area)
      and ($fields is null or list_contains($fields, p.field))
),
years as (select distinct year from credit_ratings where year <= $year)
select
    y.year,
    l.code as rating,
    l.label as rating_label,
    l.sort_order,
    count(r.rating) as count_orgs
from years y
cross join lookup_credit_rating l
left join r on r.year = y.year and r.rating = l.code
group by y.year, l.code, l.label, l.sort_order
order by y.year, l.sort_order;
