"""地图 page on the demo warehouse, and the map builders on tiny frames."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import maps

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
    feats = _layers(deck)[maps.COMMUNITY_LAYER]["data"]["features"]
    return {f["properties"]["code"]: f["properties"] for f in feats}


# ---------------------------------------------------------------- the page


def test_deck_has_every_layer_and_the_active_counts(app, demo_db):
    at = app("views/map.py")
    deck = _deck(at)
    layers = _layers(deck)
    assert set(layers) == {maps.COMMUNITY_LAYER, maps.TOWNSHIP_LAYER, maps.LABEL_LAYER}
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
    towns = layers[maps.TOWNSHIP_LAYER]
    assert towns["filled"] is False and len(towns["data"]["features"]) == 12
    labels = layers[maps.LABEL_LAYER]
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
    towns = _layers(deck)[maps.TOWNSHIP_LAYER]["data"]["features"]
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
    layer = _layers(_deck(at))[maps.PLATFORM_LAYER]
    assert (
        layer["@@type"] == "IconLayer"
    )  # not ScatterplotLayer: it draws wrong in headless Chromium
    assert len(layer["data"]) == 193  # 1 county centre, 12 township platforms, 180 stations
    assert {d["level"] for d in layer["data"]} == {"county", "township", "village"}
    assert layer["iconAtlas"].startswith("data:image/svg+xml;base64,")  # nothing fetched
    at.button_group(key="map_platform_levels").set_value(["township"]).run()
    layer = _layers(_deck(at))[maps.PLATFORM_LAYER]
    assert len(layer["data"]) == 12
    assert all(d["title"].endswith("社会组织服务中心") for d in layer["data"])
    at.toggle(key="map_platforms").set_value(False).run()
    assert maps.PLATFORM_LAYER not in _layers(_deck(at))


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
    assert maps.class_breaks(values) == pytest.approx(breaks)


def test_class_of_counts_the_lower_bound_in():
    breaks = [10, 20]
    assert [maps.class_of(v, breaks) for v in (0, 9.9, 10, 19.99, 20, 1e9, None)] == [
        0, 0, 1, 1, 2, 2, None,
    ]  # fmt: skip


def test_class_colours_come_from_the_ramp():
    from dashboard import style

    assert maps.class_colors(5) == style.RAMP
    assert maps.class_colors(3) == [style.RAMP[0], style.RAMP[2], style.RAMP[4]]
    assert maps.class_colors(2) == [style.RAMP[0], style.RAMP[4]]
    assert maps.class_colors(1) == [style.RAMP[2]]


def test_legend_rows_in_chinese():
    ind = maps.INDICATORS["report_submission_rate"]
    values = [0.5, 0.8, 1.0, 1.0, None]
    key = maps.legend(values, [0.8, 1.0], ind)
    assert key["range"].to_list() == ["低于 80%", "80% – 100%", "100%", "无数据"]
    assert key["count"].to_list() == [1, 1, 2, 1]
    assert key["color"].to_list()[-1] == "#d2d2d2"  # missing data in grey
    counts = maps.INDICATORS["count_active"]
    assert maps.legend([3, 12, 30], [10, 20], counts)["range"].to_list() == [
        "低于 10家",
        "10家 – 20家",
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
    deck = json.loads(maps.choropleth(communities, townships, "floor_ratio").to_json())
    layers = _layers(deck)
    feats = layers[maps.COMMUNITY_LAYER]["data"]["features"]
    assert [f["properties"]["value"] for f in feats] == [1.2, 0.6, 1.4]
    assert feats[1]["properties"]["l2"] == "社会组织3家，标准5家，未达标"
    assert len({tuple(f["properties"]["fill"]) for f in feats}) == 3
    assert layers[maps.LABEL_LAYER]["data"] == [{"name": "一镇", "position": [117.015, 31.015]}]
    assert all(layer.get("id") for layer in deck["layers"])


def test_tile_url_from_config_file(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGDASH_TILE_URL", raising=False)
    cfg = tmp_path / "orgdash.toml"
    monkeypatch.setenv("ORGDASH_CONFIG", str(cfg))
    assert maps.tile_url() is None
    cfg.write_text('[map]\ntile_url = "http://10.0.0.5/tiles/{z}/{x}/{y}.png"\n', encoding="utf-8")
    assert maps.tile_url() == "http://10.0.0.5/tiles/{z}/{x}/{y}.png"
    monkeypatch.setenv("ORGDASH_TILE_URL", "http://other/{z}/{x}/{y}.png")
    assert maps.tile_url() == "http://other/{z}/{x}/{y}.png"


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
