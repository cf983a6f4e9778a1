-- Keeps only one township's rows in a copy of the warehouse, for an account scoped to it.
-- grain: statements run in order on the copy; tables not named here are emptied (fail closed)
-- params: $township (12-digit division code of the township)
-- Every condition says which rows to KEEP, wrapped in coalesce(..., false): a null must delete.
delete from divisions where not coalesce(
    division_code = $township or township_code = $township or level = 'county', false);
delete from division_boundaries where not coalesce(
    division_code in (select division_code from divisions), false);
delete from map_shapes where not coalesce(
    division_code in (select division_code from divisions), false);
delete from platforms where not coalesce(
    division_code in (select division_code from divisions where level <> 'county'), false);
delete from organizations where not coalesce(
    community_code in (select division_code from divisions where township_code = $township), false);
delete from grants where not coalesce(
    org_id in (select org_id from organizations)
    or (org_id is null and division_code in (select division_code from divisions where level <> 'county')),
    false);
delete from disbursements where not coalesce(grant_id in (select grant_id from grants), false);
delete from annual_reports where not coalesce(org_id in (select org_id from organizations), false);
delete from evaluations where not coalesce(org_id in (select org_id from organizations), false);
delete from credit_ratings where not coalesce(org_id in (select org_id from organizations), false);
delete from credit_listings where not coalesce(org_id in (select org_id from organizations), false);
delete from inspections where not coalesce(org_id in (select org_id from organizations), false);
-- The county's programmes: rows of the township's communities and organisations; trainings held
-- by the township or its communities (the county centre's own classes are not the township's).
delete from micro_projects where not coalesce(
    community_code in (select division_code from divisions where township_code = $township), false);
delete from points_ledger where not coalesce(
    community_code in (select division_code from divisions where township_code = $township), false);
delete from lounges where not coalesce(
    community_code in (select division_code from divisions where township_code = $township), false);
delete from awards where not coalesce(org_id in (select org_id from organizations), false);
delete from trainings where not coalesce(
    division_code in (select division_code from divisions where level <> 'county'), false);
-- 三社联动, party organisations, federations, major matters and disclosures: the township's
-- stations, workers, party organisations (in its or its communities' 大党委) and organisations';
-- county-level federations stay (their names are public), with only this township's members.
delete from social_work_stations where not coalesce(township_code = $township, false);
delete from social_workers where not coalesce(
    station_id in (select station_id from social_work_stations)
    or (station_id is null
        and community_code in (select division_code from divisions where township_code = $township)),
    false);
delete from party_organizations where not coalesce(
    division_code = $township
    or division_code in (select division_code from divisions where township_code = $township),
    false);
delete from party_org_coverage where not coalesce(
    party_org_id in (select party_org_id from party_organizations), false);
delete from federations where not coalesce(
    division_code = $township
    or division_code in (select division_code from divisions where level = 'county'),
    false);
delete from federation_members where not coalesce(
    org_id in (select org_id from organizations)
    and federation_id in (select federation_id from federations),
    false);
delete from major_matter_reports where not coalesce(org_id in (select org_id from organizations), false);
delete from info_disclosures where not coalesce(org_id in (select org_id from organizations), false);
-- The year's targets: the county's (a township is held to them where it has none of its own) and
-- this township's; other townships' targets are theirs.
delete from targets where not coalesce(township_code is null or township_code = $township, false);
-- County budgets and other townships' rejected rows are not this township's data.
delete from fund_budgets;
delete from etl_rejects;
