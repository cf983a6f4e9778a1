"""The meeting harness of `make bench` (perf/meeting.py) still measures: two websocket sessions open
the 总览 at once on a real server. What it measures is never asserted, only that it measured."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_meeting_harness_returns_both_sessions_figures(
    demo_db: Path, users_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from access import accounts, sessions
    from perf import meeting

    monkeypatch.setenv("ORGDASH_USERS", str(users_file))  # the server's accounts and secret
    token = sessions.issue(accounts.load(users_file)["admin"], path=users_file)
    with meeting.serve(demo_db, workers=1) as server:
        opened = meeting.open_at_once(server, token, 2)
    assert len(opened) == 2
    assert len({o.session_id for o in opened}) == 2, opened
    for o in opened:
        assert not o.error, o
        assert o.finished, o  # script_finished seen, finished successfully
        assert o.page == "总览", o  # the default page, signed in (not the sign-in form)
        assert o.messages_s is not None and o.messages_s > 0, o
        assert o.script_s is not None and o.script_s > 0, o  # the server's own log, matched
        assert o.runs == 1, o
