-- One organisation's major matters (重大事项) up to a date and how each was reported then.
-- grain: one row per matter with matter_on <= $as_of
-- params: $org, $as_of
select
    m.matter_kind,
    k.label as matter_label,
    m.matter_on,
    case when m.reported_on <= $as_of::date then m.reported_on end as reported_on,
    m.days_to_report,
    m.report_status,
    m.report_days,
    m.description
from major_matter_status($as_of::date) m
left join lookup_matter_kind k on k.code = m.matter_kind
where m.org_id = $org
order by m.matter_on desc, k.sort_order;
