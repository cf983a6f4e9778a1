"""查询 page on the demo warehouse: examples run, counts shown, refusals in Chinese, the schema browser."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

import queries
from dashboard.charts import sql as charts

PAGE = "views/sql.py"
AS_OF = dt.date(2025, 12, 31)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame_with(at, *columns: str) -> pl.DataFrame:
    return next(
        pl.from_pandas(d.value) for d in at.dataframe if set(columns) <= set(d.value.columns)
    )


def picker(at, label: str):
    """A quick-chart picker (its key changes with every result)."""
    return next(s for s in at.selectbox if s.label == label)


def run(at, text: str | None = None):
    if text is not None:
        at.text_area(key="sql_text").input(text).run()
    at.button(key="sql_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_page_opens_with_an_example_and_the_schema_browser(app, sql):
    at = app(PAGE)
    assert at.text_area(key="sql_text").value.startswith("-- title: 未达到国家标准的社区")
    assert any("点“运行”" in i.value for i in at.info)

    tables = frame_with(at, "名称", "中文名")
    labels = dict(zip(tables["名称"], tables["中文名"], strict=True))
    assert labels["organizations"] == "社会组织名录"
    assert labels["grants"] == "资金安排"
    assert labels["organizations_active"].startswith("数据截止日现有的社会组织")
    expected = {
        r[0]
        for r in sql(
            "select table_name from duckdb_tables() where not internal"
            " and not starts_with(table_name, 'lookup_')"
            " union select view_name from duckdb_views() where not internal"
        )
    }
    assert set(labels) == expected

    at.selectbox(key="sql_schema_table").set_value("organizations").run()
    fields = frame_with(at, "字段", "中文", "类型")
    comments = dict(
        sql("select column_name, comment from duckdb_columns() where table_name = 'organizations'")
    )
    assert dict(zip(fields["字段"], fields["中文"], strict=True)) == comments
    assert comments["org_id"] == "组织编号"

    at.selectbox(key="sql_lookup").set_value("lookup_field").run()
    codes = frame_with(at, "代码", "中文")
    assert codes.rows() == sql("select code, label from lookup_field order by sort_order")
    assert ("resident_services", "为民服务") in codes.rows()

    macros = frame_with(at, "宏", "参数", "说明")
    assert "community_density" in macros["宏"].to_list()


def test_running_the_first_example_shows_the_count_and_a_map(app, sql):
    at = run(app(PAGE))
    below = sql(
        """
        select d.division_code from divisions d
        left join organizations o on o.community_code = d.division_code
         and o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
        where d.level = 'community'
        group by d.division_code, d.area_type
        having count(o.org_id) < case d.area_type when 'urban' then 10 else 5 end
        """,
        d=AS_OF,
    )
    m = metrics(at)
    assert m["结果行数"] == f"{len(below)}行" == "6行"
    assert m["显示行数"] == "6行" and m["用时"].endswith("秒")
    table = frame_with(at, "乡镇", "社区", "差距")
    assert sorted(table["division_code"]) == sorted(r[0] for r in below)

    # The result names divisions: the quick chart is a map of them, coloured by 组织数.
    assert picker(at, "图表").value == "map"
    assert picker(at, "数值").value == "组织数"
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer = deck["layers"][0]
    assert layer["id"] == charts.MAP_LAYER
    codes = {f["properties"]["code"] for f in layer["data"]["features"]}
    assert codes == {r[0] for r in below}
    outlines, labels = deck["layers"][1:3]
    assert len(outlines["data"]["features"]) == 12  # the townships, for orientation
    assert {t["name"] for t in labels["data"]} == {
        r[0] for r in sql("select name from divisions where level = 'township'")
    }
    assert deck["mapStyle"] == "__MAP_STYLE__"  # no basemap: nothing fetched from outside


def test_another_example_draws_a_line_over_the_years(app, sql):
    at = app(PAGE)
    at.selectbox(key="sql_example").set_value("07_new_and_dissolved").run()
    assert at.text_area(key="sql_text").value.startswith("-- title: 历年新成立与注销")
    run(at)
    per_year = sql(
        "select year(established_on), count(*) from organizations"
        " where established_on <= $d group by 1 order by 1",
        d=AS_OF,
    )
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    trace = spec["data"][0]
    assert trace["type"] == "scatter" and trace["mode"] == "lines+markers"
    assert trace["x"] == [str(y) for y, _ in per_year]
    assert trace["y"] == [n for _, n in per_year]
    assert spec["layout"]["xaxis"]["title"]["text"] == "年度"
    assert metrics(at)["结果行数"] == f"{len(per_year)}行"

    # Bars instead, over another column.
    picker(at, "图表").set_value("bar").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["type"] == "bar"


def test_a_refused_statement_shows_the_chinese_error(app, demo_db):
    at = run(app(PAGE), "select 1; drop table organizations")
    errors = [e.value for e in at.error]
    assert errors and "查询只能读取数据仓库，不能写入或访问外部文件" in errors[0]
    assert "DROP" in errors[0]
    assert not at.metric  # no result shown
    # Reading a file outside the warehouse is refused the same way.
    at = run(at, "select * from read_csv('/etc/passwd')")
    assert "不能访问 /etc/passwd" in at.error[0].value


def test_a_runaway_query_stops_at_the_configured_limit(app, monkeypatch):
    monkeypatch.setenv("ORGDASH_SQL_TIMEOUT", "1")
    at = app(PAGE)
    assert "每次最多运行 1 秒" in at.caption[0].value
    run(at, "select count(*) from range(1000000000000)")
    assert "超过了 1 秒的时间上限" in at.error[0].value


def test_a_big_result_shows_the_first_10000_rows_and_the_total(app):
    at = run(app(PAGE), "select n, n % 7 as k from range(12345) t(n)")
    m = metrics(at)
    assert m["结果行数"] == "12,345行" and m["显示行数"] == "10,000行"
    assert any("只显示并下载前 10,000 行" in c.value for c in at.caption)
    assert frame_with(at, "n", "k").height == 10_000
    # Edited afterwards: the page says the result is from the previous SQL.
    at.text_area(key="sql_text").input("select 2").run()
    assert any("上次运行的结果" in c.value for c in at.caption)


def test_a_statement_without_rows_and_an_empty_result(app):
    at = run(app(PAGE), "create temp table t as select 1 as x")
    assert "没有返回数据" in at.success[0].value
    at = run(at, "select * from organizations where false")
    assert metrics(at)["结果行数"] == "0行"
    assert any("没有返回任何行" in i.value for i in at.info)


def test_hostile_filter_values_are_just_text(app, demo_db):
    # The shared filters only take values they offer; a hostile link falls back to the defaults.
    # (The SQL page itself has no sidebar filters: they are checked on the page the link opens.)
    long = "x" * 5000
    at = app(
        "views/overview.py",
        year="2025' or '1'='1",
        township="340129001000' or '1'='1",
        area="%",
        field=f"charity,%,_,{long}",
    )
    assert at.sidebar.selectbox(key="f_year").value == 2025
    assert at.sidebar.selectbox(key="f_township").value == "all"
    assert at.sidebar.radio(key="f_area").value == "all"
    assert at.sidebar.multiselect(key="f_field").value == ["charity"]
    # And named queries bind such values as text: no rows match, nothing breaks.
    for text in ["' or '1'='1", "%", "_", "340129001000%", long]:
        frame = queries.run("community/communities", demo_db, township=text, area=text)
        assert frame.is_empty(), text


# ---------------------------------------------------------------- chart builders


def test_suggest_picks_a_map_a_line_or_bars():
    assert charts.suggest(pl.DataFrame({"division_code": ["1"], "n": [3]})) == charts.Plan(
        "map", "division_code", "n"
    )
    assert charts.suggest(pl.DataFrame({"年度": [2024, 2025], "n": [3, 4]})) == charts.Plan(
        "line", "年度", "n"
    )
    assert charts.suggest(
        pl.DataFrame({"d": [dt.date(2025, 1, 1)], "org_id": ["a"], "x": [1.5]})
    ) == charts.Plan("line", "d", "x")
    assert charts.suggest(pl.DataFrame({"乡镇": ["甲", "乙"], "排名": [1, 2]})).kind == "bar"
    assert charts.suggest(pl.DataFrame({"乡镇": ["甲"]})).kind == "none"
    assert charts.suggest(pl.DataFrame({"n": []}, schema={"n": pl.Int64})).kind == "none"


def test_bar_and_line_builders():
    frame = pl.DataFrame({"乡镇": [f"镇{i}" for i in range(50)], "组织数": list(range(50))})
    fig = charts.bar(frame, "乡镇", "组织数")
    assert len(fig.data[0].x) == charts.MAX_BARS
    assert fig.layout.title.text == f"组织数（按乡镇）（前{charts.MAX_BARS}行，共50行）"
    assert fig.layout.xaxis.title.text == "乡镇"
    fig = charts.line(pl.DataFrame({"年度": [2025, 2023, 2024], "n": [3, 1, 2]}), "年度", "n")
    assert list(fig.data[0].x) == ["2023", "2024", "2025"] and list(fig.data[0].y) == [1, 2, 3]


def test_deck_builder_colours_the_named_divisions():
    square = json.dumps(
        {"type": "Polygon", "coordinates": [[[117, 31], [117.1, 31], [117.1, 31.1], [117, 31]]]}
    )
    boundaries = pl.DataFrame(
        {
            "division_code": ["a", "b", "c"],
            "name": ["甲社区", "乙镇", "丙社区"],
            "level": ["community", "township", "community"],
            "geojson": [square] * 3,
        }
    )
    frame = pl.DataFrame({"division_code": ["a", "b", "c", "a"], "n": [1.0, 5.0, None, 9.0]})
    townships = pl.DataFrame(
        {"township_code": ["b"], "township_name": ["乙镇"], "geojson": [square]}
    )
    deck, legend = charts.deck(frame, boundaries, "n", townships)
    spec = json.loads(deck.to_json())
    assert [layer["id"] for layer in spec["layers"]] == [
        charts.MAP_LAYER,
        charts.OUTLINE_LAYER,
        charts.LABEL_LAYER,
    ]
    features = spec["layers"][0]["data"]["features"]
    assert [f["properties"]["code"] for f in features] == ["b", "a", "c"]  # townships under
    assert features[1]["properties"]["l1"] == "n：1"  # a code's first row counts
    assert features[2]["properties"]["l1"] == "n：无数据"
    assert legend["range"].to_list()[-1] == "无数据"
    assert spec.get("mapProvider") is None
