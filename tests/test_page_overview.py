"""总览 page on the demo warehouse."""

from __future__ import annotations


def test_headline_figures_as_the_speech_states_them(app):
    at = app()
    values = {m.label: m.value for m in at.metric}
    assert values["登记备案社区社会组织"] == "2,216家"
    assert values["登记"] == "156家"
    assert values["备案"] == "2,060家"
    assert values["城市社区社会组织"] == "1,030家"
    assert values["农村社区社会组织"] == "1,186家"
