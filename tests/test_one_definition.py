"""Pages compute nothing the warehouse defines (issue 17, item 4): every figure per resident is one
SQL formula, code tables live in the warehouse, a page helper is written once, a page says a figure
with the report's own sentence, and a measure has one label.

The greps read the source (AST, not text, where prose could match); the rest run the demo."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import re
from pathlib import Path

import pytest

import queries
from etl.sources import ENUMS
from queries.indicators import catalogue
from reports import sentences
from reports import wording as w

ROOT = Path(__file__).resolve().parent.parent
VIEWS = sorted((ROOT / "dashboard" / "views").glob("*.py"))
DASHBOARD = sorted((ROOT / "dashboard").rglob("*.py"))
REPORTS = sorted((ROOT / "reports").glob("*.py"))
AS_OF = dt.date(2025, 12, 31)
# The one file where a figure is divided by residents (the macros per_1000 and per_resident).
PER_RESIDENT_SQL = ROOT / "queries" / "marts" / "00_per_resident.sql"


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{name}:{getattr(node, 'lineno', '?')}"


# ---------------------------------------------------------------- per resident: SQL, once


def _divides_by_residents(path: Path) -> list[str]:
    """Multiplications and divisions in Python that take 1000 or a population: 每千人 and 人均
    recomputed on a page instead of read from the warehouse."""
    src = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.Mult | ast.Div):
            continue
        for side in (node.left, node.right):
            text = ast.get_source_segment(src, side) or ""
            thousand = isinstance(side, ast.Constant) and side.value in (1000, 1000.0)
            if thousand or re.search(r"population|\bpop\b|常住人口", text):
                found.append(f"{_where(path, node)}: {ast.get_source_segment(src, node)}")
    return found


def test_pages_do_not_compute_per_resident_figures():
    """views/projects.py divided pilots' residents by their population ×1000, views/funding.py
    the places' approved money by their residents: both are columns of the warehouse now."""
    found = [hit for path in DASHBOARD for hit in _divides_by_residents(path)]
    assert found == [], "read the figure from SQL (per_1000 / per_resident):\n" + "\n".join(found)


def test_the_grep_finds_a_page_that_computes_per_1000(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("x = people * 1000 / pop\ny = money / row['population']\n", encoding="utf-8")
    assert len(_divides_by_residents(page)) == 3  # ×1000, ÷pop, ÷population


def _sql_without_comments(path: Path) -> str:
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


# `* 1000.0 /` and `/ nullif(…population…)` or `/ …population`: the per-resident arithmetic.
PER_RESIDENT_ARITHMETIC = re.compile(
    r"\*\s*1000(?:\.0)?\b|/\s*(?:nullif\s*\(\s*)?[\w.]*population", re.IGNORECASE
)


def test_sql_divides_by_residents_only_through_the_shared_macros():
    """每千名常住人口 and 人均 were written out in the marts, the report's points query, the
    province's township map and the funding and overview queries; now they call per_1000() or
    per_resident() (queries/marts/00_per_resident.sql)."""
    found = [
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for path in sorted((ROOT / "queries").rglob("*.sql"))
        if path != PER_RESIDENT_SQL
        for m in PER_RESIDENT_ARITHMETIC.finditer(_sql_without_comments(path))
    ]
    assert found == [], "\n".join(found)
    macros = _sql_without_comments(PER_RESIDENT_SQL)
    assert "macro per_1000(" in macros and "macro per_resident(" in macros


def test_the_sql_grep_finds_the_old_formula():
    old = "coalesce(c.count_active, 0) * 1000.0 / nullif(d.population, 0) as per_1000_residents"
    assert PER_RESIDENT_ARITHMETIC.search(old)
    assert PER_RESIDENT_ARITHMETIC.search("coalesce(m.approved_yuan, 0) / nullif(p.population, 0)")
    assert PER_RESIDENT_ARITHMETIC.search("sum(x.approved_yuan) / p.population")
    assert not PER_RESIDENT_ARITHMETIC.search("per_1000(w.count_active, w.population)")


def test_scope_figures_per_resident_come_from_sql(demo_db):
    """The funding page's average line and the 项目 page's 积分制参与 of its scope are columns;
    they equal their definition from the rows beside them."""
    place = queries.run(
        "funding/by_place",
        demo_db,
        as_of=AS_OF,
        year=2025,
        township=None,
        area=None,
        fields=None,
        by_county=False,
    )
    residents = place.filter(~place["is_own_level"])
    approved = float(residents["approved_yuan"].cast(float).sum())
    population = float(residents["population"].cast(float).sum())
    assert population > 0
    assert place["average_approved_per_resident_yuan"].to_list() == pytest.approx(
        [approved / population] * place.height
    )
    for township in (None, "340129001000"):
        total = queries.run(
            "projects/points_total", demo_db, as_of=AS_OF, township=township, area=None
        ).row(0, named=True)
        pilots = queries.run(
            "projects/points_communities", demo_db, as_of=AS_OF, township=township, area=None
        )
        assert total["count_pilots"] == pilots.height > 0
        assert total["count_residents_12m"] == pilots["count_residents_12m"].sum()
        assert total["residents_per_1000"] == pytest.approx(
            pilots["count_residents_12m"].sum() * 1000 / pilots["population"].sum()
        )
    # The report reads the page's own row (one query, not a copy of it in queries/report/).
    assert not (ROOT / "queries" / "report" / "points.sql").exists()
    assert '"projects/points_total"' in (ROOT / "reports" / "content.py").read_text("utf-8")


# ---------------------------------------------------------------- code tables: the warehouse's


def _module_code_tables(path: Path) -> list[str]:
    """Module-level dicts of code -> Chinese label that restate a warehouse code table: keys all
    codes of one ETL enumeration (lookup_<name>), or all digits (a statistical code table)."""
    found = []
    for node in _tree(path).body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if not isinstance(value, ast.Dict) or len(value.keys) < 2:
            continue
        keys = [k.value if isinstance(k, ast.Constant) else None for k in value.keys]
        if not all(isinstance(k, str) for k in keys):
            continue
        digits = all(k.isdigit() for k in keys)  # type: ignore[union-attr]
        enum = next((e.name for e in ENUMS.values() if set(keys) <= set(e.codes)), None)
        if digits or enum:
            found.append(f"{_where(path, node)}: {enum or 'digit codes'}")
    return found


def test_pages_declare_no_code_tables_of_the_warehouse():
    """views/community.py kept 统计用城乡划分代码 as URBAN_RURAL; it is lookup_urban_rural now."""
    found = [hit for path in VIEWS for hit in _module_code_tables(path)]
    assert found == [], "take the labels from the warehouse (lookup_<enum>):\n" + "\n".join(found)


def test_the_code_table_grep_finds_urban_rural(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        'URBAN_RURAL = {"111": "主城区", "220": "村庄"}\nAREA = {"urban": "城", "rural": "乡"}\n',
        encoding="utf-8",
    )
    assert [h.split(": ")[1] for h in _module_code_tables(page)] == ["urban_rural", "area_type"]
    other = tmp_path / "other.py"
    other.write_text('CODES = {"001": "一", "002": "二"}\n', encoding="utf-8")
    assert [h.split(": ")[1] for h in _module_code_tables(other)] == ["digit codes"]


def test_the_urban_rural_label_comes_from_the_warehouse(demo_db):
    from tests.dbutil import sql

    table = sql(demo_db, "select code, label from lookup_urban_rural order by sort_order")
    assert table == list(ENUMS["urban_rural"].codes.items())
    profile = queries.run("community/profile", demo_db, community="340129001001").row(0, named=True)
    assert profile["urban_rural_label"] == ENUMS["urban_rural"].codes[profile["urban_rural_code"]]


# ---------------------------------------------------------------- page helpers: written once


def _functions(paths: list[Path]) -> list[tuple[str, ast.FunctionDef]]:
    return [
        (_where(path, node), node)
        for path in paths
        for node in _tree(path).body
        if isinstance(node, ast.FunctionDef)
    ]


def test_by_period_is_defined_once():
    defined = [where for where, fn in _functions(DASHBOARD) if fn.name.strip("_") == "by_period"]
    assert len(defined) == 1 and defined[0].startswith("dashboard/data.py:"), defined


def _body(fn: ast.FunctionDef) -> str:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return ast.dump(fn.args) + ast.dump(ast.Module(body=body, type_ignores=[]))


def test_no_page_helper_is_written_twice():
    """_by_period (three pages), _pct (three), _wan, _pp, _iso and _chart (two each) were copies;
    dashboard/data.py, tables.py and formats.py hold the one of each."""
    seen: dict[str, list[str]] = {}
    for where, fn in _functions(VIEWS):
        seen.setdefault(_body(fn), []).append(f"{where} {fn.name}")
    twice = [places for places in seen.values() if len(places) > 1]
    assert twice == [], twice


# ---------------------------------------------------------------- one sentence, page and report


def _report_row(db: Path, name: str) -> dict:
    return queries.run(f"report/{name}", db, as_of=AS_OF, township=None).row(0, named=True)


def test_the_project_page_says_the_reports_sentences(app, demo_db):
    """The page wrote its own 「截至…，N个社区试点积分制…每千名常住人口X人」 beside the report's
    「…试点社区每千名常住人口中有X人参与」; now both are reports/sentences.py's, from the same rows."""
    projects_text = [m.value for m in app("views/projects.py").markdown]
    when = w.as_of(AS_OF)
    expected = {
        "积分制": sentences.points(
            "全县",
            when,
            queries.run(
                "projects/points_total", demo_db, as_of=AS_OF, township=None, area=None
            ).row(0, named=True),
        ),
        "睦邻客厅": sentences.lounges(
            "全县",
            when,
            queries.run("report/lounges", demo_db, as_of=AS_OF, township=None).to_dicts(),
        ),
        "三社联动": w.as_of(
            AS_OF, sentences.linkage("全县", AS_OF, _report_row(demo_db, "linkage"))
        ),
        # The page has no 「2021年以来累计…」: its year's sentence is the report's first.
        "微项目": sentences.micro_projects(
            "全县", AS_OF, _report_row(demo_db, "micro_projects") | {"first_year": None}
        ),
    }
    for what, sentence in expected.items():
        assert sentence, what
        assert any(sentence in text for text in projects_text), (what, sentence)
    assert "试点社区每千名常住人口中有" in expected["积分制"]  # the figure the page computed


def test_pages_open_a_sentence_with_the_date_one_way():
    """「截至{date}」 written out in f-strings (eleven of them on the pages) is wording.as_of."""
    found = []
    for path in [*DASHBOARD, *REPORTS]:
        if path.name == "wording.py":
            continue
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.JoinedStr):
                continue
            parts = node.values
            for before, after in itertools.pairwise(parts):
                if (
                    isinstance(before, ast.Constant)
                    and str(before.value).rstrip().endswith("截至")
                    and isinstance(after, ast.FormattedValue)
                ):
                    found.append(_where(path, node))
    assert found == [], "use reports.wording.as_of:\n" + "\n".join(found)
    assert w.as_of(AS_OF) == "截至2025年12月31日"
    assert w.as_of(AS_OF, "全县…。") == "截至2025年12月31日，全县…。"


# ---------------------------------------------------------------- one label per measure

ORGS = catalogue()["count_active"]
# What count_active was called besides the catalogue's 社会组织数 (issue 17: six ways). Table
# headers with a unit are aliases (checked below); 组织数（家） alone also heads the axis of new and
# dissolved organisations, another measure.
OLD_LABELS = {
    "组织数",
    "存续组织",
    "存续组织数",
    "社区社会组织",
    "社会组织",
    "现有组织",
    "登记备案社区社会组织",
}
# Left as it is for now: the 总览's headline tile keeps the speech's 登记备案社区社会组织 while
# tests/test_browser_filters.py finds the tile by that text (moved with that test, not before).
STILL_OTHERWISE = {("dashboard/views/overview.py", "登记备案社区社会组织")}


def _labels_of_count_active(path: Path) -> list[str]:
    """String constants a page or the report labels count_active with: aliases of
    pl.col("count_active"), and whole string literals that are an old label (prose in f-strings,
    such as 「{n}家现有组织中」, is not a label)."""
    tree = _tree(path)
    not_labels = {
        id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values
    }
    found = []
    for node in ast.walk(tree):  # breadth first: a call before its arguments
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "alias"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and not str(node.args[0].value).startswith("_")  # a helper column (_rank)
            and 'pl.col("count_active")' in ast.unparse(node.func.value).replace("'", '"')
        ):
            found.append(f"{_where(path, node)}: alias {node.args[0].value}")
            not_labels.add(id(node.args[0]))  # said once
        elif (
            isinstance(node, ast.Constant)
            and node.value in OLD_LABELS
            and id(node) not in not_labels
        ):
            found.append(f"{_where(path, node)}: {node.value}")
    return found


def test_count_active_has_the_catalogues_label_everywhere():
    """Tiles, table headers, league columns, chart axes and the report's tables take 社会组织数 /
    社会组织数（家） from queries/indicators.toml."""
    found = [
        hit
        for path in [*DASHBOARD, ROOT / "reports" / "content.py"]
        for hit in _labels_of_count_active(path)
        if (hit.split(":")[0], hit.split(": ")[-1]) not in STILL_OTHERWISE
    ]
    assert found == [], f"label it {ORGS.label} / {ORGS.header} (catalogue):\n" + "\n".join(found)


def test_the_label_grep_finds_a_page_constant(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        'import polars as pl\nx = pl.col("count_active").alias("存续组织")\n'
        'y = ("组织数", "count_active")\nz = f"{n}家现有组织中"\n',
        encoding="utf-8",
    )
    assert [h.split(": ", 1)[1] for h in _labels_of_count_active(page)] == [
        "alias 存续组织",
        "组织数",
    ]
