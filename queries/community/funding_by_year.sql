-- Money approved to the community and its organisations per year, and how much of it was paid.
-- grain: one row per grant year up to $as_of's year (years without grants left out)
-- params: $as_of (date), $fields (field codes or null: then only grants to organisations of those fields), $community
select
    g.year,
    count(*) as count_grants,
    sum(g.approved_yuan)::decimal(14, 2) as approved_yuan,
    sum(g.paid_yuan)::decimal(14, 2) as paid_yuan
from grant_payments($as_of::date) g
left join organizations o using (org_id)
where coalesce(o.community_code, g.division_code) = $community
  and ($fields is null or list_contains($fields, o.field))
group by g.year
order by g.year;
