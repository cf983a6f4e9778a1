-- Whether each programme source was loaded at all, so a page can tell "not tracked" from "none in scope".
-- grain: one row
-- params: none
select
    (select count(*) from micro_projects) as count_micro_projects,
    (select count(*) from points_ledger) as count_points_entries,
    (select count(*) from trainings) as count_trainings,
    (select count(*) from awards) as count_awards,
    (select count(*) from lounges) as count_lounges;
