-- Takes the server's paths out of every copy: the folders a load read and wrote become base names.
-- grain: statements run in order on the copy (township or masked, never on the live warehouse)
-- params: none
-- In a message (找不到文件夹「/srv/…/raw」) the run's own folder becomes its base name first (its
-- path may hold spaces), then any other absolute path keeps its last part. A path starts after a
-- space, a bracket or a quote, so dates like 2025/12/31 and ratios like 3/4 stay as they are.
update etl_runs set
    source_dir = nullif(regexp_extract(source_dir, '([^/\\]*)[/\\]*$', 1), ''),
    reject_report = nullif(regexp_extract(reject_report, '([^/\\]*)[/\\]*$', 1), ''),
    message = regexp_replace(
        case when coalesce(source_dir, '') = '' then message
             else replace(message, source_dir, regexp_extract(source_dir, '([^/\\]*)[/\\]*$', 1))
        end,
        '(^|[^\w./\\])(?:/[^/\s「」“”"''，。；：（）()]+)+/', '\1', 'g');
update warehouse_info set
    source_dir = nullif(regexp_extract(source_dir, '([^/\\]*)[/\\]*$', 1), '');
update etl_rejects set
    message = regexp_replace(message, '(^|[^\w./\\])(?:/[^/\s「」“”"''，。；：（）()]+)+/', '\1', 'g')
where message like '%/%';
