-- Awards given in the year of a date, per level (国家级 to 县级), to organisations in scope.
-- grain: one row per level, zero counts included; count_awards_loaded = 0 means the source is empty
-- params: $as_of (date), $township (code or null for the county)
select
    l.code as level,
    l.label as level_label,
    count(a.org_id) as count_awards,
    count(distinct a.org_id) as count_orgs,
    (select count(*) from awards) as count_awards_loaded
from lookup_award_level l
left join awards_given($as_of::date) a
    on a.level = l.code
    and a.year = year($as_of::date)
    and ($township is null or a.township_code = $township)
group by l.code, l.label, l.sort_order
order by l.sort_order;
