-- title: 各乡镇人均获得资金
-- description: 数据截止年度批复到乡镇、社区及其组织的资金按乡镇合计，除以常住人口（县级统筹的项目不计入乡镇）；含区划代码，可画地图。
-- grain: one row per township
with as_of as (select as_of_date as d from warehouse_info),
placed as (
    select d.township_code, g.approved_yuan
    from grants g
    join divisions d using (division_code)
    where g.year = year((select d from as_of)) and g.approved_on <= (select d from as_of)
      and d.township_code is not null
),
people as (
    select township_code, sum(population)::bigint as population
    from divisions
    where level = 'community'
    group by township_code
)
select
    t.name as 乡镇,
    p.population as 常住人口,
    round(coalesce(sum(x.approved_yuan), 0) / 10000, 2) as "批复资金（万元）",
    round(per_resident(coalesce(sum(x.approved_yuan), 0), p.population), 2) as "人均（元）",
    t.division_code
from divisions t
join people p on p.township_code = t.division_code
left join placed x on x.township_code = t.division_code
where t.level = 'township'
group by t.name, t.division_code, p.population
order by "人均（元）" desc;
