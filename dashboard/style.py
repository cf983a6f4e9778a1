"""One palette and one place for the Chinese labels of the codes the warehouse stores."""

from __future__ import annotations

from dashboard import data

# A restrained government-report palette: red for emphasis, blues and greys for the rest.
PRIMARY = "#c0392b"
SEQUENCE = ["#c0392b", "#2e86c1", "#f39c12", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d", "#d35400"]
GOOD, WARN, BAD, MUTED = "#27ae60", "#f39c12", "#c0392b", "#95a5a6"
# Sequential ramp for choropleths, light to dark (RGB for pydeck).
RAMP = [(254, 240, 217), (253, 204, 138), (252, 141, 89), (227, 74, 51), (179, 0, 0)]
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def labels(enum: str) -> dict[str, str]:
    """code -> Chinese label for one enumeration, in its display order (from lookup_<enum>)."""
    frame = data.run("filters/labels")
    rows = frame.filter(frame["enum"] == enum).sort("sort_order")
    return dict(zip(rows["code"].to_list(), rows["label"].to_list(), strict=True))


def label(enum: str, code: str | None) -> str:
    if code is None:
        return "未填"
    return labels(enum).get(code, code)
