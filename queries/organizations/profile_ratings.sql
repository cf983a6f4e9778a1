-- One organisation's credit ratings (信用评价) by year.
-- grain: one row per year
-- params: $org, $as_of
select year, rating
from credit_ratings
where org_id = $org and year <= year($as_of::date)
order by year desc;
