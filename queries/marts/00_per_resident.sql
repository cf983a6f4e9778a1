-- Figures per resident, one formula each: 每千名常住人口 (per_1000) and 人均 (per_resident). Every mart and query that divides by residents (a community's, a township's communities', a pilot's) calls these, so 每千人 and 人均 are the same arithmetic everywhere (issue 17).
-- grain: scalar macros: a count or an amount over a population; null when the population is 0 or missing
-- params: n or amount, population (macro arguments)
create or replace macro per_1000(n, population) as n * 1000.0 / nullif(population, 0);

create or replace macro per_resident(amount, population) as amount::double / nullif(population, 0);
