-- Special inspections (专项抽查) in the as-of year up to the date, per result (合规, 整改, 违规).
-- grain: one row per result, zero counts included
-- params: $as_of (date), $township (code or null for the county)
with i as (
    select i.result
    from inspections i
    join governance_org_places p using (org_id)
    where year(i.inspected_on) = year($as_of::date)
      and i.inspected_on <= $as_of::date
      and ($township is null or p.township_code = $township)
)
select
    l.code as result,
    l.label as result_label,
    count(i.result) as count_inspections
from lookup_inspection_result l
left join i on i.result = l.code
group by l.code, l.label, l.sort_order
order by l.sort_order;
