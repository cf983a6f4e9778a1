-- 资格核查 flags of the year of a date: the grant approvals and awards decided that year whose organisation was listed, rated below the line or behind with an annual report on the decision date, with the reasons in Chinese.
-- grain: one row per flagged decision of year($as_of) (grant or award)
-- params: $as_of, $township, $area, $fields, $kind (decision_type 'grant' or 'award', or null for both)
select
    c.decision_type,
    case c.decision_type when 'grant' then '资金安排' else '表彰奖励' end as decision_label,
    c.decision_id,
    c.decided_on,
    c.year,
    c.title,
    c.amount_yuan,
    c.award_level,
    al.label as award_level_label,
    c.org_id,
    c.org_name as name,
    p.credit_code,
    c.org_status as status,
    c.field,
    c.township_name,
    c.community_name,
    c.is_listed,
    c.is_below_rating_line,
    c.has_overdue_report,
    c.rating,
    c.rating_year,
    c.reasons,
    c.count_reasons
from eligibility_checks($as_of::date) c
join governance_org_places p using (org_id)
left join lookup_award_level al on al.code = c.award_level
where c.is_flagged
  and c.year = year($as_of::date)
  and ($kind is null or c.decision_type = $kind)
  and ($township is null or c.township_code = $township)
  and ($area is null or c.area_type = $area)
  and ($fields is null or list_contains($fields, c.field))
order by c.decision_type desc, c.decided_on, c.decision_id;
