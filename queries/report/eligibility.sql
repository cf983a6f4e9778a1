-- 资格核查 of the year of a date: grant approvals to organisations and awards decided that year, how many went to an organisation listed, rated below the line or with an overdue annual report then, and the flagged grants' amount; the rating line.
-- grain: one row; count_grants_loaded and count_awards_loaded both 0 mean there is nothing to check (no sentence then)
-- params: $as_of (date), $township (code or null for the county)
with c as (
    select * from eligibility_checks($as_of::date)
    where year = year($as_of::date)
      and ($township is null or township_code = $township)
)
select
    (select count(*) from grants where org_id is not null) as count_grants_loaded,
    (select count(*) from awards) as count_awards_loaded,
    year($as_of::date) as year,
    (select value from rule_settings where name = 'eligibility_min_rating') as min_rating,
    (select l.label from rule_settings r join lookup_credit_rating l on l.code = r.value
        where r.name = 'eligibility_min_rating') as min_rating_label,
    count(*) filter (where decision_type = 'grant') as count_grants,
    count(*) filter (where decision_type = 'award') as count_awards,
    count(*) filter (where decision_type = 'grant' and is_flagged) as count_flagged_grants,
    count(*) filter (where decision_type = 'award' and is_flagged) as count_flagged_awards,
    count(*) filter (where is_listed) as count_listed,
    count(*) filter (where is_below_rating_line) as count_below_rating_line,
    count(*) filter (where has_overdue_report) as count_overdue_report,
    coalesce(sum(amount_yuan) filter (where is_flagged), 0)::decimal(14, 2) as flagged_amount_yuan
from c;
