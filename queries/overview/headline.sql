-- The headline figures on a date and one year earlier, for the overview tiles and their changes.
-- grain: two rows: period 'current' ($as_of) and 'previous' (the same day a year earlier)
-- params: $as_of (date), $township (code or null), $area ('urban'/'rural' or null), $fields (field codes or null; not applied to the floor count)
select 'current' as period, *
from headline_in_scope($as_of::date, $township, $area, $fields::varchar[])
union all
select 'previous' as period, *
from headline_in_scope(($as_of::date - interval 1 year)::date, $township, $area, $fields::varchar[])
order by period;
