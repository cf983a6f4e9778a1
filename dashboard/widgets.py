"""Small shared widgets: a metric tile whose arrow and colour follow the real change."""

from __future__ import annotations

from typing import Any

from dashboard import formats as fmt


def tile(
    col: Any,
    label: str,
    value: str,
    cur: float | None = None,
    prev: float | None = None,
    *,
    unit: str = "家",
    digits: int = 0,
    higher_is_better: bool = True,
    help: str | None = None,
) -> None:
    """A bordered metric whose arrow and colour follow the sign of cur − prev.

    The delta text starts with 比上年, so Streamlit cannot read its sign: set arrow and colour here.
    """
    text = fmt.delta(cur, prev, unit, digits)
    arrow, colour = "off", "gray"
    if text is not None and cur is not None and prev is not None:
        diff = round(cur - prev, digits)
        if diff != 0:
            up = diff > 0
            arrow = "up" if up else "down"
            colour = "green" if up == higher_is_better else "red"
    col.metric(label, value, text, delta_color=colour, delta_arrow=arrow, help=help, border=True)
