-- One organisation's credit-list entries: listed, removed, reason, and whether in force on a date.
-- grain: one row per listing
-- params: $org, $as_of
select
    list_type,
    listed_on,
    case when removed_on <= $as_of::date then removed_on end as removed_on,
    reason,
    removed_on is null or removed_on > $as_of::date as is_current
from credit_listings
where org_id = $org and listed_on <= $as_of::date
order by listed_on desc;
