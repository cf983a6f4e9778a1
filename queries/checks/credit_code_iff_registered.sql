-- Registered organisations carry a credit code; filed ones do not.
-- grain: one row per failing organisation
-- params: none
select org_id, status, credit_code
from organizations
where (status = 'registered') <> (credit_code is not null);
