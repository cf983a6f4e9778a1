-- The public register: items each listed organisation has disclosed (信息公开), newest first, at most $per_org each.
-- grain: one row per disclosed item made public by the warehouse's as-of date
-- params: $orgs (list of org_id, the organisations a search found), $per_org
-- Run only when public/has_disclosures says the table exists (builds before the 信息公开 source
-- have none). Reads only the public columns: what was disclosed, for which year, when and where.
select
    d.org_id,
    coalesce(i.label, d.item) as item,
    d.year::varchar || '年度' as period,
    d.disclosed_on,
    coalesce(c.label, d.channel) as channel
from info_disclosures d
left join lookup_disclosure_item i on i.code = d.item
left join lookup_disclosure_channel c on c.code = d.channel
where list_contains($orgs, d.org_id)
  and d.disclosed_on <= (select as_of_date from warehouse_info)
qualify row_number() over (
    partition by d.org_id order by d.disclosed_on desc, d.year desc, d.item
) <= $per_org
order by d.org_id, d.disclosed_on desc, d.year desc, d.item;
