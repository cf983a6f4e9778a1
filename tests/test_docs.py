"""Docs that are tested: the generated source reference matches the contract in code."""

from __future__ import annotations

from etl.docs import SOURCES_DOC, sources_markdown


def test_sources_doc_is_current():
    assert SOURCES_DOC.read_text(encoding="utf-8") == sources_markdown(), "run `make docs`"


# Files the docs name that a run makes (git-ignored), not the repository.
GENERATED = {"bench/latest.md", "报告.md"}


def test_the_repository_refers_to_nothing_outside_itself():
    """Every .md file a tracked file names is in the repository (docs/ is looked in too), and no
    file points at the folder outside the repository the project was started from."""
    import re
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    missing = []
    for name in tracked:
        path = root / name
        if path.suffix not in (".py", ".md", ".sql", ".toml") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "../" + "shared" not in text, name
        for ref in re.findall(r"(?<![\w/.-])((?:[\w-]+/)*[\w-]+\.md)\b", text):
            # A name like dashboard.safe.md (a Python attribute) is no file: the stem has no dot.
            if ref in GENERATED:
                continue
            if not any(c.exists() for c in (root / ref, path.parent / ref, root / "docs" / ref)):
                missing.append((name, ref))
    assert missing == []
