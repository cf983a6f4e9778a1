-- Trainings held in the year of a date up to it: classes and people trained, by level.
-- grain: one row; count_trainings_loaded = 0 means the training source is empty (no sentence then)
-- params: $as_of (date), $township (code or null for the county; a township has no county-level classes)
select
    (select count(*) from trainings) as count_trainings_loaded,
    year($as_of::date) as year,
    count(*) as count_trainings,
    coalesce(sum(participants), 0)::bigint as participants,
    coalesce(sum(org_count), 0)::bigint as org_count,
    count(*) filter (where level = 'county') as count_county,
    count(*) filter (where level = 'township') as count_township,
    count(*) filter (where level = 'community') as count_community
from trainings_held($as_of::date)
where year = year($as_of::date)
  and ($township is null or township_code = $township);
