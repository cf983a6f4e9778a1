"""The palette (from reports.palette, shared with the reports) and the Chinese labels of the codes the warehouse stores."""

from __future__ import annotations

from dashboard import data
from reports.palette import BAD, FONT, GOOD, MUTED, PRIMARY, RAMP, SEQUENCE, WARN

__all__ = ["BAD", "FONT", "GOOD", "MUTED", "PRIMARY", "RAMP", "SEQUENCE", "WARN", "label", "labels"]


def labels(enum: str) -> dict[str, str]:
    """code -> Chinese label for one enumeration, in its display order (from lookup_<enum>)."""
    frame = data.run("filters/labels")
    rows = frame.filter(frame["enum"] == enum).sort("sort_order")
    return dict(zip(rows["code"].to_list(), rows["label"].to_list(), strict=True))


def label(enum: str, code: str | None) -> str:
    if code is None:
        return "未填"
    return labels(enum).get(code, code)
