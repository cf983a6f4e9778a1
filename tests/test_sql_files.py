"""The house keeps its shape by itself (issue 17): SQL lives in queries/**/*.sql, not in Python.

- No .py file of the rooms holds SQL text except those on ALLOWED, each with its reason; a file
  that no longer holds any leaves the list (so it cannot go stale).
- Every .sql file under queries/ starts with the header of its folder's convention, and the
  parameters it declares are the $parameters it binds.
- Every .sql file runs once on one small warehouse loaded from tests/minidata.py: queries with
  plausible values for their parameters (and once more narrowed to a township, an area and a
  field where they take those), every object a mart creates called, the scope scripts through the
  copies they make, the build's own tables (queries/meta/) on an empty database. A header that promises one
  row (or two) is held to it.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import queries
from queries import SQL_DIR
from tests import minidata
from tests.test_architecture import ROOMS

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- SQL text in .py files

# A statement, not a word: each keyword must be followed by what SQL puts there (a name, a
# bracket, a quote), so prose ("copy the files to", "select a township from the list") passes.
SQL_STATEMENT = re.compile(
    r"""
      \bselect\s+(?!(?:the|a|an|one|which|what|this|that|each|every|it|them)\b)
          [^;。，]{0,400}?\bfrom\s+[\w"'({]
    | \bselect\s+\w+\(\)
    | \bcreate\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?(?:table|view|macro|schema)\s+
          (?:if\s+not\s+exists\s+)?[\w"{]
    | \binsert\s+(?:or\s+replace\s+)?into\s+[\w"{]
    | \bupdate\s+[\w"{}.]+\s+set\s
    | \bdelete\s+from\s+[\w"{]
    | \bdrop\s+(?:table|view|macro|schema)\s
    | \bcopy\s+(?:\(|from\s+database\b|[\w"{}.]+\s+(?:to|from)\s+['"{])
    | \battach\s+(?:database\s+)?(?:if\s+not\s+exists\s+)?['"{$]
    """,
    re.IGNORECASE | re.VERBOSE,
)

# The .py files that may build SQL, and why. Everything else asks queries.run / queries.run_on for
# a named queries/**/*.sql file.
ALLOWED: dict[str, str] = {
    "etl/write_build.py": "the loader writes the build: tables, comments and code tables generated "
    "from etl/sources.py, rule settings and the checked rows inserted, the run's metadata, a "
    "key check per source and the one query that counts every data check",
    "queries/indicators.py": "writes indicators.toml into every build: the indicator_catalogue "
    "table and the community_floor macro",
    "queries/scope.py": "makes the scoped copies: attach, copy from database and the emptying of "
    "tables township.sql does not name, with paths and table names formatted in",
    "perf/bench.py": "what the benchmark times: DuckDB's own read_csv into tables (the ETL's "
    "floor, in a child script) and an analyst's typical query through the sandbox",
    "dashboard/views/sql.py": "the SQL page shows an analyst example SQL: two captions and the "
    "editor's placeholder, text on the screen, never run by the app",
}


def code_strings(path: Path) -> Iterator[tuple[int, str]]:
    """The string constants of a module's code, an f-string as one text with {} for its fields.
    Docstrings and other bare string statements are no code and are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant | ast.JoinedStr):
            skip |= {id(n) for n in ast.walk(node.value)}
    for node in ast.walk(tree):  # breadth first: an f-string comes before its parts
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            skip |= {id(v) for v in node.values}
            yield (
                node.lineno,
                "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values),
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def sql_in(path: Path, root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root).as_posix()}:{line}: {' '.join(text.split())[:100]}"
        for line, text in code_strings(path)
        if SQL_STATEMENT.search(text)
    ]


PY_FILES = sorted(p for room in ROOMS for p in (ROOT / room).rglob("*.py"))

IS_SQL = [
    "select * from organizations_active limit 100",
    "SELECT count(*) FROM (\n{}\n) AS n",
    "\nselect d.township_code, count(*) as n\nfrom organizations o join divisions d using (x)\n",
    "select current_database()",
    "create or replace macro community_floor(area_type) as 1",
    "CREATE TABLE {} (\n    org_id VARCHAR\n)",
    "create temp table t as select 1",
    "INSERT INTO {} BY NAME SELECT * FROM arrow",
    "insert into etl_runs values (?, ?)",
    "update organizations set leader_name = null",
    'delete from "{}"',
    "DROP TABLE lookup_field",
    "copy (select 1) to 'out.csv'",
    "copy organizations to '/tmp/x.csv'",
    'copy from database src to "{}"',
    "attach '{}' as src (read_only)",
    "数据截止日可写成 `(select as_of_date from warehouse_info)`。",
]
IS_PROSE = [
    "Copy the files a load reads (and its manifest.toml) next to the build, under their names.",
    "Whether view_file would return at once (no copy to make).",
    "不能附加其他数据库（ATTACH）",
    "ATTACH",
    'Cannot (?:access (?:file|directory)|COPY to) "([^"]+)"',
    "请在左侧选择乡镇（街道），再从列表中选择社区",
    "select the township from the sidebar",
    "Choose which rows to update; the set of fields is fixed.",
    "delete the file from disk",
    "每个组织按服务领域统计，选出最多的领域。",
    "join lookup_field l on l.code = o.field",
]


@pytest.mark.parametrize("text", IS_SQL)
def test_the_detector_finds_sql(text: str) -> None:
    assert SQL_STATEMENT.search(text)


@pytest.mark.parametrize("text", IS_PROSE)
def test_the_detector_passes_prose(text: str) -> None:
    assert not SQL_STATEMENT.search(text)


def test_the_detector_sees_fstrings_and_skips_docstrings(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text(
        '"""select * from organizations: a docstring."""\n'
        "def f(t):\n"
        '    """delete from organizations, said."""\n'
        '    return f"insert into {t} " f"select * from arrow"\n',
        encoding="utf-8",
    )
    assert sql_in(path, tmp_path) == ["probe.py:4: insert into {} select * from arrow"]


def test_sql_text_is_only_in_allowed_modules() -> None:
    """A query belongs in queries/<folder>/<name>.sql, run by queries.run(name, **params)."""
    found = [
        hit
        for path in PY_FILES
        if path.relative_to(ROOT).as_posix() not in ALLOWED
        for hit in sql_in(path)
    ]
    assert found == [], "\n".join(["move these into queries/**/*.sql:", *found])


def test_every_allowed_module_still_holds_sql() -> None:
    stale = [name for name in ALLOWED if not (ROOT / name).is_file() or not sql_in(ROOT / name)]
    assert stale == [], f"no SQL left in {stale}: take them off ALLOWED"


# ---------------------------------------------------------------- headers of the .sql files

NAMES = sorted(p.relative_to(SQL_DIR).with_suffix("").as_posix() for p in SQL_DIR.rglob("*.sql"))
KEYS = ("grain", "params")
CREATE = re.compile(
    r"^create\s+(?:or\s+replace\s+)?(macro|view|table)\s+(\w+)\s*(?:\(([^)]*)\))?\s+as\s+(table\b)?",
    re.IGNORECASE | re.MULTILINE,
)


def lines_of(name: str) -> list[str]:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines()


def declared(params_line: str) -> set[str]:
    """The $parameters a `-- params:` line lists: each item of the list that starts with one
    (notes in brackets and prose such as "so no $fields" are not declarations)."""
    text = re.sub(r"\([^()]*\)", "", params_line.removeprefix("-- params:"))
    items = re.split(r"[,;]", text)
    return {m.group(1) for i in items for m in [re.match(r"\s*\$([a-z_][a-z0-9_]*)", i)] if m}


def objects(name: str) -> list[dict]:
    """What a mart creates, with its arguments and the header block above it (or the file's)."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    lines = text.splitlines()
    out = []
    for m in CREATE.finditer(text):
        row = text.count("\n", 0, m.start())
        top = row
        while top > 0 and lines[top - 1].startswith("--"):
            top -= 1
        block = lines[top:row]
        own = {k: v for line in block for k, _, v in [line[3:].partition(": ")] if k in KEYS}
        out.append(
            {
                "kind": m.group(1).lower() if not m.group(4) else "table macro",
                "name": m.group(2),
                "args": [a.strip() for a in (m.group(3) or "").split(",") if a.strip()],
                "params": own.get("params", lines[2].removeprefix("-- params: ")),
                "grain": own.get("grain"),
            }
        )
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_sql_file_has_its_header(name: str) -> None:
    lines = lines_of(name)
    assert len(lines) > 3, "a header and a statement"
    if name.startswith("examples/"):
        # The SQL workbench's saved examples (queries/sandbox.py examples()): run as typed.
        assert [re.match(r"-- (\w+): \S", line) is not None for line in lines[:3]] == [True] * 3
        assert [line[3:].split(":")[0] for line in lines[:3]] == ["title", "description", "grain"]
        assert queries.params_of(name) == set()
        return
    what, grain, params = lines[:3]
    assert re.match(r"-- (?!(?:grain|params|title|description):)\S", what), (
        "first line: -- what the file answers"
    )
    assert re.match(r"-- grain: \S", grain), "second line: -- grain: ..."
    assert re.match(r"-- params: \S", params), "third line: -- params: ..."
    if name.startswith("marts/"):
        # Built without parameters; a macro's arguments are named in its own block's params
        # line, or the file's.
        assert queries.params_of(name) == set()
        made = objects(name)
        assert made, "a mart creates a macro, view or table"
        unnamed = [
            f"{o['name']}({a})"
            for o in made
            for a in o["args"]
            if not re.search(rf"\b{a}\b", o["params"])
        ]
        assert unnamed == []
    else:
        assert declared(params) == queries.params_of(name)
        if not declared(params):
            assert params.startswith("-- params: none")


def test_no_sql_file_is_ignored_by_git() -> None:
    """A file .gitignore matches (its `build/` once swallowed queries/build/) would pass here and
    be missing from every clone."""
    import subprocess

    paths = [str(SQL_DIR / f"{name}.sql") for name in NAMES]
    ignored = subprocess.run(
        ["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert ignored == []


def test_the_params_line_is_read_as_written() -> None:
    assert declared("-- params: $as_of (date), $township, $area (null = all)") == {
        "as_of",
        "township",
        "area",
    }
    assert declared("-- params: $as_of (date), $area; every field counts, so no $fields") == {
        "as_of",
        "area",
    }
    assert declared("-- params: $grade ('graded','a3plus'), $listed ($x)") == {"grade", "listed"}
    assert declared("-- params: none") == set()


# ---------------------------------------------------------------- every file runs


AS_OF = dt.date.fromisoformat(minidata.AS_OF)
TOWNSHIP = "341100001000"  # 城关街道, the mini county's one township
COMMUNITY = "341100001001"  # 东门社区 (urban)

# A plausible value for every $parameter (and mart macro argument), by name: the whole county.
VALUES: dict[str, object] = {
    "as_of": AS_OF,
    "year": AS_OF.year,
    "township": None,
    "area": None,
    "fields": None,
    "community": COMMUNITY,
    "org": "O1",
    "orgs": ["O1", "O2"],
    "per_org": 3,
    "bucket": "all",
    "kind": None,
    "status": None,
    "grade": None,
    "listed": None,
    "state": None,
    "search": None,
    "lag_days": 30,
    "paid_below": 1.0,
    "limit": 20,
    "source": None,
    "lookup": "lookup_field",
    "codes": [COMMUNITY],
    "by": "name",
    "pattern": "%协会%",
    "code": minidata.CREDIT,
    "n": 3,
    "amount": 100_000.0,
    "population": 5000,
    "by_county": False,
}
# The same narrowed as the filters and pickers narrow it (bound values, not nulls).
NARROWED: dict[str, object] = {
    "township": TOWNSHIP,
    "area": "urban",
    "fields": ["resident_services", "culture_sports"],
    "kind": "grant",
    "status": "registered",
    "grade": "graded",
    "listed": "any",
    "state": "active",
    "search": "甲",
    "source": "organizations",
}


def arguments(name: str) -> set[str]:
    if name.startswith("marts/"):
        return {a for o in objects(name) for a in o["args"]}
    return queries.params_of(name)


def cases() -> list[object]:
    out = []
    for name in NAMES:
        out.append(pytest.param(name, "county", id=f"{name}:county"))
        if arguments(name) & NARROWED.keys():
            out.append(pytest.param(name, "narrowed", id=f"{name}:narrowed"))
        if "by_county" in arguments(name):  # a province's page with no township chosen
            out.append(pytest.param(name, "by_county", id=f"{name}:by_county"))
    return out


def promised_rows(grain: str | None) -> tuple[int, int] | None:
    """The row count a grain line promises: 'one row' (or 'one row, or none ...'), 'two rows'."""
    if grain is None:
        return None
    if re.match(r"two rows\b", grain):
        return 2, 2
    if re.match(r"one row\b(?! per)(?! when)", grain):
        return (0, 1) if "none" in grain else (1, 1)
    return None


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One warehouse from the hand-written files, loaded as `orgdash load` does."""
    from etl.pipeline import load_dir

    base = tmp_path_factory.mktemp("sql_files")
    db = base / "warehouse.duckdb"
    load_dir(minidata.write(base / "raw"), db)
    return db


@pytest.fixture(scope="module")
def con(mini: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The pages' kind of connection: read-only, no files, no extensions."""
    c = queries.connect(mini)
    yield c
    c.close()


def test_every_parameter_has_a_value() -> None:
    missing = sorted({f"{n}: {a}" for n in NAMES for a in arguments(n) if a not in VALUES})
    assert missing == [], "add a value to VALUES"


@pytest.mark.parametrize(("name", "variant"), cases())
def test_every_sql_file_runs(
    name: str, variant: str, mini: Path, con: duckdb.DuckDBPyConnection
) -> None:
    values = VALUES | (
        NARROWED if variant == "narrowed" else {"by_county": True} if variant == "by_county" else {}
    )
    folder = name.split("/")[0]
    if folder == "marts":
        # The load builds them (one that does not bind fails it), but a macro's body runs only
        # when called: an error that shows on rows (a failing cast, say) would reach a page first.
        for o in objects(name):
            args = ", ".join(f"${a}" for a in o["args"])
            sql = {
                "table macro": f"select * from {o['name']}({args})",
                "macro": f"select {o['name']}({args}) as value",
                "view": f"select * from {o['name']}",
                "table": f"select * from {o['name']}",
            }[o["kind"]]
            frame = con.sql(sql, params={a: values[a] for a in o["args"]}).pl()
            rows = promised_rows(o["grain"])
            assert rows is None or rows[0] <= frame.height <= rows[1], (o["name"], o["grain"])
    elif folder == "scope":
        # Run as the pages run them: in the scratch copy of a township's or a masked view (every
        # copy is scrubbed).
        from queries import scope

        township = TOWNSHIP if name == "scope/township" else None
        masked = name != "scope/township"
        copy = scope.view_file(mini, mini, township, masked)
        assert queries.run("info/as_of", copy).height == 1
    elif folder == "meta":
        # Statements for a new build file: they run on an empty database.
        empty = duckdb.connect()
        try:
            empty.execute((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))
            made = {r[0] for r in empty.sql("select table_name from duckdb_tables()").fetchall()}
        finally:
            empty.close()
        text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
        assert made == set(re.findall(r"^create table (\w+)", text, re.I | re.M))
    else:
        frame = queries.run_on(con, name, **{k: values[k] for k in queries.params_of(name)})
        if folder == "checks":
            assert frame.is_empty(), "a data check fails on the hand-written warehouse"
        grain = lines_of(name)[1].removeprefix("-- grain: ")
        rows = promised_rows(grain)
        assert rows is None or rows[0] <= frame.height <= rows[1], grain
