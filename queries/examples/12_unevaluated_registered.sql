-- title: 满两年未参加评估的登记组织
-- description: 登记满两年（可以申请等级评估）、目前没有有效评估等级的现有登记组织，成立早的在前。
-- grain: one row per registered organisation without a valid grade
with as_of as (select as_of_date as d from warehouse_info)
select
    a.org_id as 组织编号,
    a.name as 组织名称,
    a.township_name as 乡镇,
    a.community_name as 社区,
    a.established_on as 成立日期,
    date_diff('year', a.established_on, (select d from as_of)) as 成立年数
from organizations_active a
where a.status = 'registered'
  and a.established_on <= (select d from as_of) - interval 2 year
  and a.org_id not in (select org_id from evaluation_current((select d from as_of)))
order by a.established_on, a.org_id;
