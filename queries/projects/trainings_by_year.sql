-- Trainings and people trained per year up to the year of a date, by level (县级, 乡镇级, 社区级).
-- grain: one row per year and level with at least one training
-- params: $as_of (date), $township (code or null: then county-level classes are left out)
select
    year,
    level,
    count(*) as count_trainings,
    sum(participants)::bigint as participants,
    coalesce(sum(org_count), 0)::bigint as org_count
from trainings_held($as_of::date)
where $township is null or township_code = $township
group by year, level
order by year, level;
