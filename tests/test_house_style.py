"""Every page's text follows one house style of numbers and words (issue 20, reports/wording.py).

Each page is opened as the admin (who sees every page) on the demo warehouse, and every text a
reader sees is collected: titles, headings, paragraphs, captions, notes, metric tiles, buttons,
expander labels and table headers. The rules:

- counts of a thousand and more carry separators (2,216家, never 2216家);
- a change is written 比上年 / 与上年, never 同比, and its sign is a real minus (−), not '-';
- rates have one decimal (94.2%, 100.0%, 42.0%), never 100% beside 86.7%; a line set by a rule or
  a target keeps the figure it was set with (低于 90%, 目标95%).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from dashboard.nav import PAGES

# Streamlit's element types whose text a reader sees (AppTest names); Html is the pages' CSS and
# the hidden build marker, TextArea and Code are the analyst's own SQL.
READ = {
    "Markdown", "Caption", "Title", "Header", "Subheader", "Metric", "Button", "Expander",
    "Info", "Warning", "Error", "Success", "Alert", "Tab", "Divider", "PageLink",
}  # fmt: skip
RULES = {
    "a count of four digits or more without separators": re.compile(
        r"(?<![\d,.\-−年/:])\d{4,}(?=(家|个|人次|人|次|份|项|期|名|条|分)(?![\d]))"
    ),
    "同比 instead of 比上年": re.compile("同比"),
    "a hyphen-minus for a negative figure": re.compile(r"(?<![\w\-/:.])-\d"),
    # A line set by a rule or a target (低于 90%, <100%, 目标95%) is written as it was set.
    "a rate without its one decimal": re.compile(r"(?<![\d.,近<>≥≤])(?<!低于 )(?<!目标)\d+%"),
}


def texts(node) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    kind = type(node).__name__
    if kind in READ or kind == "Alert":
        if kind == "Metric":
            yield kind, f"{node.label} {node.value} {node.proto.delta}"
        else:
            for attr in ("value", "label", "body"):
                value = getattr(node, attr, None)
                if isinstance(value, str):
                    yield kind, value
    if kind == "Dataframe":
        yield "table header", " ".join(str(c) for c in node.value.columns)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from texts(child)


@pytest.mark.parametrize("spec", [p for p in PAGES if p.key != "submit"], ids=lambda p: p.key)
def test_page_text_follows_the_house_style(app, spec):
    at = app(f"views/{spec.file.split('/')[-1]}")
    seen = list(texts(at._tree))
    assert seen, "no text collected"
    broken = [
        f"{rule}: …{text[max(0, m.start() - 20) : m.end() + 10]}… ({kind})"
        for kind, text in seen
        for rule, pattern in RULES.items()
        for m in pattern.finditer(text)
    ]
    assert not broken, "\n".join(broken)


def test_the_rules_catch_what_they_are_for():
    """The patterns themselves: each finds the issue's examples and passes the house style."""
    bad = {
        "a count of four digits or more without separators": "共6678家",
        "同比 instead of 比上年": "同比 +3家",
        "a hyphen-minus for a negative figure": "比上年 -51.89万元",
        "a rate without its one decimal": "占42%",
    }
    good = (
        "2,216家 比上年 −2家 占42.0% 2025年12月31日 近100% 2021–2025年 340129105000 低于 90% "
        "（<100%） 距年度目标95%"
    )
    for rule, text in bad.items():
        assert RULES[rule].search(text), rule
        assert not RULES[rule].search(good), rule


def test_tables_give_counts_separators_and_leave_years_and_codes_plain():
    import polars as pl

    from dashboard.tables import COUNT, number_config

    frame = pl.DataFrame(
        {
            "年度": [2025],
            "区划代码": [340129105000],
            "读取行数": [18578],
            "名称": ["x"],
            "率": [0.5],
            "报送率（%）": [100.0],
        }
    )
    config = number_config(frame, {"读取行数": "读取（行）"})
    assert set(config) == {"读取行数", "报送率（%）"}
    assert config["报送率（%）"]["type_config"]["format"] == "%.1f"  # 100.0 beside 86.7, not 100
    assert config["读取行数"]["type_config"]["format"] == COUNT
    assert config["读取行数"]["label"] == "读取（行）"  # a rename the page gave is kept
