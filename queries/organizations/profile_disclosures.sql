-- One organisation's information disclosures (信息公开) made up to a date.
-- grain: one row per disclosure with disclosed_on <= $as_of
-- params: $org, $as_of
select
    d.item,
    i.label as item_label,
    d.year,
    d.disclosed_on,
    coalesce(c.label, d.channel) as channel_label
from info_disclosures d
left join lookup_disclosure_item i on i.code = d.item
left join lookup_disclosure_channel c on c.code = d.channel
where d.org_id = $org and d.disclosed_on <= $as_of::date
order by d.disclosed_on desc, i.sort_order;
