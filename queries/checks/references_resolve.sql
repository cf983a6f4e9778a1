-- Every reference between tables points at a loaded row.
-- grain: one row per dangling reference
-- params: none
select 'grants.org_id' as ref, grant_id as id from grants
where org_id is not null and org_id not in (select org_id from organizations)
union all
select 'grants.division_code', grant_id from grants
where division_code not in (select division_code from divisions)
union all
select 'disbursements.grant_id', disbursement_id from disbursements
where grant_id not in (select grant_id from grants)
union all
select 'annual_reports.org_id', org_id from annual_reports
where org_id not in (select org_id from organizations)
union all
select 'evaluations.org_id', org_id from evaluations
where org_id not in (select org_id from organizations)
union all
select 'credit_ratings.org_id', org_id from credit_ratings
where org_id not in (select org_id from organizations)
union all
select 'credit_listings.org_id', org_id from credit_listings
where org_id not in (select org_id from organizations)
union all
select 'inspections.org_id', inspection_id from inspections
where org_id not in (select org_id from organizations)
union all
select 'platforms.division_code', platform_id from platforms
where division_code not in (select division_code from divisions)
union all
select 'micro_projects.org_id', project_id from micro_projects
where org_id not in (select org_id from organizations)
union all
select 'micro_projects.community_code', project_id from micro_projects
where community_code not in (select division_code from divisions where level = 'community')
union all
select 'points_ledger.community_code', resident_id from points_ledger
where community_code not in (select division_code from divisions where level = 'community')
union all
select 'trainings.division_code', name from trainings
where division_code not in (select division_code from divisions)
union all
select 'awards.org_id', org_id from awards
where org_id not in (select org_id from organizations)
union all
select 'lounges.community_code', lounge_id from lounges
where community_code not in (select division_code from divisions where level = 'community')
union all
select 'divisions.parent_code', division_code from divisions
where level <> 'county' and parent_code not in (select division_code from divisions);
