"""What a person sees when something a page did not expect goes wrong: a Chinese message with an
incident number, never a traceback or a server path; the details go to the server's log and the
audit log, where the admin finds them by that number."""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from access import audit

LOG = logging.getLogger("orgdash")
# The test suite sets this (tests/conftest.py) so that a page's crash still fails the test that
# caused it, as it did before pages were guarded; tests of the guard itself turn it off.
RAISE = False


def unexpected(exc: BaseException, where: str, user: str | None) -> str:
    """Log the failure with a fresh incident number, show the person a Chinese message; returns
    the number."""
    incident = secrets.token_hex(4)
    LOG.error("incident %s on %s (%s)", incident, where, user or "-", exc_info=exc)
    try:
        audit.record("page_error", user, page=where, incident=incident, error=type(exc).__name__)
    except Exception:  # the audit log itself may be the failure (a full disk)
        LOG.exception("incident %s could not be audited", incident)
    st.error(
        f"页面出现意外错误，已记录（编号 {incident}）。请刷新页面后重试；"
        "如仍出错，请把编号告诉管理员。"
    )
    if RAISE:
        raise exc
    return incident
