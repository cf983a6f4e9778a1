-- Communities with micro-projects started in the year of a date: projects, budget, beneficiaries, alongside points and 睦邻客厅.
-- grain: one row per community with at least one project in scope, most projects first
-- params: $as_of (date), $township, $area, $fields (micro-projects only)
select
    community_code,
    community_name,
    township_name,
    area_type,
    population,
    count_micro_projects,
    micro_project_budget_yuan,
    micro_project_beneficiaries,
    per_resident(micro_project_beneficiaries, population) as beneficiaries_per_resident,
    count_lounges,
    best_stars,
    residents_per_1000
from community_programmes($as_of::date, $fields::varchar[])
where count_micro_projects > 0
  and ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
order by count_micro_projects desc, micro_project_budget_yuan desc, community_code;
