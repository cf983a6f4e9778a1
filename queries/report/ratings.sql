-- Credit ratings (信用评价) of the latest rating year up to the as-of year, per level in the configured list.
-- grain: one row per rating level, zero counts included; no rows when nothing was rated by then
-- params: $as_of (date), $township (code or null for the county)
with latest as (
    select max(year) as year from credit_ratings where year <= year($as_of::date)
),
r as (
    select c.rating
    from credit_ratings c
    join governance_org_places p using (org_id)
    where c.year = (select year from latest)
      and ($township is null or p.township_code = $township)
)
select
    (select year from latest) as year,
    l.code as rating,
    l.label as rating_label,
    count(r.rating) as count_orgs
from lookup_credit_rating l
left join r on r.rating = l.code
where (select year from latest) is not null
group by l.code, l.label, l.sort_order
order by l.sort_order;
