-- Whether each 三社联动, party, federation and supervision source (and the decisions 资格核查 checks) was loaded at all, so a page can tell "not imported" from "none in scope".
-- grain: one row
-- params: none
select
    (select count(*) from social_work_stations) as count_stations,
    (select count(*) from social_workers) as count_workers,
    (select count(*) from micro_projects) as count_micro_projects,
    (select count(*) from party_organizations) as count_party_orgs,
    (select count(*) from party_org_coverage) as count_party_coverage,
    (select count(*) from federations) as count_federations,
    (select count(*) from federation_members) as count_federation_members,
    (select count(*) from major_matter_reports) as count_matters,
    (select count(*) from info_disclosures) as count_disclosures,
    (select count(*) from grants where org_id is not null) as count_org_grants,
    (select count(*) from awards) as count_awards;
