-- Credit-list entries in force on a date (listed on or before it, not yet removed).
-- grain: one row per listing in force
-- params: as_of (macro argument, date)
create or replace macro credit_listings_current(as_of) as table
select *
from credit_listings
where listed_on <= as_of and (removed_on is null or removed_on > as_of);
