"""Issue 17: one definition per indicator (queries/indicators.toml) and the yearly targets the
leadership sets (the targets source, the 目标 page), shown on the 总览, the 大屏 and in the report.

Expected values are direct SQL on the warehouse's tables, not the marts the pages read.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

from etl import kept_builds
from etl.pipeline import check_dir, load_dir
from queries import indicators
from queries.indicators import CatalogueError, catalogue
from tests import conftest
from tests.dbutil import sql

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2025, 12, 31)
ACTIVE = "o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)"
CAT = catalogue()


def pct(x: float) -> str:
    """A 0–1 rate as the sentences write it: one decimal, half up, .0 dropped."""
    text = str(Decimal(str(x * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return text.removesuffix(".0")


def report_rate(db: Path, township: str | None = None) -> float:
    """2024's annual reports due by the date: the share submitted by then (direct SQL)."""
    where = "" if township is None else "and d.township_code = $t"
    params: dict[str, object] = {"d": AS_OF} | ({} if township is None else {"t": township})
    due, done = sql(
        db,
        "select count(*), count(*) filter (where r.submitted_on <= $d) from annual_reports r"
        " join organizations o using (org_id) join divisions d on d.division_code = o.community_code"
        f" where r.report_year = 2024 and r.due_on <= $d {where}",
        **params,
    )[0]
    return done / due


# ---------------------------------------------------------------- the floor is written once

# The floor's numbers as they were written out in eight places before the catalogue (the SQL
# case, a Python conditional, 「城市社区10家、农村社区5家」, ≥10家, "10 urban / 5 rural", 10/5).
FLOOR_WRITTEN = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            r"then\s+10\s+else\s+5\b",
            r"\b10\s+if\b[^\n]*\belse\s+5\b",
            r"(城市|urban)[^\d\n]{0,12}(?<!\d)10(?!\d)[^\d\n]{0,16}(农村|行政村|rural)[^\d\n]{0,12}(?<!\d)5(?!\d)",
            r"(?<!\d)10\s*/\s*5(?!\d)",
            r"(?<!\d)10\s+urban\b",
            r"(≥|>=|不少于|少于|fewer than)\s*10\s*(家|个|organisations)",
            r"FLOOR\s*=\s*10\b|FLOOR\s*,\s*\w*FLOOR\s*=\s*10\s*,\s*5",
        )
    ),
    re.IGNORECASE,
)
# Where the numbers may stand: the catalogue; the domain's own statement of the national rule
# (docs/DOMAIN.md) and the speech it comes from; tests, whose direct SQL restates the rule on
# purpose so that a wrong catalogue fails them.
FLOOR_MAY_BE_WRITTEN = ("queries/indicators.toml", "docs/DOMAIN.md", "docs/source/", "tests/")
SCANNED = (".py", ".sql", ".md", ".toml", ".txt", ".yaml", ".yml", ".cfg")


def test_the_national_floor_is_written_once_in_the_catalogue():
    found = []
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        if (
            path.suffix not in SCANNED
            or not path.is_file()
            or rel.startswith((".", "data/", "screenshots/", "bench/"))
            or "/." in rel
            or "__pycache__" in rel
            or rel.startswith(FLOOR_MAY_BE_WRITTEN)
        ):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in FLOOR_WRITTEN.finditer(text):
            found.append(f"{rel}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)!r}")
    assert found == [], "the national floor belongs in queries/indicators.toml only"
    # and the pattern does find it where it is
    assert FLOOR_WRITTEN.search((ROOT / "queries/indicators.toml").read_text(encoding="utf-8"))
    assert FLOOR_WRITTEN.search("case area_type when 'urban' then 10 else 5 end")
    assert FLOOR_WRITTEN.search("城市社区不少于10家、农村社区（行政村）不少于5家")


def test_community_floor_in_the_warehouse_is_the_catalogues(demo_db):
    floor = CAT.floor
    rows = sql(
        demo_db,
        "select area_type, min(floor), max(floor), count(*) from community_density($d)"
        " group by area_type order by area_type",
        d=AS_OF,
    )
    assert {a: (lo, hi) for a, lo, hi, _ in rows} == {
        "rural": (floor["rural"], floor["rural"]),
        "urban": (floor["urban"], floor["urban"]),
    }
    ((urban, rural),) = sql(
        demo_db,
        "select threshold_urban, threshold_rural from indicator_catalogue where key = 'count_active'",
    )
    assert (urban, rural) == (floor["urban"], floor["rural"])
    # meets_floor against a direct count with the catalogue's numbers
    below = sql(
        demo_db,
        f"""select d.division_code from divisions d
            left join organizations o on o.community_code = d.division_code and {ACTIVE}
            where d.level = 'community' group by d.division_code, d.area_type
            having count(o.org_id) < (case when d.area_type = 'urban' then $u else $r end)""",
        d=AS_OF,
        u=floor["urban"],
        r=floor["rural"],
    )
    shown = sql(
        demo_db, "select community_code from community_density($d) where not meets_floor", d=AS_OF
    )
    assert sorted(below) == sorted(shown) and below


# ---------------------------------------------------------------- the catalogue


def test_warehouse_catalogue_is_the_file(demo_db):
    rows = sql(demo_db, "select key, label, unit, note, mart, column_name, on_map, is_targetable"
               " from indicator_catalogue order by sort_order")  # fmt: skip
    assert rows == [
        (i.key, i.label, i.unit, i.note, i.mart, i.column, i.map, i.target) for i in CAT
    ]


MART_ARGS = {
    "community_indicators": "($d, null)",
    "community_programmes": "($d, null)",
    "area_indicators": "($d)",
    "linkage_by_community": "($d)",
    "party_coverage_by_community": "($d)",
}


@pytest.mark.parametrize("ind", list(CAT), ids=lambda i: i.key)
def test_every_entry_is_a_column_of_its_mart_and_has_values(demo_db, ind):
    """Each entry's SQL is where the catalogue says: its mart runs on the demo warehouse and holds
    the column, with values; a map indicator is a column of the map's query under its key; a
    targetable one is a column of area_indicators (what target_progress reads)."""
    assert ind.mart in MART_ARGS, f"{ind.key}: mart {ind.mart} has no arguments in this test"
    ((n, present),) = sql(
        demo_db,
        f"select count(*), count({ind.column}) from {ind.mart}{MART_ARGS[ind.mart]}",
        d=AS_OF,
    )
    assert n > 0 and present > 0, ind.key
    if ind.map:
        import queries

        frame = queries.run(
            "map/communities", demo_db, as_of=AS_OF, fields=None, township=None, area=None
        )
        assert frame[ind.key].drop_nulls().len() > 0
    if ind.target:
        cols = [
            c
            for (c,) in sql(
                demo_db,
                "select column_name from (describe select * from area_indicators($d))",
                d=AS_OF,
            )
        ]
        assert ind.key in cols


FLOOR_ENTRY = """
[[indicator]]
key = "count_active"
label = "社会组织数"
unit = "家"
note = "n"
grains = ["community"]
mart = "community_indicators"
threshold = { urban = 12, rural = 6 }
threshold_label = "国家标准"
threshold_basis = "某号文"
"""


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("", 'colour = "red"\n'), "不认识的字段 colour"),
        (('grains = ["community"]', 'grains = ["district"]'), "grains 只能是"),
        (("threshold = { urban = 12, rural = 6 }", ""), "须有 threshold"),
        (("threshold = { urban = 12, rural = 6 }", "threshold = { urban = 12 }"), "urban 和 rural"),
        (('mart = "community_indicators"', ""), "缺少字段 mart"),
    ],
)
def test_a_catalogue_entry_the_code_cannot_use_is_refused(tmp_path, change, said):
    old, new = change
    text = FLOOR_ENTRY.replace(old, new, 1) if old else FLOOR_ENTRY + new
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=said):
        indicators.catalogue.__wrapped__(path)


def test_the_floor_comes_from_the_catalogue_file(tmp_path):
    path = tmp_path / "indicators.toml"
    path.write_text(FLOOR_ENTRY, encoding="utf-8")
    other = indicators.catalogue.__wrapped__(path)
    assert other.floor == {"urban": 12, "rural": 6}
    ddl = " ".join(indicators.warehouse_ddl(other))
    assert "THEN 12 ELSE 6 END" in ddl


@pytest.mark.parametrize(
    ("key", "actual", "target", "expected_now", "said"),
    [
        ("report_submission_rate", 0.9415584, 0.95, None, "年报报送率94.2%，距年度目标95%差0.8个百分点"),
        ("party_in_charter_rate", 1.0, 1.0, None, "党建入章率100.0%，已达到年度目标100%"),
        ("count_4a_plus", 23, 30, None, "4A及以上等级组织数23家，距年度目标30家差7家"),
        ("fund_execution_rate", 0.3384, 0.9, 0.9 * 273 / 365,
         "资金执行率33.8%，距年度目标90%差56.2个百分点，按时间进度应达67.3%，落后33.5个百分点"),
        ("fund_execution_rate", 0.70, 0.9, 0.9 * 273 / 365,
         "资金执行率70.0%，距年度目标90%差20.0个百分点，按时间进度应达67.3%，进度正常"),
        ("fund_execution_rate", 0.70, 0.9, 0.9, "资金执行率70.0%，距年度目标90%差20.0个百分点"),
        ("report_submission_rate", 0.94999, 0.95, None, "年报报送率95.0%，距年度目标95%差不足0.1个百分点"),
        ("report_submission_rate", None, 0.95, None, "年报报送率暂无数据（年度目标95%）"),
    ],
)  # fmt: skip
def test_progress_is_written_so_that_it_adds_up(key, actual, target, expected_now, said):
    assert indicators.progress_phrase(CAT[key], actual, target, expected_now) == said


# ---------------------------------------------------------------- the targets source


@pytest.fixture(scope="module")
def bad_targets(demo_dir: Path, demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo folder with a targets file of good and bad rows, checked as a load checks it."""
    folder = tmp_path_factory.mktemp("targets") / "raw"
    shutil.copytree(demo_dir, folder)
    for old in folder.glob("年度目标.*"):
        old.unlink()
    towns = [
        c
        for (c,) in sql(
            demo_db, "select division_code from divisions where level = 'township' order by 1"
        )
    ]
    ((community,),) = sql(
        demo_db, "select min(division_code) from divisions where level = 'community'"
    )
    rows = [
        "年度,乡镇（街道）代码,指标,目标值,说明",
        "2025,,年报报送率,95,比例写95也行",  # 2: good, 0.95
        "2025,,4A及以上组织数,30家,",  # 3: good by an alias, 30
        "2025,,资金执行率,abc,",  # 4: not a number
        "2025,,达标社区比例,120%,",  # 5: a rate over 100 %
        f"2025,{towns[0]},资金执行率,90%,",  # 6: county only
        f"2025,{community},年报报送率,95%,",  # 7: a community's code, not a township's
        "2025,,党建入章率,100%,",  # 8: duplicate of 9
        "2025,,党建入章率,98%,",  # 9
        "2025,,社会组织数,2300.5,",  # 10: a count must be whole
        "2025,,满意度,90%,",  # 11: not an indicator a target can be set for
        f"2025,{towns[1]},年报报送率,0.97,",  # 12: good
    ]
    (folder / "年度目标.csv").write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    return check_dir(folder, AS_OF), towns


@pytest.mark.parametrize(
    ("row", "column", "rule", "said"),
    [
        (4, "目标值", "target_number", "「目标值」「abc」不是资金执行率的目标值"),
        (5, "目标值", "target_range", "达标社区占比的目标值「120%」不在0%到100%之间"),
        (6, "乡镇（街道）代码", "target_county_only", "资金执行率只能为全县设定目标"),
        (7, "乡镇（街道）代码", "is_township", "不是乡镇（街道）的代码"),
        (8, "指标", "duplicate", "2025年全县的党建入章率目标重复出现（第8行、第9行）"),
        (9, "指标", "duplicate", "重复出现"),
        (10, "目标值", "target_whole", "社会组织数是个数，目标值「2300.5」应为整数"),
        (11, "指标", "enum", "「指标」的值「满意度」不在可选范围内。可选：社会组织数、年报报送率"),
    ],
)
def test_a_bad_target_row_is_rejected_naming_file_row_column_and_rule(
    bad_targets, row, column, rule, said
):
    check, _ = bad_targets
    rejects = check.rejects.filter((pl.col("source") == "targets") & (pl.col("row") == row))
    hit = rejects.filter(pl.col("rule") == rule)
    assert hit.height == 1, rejects.to_dicts()
    r = hit.row(0, named=True)
    assert r["file"] == "年度目标.csv" and r["column"] == column
    assert said in r["message"], r["message"]


def test_good_target_rows_are_read_as_numbers_for_their_indicator(bad_targets):
    check, towns = bad_targets
    got = next(c for c in check.checked if c.source.name == "targets")
    kept = {
        (r["township_code"], r["indicator"]): r["target_value"]
        for r in got.accepted.iter_rows(named=True)
    }
    assert kept == {
        (None, "report_submission_rate"): 0.95,
        (None, "count_4a_plus"): 30.0,
        (towns[1], "report_submission_rate"): 0.97,
    }
    assert got.rows_read == 11


# ---------------------------------------------------------------- progress against direct SQL


def test_target_progress_against_direct_sql(demo_db):
    """The demo's targets (demo/targets.py): the county's 年报报送率 95 %, the first township's
    own 98 %, the second township following the county; the averages' default is the floor."""
    towns = [
        c
        for (c,) in sql(
            demo_db, "select division_code from divisions where level = 'township' order by 1"
        )
    ]
    rows = {
        (r[0], r[1]): r[2:]
        for r in sql(
            demo_db,
            "select township_code, indicator, actual, target, target_basis, met, gap"
            " from target_progress($d)",
            d=AS_OF,
        )
    }
    county = report_rate(demo_db)
    actual, target, basis, met, gap = rows[(None, "report_submission_rate")]
    assert actual == pytest.approx(county) and target == 0.95 and basis == "own"
    assert met == (county >= 0.95) and gap == pytest.approx(max(0.95 - county, 0))
    first = report_rate(demo_db, towns[0])
    assert rows[(towns[0], "report_submission_rate")][:3] == (pytest.approx(first), 0.98, "own")
    second = report_rate(demo_db, towns[1])
    assert rows[(towns[1], "report_submission_rate")][:3] == (pytest.approx(second), 0.95, "county")
    # 资金执行率 is the county's only; counts are never inherited by townships.
    assert (towns[1], "fund_execution_rate") not in rows and (towns[1], "count_4a_plus") not in rows
    ((urban_avg,),) = sql(
        demo_db,
        f"""select count(o.org_id)::double / (select count(*) from divisions
                                              where level = 'community' and area_type = 'urban')
            from organizations o join divisions d on d.division_code = o.community_code
            where d.area_type = 'urban' and {ACTIVE}""",
        d=AS_OF,
    )
    assert rows[(None, "avg_per_urban_community")][:3] == (
        pytest.approx(urban_avg),
        CAT.floor["urban"],
        "default",
    )


def test_cumulative_targets_are_measured_against_the_year_gone(demo_db):
    """资金执行率 on 30 September: 273 of 365 days gone, so 90 % × 273/365 is where it should be."""
    day = dt.date(2025, 9, 30)
    ((budget, paid),) = sql(
        demo_db,
        "select (select sum(budget_yuan) from fund_budgets where year = 2025),"
        " (select sum(d.amount_yuan) from disbursements d join grants g using (grant_id)"
        "  where g.year = 2025 and d.paid_on <= $d and g.approved_on <= $d)",
        d=day,
    )
    ((actual, expected, on_pace),) = sql(
        demo_db,
        "select actual, expected_now, on_pace from target_progress($d)"
        " where township_code is null and indicator = 'fund_execution_rate'",
        d=day,
    )
    assert actual == pytest.approx(float(paid) / float(budget))
    assert expected == pytest.approx(0.9 * 273 / 365)
    assert on_pace == (actual >= 0.9 * 273 / 365)


# ---------------------------------------------------------------- 总览, 大屏, report on the demo


def test_overview_shows_progress_against_the_targets(app, demo_db):
    at = app()
    table = next(d.value for d in at.table if "进度" in d.value.columns)
    row = table.set_index("指标").loc["年报报送率"]
    rate = report_rate(demo_db)
    gap = pct(0.95 - float(pct(rate)) / 100)
    assert row["实际"] == f"{pct(rate)}%" and row["目标"] == "95%"
    assert row["进度"] == f"距年度目标95%差{gap}个百分点"
    assert row["目标来源"] == "设定的目标"
    # 完成度 is a measured rate: one decimal, as every rate (99.2%, not 99%).
    assert row["完成度"] == f"{rate / 0.95 * 100:.1f}%"
    assert (
        table.set_index("指标").loc["平均每个城市社区组织数", "进度"].startswith("已达到国家标准")
    )
    # the league: the first township has its own 98 % and follows the county's rates
    league = next(d.value for d in at.dataframe if "年度目标达成" in d.value.columns)
    assert league["年度目标达成"].str.match(r"^\d+/\d+$").all()


def test_screen_shows_the_year_targets(app, demo_db):
    at = app("views/screen.py")
    boxes = "".join(h.proto.body for h in at.get("html"))
    rate = report_rate(demo_db)
    gap = pct(0.95 - float(pct(rate)) / 100)
    assert "全县2025年度目标" in boxes
    assert f"年报报送率 {pct(rate)}% <span>目标95% · 差{gap}个百分点</span>" in boxes
    assert "目标" in at.table[0].value.columns


def test_report_writes_the_target_sentence_from_the_figures(demo_db, demo_township):
    from reports import content

    rate = report_rate(demo_db)
    gap = pct(0.95 - float(pct(rate)) / 100)
    report = content.build(demo_db, None)
    supervision = next(s for s in report.sections if s.key == "supervision").text()
    assert f"年报报送率{pct(rate)}%，距年度目标95%差{gap}个百分点。" in supervision
    # only targets set are written: the national floor's defaults are the 未达标社区 section's
    assert "国家标准10家" not in report.text()
    # a township's report: its own target (98 %) for the first township
    town = content.build(demo_db, demo_township)
    mine = report_rate(demo_db, demo_township)
    text = next(s for s in town.sections if s.key == "supervision").text()
    assert (
        f"年报报送率{pct(mine)}%，距年度目标98%差{pct(0.98 - float(pct(mine)) / 100)}个百分点。"
        in text
    )


# ---------------------------------------------------------------- the 目标 page writes a new build


@pytest.fixture
def site(demo_dir: Path, users_file: Path, tmp_path: Path, monkeypatch) -> Path:
    db = tmp_path / "site" / "warehouse.duckdb"
    load_dir(demo_dir, db)
    monkeypatch.setenv("ORGDASH_DB", str(db))
    monkeypatch.setenv("ORGDASH_USERS", str(users_file))
    return db


def _set(at, value: str, indicator: str = "report_submission_rate", place: str = "county"):  # type: ignore[no-untyped-def]
    at.number_input(key="tgt_year").set_value(2025)
    at.selectbox(key="tgt_place").set_value(place)
    at.selectbox(key="tgt_indicator").set_value(indicator)
    at.text_input(key="tgt_value").input(value)
    at.text_input(key="tgt_note").input("测试")
    at.button(key="FormSubmitter:tgt_set-校验并保存").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_admin_sets_a_target_and_the_overview_measures_against_it(site):
    from access import audit

    before = kept_builds.live_build(site).run_id
    at = _set(conftest.open_as("admin", "views/targets.py"), "97%")
    assert any("已保存：全县2025年年报报送率目标97%" in s.value for s in at.success)
    after = kept_builds.live_build(site).run_id
    assert after != before
    assert sql(site, "select target_text, target_value from targets where township_code is null"
               " and indicator = 'report_submission_rate' and year = 2025") == [("97%", 0.97)]  # fmt: skip
    shown = next(d.value for d in at.dataframe if "目标值" in d.value.columns)
    assert "97%" in set(shown["目标值"])
    events = [e for e in audit.read(site) if e["event"] == "targets_set"]
    assert events[-1]["ok"] is True and events[-1]["run_id"] == after

    rate = report_rate(site)
    overview = conftest.open_as("leader", "views/overview.py")
    table = next(d.value for d in overview.table if "进度" in d.value.columns)
    gap = pct(0.97 - float(pct(rate)) / 100)
    assert table.set_index("指标").loc["年报报送率", "进度"] == f"距年度目标97%差{gap}个百分点"
    # the county's new target is what a township without its own follows
    towns = [
        c
        for (c,) in sql(
            site, "select division_code from divisions where level = 'township' order by 1"
        )
    ]
    ((target,),) = sql(site, "select target from target_progress($d) where township_code = $t"
                       " and indicator = 'report_submission_rate'", d=AS_OF, t=towns[1])  # fmt: skip
    assert target == 0.97
    # rolled back like any load: the 95 % is back
    kept_builds.rollback(site, before, user="admin")
    assert sql(site, "select target_text from targets where township_code is null"
               " and indicator = 'report_submission_rate'") == [("95%",)]  # fmt: skip


def test_a_rejected_target_changes_nothing_and_says_why(site):
    from access import audit

    before = kept_builds.live_build(site).run_id
    at = _set(conftest.open_as("admin", "views/targets.py"), "120%", "share_meeting_floor")
    assert any("未通过校验" in e.value for e in at.error)
    problems = next(d.value for d in at.dataframe if "规则" in d.value.columns)
    assert list(problems["规则"]) == ["target_range"]
    assert list(problems["文件"]) == ["年度目标.csv"] and list(problems["列"]) == ["目标值"]
    assert "不在0%到100%之间" in problems["问题及处理办法"].iloc[0]
    assert kept_builds.live_build(site).run_id == before
    assert sql(site, "select count(*) from targets where indicator = 'share_meeting_floor'"
               " and target_text = '120%'") == [(0,)]  # fmt: skip
    assert audit.read(site)[-1]["event"] == "targets_set" and audit.read(site)[-1]["ok"] is False


def test_removing_a_target_brings_back_the_default(site):
    at = conftest.open_as("admin", "views/targets.py")
    keys = at.selectbox[-1].options
    pick = next(i for i, label in enumerate(keys) if "全县 · 年报报送率" in label)
    at.selectbox[-1].set_value(pick)
    at.checkbox(key="tgt_sure").check()
    at.button(key="FormSubmitter:tgt_remove-删除").click().run()
    assert any("已删除" in s.value for s in at.success)
    assert sql(site, "select count(*) from targets where township_code is null"
               " and indicator = 'report_submission_rate'") == [(0,)]  # fmt: skip


def test_only_the_admin_has_the_targets_page(app):
    from access import roles

    assert roles.may_open("admin", "targets")
    assert not any(roles.may_open(r, "targets") for r in ("leader", "planner", "analyst"))
    at = app("views/targets.py", user="analyst")
    assert not any(d for d in at.dataframe if "目标值" in d.value.columns)


def test_a_township_copy_keeps_the_county_targets_and_its_own(demo_db, demo_township):
    from queries import scope

    live = Path(demo_db).resolve()
    copy = scope.view_file(demo_db, live, demo_township, masked=True)
    kept = sql(copy, "select distinct township_code from targets order by 1 nulls first")
    assert kept == [(None,), (demo_township,)]
    assert sql(copy, "select count(*) from indicator_catalogue") == [(len(CAT.indicators),)]


# ---------------------------------------------------------------- the worked example


def test_the_worked_example_shows_on_map_community_page_and_sql_browser(app, demo_db):
    """volunteers_per_1000 (docs/ARCHITECTURE.md): one column in community_indicators and one
    catalogue entry, and it is on the map, the community page and the SQL workbench."""
    ind = CAT["volunteers_per_1000"]
    ((code, expected),) = sql(
        demo_db,
        f"""select d.division_code, sum(o.volunteers) * 1000.0 / d.population
            from divisions d join organizations o on o.community_code = d.division_code and {ACTIVE}
            where d.level = 'community' group by d.division_code, d.population
            order by 2 desc limit 1""",
        d=AS_OF,
    )
    at = app("views/map.py")
    picker = at.selectbox(key="map_indicator")
    assert ind.label in picker.options
    picker.set_value("volunteers_per_1000").run()
    table = next(d.value for d in at.dataframe if ind.header in d.value.columns)
    assert table[ind.header].iloc[0] == pytest.approx(expected)

    page = app("views/community.py", community=code)
    rows = next(d.value for d in page.dataframe if "口径" in d.value.columns).set_index("指标")
    assert rows.loc[ind.label, "本社区"] == f"{expected:,.1f}人"
    assert rows.loc["社会组织数", "标准"].startswith("国家标准")

    workbench = app("views/sql.py")
    catalogue_tab = next(d.value for d in workbench.dataframe if "所在宏.列" in d.value.columns)
    hit = catalogue_tab.set_index("列名").loc["volunteers_per_1000"]
    assert (
        hit["指标"] == ind.label and hit["所在宏.列"] == "community_indicators.volunteers_per_1000"
    )
