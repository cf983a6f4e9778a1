"""The words pages show people (issue 20, "Words"): one phrase for a change on the year before, the
township in a township account's title, no import batch ids, and SQL errors in Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")
DOMINATED_BY_ENGLISH = re.compile(r"[A-Za-z]+ (Error|with name|does not exist|syntax)")


def page_text(at) -> str:  # type: ignore[no-untyped-def]
    """Everything a person reads in the main area: titles, captions, text, metrics, messages."""
    parts = [
        e.value for kind in ("title", "caption", "markdown", "error", "info") for e in at.get(kind)
    ]
    parts += [f"{m.label} {m.value} {m.proto.delta} {m.proto.delta_description}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_funding_says_bi_shang_nian_not_tong_bi(app):
    """Regression: 资金's tiles wrote their change as 同比 where every other page says 比上年
    (and then a hyphen-minus where the others write −)."""
    at = app("views/funding.py")
    changes = [m.proto.delta for m in at.metric if m.proto.delta]
    assert changes and all(
        re.fullmatch(r"比上年 [+−][\d,.]+(万元|元|个百分点)", d) for d in changes
    )
    assert "同比" not in page_text(at)


def test_township_account_reads_its_township_in_the_overview_title(app, sql, demo_township):
    """Regression: a township account's 总览 was titled 「Xx县社区社会组织总览」."""
    county = sql("select county_name from warehouse_info")[0][0]
    town = sql("select name from divisions where division_code = $c", c=demo_township)[0][0]
    assert app("views/overview.py", user="town").title[0].value == f"{county}{town}社区社会组织总览"
    # A county account keeps the county's title, also with a township picked in the sidebar.
    picked = app("views/overview.py", township=demo_township)
    assert picked.title[0].value == f"{county}社区社会组织总览"


@pytest.mark.parametrize(
    ("page", "caption"),
    [("views/overview.py", lambda at: at.caption[0].value), ("views/screen.py", None)],
)
def test_no_import_batch_id_for_leaders_but_a_hidden_build_marker(app, sql, page, caption):
    """Regression: 大屏 and 总览 showed 「导入批次 20261205T074618654-597620」. They say when the
    data ends and the day it came in; the batch id stays in an invisible data-build attribute that
    tests/test_workers.py waits for."""
    run_id, as_of, built = sql("select etl_run_id, as_of_date, built_at from warehouse_info")[0]
    at = app(page, user="leader")
    text = page_text(at)
    assert "导入批次" not in text and run_id not in text
    day = built.astimezone().date() if isinstance(built, dt.datetime) else built
    stamp = f"数据截止{as_of.year}年{as_of.month}月{as_of.day}日，{day.year}年{day.month}月{day.day}日导入"
    assert stamp in text
    markers = [h.proto.body for h in at.html if "data-build" in h.proto.body]
    assert len(markers) == 1 and f"data-build='{run_id}'" in markers[0]
    assert re.search(r"<span hidden data-build=", markers[0])


def run_sql(app, text: str):  # type: ignore[no-untyped-def]
    at = app("views/sql.py", user="analyst")
    at.text_area(key="sql_text").input(text).run()
    at.button(key="sql_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize(
    ("text", "says", "engine"),
    [
        ("select * from no_such_table", "没有名为“no_such_table”的表", "Catalog Error"),
        ("selec 1", "SQL 语法有误：在“selec”附近", "Parser Error"),
        (
            "select no_such_column from organizations",
            "没有名为“no_such_column”的列",
            "Binder Error",
        ),
    ],
)
def test_sql_errors_read_in_chinese_with_the_engine_text_folded(app, text, says, engine):
    """Regression: the 查询 page's errors ended in DuckDB's English (「Catalog Error: …」)."""
    at = run_sql(app, text)
    [error] = at.error
    shown = error.value.replace("\\", "")  # as read: Markdown escapes (dashboard.safe.md) off
    assert says in shown, shown
    assert engine not in shown and not DOMINATED_BY_ENGLISH.search(shown), shown
    assert CJK.search(shown)
    [fold] = [e for e in at.expander if e.label == "数据库原始报错（英文）"]
    assert any(engine in c.value for c in fold.code)
