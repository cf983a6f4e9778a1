-- Masks personal data in a copy of the warehouse: 负责人 names (张*明) and phone numbers (138****5678).
-- grain: statements run in order on the copy (never on the live warehouse)
-- params: none
update organizations set
    leader_name = case
        when leader_name is null or length(leader_name) <= 1 then leader_name
        when length(leader_name) = 2 then left(leader_name, 1) || '*'
        else left(leader_name, 1) || repeat('*', length(leader_name) - 2) || right(leader_name, 1)
    end,
    leader_phone = case
        when leader_phone is null then null
        when length(leader_phone) >= 7
            then left(leader_phone, 3) || repeat('*', length(leader_phone) - 7) || right(leader_phone, 4)
        else repeat('*', length(leader_phone))
    end;
-- A rejected 负责人 or 联系电话 cell would show the raw value in the reject list: hide it there too.
update etl_rejects set
    message = replace(message, value, '***'),
    value = '***'
where value is not null
  and source = 'organizations'
  and regexp_matches(lower("column"), '负责|联系|电话|手机|姓名|leader|phone|mobile|contact');
