-- Every community to draw on the map: its outline and the indicators a colour can be chosen from (indicator_catalogue.on_map).
-- grain: one row per community (社区 or 行政村) with a boundary (simplified for drawing: map_shapes), in the chosen township and area
-- params: $as_of (date), $fields (field codes or null; for micro-projects too), $township (code or null), $area ('urban'/'rural'/null)
select
    -- Every column of community_indicators: an indicator added there (and to the catalogue,
    -- queries/indicators.toml) is on the map without a change here.
    i.*,
    p.count_micro_projects,
    p.micro_project_beneficiaries,
    p.is_pilot,
    p.count_residents_12m,
    p.residents_per_1000 as points_residents_per_1000,
    p.count_lounges,
    -- Catalogue entries of their own marts, under the catalogue key (null: source not loaded).
    lk.is_linked::double as linked_rate,
    pc.covered_rate as party_covered_rate,
    b.geojson,
    b.xmin,
    b.ymin,
    b.xmax,
    b.ymax
from community_indicators($as_of::date, $fields::varchar[]) i
join community_programmes($as_of::date, $fields::varchar[]) p using (community_code)
join map_shapes b on b.division_code = i.community_code
left join linkage_by_community($as_of::date) lk on lk.community_code = i.community_code
left join party_coverage_by_community($as_of::date) pc on pc.community_code = i.community_code
where ($township is null or i.township_code = $township)
  and ($area is null or i.area_type = $area)
order by i.community_code;
