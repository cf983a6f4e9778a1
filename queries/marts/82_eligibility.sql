-- 资格核查: every grant to an organisation and every award up to a date, with the organisation's standing on the decision date (credit lists, credit rating, overdue annual reports) and the reasons it is flagged, in Chinese.
-- grain: one row per grant with an organisation approved on or before as_of (decision_id = grant_id), and per award of a year up to year(as_of) (decision_id = 年度/组织编号/荣誉名称)
-- params: as_of (macro argument, date)
--
-- The speech: 信用评价结果作为政府购买服务、评先评优的重要依据. The decision date is a grant's
-- 批复日期 and an award's 31 December of its year (the file names the year only), capped at as_of.
-- Flagged on that date when the organisation
--   - is on the 活动异常名录 or 严重违法失信名单: listed on or before it and not removed by then;
--   - is rated below the line: the rating of the latest year before the decision's year (a
--     year's 信用评价 is published in the next) further down the lookup_credit_rating scale than
--     rule_settings.eligibility_min_rating (orgdash.toml [eligibility] min_rating, default B);
--   - has an annual report overdue: due before that date and not submitted by it.
create or replace macro eligibility_checks(as_of) as table
with decisions as (
    select
        'grant' as decision_type,
        g.grant_id as decision_id,
        g.org_id,
        g.approved_on as decided_on,
        g.year,
        g.title,
        g.purpose,
        g.approved_yuan as amount_yuan,
        null::varchar as award_level
    from grants g
    where g.org_id is not null and g.approved_on <= as_of
    union all
    select
        'award' as decision_type,
        format('{}/{}/{}', a.year, a.org_id, a.title) as decision_id,  -- the awards key
        a.org_id,
        least(make_date(a.year, 12, 31), as_of::date) as decided_on,
        a.year,
        a.title,
        null::varchar as purpose,
        null::decimal(14, 2) as amount_yuan,
        a.level as award_level
    from awards a
    where a.year <= year(as_of)
),
line as (
    select value as min_rating, sort_order as min_sort
    from rule_settings
    where name = 'eligibility_min_rating'
),
listed as (
    select
        d.decision_type,
        d.decision_id,
        d.org_id,
        bool_or(l.list_type = 'abnormal') as on_abnormal_list,
        bool_or(l.list_type = 'dishonest') as on_dishonest_list,
        min(l.listed_on) as listed_on,
        string_agg(
            format('{}（{}列入）', lt.label, strftime(l.listed_on, '%Y年%-m月%-d日')),
            '、' order by l.listed_on, lt.sort_order
        ) as listing_text
    from decisions d
    join credit_listings l
        on l.org_id = d.org_id
        and l.listed_on <= d.decided_on
        and (l.removed_on is null or l.removed_on > d.decided_on)
    join lookup_list_type lt on lt.code = l.list_type
    group by all
),
rated as (
    select
        d.decision_type,
        d.decision_id,
        d.org_id,
        max(r.year) as rating_year,
        arg_max(r.rating, r.year) as rating
    from decisions d
    join credit_ratings r on r.org_id = d.org_id and r.year < year(d.decided_on)
    group by all
),
overdue as (
    select
        d.decision_type,
        d.decision_id,
        d.org_id,
        list(a.report_year order by a.report_year) as overdue_report_years,
        string_agg(format('{}年度', a.report_year), '、' order by a.report_year) as overdue_text
    from decisions d
    join annual_reports a
        on a.org_id = d.org_id
        and a.due_on < d.decided_on
        and (a.submitted_on is null or a.submitted_on > d.decided_on)
    group by all
),
judged as (
    select
        d.*,
        p.name as org_name,
        p.status as org_status,
        p.field,
        p.community_code,
        p.community_name,
        p.township_code,
        p.township_name,
        p.area_type,
        l.listing_text is not null as is_listed,
        coalesce(l.on_abnormal_list, false) as on_abnormal_list,
        coalesce(l.on_dishonest_list, false) as on_dishonest_list,
        l.listing_text,
        r.rating,
        rl.label as rating_label,
        r.rating_year,
        line.min_rating,
        coalesce(rl.sort_order > line.min_sort, false) as is_below_rating_line,
        o.overdue_report_years,
        o.overdue_text is not null as has_overdue_report,
        list_filter(
            [
                case when l.listing_text is not null
                    then '决定时在' || l.listing_text || '中' end,
                case when rl.sort_order > line.min_sort
                    then format(
                        '信用等级{}（{}，{}年度评价），低于{}（{}）',
                        r.rating, rl.label, r.rating_year, line.min_rating, ml.label
                    ) end,
                case when o.overdue_text is not null
                    then o.overdue_text || '年报逾期未报' end
            ],
            lambda x: x is not null
        ) as reason_list
    from decisions d
    join governance_org_places p using (org_id)
    cross join line
    left join lookup_credit_rating ml on ml.code = line.min_rating
    left join listed l using (decision_type, decision_id, org_id)
    left join rated r using (decision_type, decision_id, org_id)
    left join lookup_credit_rating rl on rl.code = r.rating
    left join overdue o using (decision_type, decision_id, org_id)
)
select
    * exclude (reason_list),
    reason_list,
    array_to_string(reason_list, '；') as reasons,
    len(reason_list) as count_reasons,
    len(reason_list) > 0 as is_flagged
from judged;

-- 资格核查 flags: the grants and awards up to a date that went to an organisation listed, rated below the line or with an overdue annual report on the decision date, with the reasons in Chinese.
-- grain: one row per flagged decision (grant or award)
-- params: as_of (macro argument, date)
create or replace macro eligibility_flags(as_of) as table
select
    decision_type,
    case decision_type when 'grant' then '资金安排' else '表彰奖励' end as decision_label,
    decision_id,
    decided_on,
    year,
    title,
    amount_yuan,
    award_level,
    org_id,
    org_name,
    org_status,
    township_code,
    township_name,
    community_code,
    community_name,
    is_listed,
    on_abnormal_list,
    on_dishonest_list,
    rating,
    rating_year,
    is_below_rating_line,
    overdue_report_years,
    has_overdue_report,
    reasons,
    count_reasons
from eligibility_checks(as_of)
where is_flagged;

-- 资格核查 summary per year and kind of decision: decisions checked, flagged (and why), amounts.
-- grain: one row per decision year and decision_type (grant, award) with at least one decision up to as_of
-- params: as_of (macro argument, date)
create or replace macro eligibility_summary(as_of) as table
select
    year,
    decision_type,
    case decision_type when 'grant' then '资金安排' else '表彰奖励' end as decision_label,
    count(*) as count_decisions,
    count(*) filter (where is_flagged) as count_flagged,
    count(*) filter (where is_flagged) / count(*)::double as flagged_rate,
    count(*) filter (where is_listed) as count_listed,
    count(*) filter (where is_below_rating_line) as count_below_rating_line,
    count(*) filter (where has_overdue_report) as count_overdue_report,
    sum(amount_yuan)::decimal(14, 2) as amount_yuan,
    case when decision_type = 'grant'
        then coalesce(sum(amount_yuan) filter (where is_flagged), 0)::decimal(14, 2)
    end as flagged_amount_yuan
from eligibility_checks(as_of)
group by year, decision_type;
