-- 三社联动 on a date: 乡镇社工站 and 村（社区）社工室 open, communities with social workers posted, social workers in post (qualified), active organisations they support, joint micro-projects of the year, communities linked.
-- grain: one row; count_stations_loaded and count_workers_loaded both 0 mean the source is empty (no sentence then); a figure of a source not loaded is null
-- params: $as_of (date), $township (code or null for the county)
with c as (
    select * from linkage_by_community($as_of::date)
    where $township is null or township_code = $township
),
w as (
    select * from social_workers_active($as_of::date)
    where $township is null or township_code = $township
),
x as (
    select
        (select count(*) from social_work_stations) as count_stations_loaded,
        (select count(*) from social_workers) as count_workers_loaded,
        (select count(*) from micro_projects) as count_projects_loaded
)
select
    x.count_stations_loaded,
    x.count_workers_loaded,
    x.count_projects_loaded,
    (select count(*) from social_work_stations s
        where s.level = 'township' and s.opened_on <= $as_of::date
          and ($township is null or s.township_code = $township)) as count_township_stations,
    (select sum(count_rooms) from c)::bigint as count_rooms,
    (select count(*) from c) as count_communities,
    (select count(*) filter (where is_linked) from c) as count_linked,
    (select count(*) filter (where count_workers > 0) from c) as count_communities_with_workers,
    (select count(*) from w) as count_workers,
    (select count(*) from w where is_qualified) as count_qualified_workers,
    (select sum(count_supported) from c)::bigint as count_supported,
    (select sum(count_joint_micro_projects) from c)::bigint as count_joint_micro_projects
from x;
