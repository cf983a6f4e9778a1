-- Township league table: active organisations, average per community, communities below the floor, annual-report submission rate, and the selected year's funding.
-- grain: one row per township (all townships: the table compares them, so $township does not narrow it)
-- params: $as_of (date), $year (integer), $area, $fields (null = all; fields do not apply to the floor count, see headline_in_scope)
with communities as (
    select
        township_code,
        count(*) as count_communities,
        count(*) filter (where not meets_floor) as count_below_floor,
        sum(population)::bigint as population
    from community_density($as_of::date)
    where ($area is null or area_type = $area)
    group by township_code
),
orgs as (
    select township_code, count(*) as count_active
    from active_organizations($as_of::date)
    where ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields::varchar[], field))
    group by township_code
),
reports as (
    select
        township_code,
        count(*) as count_reports_due,
        count(*) filter (where is_submitted) as count_reports_submitted
    from annual_reports_due($as_of::date)
    where ($area is null or area_type = $area)
      and ($fields is null or list_contains($fields::varchar[], field))
    group by township_code
),
money as (
    -- County-level grants (training, the county centre) belong to no township and are left out.
    select
        d.township_code,
        sum(g.approved_yuan) as approved_yuan,
        sum(g.paid_yuan) as disbursed_yuan
    from grant_payments($as_of::date) g
    join divisions d on d.division_code = g.division_code
    left join organizations o on o.org_id = g.org_id
    where g.year = $year
      and d.township_code is not null
      and ($area is null or d.area_type = $area)
      and ($fields is null or list_contains($fields::varchar[], o.field))
    group by d.township_code
)
select
    t.division_code as township_code,
    t.name as township_name,
    coalesce(c.count_communities, 0) as count_communities,
    coalesce(o.count_active, 0) as count_active,
    coalesce(o.count_active, 0) / nullif(c.count_communities, 0) as avg_per_community,
    coalesce(c.count_below_floor, 0) as count_below_floor,
    coalesce(r.count_reports_due, 0) as count_reports_due,
    coalesce(r.count_reports_submitted, 0) as count_reports_submitted,
    r.count_reports_submitted / nullif(r.count_reports_due, 0) as report_submission_rate,
    coalesce(m.approved_yuan, 0)::decimal(14, 2) as approved_yuan,
    coalesce(m.disbursed_yuan, 0)::decimal(14, 2) as disbursed_yuan,
    m.disbursed_yuan / nullif(m.approved_yuan, 0) as paid_rate,
    per_resident(coalesce(m.disbursed_yuan, 0), c.population) as disbursed_per_resident_yuan,
    c.population
from divisions t
left join communities c on c.township_code = t.division_code
left join orgs o on o.township_code = t.division_code
left join reports r on r.township_code = t.division_code
left join money m on m.township_code = t.division_code
where t.level = 'township'
order by t.division_code;
