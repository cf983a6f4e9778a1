-- Each grant to the community or one of its organisations, newest first, with what has been paid.
-- grain: one row per grant approved up to $as_of
-- params: $as_of (date), $fields (field codes or null: then only grants to organisations of those fields), $community
select
    g.grant_id,
    g.year,
    g.title,
    g.fund_source,
    g.purpose,
    o.name as org_name,
    g.approved_yuan,
    g.paid_yuan,
    g.approved_on
from grant_payments($as_of::date) g
left join organizations o using (org_id)
where coalesce(o.community_code, g.division_code) = $community
  and ($fields is null or list_contains($fields, o.field))
order by g.approved_on desc, g.grant_id;
