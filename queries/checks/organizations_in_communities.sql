-- Every organisation belongs to a division of level community.
-- grain: one row per failing organisation
-- params: none
select o.org_id, o.community_code
from organizations o
left join divisions d on d.division_code = o.community_code
where d.level is distinct from 'community';
