-- The headline figures on a date and one year earlier, for the overview tiles and their changes.
-- grain: two rows: period 'current' and 'previous'
-- params: $as_of (date)
select 'current' as period, * from headline($as_of::date)
union all
select 'previous' as period, * from headline(($as_of::date - interval 1 year)::date)
order by period;
