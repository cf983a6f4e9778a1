-- The communities of one township: active organisations against the national floor (community_floor) and whether a village-level station is open.
-- grain: one row per community of $township, in code order
-- params: $as_of (date), $township (code)
select
    c.community_code,
    c.community_name,
    c.area_type,
    l.label as area_label,
    c.count_active,
    c.count_registered,
    c.count_filed,
    c.floor,
    c.meets_floor,
    exists (
        select 1 from platforms p
        where p.division_code = c.community_code and p.level = 'village'
          and (p.opened_on is null or p.opened_on <= $as_of::date)
    ) as has_station
from community_density($as_of::date) c
left join lookup_area_type l on l.code = c.area_type
where c.township_code = $township
order by c.community_code;
