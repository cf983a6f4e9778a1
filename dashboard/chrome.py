"""What every page gets around it, called once per run from app.py: the phone CSS and short links."""

from __future__ import annotations

from streamlit.navigation.page import StreamlitPage

from dashboard import mobile, share


def before_page(page: StreamlitPage) -> None:
    """After the sidebar filters, before the page: narrow-screen CSS, ?v=<code>, 分享链接."""
    mobile.apply()
    share.open_link()  # may switch page (through nav.go, so the page's own checks apply)
    share.control(page)
