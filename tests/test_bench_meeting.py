"""The meeting harness of `make bench` (perf/meeting.py) still measures: two websocket sessions open
the 总览 at once on a real server. What it measures is never asserted, only that it measured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def served(demo_db: Path, users_file: Path) -> Iterator[tuple[Any, str]]:
    """One server for the module's meetings (a server's start is most of each test), and the
    admin's sign-in token."""
    from access import accounts, sessions
    from perf import meeting

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ORGDASH_USERS", str(users_file))  # the server's accounts and secret
        token = sessions.issue(accounts.load(users_file)["admin"], path=users_file)
        with meeting.serve(demo_db, workers=1) as server:
            yield server, token


def test_meeting_harness_returns_both_sessions_figures(served: tuple[Any, str]) -> None:
    from perf import meeting

    server, token = served
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


def test_a_browser_takes_part_in_the_meeting(served: tuple[Any, str]) -> None:
    """The drawn figure: a real Chromium clicks 总览 while a protocol session opens it; its time
    runs to the drawn page (both charts), and the other session's figures are there as before."""
    from perf import meeting

    assert meeting.browser_available() is None  # CI installs chromium: the figure must be made
    server, token = served
    browser = meeting.Participant(server, token)
    try:
        browser.away()
        # Between meetings the "drawn" condition is false: it cannot be met by the page the
        # browser waits on, only by the 总览 drawn anew.
        assert not browser.tab.evaluate(meeting.DRAWN)
        opened, drawn = meeting.meeting_with_browser(server, token, 2, browser)
        back = browser.tab.evaluate(meeting.AWAY_DONE), browser.tab.evaluate(meeting.DRAWN)
    finally:
        browser.close()
    assert len(opened) == 1 and opened[0].finished and opened[0].page == "总览", opened
    assert drawn > 0
    assert back == (True, False)  # back on the waiting page for the next meeting
