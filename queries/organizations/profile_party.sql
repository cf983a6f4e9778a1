-- The party organisations covering one organisation on a date (联合党支部 or its own 单独党支部), with the 大党委 they are part of.
-- grain: one row per coverage row of the organisation in force on $as_of
-- params: $org, $as_of
select
    c.party_org_id,
    c.party_org_name,
    c.kind,
    k.label as kind_label,
    o.founded_on,
    o.division_name,
    coalesce(c.covered_from, o.founded_on) as covered_from,
    (select count(*) from party_coverage_current($as_of::date) x
        where x.party_org_id = c.party_org_id and x.org_id is not null) as count_orgs_covered
from party_coverage_current($as_of::date) c
join party_organizations_active($as_of::date) o using (party_org_id)
left join lookup_party_org_kind k on k.code = c.kind
where c.org_id = $org
order by k.sort_order, c.party_org_id;
