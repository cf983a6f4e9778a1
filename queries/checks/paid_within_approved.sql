-- No grant has been paid more than was approved.
-- grain: one row per failing grant
-- params: none
select g.grant_id, g.approved_yuan, sum(p.amount_yuan) as paid_yuan
from grants g
join disbursements p on p.grant_id = g.grant_id
group by g.grant_id, g.approved_yuan
having sum(p.amount_yuan) > g.approved_yuan;
