-- One organisation's registration record with its place and its standing on a date.
-- grain: one row (none when the organisation is unknown)
-- params: $org (org_id), $as_of
select
    o.*,
    d.name as community_name,
    d.area_type,
    t.name as township_name,
    d.township_code,
    o.established_on <= $as_of::date
        and (o.dissolved_on is null or o.dissolved_on > $as_of::date) as is_active
from organizations o
join divisions d on d.division_code = o.community_code
left join divisions t on t.division_code = d.township_code
where o.org_id = $org;
