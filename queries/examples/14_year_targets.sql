-- title: 年度目标完成情况
-- description: 数据截止日所在年度全县和各乡镇（街道）的目标（在「目标」页设定；平均每个社区组织数未设定时以国家标准为目标）：实际、目标、是否达成、差距，比例以百分数计；各指标的口径见表 indicator_catalogue。
-- grain: one row per place (全县 first, then each township) and targeted indicator
select
    place_name as 地区,
    label as 指标,
    round(case when unit = '%' then actual * 100 else actual end, 1) as 实际,
    round(case when unit = '%' then target * 100 else target end, 1) as 目标,
    unit as 单位,
    case when met then '达成' when not met then '未达成' else '暂无数据' end as 情况,
    round(case when unit = '%' then gap * 100 else gap end, 1) as 差距,
    case target_basis
        when 'own' then '设定的目标'
        when 'county' then '沿用全县目标'
        else default_basis
    end as 目标来源
from target_progress((select as_of_date from warehouse_info))
order by is_county desc, township_code, sort_order;
