"""The meeting-room screen's parts: its dark look, its tables and its map (used by views/screen.py).

Streamlit's theme is global (set_page_config has no theme in 1.67, and .streamlit/config.toml is
light), so the dark look is CSS sent by the screen page only, scoped by the page's own container
key (`st-key-screen`) where it can be, plus the page chrome it hides. Plotly charts get a dark
layout of their own and are drawn with theme=None (Streamlit's chart theme would repaint them
light); the deck has no basemap, so its transparent canvas shows the dark page under the polygons.
"""

from __future__ import annotations

import datetime as dt
import os
from html import escape

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk

from dashboard import decks
from dashboard import formats as fmt
from queries.indicators import catalogue
from reports.palette import FONT

KEY = "screen"  # the page's container key: Streamlit gives it the class st-key-screen
# How often the screen asks whether a new build has arrived (seconds); tests make it short.
POLL_SECONDS = float(os.environ.get("ORGDASH_SCREEN_POLL", "30"))
LEAGUE_ROWS = 12  # townships in the league table; more would not fit 1080 pixels
ATTENTION_ROWS = 5  # entries per attention list; the count says how many there are in all
MAP_SIZE = (600, 700)  # the map's width and height on a 1920 x 1080 screen, for its zoom
MAP_SIZE_WITH_TARGETS = (600, 470)  # with the 年度目标 box under it (TARGET_ROWS lines)
PHONE_MAP_SIZE = (360, 420)  # as mobile.MAP_WIDTH and MAP_HEIGHT: the map on a phone

BG, PANEL, LINE = "#0b1726", "#11233a", "#1f3a5c"
TEXT, MUTED, ACCENT = "#e8eef6", "#8fa6bf", "#ff6b5a"

# Sizes are for the 1920 x 1080 screen the layout is drawn for; css() zooms the whole of it down to
# a smaller window (WALL_CSS) or sets a phone's sizes (PHONE_CSS).
CSS = f"""
<style>
/* No sidebar, header, toolbar or status widget: a screen nobody touches. */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stElementToolbar"] {{ display: none !important; }}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background: {BG} !important; color: {TEXT};
}}
[data-testid="stMainBlockContainer"] {{
  padding: 14px 28px 0 28px !important; max-width: none !important;
}}
.st-key-{KEY} {{ gap: 12px !important; color: {TEXT}; }}
.st-key-{KEY} [data-testid="stVerticalBlock"] {{ gap: 10px; }}
.st-key-{KEY} h1 {{
  color: {TEXT}; font-size: 38px; font-weight: 700; padding: 0;
  letter-spacing: 2px;
}}
.st-key-{KEY} p, .st-key-{KEY} li {{ color: {TEXT}; }}
.st-key-{KEY} [data-testid="stCaptionContainer"], .st-key-{KEY} [data-testid="stCaptionContainer"] p
  {{ color: {MUTED}; font-size: 18px; }}
.st-key-screen_stamp p {{ text-align: right; }}
.st-key-{KEY} [data-testid="stMetric"] {{
  background: {PANEL}; border-color: {LINE} !important; padding: 10px 18px !important;
}}
.st-key-{KEY} [data-testid="stMetricLabel"] p {{ color: {MUTED}; font-size: 19px; }}
.st-key-{KEY} [data-testid="stMetricValue"] > div {{
  color: #ffffff; font-size: 46px; font-weight: 700; line-height: 1.15;
}}
/* Figures are never cut to "2,21…": the value takes the tile's width and overflows rather than
   ending in an ellipsis. */
.st-key-{KEY} [data-testid="stMetricValue"] {{ width: 100%; }}
.st-key-{KEY} [data-testid="stMetric"] .stMarkdownEllipsis {{
  overflow: visible !important; text-overflow: clip !important;
}}
.st-key-{KEY} [data-testid="stMetricDelta"] {{ font-size: 15px; padding: 2px 8px; }}
.st-key-{KEY} [data-testid="stMetricDelta"] > div {{ overflow: visible; text-overflow: clip; }}
/* The delta pill keeps Streamlit's own green or red on its light ground. */
.st-key-{KEY} [data-testid="stMetricDelta"] p {{ color: inherit; }}
.st-key-{KEY} [data-testid="stMetricLabel"] [data-testid="stTooltipHoverTarget"] {{ display: none; }}
.st-key-{KEY} h3 {{ color: {TEXT}; font-size: 24px; padding: 2px 0 4px 0; }}
/* The league table (st.table is HTML, so unlike st.dataframe's canvas it takes CSS). */
.st-key-{KEY} [data-testid="stTable"] table {{
  background: {PANEL}; color: {TEXT}; font-size: 19px;
}}
.st-key-{KEY} [data-testid="stTable"] th {{
  background: #16304f; color: {MUTED}; font-size: 17px; font-weight: 600;
}}
.st-key-{KEY} [data-testid="stTable"] th, .st-key-{KEY} [data-testid="stTable"] td {{
  border-color: {LINE} !important; padding: 5px 5px; white-space: nowrap;
}}
.st-key-{KEY} [data-testid="stTable"] > div {{ border-color: {LINE} !important; }}
/* A header's words stay on one line (Streamlit 1.67 puts each th's text in a markdown paragraph, which
   wraps though the th is nowrap), so the league
   keeps its height with a 目标 column added. */
.st-key-{KEY} [data-testid="stTable"] th p {{ white-space: nowrap; }}
.scr-box {{
  background: {PANEL}; border: 1px solid {LINE}; border-radius: 8px; padding: 10px 16px 8px;
  margin-bottom: 10px;
}}
.scr-box h4 {{ color: {TEXT}; font-size: 20px; margin: 0 0 6px 0; padding: 0; }}
.scr-box h4 b {{ color: {ACCENT}; font-size: 1.2em; margin: 0 2px; }}
.scr-item {{
  color: {TEXT}; font-size: 17px; line-height: 1.75; white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}}
.scr-item span {{ color: {MUTED}; }}
.scr-more, .scr-none {{ color: {MUTED}; font-size: 15px; }}
/* A panel's last line about something else (attention_box footer: the 资格核查 line). */
.scr-foot {{ border-top: 1px solid {LINE}; margin-top: 2px; white-space: normal; font-size: 15px;
  line-height: 1.45; }}
.scr-foot b {{ color: {ACCENT}; margin: 0 2px; }}
.scr-legend {{ display: flex; flex-wrap: wrap; gap: 6px 16px; color: {MUTED};
  font-size: 15px; }}
.scr-legend i {{
  display: inline-block; width: 18px; height: 12px; margin-right: 5px; border: 1px solid {LINE};
}}
</style>
"""

# A wall smaller than 1920 x 1080 (a 1440 x 900 or 1366 x 768 projector, a browser window with its
# bars) sees the same screen zoomed down, the largest ZOOMS step at which 1920 x 1080 fits: CSS
# `zoom` (Chromium 128+ standard) lays the page out at 1920 wide and draws it smaller, so nothing
# wraps, is cut or needs scrolling, and the deck (drawn at its own size, MAP_SIZE) still fits the
# county. Not Plotly: under zoom its width and text measures come out zoomed twice (Streamlit 1.67
# sizes it from getBoundingClientRect), so the chart is zoomed back to 1 and drawn at its own size.
DESIGN = (1920, 1080)
NARROW = 640  # px, as mobile.NARROW: no zoom for a window as narrow as a phone
ZOOMS = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5)  # largest first


def _wall_css() -> str:
    rules = [
        f"@media (min-width: {NARROW + 1}px) {{ [data-testid='stMain'] {{ overflow: hidden !important; }} }}"
    ]
    for above, zoom in zip((1.0, *ZOOMS), ZOOMS, strict=False):
        # Wider than a phone, and narrower or lower than the design at the step above.
        w, h = DESIGN[0] * above - 0.02, DESIGN[1] * above - 0.02
        rules.append(
            f"@media (min-width: {NARROW + 1}px) and (max-width: {w:.2f}px), "
            f"(min-width: {NARROW + 1}px) and (max-height: {h:.2f}px) {{ "
            f".st-key-{KEY} {{ zoom: {zoom}; }} "
            f".st-key-{KEY} [data-testid='stPlotlyChart'] {{ zoom: {1 / zoom:.5f}; }} }}"
        )
    return "<style>\n" + "\n".join(rules) + "\n</style>\n"


WALL_CSS = _wall_css()
# A phone (mobile.is_phone) reads the screen as a page: it scrolls, its columns stack, the type is
# a phone's, long lines wrap instead of ending in "…".
PHONE_CSS = f"""
<style>
.st-key-{KEY} h1 {{ font-size: 24px; letter-spacing: 1px; }}
.st-key-{KEY} [data-testid="stCaptionContainer"], .st-key-{KEY} [data-testid="stCaptionContainer"] p
  {{ font-size: 12px; }}
.st-key-screen_stamp p {{ text-align: left; }}
.st-key-{KEY} [data-testid="stMetricLabel"] p {{ font-size: 12px; }}
.st-key-{KEY} [data-testid="stMetricValue"] > div {{ font-size: 22px; }}
.st-key-{KEY} [data-testid="stMetricDelta"] {{ font-size: 11px; }}
.st-key-{KEY} h3 {{ font-size: 16px; }}
.st-key-{KEY} [data-testid="stTable"] table {{ font-size: 12px; }}
.st-key-{KEY} [data-testid="stTable"] th {{ font-size: 11px; }}
.st-key-{KEY} [data-testid="stTable"] th, .st-key-{KEY} [data-testid="stTable"] td {{
  padding: 4px 4px;
}}
.st-key-{KEY} [data-testid="stTable"] th p {{ white-space: normal; }}
/* 社区数 and 平均每社区 give way, so that eight columns do not squeeze the names onto two lines. */
.st-key-{KEY} [data-testid="stTable"] tr > :nth-child(3),
.st-key-{KEY} [data-testid="stTable"] tr > :nth-child(5) {{ display: none; }}
.scr-box h4 {{ font-size: 14px; }}
.scr-item {{ font-size: 12px; white-space: normal; line-height: 1.5; margin-bottom: 4px; }}
.scr-more, .scr-none, .scr-legend {{ font-size: 11px; }}
</style>
"""


def css(phone: bool) -> str:
    """The screen's look: CSS, and WALL_CSS (one screen, zoomed to the window) or PHONE_CSS."""
    return CSS + (PHONE_CSS if phone else WALL_CSS)


# Display header -> how the value is written; the league is ranked by organisations.
ORGS = catalogue()["count_active"].label  # the measure's one label (queries/indicators.toml)
LEAGUE_HEADERS = (
    "排名",
    "乡镇（街道）",
    "社区数",
    ORGS,
    "平均每社区",
    "未达标社区",
    "年报报送率",
)


def league(
    frame: pl.DataFrame, rows: int = LEAGUE_ROWS, goals: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, int]:
    """The township league (frame: queries/overview/townships) ranked by active organisations, as
    text for st.table, and how many townships were left out below the cut. With goals
    (dashboard.targets.league) a last column 目标 says how many of its targets each met (3/5)."""
    ranked = frame.sort(["count_active", "township_code"], descending=[True, False])
    shown = ranked.head(rows)
    table = pl.DataFrame(
        {
            "排名": [str(i) for i in range(1, shown.height + 1)],
            "乡镇（街道）": shown["township_name"].to_list(),
            "社区数": [str(n) for n in shown["count_communities"].to_list()],
            ORGS: [f"{n:,}" for n in shown["count_active"].to_list()],
            "平均每社区": [
                "—" if v is None else f"{v:.1f}" for v in shown["avg_per_community"].to_list()
            ],
            "未达标社区": [str(n) for n in shown["count_below_floor"].to_list()],
            "年报报送率": [fmt.rate(v) for v in shown["report_submission_rate"].to_list()],
        },
        schema=dict.fromkeys(LEAGUE_HEADERS, pl.String),
    )
    if goals is not None and goals["goals_met"].ne("—").any():
        met = dict(zip(goals["township_code"].to_list(), goals["goals_met"].to_list(), strict=True))
        codes = shown["township_code"].to_list()
        table = table.with_columns(pl.Series("目标", [met.get(c, "—") for c in codes]))
    return table, ranked.height - shown.height


def attention_box(title: str, unit: str, items: list[tuple[str, str]], footer: str = "") -> str:
    """One attention panel as HTML: its title with the count, the first entries, and how many more.

    items: (main text, grey detail) pairs, already in the order the overview lists them.
    footer: a last line of HTML under a rule (footer_line), for a related figure that has no room
    for a panel of its own (1080 pixels hold three panels)."""
    head = f"<h4>{escape(title)}<b>{len(items)}</b>{escape(unit)}</h4>"
    if not items:
        return f"<div class='scr-box'>{head}<div class='scr-none'>无</div>{footer}</div>"
    lines = "".join(
        f"<div class='scr-item'>{escape(main)} <span>{escape(detail)}</span></div>"
        for main, detail in items[:ATTENTION_ROWS]
    )
    more = len(items) - ATTENTION_ROWS
    if more > 0:
        lines += f"<div class='scr-more'>另有{more}{escape(unit)}，详见总览页</div>"
    return f"<div class='scr-box'>{head}{lines}{footer}</div>"


def footer_line(title: str, n: int, unit: str, detail: str) -> str:
    """A panel's footer (attention_box): title, the count in the accent colour, a grey detail —
    the 资格核查 line under the credit lists (信用评价结果作为评先评优的重要依据)."""
    tail = f" <span>{escape(detail)}</span>" if detail else ""
    return f"<div class='scr-item scr-foot'>{escape(title)}<b>{n}</b>{escape(unit)}{tail}</div>"


TARGET_ROWS = 5  # targets in the 年度目标 box (the height of the chart it replaces): unmet first


def targets_box(title: str, items: list[tuple[str, str]], met: int) -> str:
    """The year's targets as a panel like attention_box: its title with how many are met, one
    line per target (dashboard.targets.screen_items), the rest counted."""
    head = f"<h4>{escape(title)}<b>{met}/{len(items)}</b>项达成</h4>"
    lines = "".join(
        f"<div class='scr-item'>{escape(main)} <span>{escape(detail)}</span></div>"
        for main, detail in items[:TARGET_ROWS]
    )
    more = len(items) - TARGET_ROWS
    if more > 0:
        lines += f"<div class='scr-more'>另有{more}项，详见总览页</div>"
    return f"<div class='scr-box'>{head}{lines}</div>"


def data_stamp(info: dict) -> str:
    """「数据截止2025年12月31日，2026年12月5日导入」: what the figures cover and when they came in,
    for leaders (the import batch id is for analysts, on 数据; build_marker keeps it for machines)."""
    built: dt.datetime | None = info.get("built_at")
    imported = f"，{fmt.cn_date(built.astimezone().date())}导入" if built is not None else ""
    return f"数据截止{fmt.cn_date(info['as_of_date'])}{imported}"


def build_marker(run_id: str) -> str:
    """An element nobody sees that names the build a page was drawn from (for st.html): browser
    tests read which build a worker serves from it, as the caption read 「导入批次 …」 before."""
    return f"<span hidden data-build='{escape(run_id)}'></span>"


def legend_html(title: str, legend: pl.DataFrame) -> str:
    """The map's classes in one line under it (frame: decks.legend)."""
    keys = "".join(
        f"<span><i style='background:{r['color']}'></i>{escape(r['range'])}</span>"
        for r in legend.iter_rows(named=True)
    )
    return f"<div class='scr-legend'><span><b>{escape(title)}</b></span>{keys}</div>"


def deck(
    communities: pl.DataFrame,
    townships: pl.DataFrame,
    indicator: str,
    size: tuple[int, int] = MAP_SIZE,
) -> pdk.Deck:
    """The county's choropleth for the dark screen: light names and outlines, and no gestures."""
    return decks.choropleth(
        communities, townships, indicator, view_size=size, controller=False, dark=True
    )


def dark(fig: go.Figure, height: int) -> go.Figure:
    """A chart restyled for the dark screen: transparent background, light text, larger type."""
    fig.update_layout(
        height=height,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": FONT, "size": 16, "color": TEXT},
        title={"font": {"size": 20, "color": TEXT}},
        margin={"l": 100, "r": 50, "t": 36, "b": 6},
    )
    fig.update_xaxes(
        gridcolor=LINE, zerolinecolor=LINE, color=MUTED, title_text=None, showticklabels=False
    )
    fig.update_yaxes(gridcolor=LINE, zerolinecolor=LINE, color=TEXT, automargin=True)
    fig.update_traces(textfont={"color": TEXT, "size": 16}, selector={"type": "bar"})
    return fig
