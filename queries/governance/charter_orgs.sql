-- The active organisations behind one party-building / integrity figure (with or without it).
-- grain: one row per active organisation
-- params: $as_of, $township, $area, $fields, $bucket (all, party_in_charter, no_party_in_charter, integrity_in_charter, no_integrity_in_charter, party_branch, no_party_branch)
select
    org_id,
    name,
    credit_code,
    township_name,
    community_name,
    field,
    status,
    coalesce(party_in_charter, false) as party_in_charter,
    coalesce(integrity_in_charter, false) as integrity_in_charter,
    coalesce(has_party_branch, false) as has_party_branch
from active_organizations($as_of::date)
where ($township is null or township_code = $township)
  and ($area is null or area_type = $area)
  and ($fields is null or list_contains($fields, field))
  and case $bucket
      when 'all' then true
      when 'party_in_charter' then coalesce(party_in_charter, false)
      when 'no_party_in_charter' then not coalesce(party_in_charter, false)
      when 'integrity_in_charter' then coalesce(integrity_in_charter, false)
      when 'no_integrity_in_charter' then not coalesce(integrity_in_charter, false)
      when 'party_branch' then coalesce(has_party_branch, false)
      when 'no_party_branch' then not coalesce(has_party_branch, false)
  end
order by township_code, org_id;
