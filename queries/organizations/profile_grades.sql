-- One organisation's evaluation grades with valid-until dates and whether each is in force on a date.
-- grain: one row per evaluation year
-- params: $org, $as_of
select
    e.evaluated_year,
    e.score,
    e.grade,
    make_date(e.evaluated_year + 4, 12, 31) as valid_until,
    c.org_id is not null as is_current,
    coalesce(c.expires_within_year, false) as expires_within_year
from evaluations e
left join evaluation_current($as_of::date) c
    on c.org_id = e.org_id and c.evaluated_year = e.evaluated_year
where e.org_id = $org
  and e.evaluated_year <= year($as_of::date)
order by e.evaluated_year desc;
