-- title: 各乡镇党组织覆盖
-- description: 数据截止日各乡镇现有组织中建立党组织、党建入章、清廉入章的比例（%）。
-- grain: one row per township
select
    township_name as 乡镇,
    count(*) as 组织数,
    count(*) filter (where has_party_branch) as 建立党组织,
    round(avg(has_party_branch::int) * 100, 1) as "党组织覆盖率（%）",
    round(avg(party_in_charter::int) * 100, 1) as "党建入章率（%）",
    round(avg(integrity_in_charter::int) * 100, 1) as "清廉入章率（%）",
    township_code as division_code
from organizations_active
group by township_name, township_code
order by "党组织覆盖率（%）", 乡镇;
