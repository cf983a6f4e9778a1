-- title: 未达到国家标准的社区
-- description: 数据截止日社会组织数低于民发〔2017〕191号国家标准的社区（各类社区的标准见表 indicator_catalogue），差距大的在前；含区划代码，可画地图。
-- grain: one row per community below its floor
select
    township_name as 乡镇,
    community_name as 社区,
    case area_type when 'urban' then '城市社区' else '行政村' end as 类型,
    count_active as 组织数,
    floor as 标准,
    floor - count_active as 差距,
    community_code as division_code
from community_density((select as_of_date from warehouse_info))
where not meets_floor
order by 差距 desc, 乡镇, 社区;
