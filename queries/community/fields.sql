-- The community's active organisations by field of service (服务领域), registered and filed apart.
-- grain: one row per field that has organisations in the community
-- params: $as_of (date), $fields (field codes or null), $community (division code)
select
    a.field,
    count(*) as count_active,
    count(*) filter (where a.status = 'registered') as count_registered,
    count(*) filter (where a.status = 'filed') as count_filed
from active_organizations($as_of::date) a
where a.community_code = $community
  and ($fields is null or list_contains($fields, a.field))
group by a.field
order by count_active desc, a.field;
