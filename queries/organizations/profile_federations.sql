-- One organisation's memberships of federations and industry associations (联合会/行业协会) up to a date: joined, left, in force.
-- grain: one row per membership joined on or before $as_of
-- params: $org, $as_of
select
    m.federation_id,
    f.name as federation_name,
    k.label as kind_label,
    lv.label as level_label,
    d.name as division_name,
    m.joined_on,
    case when m.left_on <= $as_of::date then m.left_on end as left_on,
    (m.left_on is null or m.left_on > $as_of::date) and f.founded_on <= $as_of::date as is_current
from federation_members m
join federations f using (federation_id)
left join divisions d on d.division_code = f.division_code
left join lookup_federation_kind k on k.code = f.kind
left join lookup_federation_level lv on lv.code = f.level
where m.org_id = $org and m.joined_on <= $as_of::date
order by m.joined_on desc, m.federation_id;
