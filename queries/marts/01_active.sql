-- Organisations active on a date (established on or before it, not dissolved by then), with place.
-- grain: one row per organisation active on as_of
-- params: as_of (macro argument, date)
create or replace macro active_organizations(as_of) as table
select
    o.*,
    d.township_code,
    d.area_type,
    d.name as community_name,
    t.name as township_name
from organizations o
join divisions d on d.division_code = o.community_code
left join divisions t on t.division_code = d.township_code
where o.established_on <= as_of
  and (o.dissolved_on is null or o.dissolved_on > as_of);

-- The same at the warehouse's as-of date: what analysts usually mean by "the organisations".
create or replace view organizations_active as
select * from active_organizations((select as_of_date from warehouse_info));
