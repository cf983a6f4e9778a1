-- Grants one organisation received: approved, paid up to a date, paid rate.
-- grain: one row per grant
-- params: $org, $as_of
select
    grant_id,
    year,
    title,
    fund_source,
    purpose,
    approved_on,
    approved_yuan,
    paid_yuan,
    paid_rate,
    last_paid_on
from grant_payments($as_of::date)
where org_id = $org
order by approved_on desc;
