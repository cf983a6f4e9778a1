-- The 资格核查 rule this build used: the lowest credit rating that passes (orgdash.toml [eligibility] min_rating) with its Chinese label, and the ratings below it.
-- grain: one row
-- params: none
select
    r.value as min_rating,
    l.label as min_rating_label,
    (select string_agg(code, '、' order by sort_order) from lookup_credit_rating
        where sort_order > r.sort_order) as ratings_below
from rule_settings r
left join lookup_credit_rating l on l.code = r.value
where r.name = 'eligibility_min_rating';
