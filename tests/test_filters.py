"""The shared sidebar filters: from the URL, back into the URL, and held across pages."""

from __future__ import annotations

import duckdb


def _towns(db) -> list[str]:  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            r[0]
            for r in con.sql(
                "select division_code from divisions where level = 'township' order by 1"
            ).fetchall()
        ]
    finally:
        con.close()


def test_a_shared_link_opens_the_same_view(app, demo_db):
    town = _towns(demo_db)[3]
    at = app(year="2024", township=town, area="rural", field="charity,mediation")
    assert at.sidebar.selectbox(key="f_year").value == 2024
    assert at.sidebar.selectbox(key="f_township").value == town
    assert at.sidebar.radio(key="f_area").value == "rural"
    assert at.sidebar.multiselect(key="f_field").value == ["charity", "mediation"]


def test_widget_changes_are_written_to_the_url(app, demo_db):
    town = _towns(demo_db)[0]
    at = app()
    at.sidebar.selectbox(key="f_township").set_value(town).run()
    at.sidebar.radio(key="f_area").set_value("urban").run()
    assert at.query_params["township"] == town
    assert at.query_params["area"] == "urban"
    assert "field" not in at.query_params  # all fields: nothing to say


def test_filters_hold_across_pages(app, demo_db):
    town = _towns(demo_db)[1]
    at = app()
    at.sidebar.selectbox(key="f_township").set_value(town).run()
    at.switch_page("views/funding.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="f_township").value == town
    at.switch_page("views/overview.py").run()
    assert at.sidebar.selectbox(key="f_township").value == town


def test_a_link_inside_the_app_changes_the_filter(app, demo_db):
    first, second = _towns(demo_db)[:2]
    at = app(township=first)
    at.query_params["township"] = second  # what nav.link(..., township=second) does
    at.run()
    assert at.sidebar.selectbox(key="f_township").value == second


def test_nonsense_in_the_url_falls_back_to_defaults(app):
    at = app(year="1888", township="<script>", area="moon", field="nothing")
    assert at.sidebar.selectbox(key="f_township").value == "all"
    assert at.sidebar.radio(key="f_area").value == "all"
    assert at.sidebar.multiselect(key="f_field").value == []


def test_pickers_never_show_two_options_alike():
    # Streamlit 1.67 keeps a selectbox's choice by its label: two townships both called 城关镇
    # (one per county in a province) made the choice jump to the other one on the next rerun.
    from dashboard.formats import unique_labels

    labels = unique_labels(
        ["340129001000", "340130001000", "340129100000"], ["城关镇", "城关镇", "和集镇"]
    )
    assert labels == {
        "340129001000": "城关镇（340129001000）",
        "340130001000": "城关镇（340130001000）",
        "340129100000": "和集镇",
    }
    assert len(set(labels.values())) == 3
