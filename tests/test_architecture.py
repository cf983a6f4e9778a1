"""The house keeps its shape by itself: the arrows of docs (etl -> queries <- dashboard; reports
without Streamlit) are checked on every import statement, not trusted to review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each room may not import. perf/ drives pages with Streamlit's AppTest to time them.
FORBIDDEN = {
    "etl": ("streamlit", "dashboard", "reports", "demo"),
    "queries": ("streamlit", "dashboard", "reports", "demo"),
    "demo": ("streamlit", "dashboard", "reports"),
    "access": ("streamlit", "dashboard", "queries", "reports"),
    "reports": ("streamlit", "dashboard"),
    "orgdash": ("streamlit", "dashboard"),
    "dashboard": ("demo",),
}


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement names, at module level or inside a function."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_arrows_point_one_way(room: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / room).rglob("*.py"))
        for line, name in imports(path)
        if name.split(".")[0] in FORBIDDEN[room]
    ]
    assert wrong == []


ROOMS = ("demo", "etl", "queries", "dashboard", "reports", "access", "orgdash", "perf")


def runtime_imports(path: Path) -> set[str]:
    """Project modules a file imports when it runs: module level or inside functions, but not
    under `if TYPE_CHECKING:` (annotations only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    out = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        out |= {n for n in names if n.split(".")[0] in ROOMS}
    return out


def test_no_import_cycles_between_modules() -> None:
    """Issue 17: etl/write_build.py, etl/kept_builds.py and etl/pipeline.py imported each other through
    function-level imports. Every project module's imports, hidden or not, form no cycle."""
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
        for room in ROOMS
        for p in (ROOT / room).rglob("*.py")
    }
    graph = {
        m: {n for n in runtime_imports(p) if n in modules and n != m and not m.startswith(n + ".")}
        for m, p in modules.items()
    }
    cycles = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(" → ".join([*path[path.index(n) :], n]))
            elif n not in state:
                visit(n, [*path, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == [], "\n".join(cycles)


def test_no_two_modules_differ_by_a_plural() -> None:
    """Issue 17: etl/build.py beside etl/builds.py and dashboard/maps.py beside views/map.py made
    a newcomer open the wrong file. Within a room, no module's name is another's with an `s`
    added (reports/build.py and the CLI's `orgdash builds` command live in different rooms)."""
    confusable = []
    for room in ROOMS:
        stems = {p.stem: p for p in (ROOT / room).rglob("*.py")}
        confusable += [
            f"{stems[s].relative_to(ROOT)} ~ {stems[s + 's'].relative_to(ROOT)}"
            for s in stems
            if s + "s" in stems
        ]
    assert confusable == []


def test_the_validator_judges_rows_and_computes_no_column() -> None:
    """Issue 17: deriving columns moved out of the validator into the stage that builds rows
    (etl/rows.py). Every column etl/sources.py marks `derived` is made there, none in validate."""
    from etl.sources import SOURCES

    derived = sorted({c.name for s in SOURCES for c in s.columns if c.derived})
    assert derived, "no derived column declared: the test would check nothing"
    validate = (ROOT / "etl" / "validate.py").read_text(encoding="utf-8")
    rows = (ROOT / "etl" / "rows.py").read_text(encoding="utf-8")
    assert [n for n in derived if f'.alias("{n}")' in validate] == []
    assert [n for n in derived if f'.alias("{n}")' not in rows] == []
    assert "def derive" not in validate and "RESOLVE" not in validate
