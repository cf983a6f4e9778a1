"""The demo generator reproduces the speech's figures and writes files the way an office would."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import tomllib
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
import shapely

from demo.synthetic import DEMO_ERRORS, YEARS, DemoResult, generate

AS_OF = dt.date(2025, 12, 31)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FIELD_ORDER = [
    "resident_services",
    "charity",
    "culture_sports",
    "mediation",
    "rural_revitalization",
    "mutual_aid",
    "other",
]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return generate(tmp_path_factory.mktemp("demo"), scale=1)


@pytest.fixture(scope="session")
def demo_clean(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return generate(tmp_path_factory.mktemp("demo_clean"), scale=1, errors=False)


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return generate(tmp_path_factory.mktemp("province"), scale=2)


def active(r: DemoResult, on: dt.date = AS_OF) -> pl.DataFrame:
    divs = r.frames["divisions"].select(
        pl.col("division_code").alias("community_code"), "area_type", "township_code"
    )
    orgs = r.frames["organizations"].filter(
        (pl.col("established_on") <= on)
        & (pl.col("dissolved_on").is_null() | (pl.col("dissolved_on") > on))
    )
    return orgs.join(divs, on="community_code", how="left")


def check_char(first17: str) -> str:
    # Written out again here so the test does not trust the generator's own implementation.
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def read_csv(path: Path, encoding: str, skip: int = 0) -> pl.DataFrame:
    text = path.read_bytes().decode(encoding)
    return pl.read_csv(io.BytesIO(text.encode()), skip_rows=skip, infer_schema=False)


def yuan(v: object) -> float:
    """Amount as the ETL reads it: numbers, 1,234.00, ¥1,234.00, 12.5万, 12.5万元."""
    if isinstance(v, int | float):
        return float(v)
    t = re.sub(r"[,¥\s]", "", str(v)).removesuffix("元")
    return float(t.removesuffix("万")) * 10_000 if t.endswith("万") else float(t)


# ---------------------------------------------------------------------------
# The speech's figures, exactly
# ---------------------------------------------------------------------------


def test_active_organisations_match_the_speech(demo: DemoResult) -> None:
    a = active(demo)
    assert a.height == 2216
    assert a.filter(pl.col("status") == "registered").height == 156
    assert a.filter(pl.col("status") == "filed").height == 2060
    assert a.filter(pl.col("area_type") == "urban").height == 1030
    assert a.filter(pl.col("area_type") == "rural").height == 1186


def test_divisions_match_the_speech(demo: DemoResult) -> None:
    d = demo.frames["divisions"]
    assert d.filter(pl.col("level") == "county").height == 1
    assert d.filter(pl.col("level") == "township").height == 12
    comm = d.filter(pl.col("level") == "community")
    assert comm.filter(pl.col("area_type") == "urban").height == 45
    assert comm.filter(pl.col("area_type") == "rural").height == 79
    assert 22.5 <= 1030 / 45 < 23.0 and round(1186 / 79) == 15


def test_division_codes_follow_the_statistical_scheme(demo: DemoResult) -> None:
    d = demo.frames["divisions"]
    codes = set(d["division_code"])
    assert all(re.fullmatch(r"\d{12}", c) for c in codes)
    for row in d.iter_rows(named=True):
        code, level = row["division_code"], row["level"]
        twp, vil = int(code[6:9]), int(code[9:])
        if level == "county":
            assert code.endswith("000000") and row["parent_code"] == code[:4] + "00000000"
        elif level == "township":
            assert vil == 0 and row["parent_code"] == code[:6] + "000000"
            suffix = row["name"][-2:] if row["name"].endswith("街道") else row["name"][-1]
            lo, hi = {"街道": (1, 99), "镇": (100, 199), "乡": (200, 399)}[suffix]
            assert lo <= twp <= hi
        else:
            assert row["parent_code"] in codes and row["parent_code"] == code[:9] + "000"
            assert (1 <= vil <= 199) if row["area_type"] == "urban" else (200 <= vil <= 399)
            assert row["name"].endswith("社区" if row["area_type"] == "urban" else "村")
    comm = d.filter(pl.col("level") == "community")
    assert comm["population"].min() >= 800
    # The urban-rural code is its own attribute and may disagree with the committee type.
    assert comm.filter(
        (pl.col("area_type") == "rural") & pl.col("urban_rural_code").str.starts_with("1")
    ).height
    assert comm.filter(
        (pl.col("area_type") == "urban") & pl.col("urban_rural_code").str.starts_with("2")
    ).height


def test_platforms_match_the_speech(demo: DemoResult) -> None:
    p = demo.frames["platforms"]
    counts = dict(p.group_by("level").len().iter_rows())
    assert counts == {"county": 1, "township": 12, "village": 180}
    with_station = p.filter(pl.col("level") == "village")["division_code"].n_unique()
    assert 10 <= 124 - with_station <= 15
    assert p["platform_id"].is_unique().all()


def test_every_active_organisation_has_party_and_integrity_in_charter(demo: DemoResult) -> None:
    a = active(demo)
    assert a["party_in_charter"].all() and a["integrity_in_charter"].all()
    assert 0.3 < a["has_party_branch"].mean() < 0.5


def test_fields_are_ranked_in_the_speech_order(demo: DemoResult) -> None:
    counts = dict(active(demo).group_by("field").len().iter_rows())
    ordered = [counts[f] for f in FIELD_ORDER]
    assert all(a > b for a, b in itertools.pairwise(ordered)), ordered
    rural = active(demo).filter(pl.col("field") == "rural_revitalization")
    assert (rural["area_type"] == "rural").mean() > 0.8


def test_density_is_skewed_with_communities_below_the_floor(demo: DemoResult) -> None:
    per = active(demo).group_by("community_code", "area_type").len()
    urban = per.filter(pl.col("area_type") == "urban")["len"]
    rural = per.filter(pl.col("area_type") == "rural")["len"]
    assert urban.len() == 45 and rural.len() == 79  # every community has some
    assert (urban < 10).sum() >= 1 and (rural < 5).sum() >= 1
    assert urban.max() >= 35 and rural.max() >= 25


def test_dissolved_organisations_are_not_active(demo: DemoResult) -> None:
    o = demo.frames["organizations"]
    gone = o.filter(pl.col("dissolved_on").is_not_null())
    assert 120 <= gone.height <= 200
    assert (gone["dissolved_on"] > gone["established_on"]).all()
    assert set(gone["dissolved_on"].dt.year()) <= set(range(2021, 2026))
    new = o.group_by(pl.col("established_on").dt.year().alias("y")).len()
    per_year = dict(new.iter_rows())
    assert per_year[2023] > 2 * per_year[2013]  # growth in recent years


def test_special_fund_is_at_least_two_million_every_year(demo: DemoResult) -> None:
    b = demo.frames["fund_budgets"].filter(pl.col("fund_source") == "county_special_fund")
    assert sorted(b["year"]) == [2021, 2022, 2023, 2024, 2025]
    assert (b["budget_yuan"].cast(pl.Float64) >= 2_000_000).all()
    # The same, read back from the spreadsheet as handed over (title and unit rows above).
    raw = pl.read_excel(
        demo.paths["fund_budgets"], read_options={"header_row": 2}, infer_schema_length=0
    )
    special = raw.filter(pl.col("资金来源") == "县级专项资金")
    assert special.height == 5
    assert all(yuan(v) >= 2_000_000 for v in special["预算金额"])


# ---------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------


def test_registered_credit_codes_are_valid(demo: DemoResult) -> None:
    o = demo.frames["organizations"]
    reg = o.filter(pl.col("status") == "registered")
    codes = reg["credit_code"].to_list()
    assert all(len(c) == 18 and check_char(c[:17]) == c[17] for c in codes)
    assert any(c[17] == "0" for c in codes)
    assert any(c[17].isalpha() for c in codes)
    assert all(c[0] == "5" and c[2:8] == "340129" for c in codes)
    kinds = {"social_group": "1", "social_service_agency": "2", "foundation": "3"}
    assert all(kinds[f] == c[1] for f, c in zip(reg["legal_form"], codes, strict=True))
    assert len(set(codes)) == len(codes)
    filed = o.filter(pl.col("status") == "filed")
    assert filed["credit_code"].is_null().all() and filed["legal_form"].is_null().all()


def test_keys_are_unique(demo: DemoResult) -> None:
    f = demo.frames
    assert f["organizations"]["org_id"].is_unique().all()
    assert f["grants"]["grant_id"].is_unique().all()
    assert f["disbursements"]["disbursement_id"].is_unique().all()
    assert f["inspections"]["inspection_id"].is_unique().all()
    for name, key in [
        ("annual_reports", ["org_id", "report_year"]),
        ("evaluations", ["org_id", "evaluated_year"]),
        ("credit_ratings", ["org_id", "year"]),
        ("fund_budgets", ["year", "fund_source"]),
    ]:
        assert not f[name].select(key).is_duplicated().any(), name
    assert re.fullmatch(r"ZJ2021-\d{4}", f["grants"]["grant_id"][0])
    assert re.fullmatch(r"BF2021-\d{5}", f["disbursements"]["disbursement_id"][0])


# ---------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------


def test_grants_spend_most_of_each_budget(demo: DemoResult) -> None:
    g = demo.frames["grants"]
    share = (
        g.group_by("year", "fund_source")
        .agg(pl.col("approved_yuan").sum())
        .join(demo.frames["fund_budgets"], on=["year", "fund_source"])
        .select((pl.col("approved_yuan") / pl.col("budget_yuan")).cast(pl.Float64))
        .to_series()
    )
    assert share.len() == 20 and share.min() >= 0.85 and share.max() <= 0.98
    amounts = g["approved_yuan"].cast(pl.Float64)
    assert amounts.min() >= 3000 and amounts.max() <= 200_000
    purposes = g["purpose"].value_counts(sort=True)["purpose"].to_list()
    assert purposes[0] == "project"


def test_project_grants_go_to_organisations_active_that_day(demo: DemoResult) -> None:
    g = demo.frames["grants"]
    o = demo.frames["organizations"].select(
        "org_id", "community_code", "established_on", "dissolved_on"
    )
    to_orgs = g.filter(pl.col("org_id").is_not_null()).join(o, on="org_id", how="left")
    assert set(to_orgs["purpose"]) <= {"project", "award"}
    assert (to_orgs["division_code"] == to_orgs["community_code"]).all()
    assert (to_orgs["established_on"] <= to_orgs["approved_on"]).all()
    assert (
        to_orgs["dissolved_on"].is_null() | (to_orgs["dissolved_on"] > to_orgs["approved_on"])
    ).all()
    levels = demo.frames["divisions"].select("division_code", "level")
    others = g.filter(pl.col("purpose").is_in(["training", "platform"])).join(
        levels, on="division_code"
    )
    assert others["org_id"].is_null().all() and set(others["level"]) <= {"county", "township"}


def test_disbursed_never_exceeds_approved(demo: DemoResult) -> None:
    g = demo.frames["grants"]
    paid = demo.frames["disbursements"].join(g, on="grant_id", how="left")
    assert paid["year"].is_not_null().all()
    assert (paid["paid_on"] > paid["approved_on"]).all()
    per = paid.group_by("grant_id").agg(
        pl.col("amount_yuan").sum().alias("paid"), pl.col("approved_yuan").first(), pl.len()
    )
    assert (per["paid"] <= per["approved_yuan"]).all()
    assert per["len"].max() <= 3


def test_execution_is_lower_in_the_current_year(demo: DemoResult) -> None:
    paid = (
        demo.frames["disbursements"]
        .join(demo.frames["grants"].select("grant_id", "year"), on="grant_id")
        .group_by("year")
        .agg(pl.col("amount_yuan").sum().cast(pl.Float64))
    )
    budget = (
        demo.frames["fund_budgets"]
        .group_by("year")
        .agg(pl.col("budget_yuan").sum().cast(pl.Float64))
    )
    rate = dict(
        paid.join(budget, on="year")
        .select("year", pl.col("amount_yuan") / pl.col("budget_yuan"))
        .iter_rows()
    )
    assert 0.6 <= rate[2025] <= 0.75
    assert all(rate[y] > 0.8 for y in (2021, 2022, 2023, 2024))
    by_month = (
        demo.frames["disbursements"]
        .group_by(pl.col("paid_on").dt.quarter().alias("q"))
        .agg(pl.col("amount_yuan").sum().cast(pl.Float64))
    )
    q = dict(by_month.iter_rows())
    assert q[4] == max(q.values())  # the year-end rush


# ---------------------------------------------------------------------------
# Supervision
# ---------------------------------------------------------------------------


def test_annual_reports_are_mostly_on_time(demo: DemoResult) -> None:
    r = demo.frames["annual_reports"]
    assert r.select((pl.col("due_on") == pl.date(pl.col("report_year") + 1, 5, 31)).all()).item()
    assert r.filter(pl.col("result").is_not_null() & pl.col("submitted_on").is_null()).height == 0
    never = r["submitted_on"].is_null().mean()
    late = (r["submitted_on"] > r["due_on"]).mean()
    assert 0.02 <= never <= 0.07 and 0.05 <= late <= 0.15
    assert r["result"].value_counts(sort=True)["result"][0] == "pass"
    reg = set(demo.frames["organizations"].filter(pl.col("status") == "registered")["org_id"])
    assert set(r["org_id"]) <= reg


def test_evaluation_grades_agree_with_score_bands(demo: DemoResult) -> None:
    e = demo.frames["evaluations"].join(
        demo.frames["organizations"].select("org_id", "status", "established_on"), on="org_id"
    )
    assert (e["status"] == "registered").all()
    band = (e["score"] // 100 - 4).clip(1, 5).cast(pl.Int8)
    assert (band == e["grade"]).all() and (e["score"] >= 500).all()
    assert (e["established_on"].dt.year() <= e["evaluated_year"] - 2).all()
    top = e["grade"].value_counts(sort=True)["grade"].head(2).to_list()
    assert set(top) == {3, 4}


def test_credit_lists_and_ratings(demo: DemoResult) -> None:
    cl = demo.frames["credit_listings"]
    assert 1 <= cl.filter(pl.col("list_type") == "dishonest").height <= 2
    assert (cl["removed_on"].is_null() | (cl["removed_on"] > cl["listed_on"])).all()
    ratings = demo.frames["credit_ratings"]["rating"].value_counts(sort=True)
    assert ratings["rating"][0] == "A" and set(ratings["rating"]) <= {"A", "B", "C", "D"}
    ins = demo.frames["inspections"]
    per_year = ins.group_by(pl.col("inspected_on").dt.year()).len()["len"]
    assert per_year.min() >= 40 and per_year.max() <= 80
    assert ins["result"].value_counts(sort=True)["result"][0] == "compliant"


def test_no_date_after_the_as_of_date(demo: DemoResult) -> None:
    for name, frame in demo.frames.items():
        for col, dtype in frame.schema.items():
            if dtype == pl.Date:
                assert frame[col].max() <= AS_OF, (name, col)


# ---------------------------------------------------------------------------
# The county's programmes (speech: 优化环境, 创新模式)
# ---------------------------------------------------------------------------


def test_micro_projects_are_the_small_project_grants(demo: DemoResult) -> None:
    m = demo.frames["micro_projects"]
    g = demo.frames["grants"].filter(
        (pl.col("purpose") == "project") & (pl.col("approved_yuan") <= 50_000)
    )
    assert m.height == g.height and m["project_id"].is_unique().all()
    assert sorted(set(m["start_on"].dt.year())) == [2021, 2022, 2023, 2024, 2025]
    # 小而精: every budget is one of those grants, run by its organisation in its own community.
    o = demo.frames["organizations"].select(
        "org_id", pl.col("community_code").alias("home"), pl.col("field").alias("org_field")
    )
    mo = m.join(o, on="org_id", how="left")
    assert (mo["community_code"] == mo["home"]).all() and (mo["field"] == mo["org_field"]).all()
    pairs = sorted(zip(m["org_id"], m["budget_yuan"], strict=True))
    assert pairs == sorted(zip(g["org_id"], g["approved_yuan"], strict=True))
    assert m["budget_yuan"].cast(pl.Float64).max() <= 50_000
    # 见效快: finished ones took at most half a year; finished means an end date, running not.
    done = m.filter(pl.col("status") == "completed")
    assert ((done["end_on"] - done["start_on"]).dt.total_days() <= 180).all()
    assert m.filter(pl.col("status") == "ongoing")["end_on"].is_null().all()
    assert done["satisfaction_rate"].is_between(0.8, 1.0).all()
    assert m.filter(pl.col("status") != "completed")["satisfaction_rate"].is_null().all()
    assert set(m["status"]) == {"planned", "ongoing", "completed", "cancelled"}
    assert (
        m.filter(pl.col("start_on").dt.year() < 2025)["status"]
        .is_in(["completed", "cancelled"])
        .all()
    )


def test_points_are_a_pilot_in_some_communities(demo: DemoResult) -> None:
    p = demo.frames["points_ledger"]
    assert 5_000 <= p.height <= 40_000  # the large source, but thousands, not millions
    first = p.group_by("community_code").agg(pl.col("earned_on").min().dt.year().alias("y"))
    by_year = [first.filter(pl.col("y") <= y).height for y in (2022, 2023, 2024, 2025)]
    assert by_year[0] >= 1 and all(a < b for a, b in itertools.pairwise(by_year))
    assert by_year[-1] < 124 / 2  # "在部分社区试点"
    assert p["earned_on"].min() >= dt.date(2022, 1, 1)
    assert (p["points"] > 0).all()
    # Pseudonymous: nothing shaped like an ID card number or a mobile number.
    assert not p["resident_id"].str.contains(r"^(\d{17}[\dX]|1[3-9]\d{9})$").any()
    assert set(p["activity_type"]) == {
        "volunteer", "neighbour_help", "environment", "civility", "safety", "consultation", "other",
    }  # fmt: skip


def test_trainings_are_the_training_grants_and_community_classes(demo: DemoResult) -> None:
    t = demo.frames["trainings"]
    g = demo.frames["grants"].filter(pl.col("purpose") == "training")
    centre = t.filter(pl.col("name").str.contains("县社会组织党群服务中心"))
    funded = t.filter(
        (pl.col("level") != "community") & ~pl.col("name").is_in(centre["name"].implode())
    )
    assert dict(funded.group_by(pl.col("held_on").dt.year()).len().iter_rows()) == dict(
        g.group_by("year").len().iter_rows()
    )
    for y in YEARS:
        # The speech: 依托县社会组织党群服务中心…定期举办负责人培训班、业务骨干培训班.
        names = centre.filter(pl.col("held_on").dt.year() == y)["name"]
        assert names.str.contains("负责人培训班").sum() == 1
        assert names.str.contains("业务骨干培训班").sum() == 1
    assert (centre["level"] == "county").all()
    assert (t["org_count"] <= t["participants"]).all()
    assert t.filter(pl.col("level") == "community")["division_code"].is_not_null().all()
    assert t.filter(pl.col("level") == "county")["division_code"].is_null().any()  # optional


def test_awards_are_the_award_grants_plus_higher_honours(demo: DemoResult) -> None:
    a = demo.frames["awards"]
    county = a.filter(pl.col("level") == "county").select("year", "org_id")
    grants = (
        demo.frames["grants"].filter(pl.col("purpose") == "award").select("year", "org_id").unique()
    )
    assert county.sort("year", "org_id").equals(grants.sort("year", "org_id"))
    for y in YEARS:
        assert a.filter((pl.col("year") == y) & (pl.col("level") == "municipal")).height >= 3
    assert a.filter(pl.col("level") == "national").height == 1
    est = demo.frames["organizations"].select("org_id", "established_on")
    assert (a.join(est, on="org_id")["established_on"].dt.year() <= a["year"]).all()


def test_lounges_are_rated_since_the_star_rules(demo: DemoResult) -> None:
    lo = demo.frames["lounges"]
    d = demo.frames["divisions"].select(
        pl.col("division_code").alias("community_code"), "area_type"
    )
    placed = lo.join(d, on="community_code")
    assert placed.height == lo.height
    assert (placed["area_type"] == "urban").mean() > 0.6
    # 《睦邻客厅建设管理服务星级评定办法（试行）》 is one of the speech's last three years' rules.
    assert lo["rated_on"].min() >= dt.date(2023, 1, 1)
    assert sorted(set(lo["stars"])) == [1, 2, 3, 4, 5]
    assert lo["lon"].is_null().any() and lo["lon"].is_not_null().mean() > 0.8
    geo = {
        f["properties"]["区划代码"]: shapely.from_geojson(json.dumps(f["geometry"]))
        for f in json.loads(demo.paths["division_boundaries"].read_text(encoding="utf-8"))[
            "features"
        ]
    }
    at = lo.filter(pl.col("lon").is_not_null())
    shapes = np.array([geo[c] for c in at["community_code"]])
    assert shapely.contains_xy(shapes, at["lon"].to_numpy(), at["lat"].to_numpy()).all()


# ---------------------------------------------------------------------------
# Files as handed over
# ---------------------------------------------------------------------------

EXPECTED_FILES = [
    "行政区划.xlsx",
    "边界.geojson",
    "服务平台.csv",
    "社会组织名录.csv",
    "资金预算.xlsx",
    "资金安排.xlsx",
    "资金拨付.csv",
    "年报.csv",
    "等级评估.xlsx",
    "信用评价.csv",
    "异常名录.xlsx",
    "专项抽查.csv",
    "微项目.xlsx",
    "积分台账.csv",
    "培训.xlsx",
    "表彰奖励.csv",
    "睦邻客厅.xlsx",
    "社工站.xlsx",
    "社会工作者.xlsx",
    "党组织.xlsx",
    "党组织覆盖.csv",
    "联合会.xlsx",
    "联合会成员.csv",
    "重大事项报告.xlsx",
    "信息公开.csv",
    "年度目标.xlsx",  # the leadership's targets (demo/targets.py)
    "manifest.toml",
]


def test_files_written(demo: DemoResult) -> None:
    assert sorted(p.name for p in demo.out_dir.iterdir()) == sorted(EXPECTED_FILES)
    m = tomllib.loads(demo.manifest.read_text(encoding="utf-8"))
    assert m["as_of"] == AS_OF and m["county_code"] == "340129" and m["county_name"] == "Xx县"
    assert m["scale"] == 1 and m["seed"] == 20251231


@pytest.mark.parametrize(
    ("name", "encoding", "bom", "first_header"),
    [
        ("服务平台.csv", "utf-8", True, "平台编号"),
        ("社会组织名录.csv", "gb18030", False, "组织编号"),
        ("资金拨付.csv", "utf-8", False, "拨付编号"),
        ("年报.csv", "gb18030", False, "组织编号"),
        ("专项抽查.csv", "gb18030", False, "抽查编号"),
        ("信用评价.csv", "utf-8", False, "org_id"),
        ("积分台账.csv", "utf-8", False, "居民编号"),
        ("表彰奖励.csv", "gb18030", False, "年度"),
    ],
)
def test_csv_encodings(
    demo: DemoResult, name: str, encoding: str, bom: bool, first_header: str
) -> None:
    data = (demo.out_dir / name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == bom
    text = data.decode("utf-8-sig" if bom else encoding)
    header = next(line for line in text.splitlines() if line.startswith(first_header))
    assert "derived" not in header and "所属乡镇代码" not in header


def test_directory_is_gb18030_with_characters_gbk_lacks(demo: DemoResult) -> None:
    data = demo.paths["organizations"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    text = data.decode("gb18030")
    assert "𠮷" in text and "䶮" in text


def test_directory_reads_back_with_the_speech_figures(demo: DemoResult) -> None:
    raw = read_csv(demo.paths["organizations"], "gb18030", skip=1)
    bad_id = "SZ34012999901"  # the deliberately wrong extra row (DEMO_ERRORS)
    # Ids and enumerations are compared after what every reader does: NFKC and trimming.
    raw = raw.with_columns(pl.all().str.normalize("NFKC").str.strip_chars())
    rows = raw.filter(pl.col("组织编号").str.starts_with("SZ") & (pl.col("组织编号") != bad_id))
    assert rows.height == demo.frames["organizations"].height
    alive = rows.filter(pl.col("注销日期").is_null())  # every dissolution is before the as-of date
    assert alive.height == 2216
    assert alive.filter(pl.col("登记类型") == "登记").height == 156
    assert alive.filter(pl.col("登记类型") == "备案").height == 2060
    assert set(alive["党建入章"]) <= {"是", "√", "Y", "1"}


def test_values_are_messy_but_well_formed(demo: DemoResult) -> None:
    orgs = read_csv(demo.paths["organizations"], "gb18030", skip=1)
    codes = orgs["统一社会信用代码"].drop_nulls()
    assert codes.str.contains(r"[a-z]").any()  # lower case
    assert codes.str.contains(r"[０-９Ａ-Ｚ]").any()  # full width
    assert codes.str.contains(" ").any()
    dates = orgs["成立日期"]
    for pattern in (
        r"^\d{4}-\d{2}-\d{2}$",
        r"^\d{4}/\d{1,2}/\d{1,2}$",
        r"^\d{4}年\d{1,2}月\d{1,2}日$",
        r"^\d{8}$",
    ):
        assert dates.str.contains(pattern).any(), pattern
    assert set(orgs["建立党组织"]) >= {"是", "否", "√", "×", "Y", "N", "1", "0"}
    pays = read_csv(demo.paths["disbursements"], "utf-8")["拨付金额"]
    assert pays.str.contains(r"^\d{1,3}(,\d{3})+\.\d{2}$").any()
    assert pays.str.contains("万").any() and pays.str.starts_with("¥").any()
    wb = openpyxl.load_workbook(demo.paths["grants"])
    cells = [c for row in wb.active.iter_rows(min_row=3) for c in row]
    assert any(isinstance(c.value, dt.datetime) for c in cells)  # real date cells
    assert any(isinstance(c.value, int) and 40000 < c.value < 47000 for c in cells)  # serials
    assert any(isinstance(c.value, int) and c.value > 10**11 for c in cells)  # codes as numbers


def test_divisions_sheet_has_title_header_and_notes(demo: DemoResult) -> None:
    ws = openpyxl.load_workbook(demo.paths["divisions"]).active
    assert str(ws["A1"].value).startswith("Xx县行政区划") and "A1:J1" in {
        str(m) for m in ws.merged_cells
    }
    assert ws["A2"].value is None and ws["A3"].value == "区划代码"
    last = [ws.cell(r, 1).value for r in (ws.max_row - 1, ws.max_row)]
    assert last[0].startswith("注：") and last[1].startswith("填表人")
    assert ws.max_row == 3 + demo.frames["divisions"].height + 1 + 2  # + the wrong extra row


def test_boundaries_are_valid_polygons_containing_their_points(demo: DemoResult) -> None:
    doc = json.loads(demo.paths["division_boundaries"].read_text(encoding="utf-8"))
    feats = doc["features"]
    d = demo.frames["divisions"]
    assert [f["properties"]["区划代码"] for f in feats] == d["division_code"].to_list()
    geoms = np.array([shapely.from_geojson(json.dumps(f["geometry"])) for f in feats])
    assert all(g.geom_type in ("Polygon", "MultiPolygon") for g in geoms)
    assert shapely.is_valid(geoms).all()
    coords = shapely.get_coordinates(geoms)
    assert np.allclose(coords, np.round(coords, 6), atol=1e-9)
    county = geoms[0]
    assert county.bounds[0] >= 117.0 and county.bounds[2] <= 117.6
    assert county.bounds[1] >= 31.2 and county.bounds[3] <= 31.7
    assert shapely.contains_xy(geoms, d["lon"].to_numpy(), d["lat"].to_numpy()).all()
    at = {c: g for c, g in zip(d["division_code"], geoms, strict=True)}
    p = demo.frames["platforms"]
    where = np.array([at[c] for c in p["division_code"]])
    assert shapely.contains_xy(where, p["lon"].to_numpy(), p["lat"].to_numpy()).all()
    townships = geoms[(d["level"] == "township").to_numpy()]
    assert abs(shapely.union_all(townships).area - county.area) < 1e-6


# ---------------------------------------------------------------------------
# Clerk mistakes, determinism, scale
# ---------------------------------------------------------------------------


def test_error_rows_are_extra_and_where_reported(demo: DemoResult, demo_clean: DemoResult) -> None:
    assert {e for e, _ in demo.error_rows} == set(DEMO_ERRORS)
    for name, frame in demo.frames.items():
        assert frame.equals(demo_clean.frames[name]), name  # errors never touch the true rows
    for err, row in demo.error_rows:
        path = demo.paths[err.source]
        if path.suffix == ".csv":
            text = path.read_bytes().decode(CSV_ENCODINGS.get(err.source, "utf-8"))
            line = text.splitlines()[row - 1]
        else:
            ws = openpyxl.load_workbook(path).active
            line = ",".join(str(c.value) for c in ws[row])
        assert err.value in line, (err, line)


CSV_ENCODINGS = {
    "platforms": "utf-8-sig",
    "organizations": "gb18030",
    "disbursements": "utf-8",
    "annual_reports": "gb18030",
    "inspections": "gb18030",
    "credit_ratings": "utf-8",
    "points_ledger": "utf-8",
    "awards": "gb18030",
}


@pytest.mark.parametrize("source", sorted(CSV_ENCODINGS))
def test_errors_false_writes_only_true_rows(
    demo: DemoResult, demo_clean: DemoResult, source: str
) -> None:
    assert demo_clean.error_rows == ()

    def lines(r: DemoResult) -> int:
        return len(r.paths[source].read_bytes().decode(CSV_ENCODINGS[source]).splitlines())

    extra = sum(e.source == source for e in DEMO_ERRORS)
    assert lines(demo) - lines(demo_clean) == extra
    assert extra / demo.frames[source].height < 0.05  # the ETL's reject threshold


def test_same_inputs_give_byte_identical_files(demo: DemoResult, tmp_path: Path) -> None:
    again = generate(tmp_path, scale=1)
    for path in demo.files:
        assert (again.out_dir / path.name).read_bytes() == path.read_bytes(), path.name


def test_scale_two_is_two_distinct_counties(demo: DemoResult, province: DemoResult) -> None:
    f = province.frames
    assert len(province.counties) == 2
    assert len({c.code for c in province.counties}) == 2
    assert f["divisions"]["division_code"].is_unique().all()
    assert active(province).height == 2 * 2216
    assert f["platforms"].height == 2 * 193
    for name, key in [
        ("organizations", "org_id"),
        ("grants", "grant_id"),
        ("disbursements", "disbursement_id"),
        ("platforms", "platform_id"),
        ("inspections", "inspection_id"),
        ("micro_projects", "project_id"),
        ("lounges", "lounge_id"),
    ]:
        assert f[name][key].is_unique().all(), name
    assert not f["trainings"].select("held_on", "name").is_duplicated().any()
    assert not f["awards"].select("year", "org_id", "title").is_duplicated().any()
    # Residents are numbered per community, so two counties never share one.
    pilots = f["points_ledger"].group_by("resident_id").agg(pl.col("community_code").n_unique())
    assert (pilots["community_code"] == 1).all()
    assert not f["fund_budgets"].select("year", "fund_source").is_duplicated().any()
    assert all(p.suffix in (".csv", ".geojson") for p in province.paths.values())
    m = tomllib.loads(province.manifest.read_text(encoding="utf-8"))
    assert m["scale"] == 2 and [c["code"] for c in m["counties"]] == [
        c.code for c in province.counties
    ]
    boxes = [shapely.from_geojson(g).bounds for g in f["division_boundaries"]["geojson"]]
    county_rows = (f["divisions"]["level"] == "county").to_list()
    a, b = (box for box, is_county in zip(boxes, county_rows, strict=True) if is_county)
    assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]  # side by side, no overlap


def test_scale_is_bounded(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, scale=0)
