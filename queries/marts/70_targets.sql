-- The targetable indicators (indicator_catalogue.is_targetable) for the whole county and each township: one column per indicator, named by its key.
-- grain: one row per township (乡镇/街道) and one for the whole warehouse (is_county, township_code null)
-- params: as_of (macro argument, date)
--
-- Every field of service counts (targets are set for the whole county or township). Annual
-- reports are those for year(as_of) - 1 due by as_of, as on the 总览; fund execution is the
-- county's (budgets are set county-wide): disbursed ÷ budget of year(as_of). A new targetable
-- indicator is one more column here (a double) and its catalogue entry.
create or replace macro area_indicators(as_of) as table
with places as (
    select division_code as township_code, name as place_name, false as is_county
    from divisions
    where level = 'township'
    union all
    select null, coalesce((select any_value(county_name) from warehouse_info), '全县'), true
),
density as (
    select
        grouping(township_code) = 1 as is_county,
        township_code,
        sum(count_active)::double as count_active,
        sum(count_active) filter (where area_type = 'urban')
            / nullif(count(*) filter (where area_type = 'urban'), 0) as avg_per_urban_community,
        sum(count_active) filter (where area_type = 'rural')
            / nullif(count(*) filter (where area_type = 'rural'), 0) as avg_per_rural_community,
        count(*) filter (where meets_floor) / nullif(count(*), 0) as share_meeting_floor
    from community_density(as_of)
    group by grouping sets ((township_code), ())
),
reports as (
    select
        grouping(township_code) = 1 as is_county,
        township_code,
        count(*) filter (where is_submitted) / nullif(count(*), 0) as report_submission_rate
    from annual_reports_due(as_of)
    group by grouping sets ((township_code), ())
),
orgs as (
    select
        grouping(a.township_code) = 1 as is_county,
        a.township_code,
        avg(case when a.party_in_charter then 1.0 else 0.0 end) as party_in_charter_rate,
        count(e.org_id) filter (where e.grade >= 4)::double as count_4a_plus
    from active_organizations(as_of) a
    left join evaluation_current(as_of) e using (org_id)
    group by grouping sets ((a.township_code), ())
),
money as (
    select sum(disbursed_yuan) / nullif(sum(budget_yuan), 0) as fund_execution_rate
    from fund_execution(as_of)
    where year = year(as_of)
)
select
    p.township_code,
    p.place_name,
    p.is_county,
    coalesce(d.count_active, 0)::double as count_active,
    r.report_submission_rate::double as report_submission_rate,
    d.avg_per_urban_community::double as avg_per_urban_community,
    d.avg_per_rural_community::double as avg_per_rural_community,
    d.share_meeting_floor::double as share_meeting_floor,
    case when p.is_county then (select fund_execution_rate from money) end::double
        as fund_execution_rate,
    coalesce(o.count_4a_plus, 0)::double as count_4a_plus,
    o.party_in_charter_rate::double as party_in_charter_rate
from places p
left join density d on d.is_county = p.is_county and d.township_code is not distinct from p.township_code
left join reports r on r.is_county = p.is_county and r.township_code is not distinct from p.township_code
left join orgs o on o.is_county = p.is_county and o.township_code is not distinct from p.township_code
order by p.is_county desc, p.township_code;

-- Progress against the year's targets: each county and township indicator with a target, met or not, how far, and against the share of the year gone.
-- grain: one row per place (the county: township_code null; each township) and targeted indicator
-- params: as_of (macro argument, date); the targets of year(as_of) apply
--
-- A place's target is its own row of `targets`; else, for a township and an indicator whose
-- catalogue entry says township_inherits, the county's; else the catalogue's default_target (the
-- national floor for the averages per community). target_basis says which: own, county, default.
-- gap is how far short (target − actual when higher is better), never below zero when met is
-- false; for a cumulative indicator (资金执行率) expected_now = target × the share of the year gone
-- by as_of (按时间进度), and on_pace whether actual has reached it.
create or replace macro target_progress(as_of) as table
with actual as (
    select *
    from (select * from area_indicators(as_of))
    unpivot include nulls (actual for indicator in (columns(* exclude (township_code, place_name, is_county))))
),
set_for_year as (
    select township_code, indicator, target_value, target_text, note
    from targets
    where year = year(as_of)
),
year_gone as (
    select
        (date_diff('day', make_date(year(as_of), 1, 1), as_of::date) + 1)::double
            / date_diff('day', make_date(year(as_of), 1, 1), make_date(year(as_of) + 1, 1, 1))
            as share
),
chosen as (
    select
        a.township_code,
        a.place_name,
        a.is_county,
        a.indicator,
        c.label,
        c.unit,
        c.higher_is_better,
        c.cumulative,
        c.sort_order,
        a.actual,
        case
            when own.target_value is not null then own.target_value
            when not a.is_county and c.township_inherits then county.target_value
        end as set_value,
        case
            when own.target_value is not null then 'own'
            when not a.is_county and c.township_inherits and county.target_value is not null
                then 'county'
        end as set_basis,
        coalesce(own.note, case when not a.is_county and c.township_inherits then county.note end)
            as note,
        c.default_target,
        c.default_basis
    from actual a
    join indicator_catalogue c on c.key = a.indicator and c.is_targetable
    left join set_for_year own
        on own.indicator = a.indicator and own.township_code is not distinct from a.township_code
    left join set_for_year county on county.indicator = a.indicator and county.township_code is null
    where a.is_county or list_contains(c.grains, 'township')
),
targeted as (
    select
        * exclude (set_value, set_basis, default_target, default_basis),
        coalesce(set_value, default_target) as target,
        coalesce(set_basis, case when default_target is not null then 'default' end) as target_basis,
        case when set_value is null then default_basis end as default_basis
    from chosen
)
select
    t.township_code,
    t.place_name,
    t.is_county,
    t.indicator,
    t.label,
    t.unit,
    t.actual,
    t.target,
    t.target_basis,
    t.default_basis,
    t.note,
    t.higher_is_better,
    t.cumulative,
    case
        when t.actual is null then null
        when t.higher_is_better then t.actual >= t.target
        else t.actual <= t.target
    end as met,
    case when t.actual is not null then greatest(
        case when t.higher_is_better then t.target - t.actual else t.actual - t.target end, 0
    ) end as gap,
    case when t.cumulative then y.share end as year_share,
    case when t.cumulative then t.target * y.share end as expected_now,
    case when t.cumulative and t.actual is not null then t.actual >= t.target * y.share end
        as on_pace,
    t.sort_order
from targeted t
cross join year_gone y
where t.target is not null
order by t.is_county desc, t.township_code, t.sort_order;
