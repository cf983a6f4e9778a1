-- Active organisations per field of service, largest first, with the field's Chinese label.
-- grain: one row per field with at least one active organisation in scope
-- params: $as_of (date), $township (code or null for the county)
select
    a.field,
    l.label as field_label,
    count(*) as count_active,
    count(*) / sum(count(*)) over () as share
from active_organizations($as_of::date) a
join lookup_field l on l.code = a.field
where $township is null or a.township_code = $township
group by a.field, l.label, l.sort_order
order by count_active desc, l.sort_order;
