"""Small shared widgets: a metric tile whose arrow and colour follow the real change; a file
uploader that speaks Chinese."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

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


def chinese_uploader(hint: str) -> None:
    """Chinese words on st.file_uploader, which Streamlit 1.67 draws in English only ("Upload",
    "1GB per file • XLSX…": its server-wide limit, not orgdash's). CSS swaps the texts on every
    uploader of the page; call it once before the uploader."""
    css = f"""
    <style>
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{
        font-size: 0;
    }}
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
        content: "选择文件"; font-size: 0.875rem;
    }}
    [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
        content: {json.dumps(hint, ensure_ascii=False)}; font-size: 0.875rem;
    }}
    </style>
    """
    st.html(css)
