-- Each organisation's current evaluation grade (the latest, valid five years) and its expiry date.
-- grain: one row per organisation with a grade still valid on as_of
-- params: as_of (macro argument, date)
create or replace macro evaluation_current(as_of) as table
with latest as (
    select *, make_date(evaluated_year + 4, 12, 31) as valid_until
    from evaluations
    where evaluated_year <= year(as_of)
    qualify row_number() over (partition by org_id order by evaluated_year desc) = 1
)
select
    *,
    grade >= 3 as is_3a_plus,
    valid_until < as_of + interval 1 year as expires_within_year
from latest
where valid_until >= as_of;
