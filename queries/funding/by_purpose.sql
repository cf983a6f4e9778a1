-- Approved and disbursed per purpose (项目资助, 人员培训, 场地租赁, 表彰奖励, 平台运营) in the selected year.
-- grain: one row per purpose in the lookup, purposes without grants included with zeros
-- params: $as_of (date), $year, $township, $area, $fields
with g as (
    select * from funding_grants($as_of::date)
    where year = $year
      and ($township is null or township_code = $township)
      and ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields, org_field))
),
sums as (
    select purpose, sum(approved_yuan) as approved_yuan, sum(paid_yuan) as disbursed_yuan,
        count(*) as count_grants
    from g
    group by purpose
)
select
    l.code as purpose,
    l.sort_order,
    coalesce(s.approved_yuan, 0)::decimal(14, 2) as approved_yuan,
    coalesce(s.disbursed_yuan, 0)::decimal(14, 2) as disbursed_yuan,
    coalesce(s.count_grants, 0) as count_grants,
    s.disbursed_yuan / nullif(s.approved_yuan, 0) as paid_rate,
    coalesce(s.approved_yuan, 0) / nullif((select sum(approved_yuan) from g), 0) as approved_share
from lookup_grant_purpose l
left join sums s on s.purpose = l.code
order by l.sort_order;
