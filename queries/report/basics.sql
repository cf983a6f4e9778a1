-- Headline figures of the county or one township on a date: totals, registered/filed, urban/rural with averages, charter rates, party branches, the national floor.
-- grain: one row (count_active 0 when the scope has no organisations; averages null without communities)
-- params: $as_of (date), $township (code or null for the county)
with h as (
    select * from headline_in_scope($as_of::date, $township, null, null::varchar[])
),
a as (
    select
        count(*) filter (where party_in_charter) as count_party_in_charter,
        count(*) filter (where integrity_in_charter) as count_integrity_in_charter,
        count(*) filter (where has_party_branch) as count_party_branch
    from active_organizations($as_of::date)
    where $township is null or township_code = $township
)
select h.*, a.*
from h
cross join a;
