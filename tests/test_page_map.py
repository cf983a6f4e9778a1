"""地图 page on the demo warehouse, and the map builders on tiny frames."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from dashboard import decks

AS_OF = "2025-12-31"
CHENGGUAN = "340129001000"  # 城关街道


def _q(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def _deck(at) -> dict:
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    return json.loads(decks[0].proto.json)


def _layers(deck: dict) -> dict[str, dict]:
    return {layer["id"]: layer for layer in deck["layers"]}


def _props(deck: dict) -> dict[str, dict]:
    feats = _layers(deck)[decks.COMMUNITY_LAYER]["data"]["features"]
    return {f["properties"]["code"]: f["properties"] for f in feats}


# ---------------------------------------------------------------- the page


def test_deck_has_every_layer_and_the_active_counts(app, demo_db):
    at = app("views/map.py")
    deck = _deck(at)
    layers = _layers(deck)
    assert set(layers) == {decks.COMMUNITY_LAYER, decks.TOWNSHIP_LAYER, decks.LABEL_LAYER}
    assert deck["mapStyle"] == "__MAP_STYLE__"  # no basemap: Streamlit draws none, fetches nothing
    expected = dict(
        _q(demo_db, f"select community_code, count_active from community_density(date '{AS_OF}')")
    )
    props = _props(deck)
    assert len(props) == 124
    assert {code: round(p["value"]) for code, p in props.items()} == expected
    # Quantile classes: five fill colours, darker for more organisations.
    fills = {tuple(p["fill"]) for p in props.values()}
    assert len(fills) == 5
    low = min(props.values(), key=lambda p: p["value"])
    high = max(props.values(), key=lambda p: p["value"])
    assert low["cls"] == 0 and high["cls"] == 4 and low["fill"] != high["fill"]
    # Township outlines: unfilled, one per township; names drawn with the Chinese glyphs loaded.
    towns = layers[decks.TOWNSHIP_LAYER]
    assert towns["filled"] is False and len(towns["data"]["features"]) == 12
    labels = layers[decks.LABEL_LAYER]
    assert labels["characterSet"] == "auto"
    assert "城关街道" in {d["name"] for d in labels["data"]}
    # Tooltip in Chinese from feature properties.
    tip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
    assert "{title}" in tip["html"] and "{l1}" in tip["html"]
    assert props["340129001001"]["title"] == "府前社区"
    assert props["340129001001"]["l1"].startswith("社会组织数：")


def test_legend_and_table_follow_the_indicator(app, demo_db):
    at = app("views/map.py")
    before = _props(_deck(at))
    at.selectbox(key="map_indicator").set_value("per_1000_residents").run()
    assert not at.exception
    after = _props(_deck(at))
    expected = dict(
        _q(
            demo_db,
            f"select community_code, per_1000_residents from community_density(date '{AS_OF}')",
        )
    )
    for code, p in after.items():
        assert p["value"] == pytest.approx(expected[code], abs=1e-4)
        assert p["l1"].startswith("每千名常住人口组织数：")
    assert sum(before[c]["fill"] != after[c]["fill"] for c in after) > 20
    table = at.dataframe[0].value
    assert len(table) == 124
    assert "每千名常住人口组织数（家）" in table.columns
    top = max(expected, key=lambda c: expected[c])
    assert table["每千名常住人口组织数（家）"].iloc[0] == pytest.approx(expected[top])


def test_funding_per_resident_counts_grants_to_the_community_and_its_organisations(app, demo_db):
    at = app("views/map.py")
    at.selectbox(key="map_indicator").set_value("funding_per_resident").run()
    props = _props(_deck(at))
    rows = _q(
        demo_db,
        """
        select d.division_code, coalesce(sum(g.approved_yuan), 0)::double / d.population
        from divisions d
        left join (
            select coalesce(o.community_code, g.division_code) as code, g.approved_yuan
            from grants g left join organizations o using (org_id)
            where g.year = 2025 and g.approved_on <= date '2025-12-31'
        ) g on g.code = d.division_code
        where d.level = 'community'
        group by d.division_code, d.population
        """,
    )
    expected = dict(rows)
    assert sum(v > 0 for v in expected.values()) > 30
    for code, p in props.items():
        assert p["value"] == pytest.approx(expected[code], abs=1e-4)


def test_township_filter_draws_only_that_township_and_zooms_in(app, demo_db):
    at = app("views/map.py")
    county_zoom = _deck(at)["initialViewState"]["zoom"]
    at.sidebar.selectbox(key="f_township").set_value(CHENGGUAN).run()
    deck = _deck(at)
    codes = {
        r[0]
        for r in _q(
            demo_db,
            "select division_code from divisions where level = 'community' and township_code = $t",
            {"t": CHENGGUAN},
        )
    }
    assert set(_props(deck)) == codes
    towns = _layers(deck)[decks.TOWNSHIP_LAYER]["data"]["features"]
    assert [f["properties"]["code"] for f in towns] == [CHENGGUAN]
    assert deck["initialViewState"]["zoom"] > county_zoom + 0.5
    assert len(at.dataframe[0].value) == len(codes)


def test_area_and_field_filters(app, demo_db):
    at = app("views/map.py")
    at.sidebar.radio(key="f_area").set_value("rural").run()
    assert len(_props(_deck(at))) == 79
    at.sidebar.multiselect(key="f_field").set_value(["charity"]).run()
    expected = dict(
        _q(
            demo_db,
            f"""select d.division_code, count(a.org_id)
            from divisions d
            left join active_organizations(date '{AS_OF}') a
                on a.community_code = d.division_code and a.field = 'charity'
            where d.area_type = 'rural' group by 1""",
        )
    )
    props = _props(_deck(at))
    assert {c: round(p["value"]) for c, p in props.items()} == expected


def test_platform_layer_appears_when_toggled_and_follows_the_level_choice(app):
    at = app("views/map.py")
    at.toggle(key="map_platforms").set_value(True).run()
    layer = _layers(_deck(at))[decks.PLATFORM_LAYER]
    assert (
        layer["@@type"] == "IconLayer"
    )  # not ScatterplotLayer: it draws wrong in headless Chromium
    assert len(layer["data"]) == 193  # 1 county centre, 12 township platforms, 180 stations
    assert {d["level"] for d in layer["data"]} == {"county", "township", "village"}
    assert layer["iconAtlas"].startswith("data:image/svg+xml;base64,")  # nothing fetched
    at.button_group(key="map_platform_levels").set_value(["township"]).run()
    layer = _layers(_deck(at))[decks.PLATFORM_LAYER]
    assert len(layer["data"]) == 12
    assert all(d["title"].endswith("社会组织服务中心") for d in layer["data"])
    at.toggle(key="map_platforms").set_value(False).run()
    assert decks.PLATFORM_LAYER not in _layers(_deck(at))


def test_configured_tiles_become_a_basemap_style(app, monkeypatch):
    monkeypatch.setenv("ORGDASH_TILE_URL", "http://tiles.example.internal/{z}/{x}/{y}.png")
    deck = _deck(app("views/map.py"))
    assert deck["mapStyle"].startswith("data:application/json;base64,")


def test_deck_stays_small(app):
    at = app("views/map.py")
    at.toggle(key="map_platforms").set_value(True).run()
    assert len(at.get("deck_gl_json_chart")[0].proto.json.encode()) < 150_000


def test_empty_state_when_no_community_matches(app, demo_db):
    # 经开街道 has urban communities only: asking for its villages leaves nothing to draw.
    jingkai = "340129002000"
    assert _q(
        demo_db,
        "select count(*) from divisions where township_code = $t and area_type = 'rural'",
        {"t": jingkai},
    ) == [(0,)]
    at = app("views/map.py", township=jingkai, area="rural")
    assert not at.get("deck_gl_json_chart")
    assert "没有可显示的社区" in at.info[0].value


# ---------------------------------------------------------------- builders on tiny frames


@pytest.mark.parametrize(
    ("values", "breaks"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [3, 5, 7, 9]),
        ([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], [3, 5, 7, 9]),
        ([0, 0, 0, 0, 0, 0, 1, 1], [1]),  # ties collapse the classes
        ([1, 1, 1, 1, 1, 1, 1, 0, 0.5, 0.75, 0.8], [0.5, 0.75, 0.8, 1]),  # distinct values split
        ([5, 5, 5], []),
        ([None, None], []),
        ([], []),
        ([0.123, 0.456, 0.789, None, 0.5, 0.9], [0.46, 0.5, 0.79, 0.9]),
        ([1234.5, 20, 35, 2, 300], [20, 35, 300, 1200]),  # two significant figures
    ],
)
def test_class_breaks(values, breaks):
    assert decks.class_breaks(values) == pytest.approx(breaks)


def test_class_of_counts_the_lower_bound_in():
    breaks = [10, 20]
    assert [decks.class_of(v, breaks) for v in (0, 9.9, 10, 19.99, 20, 1e9, None)] == [
        0, 0, 1, 1, 2, 2, None,
    ]  # fmt: skip


def test_class_colours_come_from_the_ramp():
    from dashboard import style

    assert decks.class_colors(5) == style.RAMP
    assert decks.class_colors(3) == [style.RAMP[0], style.RAMP[2], style.RAMP[4]]
    assert decks.class_colors(2) == [style.RAMP[0], style.RAMP[4]]
    assert decks.class_colors(1) == [style.RAMP[2]]


def test_legend_rows_in_chinese():
    ind = decks.INDICATORS["report_submission_rate"]
    values = [0.5, 0.8, 1.0, 1.0, None]
    key = decks.legend(values, [0.8, 1.0], ind)
    assert key["range"].to_list() == ["低于 80%", "80%–100%", "100%", "无数据"]
    assert key["count"].to_list() == [1, 1, 2, 1]
    assert key["color"].to_list()[-1] == "#d2d2d2"  # missing data in grey
    counts = decks.INDICATORS["count_active"]
    assert decks.legend([3, 12, 30], [10, 20], counts)["range"].to_list() == [
        "低于 10家",
        "10–20家",
        "20家 及以上",
    ]


def _square(x: float, y: float, d: float = 0.01) -> str:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_choropleth_on_a_tiny_frame():
    communities = pl.DataFrame(
        {
            "community_code": ["a", "b", "c"],
            "community_name": ["甲社区", "乙村", "丙村"],
            "township_name": ["一镇"] * 3,
            "area_type": ["urban", "rural", "rural"],
            "population": [1000, 2000, 3000],
            "count_active": [12, 3, 7],
            "floor": [10, 5, 5],
            "meets_floor": [True, False, True],
            "floor_ratio": [1.2, 0.6, 1.4],
            "geojson": [_square(117.0, 31.0), _square(117.01, 31.0), _square(117.02, 31.0)],
        }
    )
    townships = pl.DataFrame(
        {
            "township_code": ["t"],
            "township_name": ["一镇"],
            "geojson": [_square(117.0, 31.0, 0.03)],
        }
    )
    deck = json.loads(decks.choropleth(communities, townships, "floor_ratio").to_json())
    layers = _layers(deck)
    feats = layers[decks.COMMUNITY_LAYER]["data"]["features"]
    assert [f["properties"]["value"] for f in feats] == [1.2, 0.6, 1.4]
    assert feats[1]["properties"]["l2"] == "社会组织3家，标准5家，未达标"
    assert len({tuple(f["properties"]["fill"]) for f in feats}) == 3
    assert layers[decks.LABEL_LAYER]["data"] == [{"name": "一镇", "position": [117.015, 31.015]}]
    assert all(layer.get("id") for layer in deck["layers"])


def test_tile_url_from_config_file(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGDASH_TILE_URL", raising=False)
    cfg = tmp_path / "orgdash.toml"
    monkeypatch.setenv("ORGDASH_CONFIG", str(cfg))
    assert decks.tile_url() is None
    cfg.write_text('[map]\ntile_url = "http://10.0.0.5/tiles/{z}/{x}/{y}.png"\n', encoding="utf-8")
    assert decks.tile_url() == "http://10.0.0.5/tiles/{z}/{x}/{y}.png"
    monkeypatch.setenv("ORGDASH_TILE_URL", "http://other/{z}/{x}/{y}.png")
    assert decks.tile_url() == "http://other/{z}/{x}/{y}.png"


def test_programme_indicators_on_the_map(app, demo_db):
    at = app("views/map.py")
    at.selectbox(key="map_indicator").set_value("count_micro_projects").run()
    assert not at.exception
    expected = dict(
        _q(
            demo_db,
            """select c.division_code, count(p.project_id) from divisions c
               left join micro_projects p on p.community_code = c.division_code
                 and year(p.start_on) = 2025 and p.status <> 'cancelled'
               where c.level = 'community' group by 1""",
        )
    )
    props = _props(_deck(at))
    assert {c: round(p["value"]) for c, p in props.items()} == expected
    assert props["340129001001"]["l1"].startswith("微项目数：")
    table = at.dataframe[0].value
    assert "微项目数（个）" in table.columns and table["微项目数（个）"].sum() == sum(
        expected.values()
    )

    at.selectbox(key="map_indicator").set_value("points_residents_per_1000").run()
    assert not at.exception
    pilots = dict(
        _q(
            demo_db,
            """select l.community_code, count(distinct l.resident_id) filter (
                   where l.earned_on > date '2024-12-31') * 1000.0 / d.population
               from points_ledger l join divisions d on d.division_code = l.community_code
               where l.earned_on <= date '2025-12-31' group by l.community_code, d.population""",
        )
    )
    props = _props(_deck(at))
    for code, p in props.items():
        if code in pilots:
            assert p["value"] == pytest.approx(pilots[code], abs=1e-4)
        else:
            assert p["value"] is None and p["l1"].endswith("无数据")  # not in the pilot


def test_a_township_account_sees_its_communities_on_the_map(app, demo_db, demo_township):
    # The township's copy of the warehouse keeps its rows of map_shapes (queries/scope/township.sql).
    deck = _deck(app("views/map.py", user="town"))
    codes = {
        r[0]
        for r in _q(
            demo_db,
            "select division_code from divisions where level = 'community' and township_code = $t",
            {"t": demo_township},
        )
    }
    assert set(_props(deck)) == codes
    towns = _layers(deck)[decks.TOWNSHIP_LAYER]["data"]["features"]
    assert [f["properties"]["code"] for f in towns] == [demo_township]


# ---------------------------------------------------------------- map_shapes (the mart)


def _shapes_of(geometries: dict[str, str]) -> dict[str, tuple]:
    """map_shapes made by its mart from a division_boundaries table holding these geometries."""
    from queries import SQL_DIR

    con = duckdb.connect()
    try:
        con.execute("create table division_boundaries (division_code varchar, geojson varchar)")
        con.executemany("insert into division_boundaries values (?, ?)", list(geometries.items()))
        con.execute((SQL_DIR / "marts" / "10_map_shapes.sql").read_text(encoding="utf-8"))
        rows = con.execute(
            "select division_code, geojson, point_count, xmin, ymin, xmax, ymax from map_shapes"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def test_map_shapes_round_and_drop_points_that_add_nothing():
    import shapely

    # A 0.01° square surveyed every 0.0001° (400 points on straight edges), one point 0.3 m
    # off its edge, one repeated; a second part (MultiPolygon); and a hole of a few metres.
    x0, y0, n = 117.0, 31.0, 100
    edge = [[x0 + i / n * 0.01, y0] for i in range(n)]
    edge[37][1] += 0.000003  # about 0.3 m: noise of the survey, not shape
    edge.insert(50, list(edge[50]))
    ring = (
        edge
        + [[x0 + 0.01, y0 + i / n * 0.01] for i in range(n)]
        + [[x0 + 0.01 - i / n * 0.01, y0 + 0.01] for i in range(n)]
        + [[x0, y0 + 0.01 - i / n * 0.01] for i in range(n)]
        + [[x0, y0]]
    )
    hole = [[117.005, 31.005], [117.00503, 31.005], [117.00503, 31.00503], [117.005, 31.005]]
    square = {"type": "Polygon", "coordinates": [ring, hole]}
    two = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[118.0, 32.0], [118.1234567, 32.0], [118.1234567, 32.1], [118.0, 32.0]]],
            [[[118.2, 32.2], [118.3, 32.2], [118.3, 32.3], [118.2, 32.2]]],
        ],
    }
    shapes = _shapes_of({"a": json.dumps(square), "b": json.dumps(two)})

    text, points, *box = shapes["a"]
    drawn = json.loads(text)
    assert drawn["type"] == "Polygon"
    assert 9 <= points <= len(ring) // 3  # two passes drop three in four straight-edge points
    original = shapely.geometry.shape(square)
    simple = shapely.geometry.shape(drawn)
    assert simple.is_valid
    assert shapely.hausdorff_distance(original, simple) < 0.00003  # a few metres at most
    assert len(drawn["coordinates"]) == 2  # the hole (3 m × 3 m) stays: it is above 1 m
    assert box == pytest.approx([117.0, 31.0, 117.01, 31.01])

    text, points, *box = shapes["b"]
    drawn = json.loads(text)
    assert drawn["coordinates"][0][0][1] == [118.12346, 32.0]  # five decimals, about 1 m
    assert drawn["type"] == "MultiPolygon"
    assert len(drawn["coordinates"]) == 2 and points == 8  # nothing to drop in triangles
    assert box == pytest.approx([118.0, 32.0, 118.3, 32.3])


def test_map_shapes_stay_within_metres_of_every_demo_boundary(demo_db):
    import shapely

    rows = _q(
        demo_db,
        "select b.geojson, m.geojson, m.xmin, m.ymin, m.xmax, m.ymax "
        "from division_boundaries b join map_shapes m using (division_code)",
    )
    assert len(rows) == _q(demo_db, "select count(*) from division_boundaries")[0][0] > 130
    original = shapely.from_geojson([r[0] for r in rows])
    drawn = shapely.from_geojson([r[1] for r in rows])
    assert shapely.is_valid(drawn).all()
    assert shapely.hausdorff_distance(original, drawn).max() < 0.00003
    assert np.allclose(shapely.bounds(drawn), [r[2:] for r in rows], rtol=0, atol=1e-9)


# ---------------------------------------------------------------- a province (two counties)


@pytest.fixture
def province_map(province_db, users_file, monkeypatch):
    """The map page on a two-county warehouse: open(**query_params) -> AppTest."""
    from tests.conftest import open_as

    monkeypatch.setenv("ORGDASH_DB", str(province_db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    return lambda **params: open_as("admin", "views/map.py", **params)


def _township_expected(db: Path, area: str | None = None) -> dict[str, tuple[int, float, float]]:
    """Per township, straight from the tables: active organisations, per 1,000 residents of
    its communities, and organisations against its communities' floors (10 urban, 5 rural)."""
    rows = _q(
        db,
        f"""
        with c as (
            select d.division_code, d.township_code, d.population,
                   case d.area_type when 'urban' then 10 else 5 end as floor,
                   (select count(*) from organizations o
                    where o.community_code = d.division_code
                      and o.established_on <= date '{AS_OF}'
                      and (o.dissolved_on is null or o.dissolved_on > date '{AS_OF}')) as n
            from divisions d
            where d.level = 'community' and ($area is null or d.area_type = $area)
        )
        select township_code, sum(n), sum(n) * 1000.0 / sum(population), sum(n) / sum(floor)
        from c group by township_code
        """,
        {"area": area},
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_province_map_draws_townships_coloured_by_their_communities(province_map, province_db):
    at = province_map()
    assert "共2个县（区）" in at.caption[0].value
    assert "可查看其下各社区" in at.caption[0].value
    deck = _deck(at)
    layers = _layers(deck)
    assert set(layers) == {decks.TOWNSHIP_AREA_LAYER, decks.COUNTY_LAYER, decks.COUNTY_LABEL_LAYER}
    feats = layers[decks.TOWNSHIP_AREA_LAYER]["data"]["features"]
    props = {f["properties"]["code"]: f["properties"] for f in feats}
    expected = _township_expected(province_db)
    assert len(expected) == 24  # twelve townships in each county
    assert {c: round(p["value"]) for c, p in props.items()} == {
        c: e[0] for c, e in expected.items()
    }
    assert len({tuple(p["fill"]) for p in props.values()}) == 5
    assert all(p["l3"] == "点击查看该乡镇（街道）的各社区" for p in props.values())
    counties = dict(
        _q(province_db, "select division_code, name from divisions where level = 'county'")
    )
    outlines = layers[decks.COUNTY_LAYER]["data"]["features"]
    assert {f["properties"]["code"] for f in outlines} == set(counties)
    assert {d["name"] for d in layers[decks.COUNTY_LABEL_LAYER]["data"]} == set(counties.values())
    # The table lists the townships with their county, the largest first.
    table = at.dataframe[0].value
    assert len(table) == 24 and "县（区）" in table.columns
    assert table["社会组织数（家）"].tolist() == sorted(
        (e[0] for e in expected.values()), reverse=True
    )
    assert "乡镇（街道）的数值由其下各社区合计后计算" in "".join(c.value for c in at.caption)


def test_province_rates_are_recomputed_from_the_townships_totals(province_map, province_db):
    at = province_map(area="rural")
    expected = _township_expected(province_db, "rural")
    for indicator, column in (("per_1000_residents", 1), ("floor_ratio", 2)):
        at.selectbox(key="map_indicator").set_value(indicator).run()
        assert not at.exception
        feats = _layers(_deck(at))[decks.TOWNSHIP_AREA_LAYER]["data"]["features"]
        got = {f["properties"]["code"]: f["properties"]["value"] for f in feats}
        assert set(got) == set(expected)  # townships with rural communities only
        for code, value in got.items():
            assert value == pytest.approx(expected[code][column], abs=1e-4)


def test_choosing_a_township_of_a_province_shows_its_communities(province_map, province_db):
    town = _q(
        province_db,
        "select max(division_code) from divisions where level = 'township'",  # the second county
    )[0][0]
    at = province_map()
    at.sidebar.selectbox(key="f_township").set_value(town).run()
    assert not at.exception
    assert "县（区）" not in at.caption[0].value
    deck = _deck(at)
    codes = {
        r[0]
        for r in _q(
            province_db,
            "select division_code from divisions where level = 'community' and township_code = $t",
            {"t": town},
        )
    }
    assert set(_props(deck)) == codes
    assert [
        f["properties"]["code"] for f in _layers(deck)[decks.TOWNSHIP_LAYER]["data"]["features"]
    ] == [town]
    assert len(at.dataframe[0].value) == len(codes)
