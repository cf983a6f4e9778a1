-- Boundaries ready to draw: snapped to 5 decimals (about 1 m), with points that add nothing dropped, and each shape's bounding box.
-- grain: one row per division with a boundary (as division_boundaries): a Polygon, or a MultiPolygon of several parts
-- params: none (a table, computed once per build so no page parses or rounds full polygons)
--
-- Simplifying: after snapping, repeated points go, then (twice) every other point that lies within
-- 0.00001° (about 1 m) of the line between its neighbours; as the neighbours of a dropped point are
-- kept, each pass moves the outline by at most that, so the drawn shape stays within a few metres
-- of the surveyed one. A ring left with fewer than 4 points is dropped (a hole or islet under a
-- metre); a shape that would vanish altogether keeps its snapped points. DuckDB here has no
-- spatial extension: plain list functions.
create or replace table map_shapes as
with parsed as (
    select
        division_code,
        case json_extract_string(geojson, '$.type')
            when 'Polygon' then [json_extract(geojson, '$.coordinates')::double[][][]]
            else json_extract(geojson, '$.coordinates')::double[][][][]
        end as parts
    from division_boundaries
),
snapped as (
    select
        division_code,
        list_transform(parts, lambda p: list_transform(p, lambda r: list_filter(
            list_transform(r, lambda pt: [round(pt[1], 5), round(pt[2], 5)]),
            lambda pt, i: i = 1 or pt <> [round(r[i - 1][1], 5), round(r[i - 1][2], 5)]
        ))) as parts
    from parsed
),
-- One pass: a point at an even position (never the first or last, which close the ring) is kept
-- unless its distance to the line through its neighbours is under 0.00001°.
pass1 as (
    select
        division_code,
        parts as snapped,
        list_transform(parts, lambda p: list_transform(p, lambda r: list_filter(r,
            lambda pt, i: i % 2 = 1 or i = len(r)
                or abs((r[i + 1][1] - r[i - 1][1]) * (pt[2] - r[i - 1][2])
                    - (r[i + 1][2] - r[i - 1][2]) * (pt[1] - r[i - 1][1]))
                >= 0.00001 * sqrt((r[i + 1][1] - r[i - 1][1]) ** 2 + (r[i + 1][2] - r[i - 1][2]) ** 2)
        ))) as parts
    from snapped
),
pass2 as (
    select
        division_code,
        snapped,
        list_transform(parts, lambda p: list_transform(p, lambda r: list_filter(r,
            lambda pt, i: i % 2 = 1 or i = len(r)
                or abs((r[i + 1][1] - r[i - 1][1]) * (pt[2] - r[i - 1][2])
                    - (r[i + 1][2] - r[i - 1][2]) * (pt[1] - r[i - 1][1]))
                >= 0.00001 * sqrt((r[i + 1][1] - r[i - 1][1]) ** 2 + (r[i + 1][2] - r[i - 1][2]) ** 2)
        ))) as parts
    from pass1
),
kept as (
    select
        division_code,
        coalesce(
            nullif(
                list_filter(
                    list_transform(parts, lambda p: list_filter(p, lambda r: len(r) >= 4)),
                    lambda p: len(p) > 0 and len(p[1]) >= 4
                ),
                []
            ),
            snapped
        ) as parts
    from pass2
),
points as (
    select division_code, parts, flatten(flatten(parts)) as xy from kept
)
select
    division_code,
    case
        when len(parts) = 1 then '{"type":"Polygon","coordinates":' || to_json(parts[1])::varchar
        else '{"type":"MultiPolygon","coordinates":' || to_json(parts)::varchar
    end || '}' as geojson,
    len(xy) as point_count,
    list_min(list_transform(xy, lambda pt: pt[1])) as xmin,
    list_min(list_transform(xy, lambda pt: pt[2])) as ymin,
    list_max(list_transform(xy, lambda pt: pt[1])) as xmax,
    list_max(list_transform(xy, lambda pt: pt[2])) as ymax
from points
order by division_code;

comment on table map_shapes is '地图用边界（坐标保留5位小数并简化，附外接矩形）';
comment on column map_shapes.division_code is '区划代码';
comment on column map_shapes.geojson is '简化后的边界（GeoJSON）';
comment on column map_shapes.point_count is '简化后的点数';
comment on column map_shapes.xmin is '最小经度';
comment on column map_shapes.ymin is '最小纬度';
comment on column map_shapes.xmax is '最大经度';
comment on column map_shapes.ymax is '最大纬度';
