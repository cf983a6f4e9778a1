-- title: 各社区组织密度（地图）
-- description: 每个社区（居委会、行政村）的现有组织数、每千名常住人口组织数和达到国家标准的倍数；按区划代码画地图。
-- grain: one row per community
select
    township_name as 乡镇,
    community_name as 社区,
    count_active as 组织数,
    round(per_1000_residents, 2) as 每千人组织数,
    round(floor_ratio, 2) as 达标倍数,
    community_code as division_code
from community_density((select as_of_date from warehouse_info))
order by township_code, community_code;
