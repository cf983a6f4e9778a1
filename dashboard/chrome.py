"""What every page gets around it, called once per run from app.py: the phone CSS and short links."""

from __future__ import annotations

from streamlit.navigation.page import StreamlitPage

from dashboard import mobile, nav, printing, share


def before_page(page: StreamlitPage) -> None:
    """After the sidebar filters, before the page: narrow-screen CSS, ?v=<code>, 分享链接, and on
    pages with the filters the 导出PDF button and the print heading."""
    mobile.apply()
    mobile.follow_width()  # a narrow window that did not say "Mobile" reloads as a phone
    share.open_link()  # may switch page (through nav.go, so the page's own checks apply)
    share.control(page)
    spec = nav.BY_KEY[share.current_page_key(page)]
    if spec.filters and spec.key != "screen":  # the wall screen has no sidebar and is not printed
        printing.control(spec.title)
