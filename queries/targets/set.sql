-- The targets set in the live build, every year, for the 目标 page's list (what the next save starts from).
-- grain: one row per target (year, place, indicator)
-- params: none
select
    t.year,
    t.township_code,
    coalesce(d.name, '全县') as place_name,
    t.indicator,
    c.label,
    c.unit,
    t.target_text,
    t.target_value,
    t.note,
    c.sort_order
from targets t
join indicator_catalogue c on c.key = t.indicator
left join divisions d on d.division_code = t.township_code
order by t.year desc, t.township_code nulls first, c.sort_order;
