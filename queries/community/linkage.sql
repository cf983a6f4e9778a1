-- One community's 三社联动 and party-organisation coverage on a date: 社工室, social workers, organisations supported, joint micro-projects; the party organisations of its 大党委 and the organisations covered.
-- grain: one row (the community); a figure is null when its source was not loaded
-- params: $community (code), $as_of (date)
select
    l.community_code,
    l.township_code,
    l.count_rooms,
    l.township_has_station,
    l.count_workers,
    l.count_qualified_workers,
    l.count_active,
    l.count_supported,
    l.supported_rate,
    l.is_linked,
    l.count_micro_projects,
    l.count_joint_micro_projects,
    p.count_covered,
    p.covered_rate,
    p.is_named,
    p.is_covered as is_party_covered,
    p.count_party_orgs,
    p.count_joint_branches,
    (select string_agg(s.name, '、' order by s.name) from social_work_stations s
        where s.level = 'community' and s.community_code = $community
          and s.opened_on <= $as_of::date) as room_names,
    (select string_agg(s.name, '、' order by s.name) from social_work_stations s
        where s.level = 'township' and s.township_code = l.township_code
          and s.opened_on <= $as_of::date) as township_station_names,
    (select string_agg(
            o.name || case when contains(o.name, k.label) then '' else '（' || k.label || '）' end,
            '、' order by k.sort_order, o.name)
        from party_organizations_active($as_of::date) o
        join lookup_party_org_kind k on k.code = o.kind
        where o.division_code = $community) as party_org_names
from linkage_by_community($as_of::date) l
join party_coverage_by_community($as_of::date) p on p.community_code = l.community_code
where l.community_code = $community;
