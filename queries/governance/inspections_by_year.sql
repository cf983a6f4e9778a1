-- Special inspections (专项抽查) per year up to the chosen one, by result.
-- grain: one row per year and result, zero counts included
-- params: $as_of, $year (last year), $township, $area, $fields
with i as (
    select year(i.inspected_on) as year, i.result
    from inspections i
    join governance_org_places p using (org_id)
    where year(i.inspected_on) <= $year
      and i.inspected_on <= $as_of::date
      and ($township is null or p.township_code = $township)
      and ($area is null or p.area_type = $area)
      and ($fields is null or list_contains($fields, p.field))
),
years as (
    select distinct year(inspected_on) as year from inspections
    where year(inspected_on) <= $year and inspected_on <= $as_of::date
)
select
    y.year,
    l.code as result,
    l.label as result_label,
    l.sort_order,
    count(i.result) as count_inspections
from years y
cross join lookup_inspection_result l
left join i on i.year = y.year and i.result = l.code
group by y.year, l.code, l.label, l.sort_order
order by y.year, l.sort_order;
