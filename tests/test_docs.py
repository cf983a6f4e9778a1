"""Docs that are tested: the generated source reference matches the contract in code."""

from __future__ import annotations

from etl.docs import SOURCES_DOC, sources_markdown


def test_sources_doc_is_current():
    assert SOURCES_DOC.read_text(encoding="utf-8") == sources_markdown(), "run `make docs`"
