-- 资格核查 of the year of a date: grant approvals to organisations and awards decided that year, how many were flagged and why, and the flagged grants' amount.
-- grain: one row per decision_type ('grant' 资金安排, 'award' 表彰奖励), both always present
-- params: $as_of, $township, $area, $fields
with c as (
    select *
    from eligibility_checks($as_of::date)
    where year = year($as_of::date)
      and ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields, field))
)
select
    t.decision_type,
    t.decision_label,
    count(c.decision_id) as count_decisions,
    count(c.decision_id) filter (where c.is_flagged) as count_flagged,
    count(c.decision_id) filter (where c.is_listed) as count_listed,
    count(c.decision_id) filter (where c.is_below_rating_line) as count_below_rating_line,
    count(c.decision_id) filter (where c.has_overdue_report) as count_overdue_report,
    coalesce(sum(c.amount_yuan), 0)::decimal(14, 2) as amount_yuan,
    coalesce(sum(c.amount_yuan) filter (where c.is_flagged), 0)::decimal(14, 2)
        as flagged_amount_yuan
from (values ('grant', '资金安排', 1), ('award', '表彰奖励', 2)) t(decision_type, decision_label, sort_order)
left join c on c.decision_type = t.decision_type
group by t.decision_type, t.decision_label, t.sort_order
order by t.sort_order;
