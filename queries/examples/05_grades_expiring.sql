-- title: 一年内到期的评估等级
-- description: 评估等级将在一年内到期（等级有效五年）的组织，需提醒重新申请评估；到期早的在前。
-- grain: one row per organisation whose grade expires within a year
select
    e.org_id as 组织编号,
    o.name as 组织名称,
    e.grade || 'A' as 等级,
    e.evaluated_year as 评估年度,
    e.score as 得分,
    e.valid_until as 有效期至
from evaluation_current((select as_of_date from warehouse_info)) e
join organizations o using (org_id)
where e.expires_within_year
order by e.valid_until, o.name;
