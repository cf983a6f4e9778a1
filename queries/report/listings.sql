-- Active organisations on each credit list (活动异常名录, 严重违法失信名单) on a date.
-- grain: one row per list type, zero counts included; count_listings_loaded = 0 means the source is empty
-- params: $as_of (date), $township (code or null for the county)
select
    t.code as list_type,
    t.label as list_label,
    count(l.org_id) as count_orgs,
    (select count(*) from credit_listings) as count_listings_loaded
from lookup_list_type t
left join governance_listings($as_of::date) l
    on l.list_type = t.code and ($township is null or l.township_code = $township)
group by t.code, t.label, t.sort_order
order by t.sort_order;
