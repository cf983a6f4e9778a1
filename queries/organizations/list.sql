-- Organisations known on a date matching the page's search and filters, with current grade and credit lists.
-- grain: one row per organisation established on or before as_of
-- params: $as_of, $township, $area, $fields, $community, $status, $grade ('graded','a3plus','none','1'..'5'), $listed ('any','none','abnormal','dishonest'), $state ('active','dissolved'), $search (text; every character literal)
with lists as (
    select
        org_id,
        string_agg(list_type, ',' order by list_type) as list_types
    from governance_listings($as_of::date)
    group by org_id
),
search as (
    -- The search text is bound, so quotes are plain text; LIKE's own wildcards are escaped here so
    -- that % and _ are searched for literally too.
    select '%' || replace(replace(replace($search, '\', '\\'), '%', '\%'), '_', '\_') || '%' as pattern
)
select
    p.org_id,
    p.name,
    p.credit_code,
    p.status,
    p.legal_form,
    p.field,
    p.township_name,
    p.community_name,
    p.area_type,
    p.established_on,
    case when p.dissolved_on <= $as_of::date then p.dissolved_on end as dissolved_on,
    p.dissolved_on is null or p.dissolved_on > $as_of::date as is_active,
    g.grade,
    g.valid_until as grade_valid_until,
    l.list_types
from governance_org_places p
cross join search s
left join governance_grades($as_of::date) g using (org_id)
left join lists l using (org_id)
where p.established_on <= $as_of::date
  and ($township is null or p.township_code = $township)
  and ($area is null or p.area_type = $area)
  and ($fields is null or list_contains($fields, p.field))
  and ($community is null or p.community_code = $community)
  and ($status is null or p.status = $status)
  and (
      $state is null
      or ($state = 'active' and (p.dissolved_on is null or p.dissolved_on > $as_of::date))
      or ($state = 'dissolved' and p.dissolved_on <= $as_of::date)
  )
  and (
      $grade is null
      or ($grade = 'graded' and g.grade is not null)
      or ($grade = 'a3plus' and g.grade >= 3)
      or ($grade = 'none' and g.grade is null)
      or g.grade::varchar = $grade
  )
  and (
      $listed is null
      or ($listed = 'any' and l.list_types is not null)
      or ($listed = 'none' and l.list_types is null)
      or list_contains(string_split(l.list_types, ','), $listed)
  )
  and (
      $search is null
      or p.name ilike s.pattern escape '\'
      or p.org_id ilike s.pattern escape '\'
      or p.credit_code ilike s.pattern escape '\'
  )
order by p.org_id;
