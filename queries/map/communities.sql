-- Every community to draw on the map: its outline and the indicators a colour can be chosen from.
-- grain: one row per community (社区 or 行政村) with a boundary (simplified for drawing: map_shapes), in the chosen township and area
-- params: $as_of (date), $fields (field codes or null; for micro-projects too), $township (code or null), $area ('urban'/'rural'/null)
select
    i.community_code,
    i.community_name,
    i.township_code,
    i.township_name,
    i.area_type,
    i.population,
    i.count_active,
    i.floor,
    i.per_1000_residents,
    i.floor_ratio,
    i.meets_floor,
    i.approved_yuan,
    i.funding_per_resident,
    i.count_reports_due,
    i.count_reports_submitted,
    i.report_submission_rate,
    i.count_registered,
    i.count_3a_plus,
    i.share_3a_plus,
    p.count_micro_projects,
    p.micro_project_beneficiaries,
    p.is_pilot,
    p.count_residents_12m,
    p.residents_per_1000 as points_residents_per_1000,
    p.count_lounges,
    b.geojson,
    b.xmin,
    b.ymin,
    b.xmax,
    b.ymax
from community_indicators($as_of::date, $fields::varchar[]) i
join community_programmes($as_of::date, $fields::varchar[]) p using (community_code)
join map_shapes b on b.division_code = i.community_code
where ($township is null or i.township_code = $township)
  and ($area is null or i.area_type = $area)
order by i.community_code;
