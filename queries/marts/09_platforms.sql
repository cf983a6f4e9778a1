-- Service platforms per township by level, and the communities without a village-level station.
-- grain: one row per township
-- params: none (validation keeps platforms opened after the as-of date out of the warehouse)
create or replace view platforms_by_township as
with placed as (
    select p.platform_id, p.level, d.township_code
    from platforms p
    join divisions d on d.division_code = p.division_code
),
without_station as (
    select c.township_code, count(*) as n
    from divisions c
    where c.level = 'community'
      and not exists (
          select 1 from platforms s where s.division_code = c.division_code and s.level = 'village'
      )
    group by c.township_code
)
select
    t.division_code as township_code,
    t.name as township_name,
    count(pl.platform_id) filter (where pl.level = 'township') as count_township_platforms,
    count(pl.platform_id) filter (where pl.level = 'village') as count_village_stations,
    coalesce(any_value(w.n), 0) as count_communities_without_station
from divisions t
left join placed pl on pl.township_code = t.division_code
left join without_station w on w.township_code = t.division_code
where t.level = 'township'
group by t.division_code, t.name
order by t.division_code;
