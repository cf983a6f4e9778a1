-- title: 各乡镇年报迟报、逾期情况
-- description: 上一年度年报（截止日已到）按乡镇统计：应报、按期、迟报、逾期未报的份数，迟报和逾期的平均天数；逾期多的乡镇在前。
-- grain: one row per township
with as_of as (select as_of_date as d from warehouse_info),
reports as (
    select s.*, d.township_code
    from annual_report_status((select d from as_of)) s
    join organizations o using (org_id)
    join divisions d on d.division_code = o.community_code
    where s.report_year = year((select d from as_of)) - 1 and s.filing_status <> 'not_due'
)
select
    t.name as 乡镇,
    count(*) as 应报,
    count(*) filter (where filing_status = 'on_time') as 按期,
    count(*) filter (where filing_status = 'late') as 迟报,
    count(*) filter (where filing_status = 'overdue') as 逾期未报,
    round(avg(days_late) filter (where filing_status = 'late'), 1) as 迟报平均天数,
    round(avg(days_late) filter (where filing_status = 'overdue'), 1) as 逾期平均天数,
    r.township_code as division_code
from reports r
join divisions t on t.division_code = r.township_code
group by t.name, r.township_code
order by 逾期未报 desc, 迟报 desc, 乡镇;
