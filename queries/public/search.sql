-- The public register (信息公开查询): organisations matching one search, with their public facts only.
-- grain: one row per organisation, at most $limit rows (active ones first, then by name)
-- params: $by ('name' | 'credit_code' | 'community'), $pattern (ILIKE pattern, wildcards escaped with \), $code (18 characters), $limit
-- Reads only the columns docs/ACCESS.md lists for the public register: never 负责人, 联系电话,
-- 成员数, 党建 answers, grants, scores, credit ratings or inspections. Keep it that way.
with info as (
    select as_of_date as as_of from warehouse_info
),
matched as (
    select
        o.org_id,
        o.name,
        o.credit_code,
        o.status,
        o.legal_form,
        o.field,
        o.established_on,
        o.dissolved_on,
        c.name as community_name,
        t.name as township_name,
        o.established_on <= i.as_of and (o.dissolved_on is null or o.dissolved_on > i.as_of) as is_active
    from organizations o
    cross join info i
    join divisions c on c.division_code = o.community_code
    left join divisions t on t.division_code = c.township_code
    where case $by
        when 'name' then o.name ilike $pattern escape '\'
        when 'credit_code' then o.credit_code = $code
        when 'community' then c.name ilike $pattern escape '\'
        else false
    end
    order by is_active desc, o.name, o.org_id
    limit $limit
),
grade as (
    select e.org_id, e.grade, e.valid_until
    from evaluation_current((select as_of from info)) e
    where e.org_id in (select org_id from matched)
),
listed as (
    select
        l.org_id,
        bool_or(l.list_type = 'abnormal') as on_abnormal_list,
        min(l.listed_on) filter (where l.list_type = 'abnormal') as abnormal_since,
        bool_or(l.list_type = 'dishonest') as on_dishonest_list,
        min(l.listed_on) filter (where l.list_type = 'dishonest') as dishonest_since
    from credit_listings_current((select as_of from info)) l
    where l.org_id in (select org_id from matched)
    group by l.org_id
),
-- The county's last report year already due on the as-of date (one year for everybody, so a
-- missing row reads as "no report was required of this organisation for that year").
last_due as (
    select max(report_year) as report_year
    from annual_reports
    where due_on < (select as_of from info)
),
report as (
    select r.org_id, r.filing_status, case when r.is_submitted then r.result end as result
    from annual_report_status((select as_of from info)) r
    where r.report_year = (select report_year from last_due)
      and r.org_id in (select org_id from matched)
)
select
    m.org_id,
    m.name,
    m.credit_code,
    coalesce(s.label, m.status) as status_label,
    lf.label as legal_form_label,
    coalesce(f.label, m.field) as field_label,
    m.community_name,
    m.township_name,
    m.established_on,
    m.dissolved_on,
    m.is_active,
    g.grade,
    g.valid_until as grade_valid_until,
    coalesce(l.on_abnormal_list, false) as on_abnormal_list,
    l.abnormal_since,
    coalesce(l.on_dishonest_list, false) as on_dishonest_list,
    l.dishonest_since,
    (select report_year from last_due) as report_year,
    r.filing_status as report_filing_status,
    fs.label as report_filing_label,
    rr.label as report_result_label,
    (select as_of from info) as as_of_date
from matched m
left join lookup_org_status s on s.code = m.status
left join lookup_legal_form lf on lf.code = m.legal_form
left join lookup_field f on f.code = m.field
left join grade g on g.org_id = m.org_id
left join listed l on l.org_id = m.org_id
left join report r on r.org_id = m.org_id
left join lookup_report_result rr on rr.code = r.result
left join lookup_filing_status fs on fs.code = r.filing_status
order by m.is_active desc, m.name, m.org_id;
