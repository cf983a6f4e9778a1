-- Whether the loaded boundaries are schematic (示意, warehouse_info.boundaries_synthetic): the map page then says so.
-- grain: one row
-- params: none
-- Through to_json, a build made before the column existed reads false instead of failing to bind.
select coalesce((to_json(w) ->> 'boundaries_synthetic')::boolean, false) as boundaries_synthetic
from warehouse_info w;
