"""The house palette and chart font: plain constants, no Streamlit, shared by the reports and the dashboard."""

from __future__ import annotations

# A restrained government-report palette: red for emphasis, blues and greys for the rest.
PRIMARY = "#c0392b"
SEQUENCE = ["#c0392b", "#2e86c1", "#f39c12", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d", "#d35400"]
GOOD, WARN, BAD, MUTED = "#27ae60", "#f39c12", "#c0392b", "#95a5a6"
# Sequential ramp for choropleths, light to dark (RGB for pydeck).
RAMP = [(254, 240, 217), (253, 204, 138), (252, 141, 89), (227, 74, 51), (179, 0, 0)]
# Noto Sans CJK SC is what the server has (fonts-noto-cjk); the others are for a reader's machine.
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
