"""The phone view: narrow-screen CSS for every page, and what pages change for a phone.

Streamlit 1.67 tells the server nothing about the viewport (st.context has headers, cookies,
theme, locale, timezone, url, ip_address, is_embedded: no width). So there are two mechanisms:

- Layout (tiles two to a row, smaller headings, no Plotly toolbar) is CSS under a width query: it
  follows the real screen, whatever the device claims.
- What the server must decide (which table columns to send, the map's zoom and its touch
  gestures, chart legends) follows is_phone(): `?m=1` / `?m=0` in the URL when given (kept for the
  session, since page switches drop unknown parameters), else a User-Agent containing "Mobile"
  (iPhone, Android phones, WeCom and DingTalk on phones; iPads and Android tablets do not say
  "Mobile" and get the desktop tables, which fit them).
- A page as narrow as a phone's whose browser does not say "Mobile" (a desktop browser made narrow,
  a phone browser asking for the desktop site, a tablet held upright with the sidebar open) would
  get the desktop charts and map at phone width: the comparison's titles on top of each other, the
  county cut at both sides (issue 20). follow_width() has the browser reload it once with ?m=1.
  The narrow-screen CSS, likewise, follows the width of the main area (a container query), not the
  window's.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from dashboard.widgets import LONG_EMS, SHORT_EMS

PARAM = "m"
_STATE = "_phone"
NARROW = 640  # px; Streamlit itself stacks columns below this width
MAP_HEIGHT = 420  # px: leaves a third of an 844 px phone screen to scroll the page by
MAP_WIDTH = 360  # px: the map's width on a 390 px phone, for the initial zoom
MAP_ROW = 600  # px: 地图's map and legend side by side from this width of their row, else stacked

# Every rule is scoped to narrow screens, except the map's touch rule (phones only, see apply())
# and the tiles' values, which shrink to fit their tile at any width.
_FIT = "\n".join(
    f'[class*="st-key-tile_ems{n}_"] [data-testid="stMetricValue"] > div '
    f"{{ font-size: min(2.25rem, {100 / (n + 0.4):.1f}cqi); }}"
    for n in range(SHORT_EMS + 1, LONG_EMS + 1)
)
CSS = f"""
<style>
/* A tile's value fits its tile: six to a row on a laptop are 110 px wide, and a province's
   15,133家 or 156.75万人次 ended in "…". Values up to {SHORT_EMS} em (2,216家) take at most 2.25rem
   and 100 / {SHORT_EMS + 0.4} of the tile's width; longer ones carry their length in em in a key
   (widgets.fit_class) and a rule of their own. The container is the tile's inner box (Streamlit
   1.67 pads it inside stMetric): its width is the value's. */
[data-testid="stMetric"] > div {{ container: orgdash-tile / inline-size; }}
[data-testid="stMetricValue"] > div {{ font-size: min(2.25rem, {100 / (SHORT_EMS + 0.4):.1f}cqi); }}
{_FIT}
/* Six tiles a row in a main area under 900 px (a 1,024 px window with the sidebar open) would take
   11 px values: three a row there. Not on a phone's width, where the narrow rules put two a row
   (this selector is the more specific: it must not apply there). */
@container orgdash-main (min-width: {NARROW + 1}px) and (max-width: 900px) {{
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(6) [data-testid="stMetric"])
    > [data-testid="stColumn"] {{
    min-width: calc(33% - 1rem) !important;
    flex: 1 1 calc(33% - 1rem) !important;
  }}
}}
/* The narrow rules follow the width of the main area, not the window's: a tablet held upright with
   the sidebar open leaves the page a phone's width. */
[data-testid="stMain"] {{ container: orgdash-main / inline-size; }}
@container orgdash-main (max-width: {NARROW}px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 3.5rem 0.75rem 4rem 0.75rem; }}
  [data-testid="stMain"] h1 {{ font-size: 1.55rem; line-height: 1.3; padding-top: 0.25rem; }}
  [data-testid="stMain"] h2 {{ font-size: 1.3rem; }}
  [data-testid="stMain"] h3 {{ font-size: 1.12rem; }}
  /* Columns one under another, as Streamlit stacks them in a window below 640 px: here in a main
     area below it too (a tablet with the sidebar open), where three lists side by side end in "…".
     The tiles and download buttons below keep their own rows (their rules are more specific). */
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{ min-width: 100% !important; }}
  /* Metric tiles two to a row instead of one per screen width: a leader compares them. */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
    > [data-testid="stColumn"] {{
    min-width: calc(50% - 0.5rem) !important;
    flex: 1 1 calc(50% - 0.5rem) !important;
  }}
  [data-testid="stMetric"] {{ padding: 0.3rem 0.6rem !important; }}
  [data-testid="stMetric"] > div {{ padding: 0.2rem 0 !important; }}
  [data-testid="stMetricValue"] > div {{ font-size: 1.45rem; }}
  [data-testid="stMetricLabel"] p {{ font-size: 0.8rem; }}
  [data-testid="stMetricDelta"] {{ font-size: 0.72rem; }}
  /* Labels and deltas wrap instead of ending in "…": 比上年 +0.7个百分点 must be read whole. */
  [data-testid="stMetric"] .stMarkdownEllipsis,
  [data-testid="stMetric"] .stMarkdownEllipsis p {{
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  }}
  /* The two download buttons under a table stay side by side. */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stDownloadButton"])
    > [data-testid="stColumn"] {{
    min-width: 0 !important; flex: 0 0 auto !important; width: auto !important;
  }}
  [data-testid="stMain"] [data-testid="stBaseButton-tertiary"] {{ min-height: 2rem; }}
  /* A table's toolbar (search, full screen) is always shown on a touch screen, 44 px above the
     table and so over the end of what comes before it (a chart's last year): room for it. */
  [data-testid="stElementContainer"]:has([data-testid="stElementToolbar"]) {{ margin-top: 1.75rem; }}
  /* Plotly's toolbar lies over chart titles on a narrow chart; touch users pinch instead. */
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none !important; }}
  /* Long Chinese captions and links wrap instead of widening the page. */
  [data-testid="stMain"] p, [data-testid="stMain"] li {{ overflow-wrap: anywhere; }}
}}
/* 地图's legend goes under the map when their row is narrower than MAP_ROW px (a tablet upright
   with the sidebar open): the map keeps the width its zoom was chosen for (views/map.py). */
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] :is(.st-key-map_deck, .st-key-map_deck_province)) {{
  container: orgdash-map-row / inline-size; flex-wrap: wrap;
}}
@container orgdash-map-row (max-width: {MAP_ROW - 1}px) {{
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
    min-width: 100% !important; flex: 1 1 100% !important;
  }}
}}
</style>
"""
# deck.gl (in Streamlit 1.67) puts an inline `touch-action: none` on the div around its canvas, so a
# finger on the map never scrolls the page. pan-y on the chart and everything in it hands vertical
# one-finger swipes back to the browser (the page scrolls past the map); pinches still reach
# deck.gl (zoom and move), taps still pick a community.
PHONE_CSS = """
<style>
[data-testid="stDeckGlJsonChart"], [data-testid="stDeckGlJsonChart"] * {
  touch-action: pan-y !important;
}
</style>
"""


def is_phone() -> bool:
    """True for a phone: ?m=1 (or ?m=0 for no) when given, else the browser's User-Agent."""
    state = st.session_state
    forced = st.query_params.get(PARAM)
    if forced in ("0", "1"):
        state[_STATE] = forced == "1"
    if _STATE in state:
        return bool(state[_STATE])
    agent = st.context.headers.get("User-Agent") or ""
    return "Mobile" in agent


def apply() -> None:
    """Narrow-screen CSS on every page (a style-only st.html takes no space in the page)."""
    st.html(CSS + (PHONE_CSS if is_phone() else ""))


# Run by the browser (Streamlit 1.67 runs an st.html script in the page itself, as the sign-in
# cookie's): no ?m= yet and the page's main area (the window less an open sidebar) no wider than
# NARROW, so reload once as a phone. The delay lets the sign-in cookie's script, drawn before it in
# the sidebar, run first.
SWITCH = f"""<script>
(() => {{
  const url = new URL(window.location.href);
  const main = document.querySelector('[data-testid="stMain"]');
  const width = Math.min(window.innerWidth, main ? main.clientWidth : window.innerWidth);
  if (width <= {NARROW} && !url.searchParams.has("{PARAM}")) {{
    url.searchParams.set("{PARAM}", "1");
    setTimeout(() => window.location.replace(url.href), 300);
  }}
}})();
</script>"""


def follow_width() -> None:
    """A desktop session (no "Mobile", no ?m= chosen) whose page is as narrow as a phone's turns into
    a phone session. Only the browser knows the width, so it reloads the page with ?m=1. The script
    goes to the sidebar: an st.html with a script is an element, and in the main block it would
    push the page down by a gap."""
    if not is_phone() and _STATE not in st.session_state:
        st.sidebar.html(SWITCH, unsafe_allow_javascript=True, width="content")


def keep(columns: Sequence[str], key: Sequence[str]) -> list[str] | None:
    """st.dataframe's column_order: on a phone only the key columns (in the table's order), else
    all. The frame keeps every column, so a row's id can still be read after a selection."""
    if not is_phone():
        return None
    missing = [c for c in key if c not in columns]
    if missing:
        raise KeyError(f"no such columns: {missing}")
    return [c for c in columns if c in key]


def fit(fig: go.Figure) -> go.Figure:
    """A chart for a phone: legend left under the title (at the right it lies on a long title),
    room on the right for bar labels, a smaller title. Unchanged elsewhere."""
    if not is_phone():
        return fig
    legend = sum(1 for t in fig.data if t.showlegend is not False) > 1
    fig.update_layout(
        title_font_size=15,
        margin={"l": 6, "r": 34, "t": 72 if legend else 40, "b": 6},
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": 12},
        },
    )
    return fig
