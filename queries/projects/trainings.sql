-- The trainings held in the year of a date, newest first.
-- grain: one row per training in scope
-- params: $as_of (date), $township (code or null: then county-level classes are left out)
select held_on, name, level, township_name, community_name, participants, org_count
from trainings_held($as_of::date)
where year = year($as_of::date)
  and ($township is null or township_code = $township)
order by held_on desc, name;
