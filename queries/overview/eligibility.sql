-- 资格核查 at a glance: the grant approvals and awards decided in the selected year whose organisation was listed, rated below the line or behind with an annual report then, and the flagged grants' amount.
-- grain: one row
-- params: $as_of (date), $township, $area, $fields (null = all)
select
    count(*) filter (where decision_type = 'grant') as count_grants,
    count(*) filter (where decision_type = 'award') as count_awards,
    count(*) filter (where is_flagged and decision_type = 'grant') as count_flagged_grants,
    count(*) filter (where is_flagged and decision_type = 'award') as count_flagged_awards,
    count(*) filter (where is_flagged) as count_flagged,
    coalesce(sum(amount_yuan) filter (where is_flagged), 0)::decimal(14, 2) as flagged_amount_yuan
from eligibility_checks($as_of::date)
where year = year($as_of::date)
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields::varchar[], field));
