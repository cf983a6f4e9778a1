-- Social workers in post on a date (joined on or before it, not left by then), with where they work and the organisations they support.
-- grain: one row per social worker in post on as_of
-- params: as_of (macro argument, date)
--
-- A worker's community is the one the ledger names, else its 村（社区）社工室's; a worker of a
-- 乡镇社工站 without a community serves the township (community_code null).
create or replace macro social_workers_active(as_of) as table
select
    w.worker_id,
    w.station_id,
    s.name as station_name,
    s.level as station_level,
    coalesce(w.community_code, case when s.level = 'community' then s.community_code end)
        as community_code,
    coalesce(s.township_code, d.township_code) as township_code,
    t.name as township_name,
    w.qualification,
    w.qualification <> 'none' as is_qualified,
    coalesce(w.supported_org_ids, []::varchar[]) as supported_org_ids,
    len(coalesce(w.supported_org_ids, []::varchar[])) as count_supported,
    w.joined_on,
    w.left_on
from social_workers w
left join social_work_stations s on s.station_id = w.station_id
left join divisions d on d.division_code = w.community_code
left join divisions t on t.division_code = coalesce(s.township_code, d.township_code)
where w.joined_on <= as_of
  and (w.left_on is null or w.left_on > as_of);

-- 三社联动 per community on a date: 社工室 open, social workers posted, active organisations a social worker in post supports, joint micro-projects.
-- grain: one row per community (社区 or 行政村); a figure whose source was not loaded is null (no data), not zero
-- params: as_of (macro argument, date)
--
-- is_linked: a 村（社区）社工室 open, a social worker posted there, or one of its organisations
-- supported by a social worker in post (a 乡镇社工站's worker links the communities it serves).
-- Joint micro-projects: micro-projects started in year(as_of) up to as_of and not stopped, whose
-- organisation a social worker in post on the project's start day supported.
create or replace macro linkage_by_community(as_of) as table
with loaded as (
    select
        (select count(*) from social_work_stations) > 0 as has_stations,
        (select count(*) from social_workers) > 0 as has_workers,
        (select count(*) from micro_projects) > 0 as has_projects
),
rooms as (
    select community_code, count(*) as count_rooms
    from social_work_stations
    where level = 'community' and opened_on <= as_of
    group by community_code
),
town_stations as (
    select township_code, count(*) as count_stations
    from social_work_stations
    where level = 'township' and opened_on <= as_of
    group by township_code
),
posted as (
    select
        community_code,
        count(*) as count_workers,
        count(*) filter (where is_qualified) as count_qualified
    from social_workers_active(as_of)
    where community_code is not null
    group by community_code
),
supported as (
    select distinct unnest(supported_org_ids) as org_id from social_workers_active(as_of)
),
orgs as (
    select
        a.community_code,
        count(*) as count_active,
        count(s.org_id) as count_supported
    from active_organizations(as_of) a
    left join supported s using (org_id)
    group by a.community_code
),
projects as (
    select community_code, project_id, org_id, start_on
    from micro_project_status(as_of)
    where start_year = year(as_of) and status_on_date <> 'cancelled'
),
support_spells as (
    select worker_id, joined_on, left_on, unnest(supported_org_ids) as org_id
    from social_workers
),
joint as (
    select p.community_code, count(distinct p.project_id) as count_joint
    from projects p
    join support_spells w
        on w.org_id = p.org_id
        and w.joined_on <= p.start_on
        and (w.left_on is null or w.left_on > p.start_on)
    group by p.community_code
),
project_counts as (
    select community_code, count(*) as count_projects from projects group by community_code
)
select
    d.division_code as community_code,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type,
    case when x.has_stations then coalesce(r.count_rooms, 0) end as count_rooms,
    case when x.has_stations then coalesce(ts.count_stations, 0) > 0 end as township_has_station,
    case when x.has_workers then coalesce(w.count_workers, 0) end as count_workers,
    case when x.has_workers then coalesce(w.count_qualified, 0) end as count_qualified_workers,
    coalesce(o.count_active, 0) as count_active,
    case when x.has_workers then coalesce(o.count_supported, 0) end as count_supported,
    case when x.has_workers
        then coalesce(o.count_supported, 0) / nullif(o.count_active, 0)::double
    end as supported_rate,
    case when x.has_stations or x.has_workers
        then coalesce(r.count_rooms, 0) > 0
            or coalesce(w.count_workers, 0) > 0
            or coalesce(o.count_supported, 0) > 0
    end as is_linked,
    case when x.has_projects then coalesce(pc.count_projects, 0) end as count_micro_projects,
    case when x.has_projects and x.has_workers then coalesce(j.count_joint, 0) end
        as count_joint_micro_projects
from divisions d
cross join loaded x
left join divisions t on t.division_code = d.township_code
left join rooms r on r.community_code = d.division_code
left join town_stations ts on ts.township_code = d.township_code
left join posted w on w.community_code = d.division_code
left join orgs o on o.community_code = d.division_code
left join project_counts pc on pc.community_code = d.division_code
left join joint j on j.community_code = d.division_code
where d.level = 'community';

-- 三社联动 per township on a date: its 乡镇社工站, communities linked, social workers in post (township station's too), organisations supported, joint micro-projects.
-- grain: one row per township; a figure whose source was not loaded is null (no data), not zero
-- params: as_of (macro argument, date)
create or replace macro linkage_by_township(as_of) as table
with workers as (
    select
        township_code,
        count(*) as count_workers,
        count(*) filter (where is_qualified) as count_qualified
    from social_workers_active(as_of)
    group by township_code
),
has as (select (select count(*) from social_workers) > 0 as has_workers)
select
    c.township_code,
    any_value(c.township_name) as township_name,
    count(*) as count_communities,
    sum(c.is_linked::int)::bigint as count_linked,
    sum(c.is_linked::int) / count(*)::double as linked_rate,
    bool_or(c.township_has_station) as has_station,
    sum(c.count_rooms)::bigint as count_rooms,
    case when any_value(h.has_workers) then coalesce(any_value(w.count_workers), 0) end
        as count_workers,
    case when any_value(h.has_workers) then coalesce(any_value(w.count_qualified), 0) end
        as count_qualified_workers,
    sum(c.count_active)::bigint as count_active,
    sum(c.count_supported)::bigint as count_supported,
    sum(c.count_supported) / nullif(sum(c.count_active), 0)::double as supported_rate,
    sum(c.count_joint_micro_projects)::bigint as count_joint_micro_projects
from linkage_by_community(as_of) c
cross join has h
left join workers w on w.township_code = c.township_code
group by c.township_code;

-- Party organisations in being on a date (founded on or before it, not dissolved by then), with the place of the 大党委 they are part of.
-- grain: one row per party organisation in being on as_of
-- params: as_of (macro argument, date)
create or replace macro party_organizations_active(as_of) as table
select
    p.*,
    d.level as division_level,
    d.name as division_name,
    case when d.level = 'township' then d.division_code else d.township_code end as township_code,
    t.name as township_name
from party_organizations p
join divisions d on d.division_code = p.division_code
left join divisions t on t.division_code = case
    when d.level = 'township' then d.division_code else d.township_code end
where p.founded_on <= as_of
  and (p.dissolved_on is null or p.dissolved_on > as_of);

-- What the party organisations in being on a date cover then: organisation rows and community rows in force.
-- grain: one row per coverage row in force on as_of (covered_from, or the party organisation's founding, on or before it; not ended by then)
-- params: as_of (macro argument, date)
create or replace macro party_coverage_current(as_of) as table
select
    c.*,
    p.name as party_org_name,
    p.kind,
    p.division_code as party_division_code
from party_org_coverage c
join party_organizations_active(as_of) p using (party_org_id)
where coalesce(c.covered_from, p.founded_on) <= as_of
  and (c.covered_until is null or c.covered_until > as_of);

-- Party-organisation coverage of each organisation active on a date: covered by a 联合党支部 or its own 单独党支部.
-- grain: one row per organisation active on as_of; coverage figures null when 党组织覆盖 is not loaded
-- params: as_of (macro argument, date)
create or replace macro party_coverage_by_org(as_of) as table
with cov as (
    select
        org_id,
        list(distinct party_org_id order by party_org_id) as party_org_ids,
        bool_or(kind = 'single_branch') as has_own_branch,
        bool_or(kind = 'joint_branch') as in_joint_branch
    from party_coverage_current(as_of)
    where org_id is not null
    group by org_id
),
loaded as (select (select count(*) from party_org_coverage) > 0 as has_coverage)
select
    a.org_id,
    a.name,
    a.status,
    a.field,
    a.community_code,
    a.community_name,
    a.township_code,
    a.township_name,
    a.area_type,
    a.has_party_branch,
    case when x.has_coverage then c.org_id is not null end as is_covered,
    case when x.has_coverage then coalesce(c.has_own_branch, false) end as has_own_branch,
    case when x.has_coverage then coalesce(c.in_joint_branch, false) end as in_joint_branch,
    c.party_org_ids
from active_organizations(as_of) a
cross join loaded x
left join cov c using (org_id);

-- Party-organisation coverage per community on a date: organisations covered, the community covered, party organisations in its 大党委.
-- grain: one row per community; figures null when their source is not loaded
-- params: as_of (macro argument, date)
--
-- A community is covered when a coverage row names it or one of its active organisations is covered.
create or replace macro party_coverage_by_community(as_of) as table
with orgs as (
    select
        community_code,
        count(*) as count_active,
        count(*) filter (where is_covered) as count_covered
    from party_coverage_by_org(as_of)
    group by community_code
),
named as (
    select distinct community_code
    from party_coverage_current(as_of)
    where community_code is not null
),
branches as (
    select
        division_code,
        count(*) as count_party_orgs,
        count(*) filter (where kind = 'joint_branch') as count_joint_branches
    from party_organizations_active(as_of)
    group by division_code
),
loaded as (
    select
        (select count(*) from party_org_coverage) > 0 as has_coverage,
        (select count(*) from party_organizations) > 0 as has_parties
)
select
    d.division_code as community_code,
    d.name as community_name,
    d.township_code,
    t.name as township_name,
    d.area_type,
    coalesce(o.count_active, 0) as count_active,
    case when x.has_coverage then coalesce(o.count_covered, 0) end as count_covered,
    case when x.has_coverage
        then coalesce(o.count_covered, 0) / nullif(o.count_active, 0)::double
    end as covered_rate,
    case when x.has_coverage then n.community_code is not null end as is_named,
    case when x.has_coverage
        then n.community_code is not null or coalesce(o.count_covered, 0) > 0
    end as is_covered,
    case when x.has_parties then coalesce(b.count_party_orgs, 0) end as count_party_orgs,
    case when x.has_parties then coalesce(b.count_joint_branches, 0) end as count_joint_branches
from divisions d
cross join loaded x
left join divisions t on t.division_code = d.township_code
left join orgs o on o.community_code = d.division_code
left join named n on n.community_code = d.division_code
left join branches b on b.division_code = d.division_code
where d.level = 'community';

-- Party-organisation coverage per township on a date: communities and organisations covered, party organisations in the township's and its communities' 大党委.
-- grain: one row per township; figures null when their source is not loaded
-- params: as_of (macro argument, date)
create or replace macro party_coverage_by_township(as_of) as table
with own as (
    select division_code, count(*) as count_party_orgs
    from party_organizations_active(as_of)
    group by division_code
)
select
    c.township_code,
    any_value(c.township_name) as township_name,
    count(*) as count_communities,
    sum(c.is_covered::int)::bigint as count_covered_communities,
    sum(c.is_covered::int) / count(*)::double as covered_community_rate,
    sum(c.count_active)::bigint as count_active,
    sum(c.count_covered)::bigint as count_covered,
    sum(c.count_covered) / nullif(sum(c.count_active), 0)::double as covered_rate,
    (sum(c.count_party_orgs) + case when bool_or(c.count_party_orgs is not null)
        then coalesce(any_value(o.count_party_orgs), 0) end)::bigint as count_party_orgs,
    sum(c.count_joint_branches)::bigint as count_joint_branches_in_communities
from party_coverage_by_community(as_of) c
left join own o on o.division_code = c.township_code
group by c.township_code;

-- Memberships of federations and industry associations (联合会/行业协会) in force on a date.
-- grain: one row per membership in force on as_of (the federation founded by then; joined on or before it, not left by then)
-- params: as_of (macro argument, date)
create or replace macro federation_memberships(as_of) as table
select
    m.federation_id,
    f.name as federation_name,
    f.kind,
    f.level,
    f.division_code,
    m.org_id,
    m.joined_on,
    m.left_on
from federation_members m
join federations f using (federation_id)
where f.founded_on <= as_of
  and m.joined_on <= as_of
  and (m.left_on is null or m.left_on > as_of);

-- Federations and industry associations founded by a date, with their members then.
-- grain: one row per federation founded on or before as_of
-- params: as_of (macro argument, date)
create or replace macro federations_current(as_of) as table
with members as (
    select m.federation_id, count(*) as count_members
    from federation_memberships(as_of) m
    join active_organizations(as_of) a using (org_id)
    group by m.federation_id
)
select
    f.*,
    d.name as division_name,
    case when f.level = 'township' then f.division_code end as township_code,
    coalesce(m.count_members, 0) as count_members
from federations f
join divisions d on d.division_code = f.division_code
left join members m using (federation_id)
where f.founded_on <= as_of;

-- Federation membership of each organisation active on a date (行业自律).
-- grain: one row per organisation active on as_of; membership null when 联合会成员 is not loaded
-- params: as_of (macro argument, date)
create or replace macro federation_membership_by_org(as_of) as table
with m as (
    select
        org_id,
        count(*) as count_federations,
        list(federation_id order by federation_id) as federation_ids,
        string_agg(federation_name, '、' order by federation_id) as federation_names
    from federation_memberships(as_of)
    group by org_id
),
loaded as (select (select count(*) from federation_members) > 0 as has_members)
select
    a.org_id,
    a.name,
    a.status,
    a.field,
    a.community_code,
    a.community_name,
    a.township_code,
    a.township_name,
    a.area_type,
    case when x.has_members then coalesce(m.count_federations, 0) end as count_federations,
    case when x.has_members then m.org_id is not null end as is_member,
    m.federation_ids,
    m.federation_names
from active_organizations(as_of) a
cross join loaded x
left join m using (org_id);

-- Federation membership per township on a date: active organisations in a federation or industry association, and the township's own federations.
-- grain: one row per township; figures null when their source is not loaded
-- params: as_of (macro argument, date)
create or replace macro federation_membership_by_township(as_of) as table
with feds as (
    select township_code, count(*) as count_federations
    from federations_current(as_of)
    where township_code is not null
    group by township_code
),
loaded as (select (select count(*) from federations) > 0 as has_federations)
select
    t.division_code as township_code,
    t.name as township_name,
    count(o.org_id) as count_active,
    sum(o.is_member::int)::bigint as count_members,
    sum(o.is_member::int) / nullif(count(o.org_id), 0)::double as member_rate,
    case when any_value(x.has_federations) then coalesce(any_value(f.count_federations), 0) end
        as count_township_federations
from divisions t
cross join loaded x
left join federation_membership_by_org(as_of) o on o.township_code = t.division_code
left join feds f on f.township_code = t.division_code
where t.level = 'township'
group by t.division_code, t.name;
