-- The organisations behind one evaluation figure: a grade, 3A and above, expiring within a year, or all.
-- grain: one row per active organisation with a valid grade
-- params: $as_of, $township, $area, $fields, $bucket ('all', 'a3plus', 'expiring', or a grade '1'..'5')
select
    org_id,
    name,
    credit_code,
    township_name,
    community_name,
    field,
    grade,
    score,
    evaluated_year,
    valid_until
from governance_grades($as_of::date)
where ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields, field))
  and case $bucket
      when 'all' then true
      when 'a3plus' then is_3a_plus
      when 'expiring' then expires_within_year
      else grade::varchar = $bucket
  end
order by grade desc, valid_until, org_id;
