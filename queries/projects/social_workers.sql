-- Social workers in post on a date in the chosen place, by qualification (助理社会工作师, 社会工作师, 高级社会工作师, 无).
-- grain: one row per qualification of lookup_sw_qualification, zero counts included
-- params: $as_of (date), $township (code or null), $area ('urban'/'rural'/null: only workers posted in such communities)
with w as (
    select sw.*
    from social_workers_active($as_of::date) sw
    left join divisions d on d.division_code = sw.community_code
    where ($township is null or sw.township_code = $township)
      and ($area is null or d.area_type = $area)
)
select
    q.code as qualification,
    q.label as qualification_label,
    count(w.worker_id) as count_workers
from lookup_sw_qualification q
left join w on w.qualification = q.code
group by q.code, q.label, q.sort_order
order by q.sort_order;
