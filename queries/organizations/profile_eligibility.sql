-- 资格核查 flags of one organisation: its grants and awards up to a date that it received while listed, rated below the line or with an overdue annual report, with the reasons.
-- grain: one row per flagged decision of the organisation (eligibility_checks, decided up to $as_of)
-- params: $org, $as_of
select
    c.decision_type,
    case c.decision_type when 'grant' then '资金安排' else '表彰奖励' end as decision_label,
    c.decision_id,
    c.decided_on,
    c.year,
    c.title,
    c.amount_yuan,
    al.label as award_level_label,
    c.reasons
from eligibility_checks($as_of::date) c
left join lookup_award_level al on al.code = c.award_level
where c.org_id = $org and c.is_flagged
order by c.decided_on desc, c.decision_id;
