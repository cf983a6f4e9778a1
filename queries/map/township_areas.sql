-- Townships to fill on a province's map: the communities' indicators summed to the township, and its outline.
-- grain: one row per township (乡镇/街道) with a boundary and at least one community in the chosen area
-- params: $as_of (date), $fields (field codes or null; for micro-projects too), $area ('urban'/'rural'/null)
--
-- Rates are recomputed from the township's totals (not averaged over communities): organisations
-- per 1,000 of its communities' residents, organisations against the sum of their floors, funding
-- to its communities and their organisations per resident, reports submitted of those due, 3A+ of
-- the registered. 积分制 participation is points_by_area's: the pilot communities only (null when
-- none is in it).
with c as (
    select
        i.*,
        p.count_micro_projects,
        p.count_lounges
    from community_indicators($as_of::date, $fields::varchar[]) i
    join community_programmes($as_of::date, $fields::varchar[]) p using (community_code)
    where ($area is null or i.area_type = $area)
),
towns as (
    select
        township_code,
        count(*) as count_communities,
        count(*) filter (where not meets_floor) as count_below_floor,
        sum(population)::bigint as population,
        sum(count_active)::bigint as count_active,
        sum(floor)::bigint as floor,
        sum(approved_yuan)::decimal(18, 2) as approved_yuan,
        sum(count_reports_due)::bigint as count_reports_due,
        sum(count_reports_submitted)::bigint as count_reports_submitted,
        sum(count_registered)::bigint as count_registered,
        sum(count_3a_plus)::bigint as count_3a_plus,
        sum(count_micro_projects)::bigint as count_micro_projects,
        sum(count_lounges)::bigint as count_lounges
    from c
    group by township_code
)
select
    t.division_code as township_code,
    t.name as township_name,
    k.division_code as county_code,
    k.name as county_name,
    w.count_communities,
    w.count_below_floor,
    w.population,
    w.count_active,
    w.floor,
    per_1000(w.count_active, w.population) as per_1000_residents,
    w.count_active / nullif(w.floor, 0) as floor_ratio,
    w.approved_yuan,
    per_resident(w.approved_yuan, w.population) as funding_per_resident,
    w.count_reports_due,
    w.count_reports_submitted,
    w.count_reports_submitted / nullif(w.count_reports_due, 0) as report_submission_rate,
    w.count_registered,
    w.count_3a_plus,
    w.count_3a_plus / nullif(w.count_registered, 0) as share_3a_plus,
    w.count_micro_projects,
    coalesce(pt.count_pilots, 0) as count_pilot_communities,
    pt.count_residents_12m,
    pt.residents_per_1000 as points_residents_per_1000,
    w.count_lounges,
    b.geojson,
    b.xmin,
    b.ymin,
    b.xmax,
    b.ymax
from towns w
join divisions t on t.division_code = w.township_code
left join divisions k on k.division_code = t.parent_code and k.level = 'county'
join map_shapes b on b.division_code = t.division_code
left join points_by_area($as_of::date, $area) pt
    on not pt.is_county and pt.township_code = w.township_code
order by t.division_code;
