"""`orgdash demo --county 530427`: the demo drawn on 新平彝族傣族自治县's real townships and
communities (demo/counties/530427.json), loaded as `orgdash load` loads it, seen on the pages and report."""

from __future__ import annotations

import json
import math
import shutil
import statistics
from pathlib import Path

import duckdb
import pytest
import shapely
from click.testing import CliRunner

from demo.real_county import GEO_DIR, UnknownCounty, committee
from queries import sql_files
from tests.conftest import TEST_PASSWORD, open_as
from tests.dbutil import sql

CODE = "530427"
EXTRACT = json.loads((GEO_DIR / f"{CODE}.json").read_text(encoding="utf-8"))
AS_OF = "2025-12-31"
# The speech's county (docs/DOMAIN.md): 1030 organisations in 45 社区, 1186 in 79 行政村.
SPEECH_PER_URBAN, SPEECH_PER_RURAL = 1030 / 45, 1186 / 79


def _cli(*args: str):  # type: ignore[no-untyped-def]
    from orgdash.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("county") / "raw"
    result = _cli("demo", "--county", CODE, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def db(raw: Path) -> Path:
    target = raw.parent / "warehouse.duckdb"
    result = _cli("load", str(raw), "--db", str(target))
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def users(db: Path) -> Path:
    from access import accounts

    path = db.parent / "users.toml"
    accounts.add("admin", "admin", TEST_PASSWORD, display_name="测试admin", path=path)
    return path


@pytest.fixture
def page(db: Path, users: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """page(view, **query): a page of the dashboard on the county's warehouse, as the admin."""

    def open_page(view: str, warehouse: Path = db, **params: str):  # type: ignore[no-untyped-def]
        monkeypatch.setenv("ORGDASH_DB", str(warehouse))
        monkeypatch.setenv("ORGDASH_USERS", str(users))
        return open_as("admin", view, **params)

    return open_page


def _published() -> dict[str, str]:
    return {v["code"]: v["name"] for v in EXTRACT["villages"]}


# ---------------------------------------------------------------- the shipped extract


def test_the_extract_says_where_it_comes_from_and_holds_one_county():
    src = EXTRACT["source"]
    assert src["package"] == "china-division@2.7.0 (npm)"
    assert "MIT" in src["licence"] and "WTFPL" in src["licence"]
    assert "2023年统计用区划代码" in src["data"]
    assert f"extract_county.py <package> {CODE}" in src["command"]
    assert EXTRACT["county"] == {"code": CODE, "name": "新平彝族傣族自治县"}
    assert (EXTRACT["province"]["name"], EXTRACT["city"]["name"]) == ("云南省", "玉溪市")
    towns = {t["code"] for t in EXTRACT["townships"]}
    assert all(len(t) == 12 and t.startswith(CODE) and t.endswith("000") for t in towns)
    for v in EXTRACT["villages"]:
        assert len(v["code"]) == 12 and v["code"][:9] == v["township_code"][:9]
        assert v["township_code"] in towns


@pytest.mark.parametrize(
    ("published", "short", "area"),
    [
        ("五桂社区居民委员会", "五桂社区", "urban"),
        ("多福巷社区居委会", "多福巷社区", "urban"),
        ("横塘社区", "横塘社区", "urban"),
        ("东关居民委员会", "东关居委会", "urban"),
        ("丕且莫村委会", "丕且莫村", "rural"),
        ("南高村民委员会", "南高村", "rural"),
        ("波村村委会", "波村村", "rural"),
    ],
)
def test_committee_type_follows_the_published_name(published, short, area):
    assert committee(published) == (short, area)


def test_a_name_of_neither_kind_is_refused_in_chinese():
    with pytest.raises(ValueError, match=r"敦达乌苏嘎查.*无法判断城乡"):
        committee("敦达乌苏嘎查")


# ---------------------------------------------------------------- the warehouse


def test_the_twelve_townships_are_the_countys_own(db):
    rows = sql(db, "select division_code, name from divisions where level = 'township' order by 1")
    assert rows == [(t["code"], t["name"]) for t in EXTRACT["townships"]]
    names = [name for _, name in rows]
    assert len(names) == 12
    assert {"桂山街道", "戛洒镇", "漠沙镇"} <= set(names)
    county = sql(
        db, "select division_code, name, parent_code from divisions where level = 'county'"
    )
    assert county == [(f"{CODE}000000", "新平彝族傣族自治县", "530400000000")]
    assert sql(db, "select county_name from warehouse_info") == [("新平彝族傣族自治县",)]


def test_village_level_units_and_their_urban_rural_split(db):
    """The issue said 124: 27 社区 and 97 村. The data agrees."""
    rows = sql(
        db,
        "select division_code, name, area_type, township_code from divisions "
        "where level = 'community' order by 1",
    )
    published = _published()
    assert [code for code, *_ in rows] == sorted(published)
    assert len(rows) == 124
    for code, name, area, town in rows:
        assert (name, area) == committee(published[code])
        assert town == code[:9] + "000"
    split = {a: sum(r[2] == a for r in rows) for a in ("urban", "rural")}
    assert split == {"urban": 27, "rural": 97}
    # Each urban unit is published as a 居民委员会, each rural one as a 村委会.
    assert all(published[c].endswith("居民委员会") for c, _, a, _ in rows if a == "urban")
    assert all(published[c].endswith("村委会") for c, _, a, _ in rows if a == "rural")


def test_communities_sit_at_the_speechs_density_against_their_own_floor(db):
    rows = sql(
        db,
        "select area_type, count_active, floor from community_density(date '2025-12-31')",
    )
    for area, per_floor, floor, low in (
        ("urban", SPEECH_PER_URBAN, 10, (5, 9)),
        ("rural", SPEECH_PER_RURAL, 5, (2, 4)),
    ):
        counts = [n for a, n, f in rows if a == area]
        assert {f for a, _, f in rows if a == area} == {floor}
        # Totals follow the community count, not the speech's 1030 / 1186.
        assert sum(counts) == round(len(counts) * per_floor)
        assert statistics.mean(counts) == pytest.approx(per_floor, abs=0.05)
        # As designed: every community at or above its floor but two or three just under it.
        below = [n for n in counts if n < floor]
        assert 2 <= len(below) <= 3
        assert all(low[0] <= n <= low[1] for n in below)


def test_every_check_passes_and_only_the_planted_mistakes_are_rejected(db):
    from demo.synthetic import demo_errors
    from etl.write_build import run_checks

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert run_checks(con) == []
        for path in sql_files("checks"):
            assert con.sql(path.read_text(encoding="utf-8")).fetchall() == [], path.name
    finally:
        con.close()
    rejected = sorted(r for (r,) in sql(db, "select rule from etl_rejects"))
    assert rejected == sorted(e.rule for e in demo_errors(CODE))
    # The mistakes name this county's codes, not the speech county's.
    assert not sql(db, "select * from etl_rejects where value like '%340129%'")


def test_boundaries_are_schematic_cells_in_a_plain_shape_at_the_countys_place(db):
    assert sql(db, "select boundaries_synthetic from warehouse_info") == [(True,)]
    shapes = dict(sql(db, "select division_code, geojson from division_boundaries"))
    county = shapely.from_geojson(shapes[f"{CODE}000000"])
    lon, lat = EXTRACT["schematic"]["centre"]
    assert county.centroid.x == pytest.approx(lon, abs=0.01)
    assert county.centroid.y == pytest.approx(lat, abs=0.01)
    km2 = county.area * 111.32 * math.cos(math.radians(lat)) * 110.57
    assert km2 == pytest.approx(EXTRACT["schematic"]["area_km2"], rel=0.02)
    points = dict(
        ((code, (x, y)) for code, x, y in sql(db, "select division_code, lon, lat from divisions"))
    )
    assert len(shapes) == len(points) == 1 + 12 + 124
    for code, text in shapes.items():
        shape = shapely.from_geojson(text)
        assert shape.is_valid and county.buffer(1e-6).contains(shape), code
        assert shape.contains(shapely.Point(points[code])), code


def test_the_manifest_names_the_source_and_marks_the_boundaries(raw):
    text = (raw / "manifest.toml").read_text(encoding="utf-8")
    assert 'boundaries = "synthetic"' in text
    assert "china-division@2.7.0" in text and "demo/counties/530427.json" in text
    assert 'county_code = "530427"' in text


# ---------------------------------------------------------------- pages and report


def _notes(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def test_the_map_says_its_boundaries_are_schematic(page):
    at = page("views/map.py")
    text = _notes(at)
    assert ":orange-badge[示意边界]" in text
    assert "不是实际行政区划界线" in text
    assert "粗线为乡镇（街道）界（示意）" in text
    labels = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    shown = json.dumps(labels, ensure_ascii=False)
    assert "戛洒镇" in shown and "桂山街道" in shown


def test_a_warehouse_with_real_boundaries_shows_no_note(page, db, tmp_path):
    real = tmp_path / "real.duckdb"
    shutil.copy(db, real)
    con = duckdb.connect(str(real))
    con.execute("update warehouse_info set boundaries_synthetic = false")
    con.close()
    text = _notes(page("views/map.py", warehouse=real))
    assert "示意边界" not in text and "（示意）" not in text


def test_the_speech_countys_demo_map_is_marked_schematic_too(app, demo_db):
    assert sql(demo_db, "select boundaries_synthetic from warehouse_info") == [(True,)]
    assert ":orange-badge[示意边界]" in _notes(app("views/map.py"))


@pytest.mark.parametrize(
    ("manifest", "synthetic"),
    [
        ({}, False),  # a bureau's own folder
        ({"as_of": "2025-12-31"}, False),
        ({"seed": 20251231, "scale": 1}, True),  # any `orgdash demo` folder
        ({"seed": 1, "boundaries": "synthetic"}, True),
        ({"boundaries": "synthetic"}, True),
        ({"seed": 1, "boundaries": "real"}, False),
    ],
)
def test_which_folders_load_as_schematic(manifest, synthetic):
    from etl.write_build import boundaries_synthetic

    assert boundaries_synthetic(manifest) is synthetic


def test_the_community_page_shows_a_real_village(page, db):
    code, name, town = sql(
        db,
        "select c.division_code, c.name, t.name from divisions c "
        "join divisions t on t.division_code = c.township_code "
        "where c.area_type = 'rural' order by c.population desc limit 1",
    )[0]
    assert name == committee(_published()[code])[0]
    at = page("views/community.py", community=code)
    assert at.title[0].value == name
    assert any(town in c.value and "农村社区" in c.value for c in at.caption)
    orgs = next(df.value for df in at.dataframe if "组织名称" in df.value.columns)
    active = sql(
        db,
        "select count(*) from organizations where community_code = $c and dissolved_on is null",
        c=code,
    )[0][0]
    assert len(orgs) == active > 0
    assert all(n.startswith(name) or n.startswith("新平彝族傣族自治县") for n in orgs["组织名称"])


def test_the_report_names_real_places(db):
    from reports.content import build

    report = build(db, None)
    text = report.title + "".join("".join(p) for s in report.sections for p in s.paragraphs)
    assert report.title.startswith("新平彝族傣族自治县")
    below = sql(
        db,
        "select t.name, d.community_name, d.count_active from community_density(date '2025-12-31') d "
        "join divisions t on t.division_code = d.township_code where not d.meets_floor",
    )
    assert below
    for town, community, n in below:
        assert f"{town}{community}{n}家" in text
        assert community in {committee(v)[0] for v in _published().values()}
    active = sql(db, "select count(*) from organizations where dissolved_on is null")[0][0]
    assert f"全县登记备案城乡社区社会组织{active:,}家" in text


# ---------------------------------------------------------------- the command


def test_an_unknown_county_is_refused_in_chinese_naming_the_ones_there_are(tmp_path):
    out = tmp_path / "raw"
    result = _cli("demo", "--county", "110101", "--out", str(out))
    assert result.exit_code == 2
    assert "没有县级区划代码「110101」的区划数据" in result.output
    assert "可用的县：530427（云南省玉溪市新平彝族傣族自治县）" in result.output
    assert not out.exists()  # refused before anything is written
    from demo.synthetic import generate

    with pytest.raises(UnknownCounty, match="可用的县：530427"):
        generate(out, county="../530427")
    assert not out.exists()


def test_county_and_scale_do_not_go_together(tmp_path):
    result = _cli("demo", "--county", CODE, "--scale", "2", "--out", str(tmp_path / "raw"))
    assert result.exit_code == 2
    assert "--county 只生成一个县" in result.output
