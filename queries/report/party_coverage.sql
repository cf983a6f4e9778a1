-- Party-organisation coverage on a date: joint branches (联合党支部) and own branches in being, active organisations covered by them (by a joint branch, or only by their own), communities covered.
-- grain: one row; count_party_orgs_loaded / count_coverage_loaded = 0 mean the source is empty (no sentence, or no coverage clause, then)
-- params: $as_of (date), $township (code or null for the county)
with o as (
    select * from party_coverage_by_org($as_of::date)
    where $township is null or township_code = $township
),
p as (
    select * from party_organizations_active($as_of::date)
    where $township is null or township_code = $township
),
c as (
    select * from party_coverage_by_community($as_of::date)
    where $township is null or township_code = $township
)
select
    (select count(*) from party_organizations) as count_party_orgs_loaded,
    (select count(*) from party_org_coverage) as count_coverage_loaded,
    (select count(*) from p where kind = 'joint_branch') as count_joint_branches,
    (select count(*) from p where kind = 'single_branch') as count_single_branches,
    (select count(*) from o) as count_active,
    (select count(*) from o where is_covered) as count_covered,
    (select count(*) from o where in_joint_branch) as count_in_joint_branch,
    (select count(*) from o where is_covered and not in_joint_branch) as count_own_branch_only,
    (select count(*) from o where is_covered) / nullif((select count(*) from o), 0)::double
        as covered_rate,
    (select count(*) from c) as count_communities,
    (select count(*) from c where is_covered) as count_communities_covered;
