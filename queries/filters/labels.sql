-- Chinese labels of every enumeration code, from the warehouse's lookup tables.
-- grain: one row per enumeration and code
-- params: none
select 'division_level' as enum, code, label, sort_order from lookup_division_level
union all
select 'area_type' as enum, code, label, sort_order from lookup_area_type
union all
select 'platform_level' as enum, code, label, sort_order from lookup_platform_level
union all
select 'org_status' as enum, code, label, sort_order from lookup_org_status
union all
select 'legal_form' as enum, code, label, sort_order from lookup_legal_form
union all
select 'field' as enum, code, label, sort_order from lookup_field
union all
select 'fund_source' as enum, code, label, sort_order from lookup_fund_source
union all
select 'grant_purpose' as enum, code, label, sort_order from lookup_grant_purpose
union all
select 'report_result' as enum, code, label, sort_order from lookup_report_result
union all
select 'credit_rating' as enum, code, label, sort_order from lookup_credit_rating
union all
select 'list_type' as enum, code, label, sort_order from lookup_list_type
union all
select 'inspection_result' as enum, code, label, sort_order from lookup_inspection_result
union all
select 'project_status' as enum, code, label, sort_order from lookup_project_status
union all
select 'activity_type' as enum, code, label, sort_order from lookup_activity_type
union all
select 'training_level' as enum, code, label, sort_order from lookup_training_level
union all
select 'award_level' as enum, code, label, sort_order from lookup_award_level
union all
select 'filing_status' as enum, code, label, sort_order from lookup_filing_status
union all
select 'matter_status' as enum, code, label, sort_order from lookup_matter_status
order by enum, sort_order;
