"""The house keeps its shape by itself: the arrows of docs (etl -> queries <- dashboard; reports
without Streamlit) are checked on every import statement, not trusted to review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each room may not import. perf/ drives pages with Streamlit's AppTest to time them.
FORBIDDEN = {
    "etl": ("streamlit", "dashboard", "reports"),
    "queries": ("streamlit", "dashboard", "reports"),
    "access": ("streamlit", "dashboard", "queries", "reports"),
    "reports": ("streamlit", "dashboard"),
    "orgdash": ("streamlit", "dashboard"),
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
