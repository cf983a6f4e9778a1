-- Information disclosure (信息公开) of the year before a date's year: registered organisations expected to disclose their annual work report, those that did, and their finances; all organisations too.
-- grain: one row; count_disclosures_loaded = 0 means the source is empty (no sentence then)
-- params: $as_of (date), $township (code or null for the county)
with s as (
    select * from disclosure_status($as_of::date)
    where $township is null or township_code = $township
)
select
    (select count(*) from info_disclosures) as count_disclosures_loaded,
    year($as_of::date) - 1 as disclosure_year,
    count(*) as count_expected,
    count(*) filter (where disclosed_annual_report) as count_annual_report,
    count(*) filter (where status = 'registered') as count_registered_expected,
    count(*) filter (where status = 'registered' and disclosed_annual_report)
        as count_registered_annual_report,
    count(*) filter (where status = 'registered' and disclosed_finances)
        as count_registered_finances,
    count(*) filter (where status = 'registered' and disclosed_annual_report)
        / nullif(count(*) filter (where status = 'registered'), 0)::double
        as registered_annual_report_rate,
    count(*) filter (where status = 'registered' and disclosed_finances)
        / nullif(count(*) filter (where status = 'registered'), 0)::double
        as registered_finances_rate
from s;
